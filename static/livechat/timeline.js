// The message list: the newest copy of each message, kept in id order, grouped under one
// header per author and minute, with replies quoting what they answer. Rendering one
// message is message-view.js; its editor and reason form are editing.js and prompts.js.
//
// A message is re-rendered whole whenever a newer copy of it arrives (an edit, a
// reaction, hiding); the inline editor and the reason form are the pieces of DOM that
// survive a re-render, so that the user's draft, caret and focus are never lost.

import { Editing } from "./editing.js";
import { EmojiPicker } from "./emoji-picker.js";
import { relativeTime } from "./format.js";
import { gettext } from "./i18n.js";
import { renderMessage, renderReplyContext } from "./message-view.js";
import { ReasonPrompts } from "./prompts.js";

const CLOCK_EVERY_MS = 60_000; // relative times ("3 min ago") are refreshed this often
const JUMP_HIGHLIGHT_MS = 2000;
const FLASH_MS = 8000; // how long a passing sentence stays under a message

export class Timeline {
  /**
   * @param {object} options
   * @param {HTMLOListElement} options.list      confirmed messages, in id order
   * @param {HTMLElement[]} [options.clocks]      more lists whose <time>s move on
   * @param {object} options.me                  {id, username, roles}
   * @param {string[]} options.emoji             the quick reactions
   * @param {object} [options.shortcodes]         name -> emoji, for the full picker
   * @param {object} options.actions             react(id, emoji), edit(id, body, base) -> bool,
   *                                             moderate(id, "hide"|"unhide", reason) -> bool,
   *                                             report(id, reason) -> bool, reply(id),
   *                                             thank(id) -> bool
   */
  constructor({ list, clocks = [], me, emoji, shortcodes, actions }) {
    this.list = list;
    this.clocks = [list, ...clocks];
    this.me = me;
    this.moderator = (me.roles || []).includes("moderator");
    this.emoji = emoji;
    this.actions = actions;
    /** @type {Map<number, object>} message id -> the newest copy of the message */
    this.messages = new Map();
    /** @type {Map<number, HTMLLIElement>} */
    this.elements = new Map();
    /** @type {Map<number, object>} message id -> {text, kind, timer}: a passing sentence */
    this.flashes = new Map();
    /** @type {Map<number, "sending"|"done">} message id -> the user's thanks for it */
    this.thanks = new Map();
    this.editing = new Editing(this, actions.edit);
    this.prompts = new ReasonPrompts(this, actions);
    this.picker = shortcodes ? new EmojiPicker(shortcodes) : null;
    this.clock = setInterval(() => this.refreshTimes(), CLOCK_EVERY_MS);
    // Escape closes an open reaction picker (a <details>, which does not close on Escape
    // by itself) and gives the focus back to the button that opened it.
    list.addEventListener("keydown", (event) => {
      const picker = event.key === "Escape" && event.target.closest?.(".react-picker[open]");
      if (!picker) return;
      event.preventDefault();
      event.stopPropagation();
      picker.open = false;
      picker.querySelector("summary")?.focus();
    });
  }

  get oldestId() {
    const first = this.list.firstElementChild;
    return first ? Number(first.dataset.id) : null;
  }

  /** Forget every message (a resync reloads them); pending sends are kept. */
  clear() {
    this.list.replaceChildren();
    this.messages.clear();
    this.elements.clear();
    this.editing.clear();
    this.prompts.clear();
    for (const flash of this.flashes.values()) clearTimeout(flash.timer);
    this.flashes.clear();
  }

  /** Insert or replace a message, keeping the list in id order. Returns true if it was
   * new to this page. */
  upsert(message) {
    const old = this.elements.get(message.id);
    this.messages.set(message.id, message);
    this.editing.settle(message);
    // Read the focus before rendering: rendering moves the open editor into the new node.
    let focus = old ? focusWithin(old) : null;
    const settled = this.prompts.settle(message);
    // The reason form closed under the user's fingers: focus the control that replaced it.
    if (settled && focus?.key.startsWith("prompt")) focus = { key: settled, caret: null };
    const node = renderMessage(message, this);
    this.elements.set(message.id, node);
    if (old) {
      old.replaceWith(node);
      restoreFocus(node, focus);
      this.regroup(node);
      this.refreshQuotes(message);
      return false;
    }
    this.insertInOrder(node, message.id);
    this.regroup(node);
    this.regroup(node.nextElementSibling);
    this.refreshQuotes(message);
    return true;
  }

  rerender(id) {
    const message = this.messages.get(id);
    if (message) this.upsert(message);
  }

  insertInOrder(node, id) {
    const last = this.list.lastElementChild;
    // Live messages are nearly always the newest, older pages nearly always the oldest.
    if (!last || Number(last.dataset.id) < id) {
      this.list.append(node);
      return;
    }
    const first = this.list.firstElementChild;
    if (Number(first.dataset.id) > id) {
      this.list.prepend(node);
      return;
    }
    let before = last;
    while (before && Number(before.dataset.id) > id) before = before.previousElementSibling;
    before.after(node);
  }

  /** Consecutive messages by one author within one minute show one header: the later
   * ones get `msg-cont` (their author and time stay in the DOM for screen readers). */
  regroup(node) {
    if (!node?.dataset?.id) return;
    const prev = node.previousElementSibling;
    const continued = Boolean(
      prev?.dataset.id &&
        prev.dataset.author === node.dataset.author &&
        prev.dataset.minute === node.dataset.minute,
    );
    node.classList.toggle("msg-cont", continued);
  }

  /** Replies quoting `message` show its newest author and text. */
  refreshQuotes(message) {
    for (const quote of this.list.querySelectorAll(
      `.msg-reply-to[data-reply-to="${message.id}"]`,
    )) {
      quote.replaceWith(renderReplyContext(message.id, this));
    }
  }

  /** Relative times ("just now", "3 min ago") move on; the exact time stays the title. */
  refreshTimes() {
    for (const list of this.clocks) {
      for (const time of list.querySelectorAll("time.msg-time")) {
        time.textContent = relativeTime(time.getAttribute("datetime"));
      }
    }
  }

  /** Scroll to a message and highlight it for a moment. Returns false if not loaded. */
  jumpTo(id) {
    const node = this.elements.get(id);
    if (!node) return false;
    const still = globalThis.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
    node.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
    node.classList.add("is-linked");
    setTimeout(() => this.elements.get(id)?.classList.remove("is-linked"), JUMP_HIGHLIGHT_MS);
    return true;
  }

  /** Up-arrow in the empty message box: edit the user's newest message on the page. */
  editLast() {
    let last = null;
    for (const message of this.messages.values()) {
      if (message.author.id !== this.me.id || message.hidden) continue;
      if (!last || message.id > last.id) last = message;
    }
    if (!last) return false;
    this.editing.start(last.id);
    return true;
  }

  // -- thanks ------------------------------------------------------------------------------

  /** The history says which of its messages this person already thanked. */
  rememberThanks(ids = []) {
    for (const id of ids) this.thanks.set(id, "done");
  }

  thank(id) {
    if (this.thanks.has(id)) return;
    if (!this.actions.thank?.(id)) {
      this.showError(id, gettext("You are offline; try again when the connection is back."));
      return;
    }
    this.thanks.set(id, "sending");
    this.rerender(id);
  }

  /** `thanked` from the server. */
  thanked(id) {
    this.thanks.set(id, "done");
    this.rerender(id);
  }

  /** An error answering a thanks; false if none was in flight. "Already thanked" (a
   * conflict) counts as done. */
  thankFailed(id, code, detail) {
    if (this.thanks.get(id) !== "sending") return false;
    if (code === "conflict") {
      this.thanked(id);
      return true;
    }
    this.thanks.delete(id);
    this.rerender(id);
    this.showError(id, detail);
    return true;
  }

  // -- passing sentences -------------------------------------------------------------------

  /** Show an error sentence on a message for a while. */
  showError(id, detail) {
    return this.flash(id, detail, "error");
  }

  /** Show a confirmation on a message for a while ("Reported — …"). */
  showNotice(id, text) {
    return this.flash(id, text, "notice");
  }

  /** A passing sentence under a message; it survives re-renders until it times out. */
  flash(id, text, kind) {
    const node = this.elements.get(id);
    if (!node) return false;
    const old = this.flashes.get(id);
    if (old) clearTimeout(old.timer);
    const timer = setTimeout(() => {
      this.flashes.delete(id);
      const current = this.elements.get(id);
      if (!current) return;
      for (const box of current.querySelectorAll(".msg-error, .msg-notice")) box.textContent = "";
    }, FLASH_MS);
    this.flashes.set(id, { text, kind, timer });
    node.querySelector(".msg-error").textContent = kind === "error" ? text : "";
    node.querySelector(".msg-notice").textContent = kind === "notice" ? text : "";
    return true;
  }
}

/** Which control inside `node` has keyboard focus (by its data-focus key), and where
 * its caret is. */
function focusWithin(node) {
  const active = document.activeElement;
  if (!active || !node.contains(active) || !active.dataset.focus) return null;
  const caret =
    active instanceof HTMLTextAreaElement ? [active.selectionStart, active.selectionEnd] : null;
  return { key: active.dataset.focus, caret };
}

function restoreFocus(node, focus) {
  if (!focus) return;
  const target = node.querySelector(`[data-focus="${CSS.escape(focus.key)}"]`);
  if (!target) return;
  target.focus();
  if (focus.caret && target instanceof HTMLTextAreaElement) {
    target.setSelectionRange(...focus.caret);
  }
}
