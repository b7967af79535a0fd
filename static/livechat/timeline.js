// The message list: rendering messages, keeping them in id order, inline editing,
// reactions, moderation (hide, unhide, report), and the "being sent" list below it.
//
// A message is re-rendered whole whenever a newer copy of it arrives (an edit, a
// reaction, hiding); the inline editor and the reason form are the pieces of DOM that
// survive a re-render, so that the user's draft, caret and focus are never lost.

import { el, roleBadges, timeElement } from "./dom.js";
import { EmojiPicker } from "./emoji-picker.js";
import { openRevisions } from "./revisions.js";

const CLOCK_EVERY_MS = 60_000; // relative times ("3 min ago") are refreshed this often
const JUMP_HIGHLIGHT_MS = 2000;

export class Timeline {
  /**
   * @param {object} options
   * @param {HTMLOListElement} options.list      confirmed messages, in id order
   * @param {HTMLOListElement} options.outgoing  the user's messages not yet confirmed
   * @param {object} options.me                  {id, username, roles}
   * @param {string[]} options.emoji             the quick reactions
   * @param {object} [options.shortcodes]         name -> emoji, for the full picker
   * @param {object} options.actions             react(id, emoji), edit(id, body, base) -> bool,
   *                                             moderate(id, "hide"|"unhide", reason) -> bool,
   *                                             report(id, reason) -> bool,
   *                                             retry(clientId), discard(clientId),
   *                                             sendAnyway(clientId), reuseDraft(clientId),
   *                                             reply(id), thank(id) -> bool
   */
  constructor({ list, outgoing, me, emoji, shortcodes, actions }) {
    this.list = list;
    this.outgoing = outgoing;
    this.me = me;
    this.moderator = (me.roles || []).includes("moderator");
    this.emoji = emoji;
    this.actions = actions;
    /** @type {Map<number, object>} message id -> the newest copy of the message */
    this.messages = new Map();
    /** @type {Map<number, HTMLLIElement>} */
    this.elements = new Map();
    /** @type {Map<number, object>} message id -> open inline editor state */
    this.edits = new Map();
    /** @type {Map<number, object>} message id -> open reason form (hide, unhide, report) */
    this.prompts = new Map();
    /** @type {Map<number, object>} message id -> {text, kind, timer}: a passing sentence */
    this.flashes = new Map();
    /** @type {Map<string, number>} client id -> the "Try again in N s" interval */
    this.countdowns = new Map();
    /** @type {Map<number, "sending"|"done">} message id -> the user's thanks for it */
    this.thanks = new Map();
    this.picker = shortcodes ? new EmojiPicker(shortcodes) : null;
    this.clock = setInterval(() => this.refreshTimes(), CLOCK_EVERY_MS);
  }

  get oldestId() {
    const first = this.list.firstElementChild;
    return first ? Number(first.dataset.id) : null;
  }

  get newestId() {
    const last = this.list.lastElementChild;
    return last ? Number(last.dataset.id) : null;
  }

  /** Forget every message (a resync reloads them); pending sends are kept. */
  clear() {
    this.list.replaceChildren();
    this.messages.clear();
    this.elements.clear();
    this.edits.clear();
    this.prompts.clear();
    for (const flash of this.flashes.values()) clearTimeout(flash.timer);
    this.flashes.clear();
  }

  /** Insert or replace a message, keeping the list in id order. Returns true if it was
   * new to this page. */
  upsert(message) {
    const old = this.elements.get(message.id);
    this.messages.set(message.id, message);
    this.settleEdit(message);
    // Read the focus before rendering: rendering moves the open editor into the new node.
    let focus = old ? focusWithin(old) : null;
    const settled = this.settlePrompt(message);
    // The reason form closed under the user's fingers: focus the control that replaced it.
    if (settled && focus?.key.startsWith("prompt")) focus = { key: settled, caret: null };
    const node = this.render(message);
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
      quote.replaceWith(this.renderReplyContext(message.id));
    }
  }

  /** Relative times ("just now", "3 min ago") move on; the exact time stays the title. */
  refreshTimes() {
    for (const time of this.list.querySelectorAll("time.msg-time")) {
      time.textContent = relativeTime(time.getAttribute("datetime"));
    }
  }

  /** Scroll to a message and highlight it for a moment. Returns false if not loaded. */
  jumpTo(id) {
    const node = this.elements.get(id);
    if (!node) return false;
    node.scrollIntoView({ block: "center", behavior: "smooth" });
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
    this.startEdit(last.id);
    return true;
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

  // -- rendering ---------------------------------------------------------------------------

  render(message) {
    const mine = message.author.id === this.me.id;
    const mentionsMe = (message.mentions || []).includes(this.me.username);
    const classes = ["msg"];
    if (mine) classes.push("mine");
    if (message.hidden) classes.push("is-hidden");
    if (mentionsMe) classes.push("mentions-me");

    const node = el("li", {
      class: classes.join(" "),
      id: `m-${message.id}`,
      "data-id": message.id,
      "data-author": message.author.id,
      "data-minute": (message.created_at || "").slice(0, 16),
    });
    const edit = this.edits.get(message.id);
    node.append(this.renderMeta(message, { mine, editing: Boolean(edit) }));
    if (message.reply_to) node.append(this.renderReplyContext(message.reply_to));
    if (edit) {
      // After a conflict the newer text is shown above the user's draft.
      if (edit.showCurrent) node.append(renderCurrentVersion(message));
      node.append(edit.form);
    } else {
      node.append(renderBody(message));
    }
    const prompt = this.prompts.get(message.id);
    if (prompt) node.append(prompt.form);
    if (!message.hidden && message.reactions?.length) node.append(this.renderReactions(message));
    const flash = this.flashes.get(message.id);
    node.append(
      el("p", { class: "msg-error", role: "alert" }, flash?.kind === "error" ? flash.text : ""),
      el("p", { class: "msg-notice", role: "status" }, flash?.kind === "notice" ? flash.text : ""),
    );
    return node;
  }

  renderMeta(message, { mine, editing }) {
    const meta = el("div", { class: "msg-meta" });
    const author = el("span", { class: "msg-author name-colour" }, message.author.username);
    // Through CSSOM, not a style attribute: a strict style-src CSP would drop the latter.
    author.style.setProperty("--name-hue", String(nameHue(message.author.username)));
    meta.append(author);
    meta.append(...roleBadges(message.author.roles));
    const time = timeElement(message.created_at);
    time.textContent = relativeTime(message.created_at);
    meta.append(time);
    if (message.edited_at) {
      meta.append(
        el(
          "button",
          {
            type: "button",
            class: "msg-edited link-button",
            title: `Edited ${message.edited_at}; show the edit history`,
            "aria-label": "Edited: show the edit history",
            "aria-haspopup": "dialog",
            "data-focus": "edited",
            onclick: (event) => openRevisions(message, event.currentTarget),
          },
          "(edited)",
        ),
      );
    }
    if (message.hidden) meta.append(el("span", { class: "badge badge-hidden" }, "Hidden"));

    // The message's tools sit at the end of this line: shown on hover or focus where
    // there is a mouse, always on touch screens (see chat.css).
    const tools = el("span", { class: "msg-tools" });
    if (!message.hidden) {
      tools.append(this.renderPicker(message));
      tools.append(
        el(
          "button",
          {
            type: "button",
            class: "button-quiet msg-reply",
            "data-focus": "reply",
            "aria-label": `Reply to ${message.author.username}`,
            onclick: () => this.actions.reply?.(message.id),
          },
          "Reply",
        ),
      );
      if (!mine) tools.append(this.renderThank(message));
      if (mine && !editing) {
        tools.append(
          el(
            "button",
            {
              type: "button",
              class: "button-quiet msg-edit",
              "data-focus": "edit",
              "aria-label": "Edit your message",
              onclick: () => this.startEdit(message.id),
            },
            "Edit",
          ),
        );
      }
      if (!mine) tools.append(this.renderPromptButton(message, "report"));
    }
    if (this.moderator) {
      tools.append(this.renderPromptButton(message, message.hidden ? "unhide" : "hide"));
    }
    if (tools.childElementCount) meta.append(tools);
    return meta;
  }

  /** The button that opens the reason form for `kind` (hide, unhide, report). */
  renderPromptButton(message, kind) {
    const open = this.prompts.get(message.id)?.kind === kind;
    return el(
      "button",
      {
        type: "button",
        class: `button-quiet msg-${kind}`,
        "data-focus": kind,
        "aria-label": `${PROMPTS[kind].verb} ${message.author.username}'s message`,
        "aria-expanded": open ? "true" : "false",
        "aria-controls": open ? `prompt-${message.id}` : null,
        onclick: () => this.openPrompt(message.id, kind),
      },
      PROMPTS[kind].verb,
    );
  }

  /** "Thank" on someone else's message; "Thanked" (disabled) once the server took it. */
  renderThank(message) {
    const state = this.thanks.get(message.id);
    const done = state === "done";
    return el(
      "button",
      {
        type: "button",
        class: `button-quiet msg-thank${done ? " is-thanked" : ""}`,
        "data-focus": "thank",
        "aria-label": done
          ? `You thanked ${message.author.username}`
          : `Thank ${message.author.username} for this message`,
        "aria-disabled": state ? "true" : "false",
        disabled: done,
        onclick: () => this.thank(message.id),
      },
      done ? "Thanked" : "Thank",
    );
  }

  thank(id) {
    if (this.thanks.has(id)) return;
    if (!this.actions.thank?.(id)) {
      this.showError(id, "You are offline; try again when the connection is back.");
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

  rerender(id) {
    const message = this.messages.get(id);
    if (message) this.upsert(message);
  }

  /** The quote line above a reply; it jumps to the message it answers. */
  renderReplyContext(replyTo) {
    const target = this.messages.get(replyTo);
    const quote = el("a", {
      class: "msg-reply-to",
      href: `#m-${replyTo}`,
      "data-reply-to": replyTo,
      onclick: (event) => {
        if (this.jumpTo(replyTo)) event.preventDefault();
      },
    });
    quote.append(el("span", { "aria-hidden": "true" }, "↪ "));
    if (target) {
      quote.append(
        el("span", { class: "msg-reply-author" }, target.author.username),
        `: ${target.hidden ? "(hidden message)" : snippet(target.body)}`,
      );
    } else {
      quote.append("In reply to a message");
    }
    return quote;
  }

  renderReactions(message) {
    const row = el("div", { class: "msg-reactions" });
    for (const reaction of message.reactions || []) {
      const users = reaction.users || [];
      const mine = users.includes(this.me.username);
      row.append(
        el(
          "button",
          {
            type: "button",
            class: `reaction${mine ? " reacted" : ""}`,
            title: users.join(", "),
            "aria-pressed": mine ? "true" : "false",
            "aria-label": `${reaction.emoji} ${reaction.count}: ${users.join(", ")}`,
            "data-focus": `react:${reaction.emoji}`,
            "data-emoji": reaction.emoji,
            onclick: () => this.actions.react(message.id, reaction.emoji),
          },
          el("span", { class: "reaction-emoji", "aria-hidden": "true" }, reaction.emoji),
          el("span", { class: "reaction-count", "aria-hidden": "true" }, reaction.count),
        ),
      );
    }

    return row;
  }

  /** The quick reactions: a <details>, which needs no script to open and close. */
  renderPicker(message) {
    const picker = el(
      "details",
      { class: "react-picker" },
      el(
        "summary",
        { "aria-label": "Add a reaction", title: "Add a reaction", "data-focus": "picker" },
        "☺+",
      ),
    );
    const choices = el("div", { class: "react-choices" });
    for (const emoji of this.emoji) {
      choices.append(
        el(
          "button",
          {
            type: "button",
            class: "react-choice",
            "aria-label": `React with ${emoji}`,
            "data-emoji": emoji,
            onclick: () => {
              picker.open = false;
              this.actions.react(message.id, emoji);
            },
          },
          emoji,
        ),
      );
    }
    if (this.picker) {
      choices.append(
        el(
          "button",
          {
            type: "button",
            class: "react-choice react-more",
            "aria-label": "More reactions",
            title: "More reactions",
            onclick: () => {
              const anchor = picker.querySelector("summary");
              picker.open = false;
              this.picker.open(anchor, (emoji) => this.actions.react(message.id, emoji), {
                label: "Add a reaction",
              });
            },
          },
          "…",
        ),
      );
    }
    picker.append(choices);
    return picker;
  }

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
    }, 8000);
    this.flashes.set(id, { text, kind, timer });
    node.querySelector(".msg-error").textContent = kind === "error" ? text : "";
    node.querySelector(".msg-notice").textContent = kind === "notice" ? text : "";
    return true;
  }

  // -- moderation: the reason form -----------------------------------------------------------
  // Hiding, unhiding and reporting all ask for a reason in a small form under the message:
  // a labelled text field, confirm and cancel; Escape cancels. The form stays open (and
  // disabled) until the server answers: the hidden/unhidden event, `reported`, or an error.

  openPrompt(id, kind) {
    const message = this.messages.get(id);
    if (!message) return;
    const open = this.prompts.get(id);
    if (open?.kind === kind) {
      open.input.focus();
      return;
    }
    const texts = PROMPTS[kind];
    const inputId = `prompt-${id}-reason`;
    const input = el("input", {
      type: "text",
      id: inputId,
      class: "prompt-input",
      maxlength: 1000,
      autocomplete: "off",
      "aria-required": "true",
      "aria-describedby": `prompt-${id}-notice`,
      placeholder: texts.placeholder,
      "data-focus": "prompt-input",
    });
    const notice = el("p", { class: "prompt-notice", id: `prompt-${id}-notice`, role: "alert" });
    const confirm = el(
      "button",
      {
        type: "submit",
        class: kind === "report" ? "button-primary" : "button-danger",
        "data-focus": "prompt-confirm",
      },
      texts.confirm,
    );
    const cancel = el(
      "button",
      {
        type: "button",
        class: "button-quiet",
        "data-focus": "prompt-cancel",
        onclick: () => this.closePrompt(id),
      },
      "Cancel",
    );
    const form = el(
      "form",
      { class: `prompt-form prompt-${kind}`, id: `prompt-${id}`, "aria-label": texts.title },
      el("label", { for: inputId, class: "prompt-label" }, texts.label),
      el(
        "div",
        { class: "prompt-row" },
        input,
        confirm,
        cancel,
        el("span", { class: "muted prompt-hint" }, "Esc to cancel"),
      ),
      notice,
    );
    const prompt = { kind, form, input, notice, confirm, sending: false };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitPrompt(id);
    });
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.closePrompt(id);
      }
    });
    input.addEventListener("input", () => {
      if (!prompt.sending) notice.textContent = "";
    });
    this.prompts.set(id, prompt);
    this.upsert(message);
    input.focus();
    form.scrollIntoView({ block: "nearest" });
  }

  submitPrompt(id) {
    const prompt = this.prompts.get(id);
    if (!prompt || prompt.sending) return;
    const reason = prompt.input.value.trim();
    if (!reason) {
      prompt.notice.textContent = "Give a reason.";
      prompt.input.focus();
      return;
    }
    const sent =
      prompt.kind === "report"
        ? this.actions.report(id, reason)
        : this.actions.moderate(id, prompt.kind, reason);
    if (!sent) {
      prompt.notice.textContent = "You are offline; try again when the connection is back.";
      return;
    }
    prompt.notice.textContent = "";
    this.setPromptSending(prompt, true);
  }

  setPromptSending(prompt, sending) {
    prompt.sending = sending;
    prompt.input.readOnly = sending;
    // aria-disabled, not disabled: a disabled button drops the keyboard focus, which must
    // stay in the form until the answer moves it (submitPrompt ignores clicks meanwhile).
    prompt.confirm.setAttribute("aria-disabled", sending ? "true" : "false");
    prompt.form.setAttribute("aria-busy", sending ? "true" : "false");
  }

  /** Close the form; focus goes back to the button that opened it. */
  closePrompt(id, { focusKey = null } = {}) {
    const prompt = this.prompts.get(id);
    if (!prompt) return;
    const hadFocus = prompt.form.contains(document.activeElement);
    this.prompts.delete(id);
    const message = this.messages.get(id);
    if (message) this.upsert(message);
    const node = this.elements.get(id);
    if (hadFocus && node) {
      const target =
        node.querySelector(`[data-focus="${focusKey || prompt.kind}"]`) ||
        node.querySelector(".msg-tools button, .msg-tools summary");
      target?.focus();
    }
  }

  /** A newer copy of the message arrived: a hide or unhide it answers (or makes moot)
   * closes the form. Returns the data-focus key of the control to focus, if it closed. */
  settlePrompt(message) {
    const prompt = this.prompts.get(message.id);
    if (!prompt) return null;
    const done =
      (prompt.kind === "hide" && message.hidden) ||
      (prompt.kind === "unhide" && !message.hidden) ||
      (prompt.kind === "report" && message.hidden);
    if (!done) return null;
    this.prompts.delete(message.id);
    if (!message.hidden) return "hide";
    return this.moderator ? "unhide" : null;
  }

  /** The server took the report (`reported`). */
  promptDone(id, text) {
    if (this.prompts.get(id)?.kind === "report") this.closePrompt(id);
    this.showNotice(id, text);
  }

  /** An error answering a hide, unhide or report. Returns false if none was in flight. A
   * reason the server did not like keeps the form open; anything else closes it and is
   * shown on the message (e.g. "already reported"). */
  promptFailed(id, code, detail) {
    const prompt = this.prompts.get(id);
    if (!prompt || !prompt.sending) return false;
    this.setPromptSending(prompt, false);
    if (code === "invalid" || code === "too_long") {
      prompt.notice.textContent = detail;
      prompt.input.focus();
      return true;
    }
    this.closePrompt(id);
    this.showError(id, detail);
    return true;
  }

  /** After a reconnect a hide or report in flight may or may not have arrived: let the
   * user confirm again (the server refuses a duplicate report with a clear sentence). */
  releaseSendingPrompts() {
    for (const prompt of this.prompts.values()) {
      if (!prompt.sending) continue;
      this.setPromptSending(prompt, false);
      prompt.notice.textContent =
        "The connection was interrupted; confirm again if nothing changed.";
    }
  }

  // -- inline editing ----------------------------------------------------------------------

  startEdit(id) {
    const message = this.messages.get(id);
    if (!message || this.edits.has(id)) return;
    const textarea = el("textarea", {
      class: "edit-input",
      rows: Math.min(8, Math.max(2, message.body.split("\n").length)),
      "aria-label": "Text of your message",
      "data-focus": "edit-input",
    });
    textarea.value = message.body;
    const notice = el("p", { class: "edit-notice", role: "status" });
    const save = el("button", { type: "submit", class: "button-primary" }, "Save");
    const cancel = el(
      "button",
      { type: "button", class: "button-quiet", onclick: () => this.cancelEdit(id) },
      "Cancel",
    );
    const form = el(
      "form",
      { class: "edit-form" },
      textarea,
      el(
        "div",
        { class: "edit-buttons" },
        save,
        cancel,
        el("span", { class: "muted" }, "Esc to cancel"),
      ),
      notice,
    );
    const edit = {
      form,
      textarea,
      notice,
      save,
      baseRevision: message.revision,
      saving: false,
      showCurrent: false,
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveEdit(id);
    });
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.cancelEdit(id);
      } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.saveEdit(id);
      }
    });
    this.edits.set(id, edit);
    this.upsert(message);
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    form.scrollIntoView({ block: "nearest" });
  }

  saveEdit(id) {
    const edit = this.edits.get(id);
    const message = this.messages.get(id);
    if (!edit || !message || edit.saving) return;
    const body = edit.textarea.value.trim();
    if (!body) {
      edit.notice.textContent = "A message cannot be empty.";
      return;
    }
    if (body === message.body && edit.baseRevision === message.revision) {
      this.cancelEdit(id); // nothing changed
      return;
    }
    if (!this.actions.edit(id, body, edit.baseRevision)) {
      edit.notice.textContent = "You are offline. Save again when the connection is back.";
      return;
    }
    this.setSaving(edit, true);
    edit.notice.textContent = "Saving…";
  }

  cancelEdit(id) {
    if (!this.edits.delete(id)) return;
    const message = this.messages.get(id);
    if (message) this.upsert(message);
    this.elements.get(id)?.querySelector(".msg-edit")?.focus();
  }

  setSaving(edit, saving) {
    edit.saving = saving;
    edit.textarea.readOnly = saving;
    edit.save.disabled = saving;
  }

  /** A newer copy of a message being edited arrived: close the editor if it is our save
   * landing, otherwise tell the user and keep their draft. */
  settleEdit(message) {
    const edit = this.edits.get(message.id);
    if (!edit || message.revision <= edit.baseRevision) return;
    if (edit.saving || message.body === edit.textarea.value.trim()) {
      this.edits.delete(message.id);
      return;
    }
    edit.showCurrent = true;
    edit.notice.textContent =
      "This message was changed meanwhile (shown above). Saving replaces it with your draft.";
  }

  /** The server refused an edit because the message moved on (409 conflict): show the
   * newer text above the editor and keep the draft; saving again replaces that version. */
  editConflict(id, currentRevision, message, detail) {
    const edit = this.edits.get(id);
    if (!edit) {
      if (message) this.upsert(message);
      return this.showError(id, detail);
    }
    this.setSaving(edit, false);
    // Rebase before re-rendering, so that the newer copy does not count as our save.
    edit.baseRevision = message?.revision ?? currentRevision ?? edit.baseRevision;
    edit.showCurrent = true;
    if (message) this.upsert(message);
    edit.notice.textContent =
      `${detail} The current text is shown above your draft; save again to replace it.`;
    edit.textarea.focus();
    edit.form.scrollIntoView({ block: "nearest" });
    return true;
  }

  /** An edit was refused for another reason (forbidden, filtered, too long, …). */
  editFailed(id, detail) {
    const edit = this.edits.get(id);
    if (!edit) return this.showError(id, detail);
    this.setSaving(edit, false);
    edit.notice.textContent = detail;
    return true;
  }

  /** After a reconnect an edit in flight may or may not have reached the server: let the
   * user save again (a landed save closes the editor when its event is replayed). */
  releaseSavingEdits() {
    for (const edit of this.edits.values()) {
      if (!edit.saving) continue;
      this.setSaving(edit, false);
      edit.notice.textContent =
        "The connection was interrupted; save again if your change does not appear.";
    }
  }

  // -- messages being sent -----------------------------------------------------------------

  /** Show (or update) one of the user's unconfirmed messages. `state` is one of
   * "sending", "queued", "sent", "failed"; a failure carries the server's sentence and
   * its error frame (`refusal`: code, warning, retry_after), which decide the buttons. */
  showPending(entry, state, detail = "", refusal = null) {
    const old = this.outgoing.querySelector(`[data-client-id="${CSS.escape(entry.clientId)}"]`);
    this.stopCountdown(entry.clientId);
    const labels = {
      sending: "Sending…",
      queued: "Waiting for the connection…",
      sent: "Sent",
      failed: "Not sent",
    };
    const node = el(
      "li",
      { class: `msg mine pending pending-${state}`, "data-client-id": entry.clientId },
      el(
        "div",
        { class: "msg-meta" },
        el("span", { class: "msg-author" }, this.me.username),
        timeElement(entry.createdAt),
        el("span", { class: "pending-state" }, labels[state] || state),
      ),
      el("div", { class: "msg-body msg-body-plain" }, entry.body),
    );
    if (state === "failed") {
      node.append(
        el("p", { class: "msg-error", role: "alert" }, detail),
        this.renderFailedActions(entry, refusal || {}),
      );
    }
    if (old) old.replaceWith(node);
    else this.outgoing.append(node);
  }

  renderFailedActions(entry, refusal) {
    const { clientId } = entry;
    const button = (label, action, props = {}) =>
      el("button", { type: "button", class: "button-quiet", onclick: action, ...props }, label);
    const actions = el("div", { class: "msg-actions" });
    if (refusal.code === "filtered" && refusal.warning) {
      // A warning lets the same text through when it is sent again.
      actions.append(
        button("Send anyway", () => this.actions.sendAnyway(clientId), {
          class: "button-quiet button-warn",
        }),
      );
    } else if (refusal.code !== "filtered") {
      // A filter that refuses would refuse the same text again: only editing helps.
      const retry = button("Try again", () => this.actions.retry(clientId));
      actions.append(retry);
      const seconds = Number(refusal.retry_after);
      if (refusal.code === "rate_limited" && seconds > 0) {
        this.startCountdown(clientId, retry, Date.now() + seconds * 1000);
      }
    }
    actions.append(
      button("Edit", () => this.actions.reuseDraft(clientId), {
        "aria-label": "Edit in the message box",
      }),
      button("Discard", () => this.actions.discard(clientId)),
    );
    return actions;
  }

  /** "Try again in N s", disabled, until the rate limit has passed. */
  startCountdown(clientId, button, until) {
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left > 0) {
        button.disabled = true;
        button.textContent = `Try again in ${left} s`;
        return;
      }
      this.stopCountdown(clientId);
      button.disabled = false;
      button.textContent = "Try again";
    };
    tick();
    if (button.disabled) this.countdowns.set(clientId, setInterval(tick, 250));
  }

  stopCountdown(clientId) {
    clearInterval(this.countdowns.get(clientId));
    this.countdowns.delete(clientId);
  }

  pendingEntry(clientId) {
    const node = this.outgoing.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`);
    if (!node) return null;
    return {
      clientId,
      body: node.querySelector(".msg-body").textContent,
      createdAt: node.querySelector("time").getAttribute("datetime"),
    };
  }

  removePending(clientId) {
    this.stopCountdown(clientId);
    this.outgoing.querySelector(`[data-client-id="${CSS.escape(clientId)}"]`)?.remove();
  }
}

const PROMPTS = {
  hide: {
    verb: "Hide",
    title: "Hide this message",
    label: "Why hide this message? (required; kept in the moderation log)",
    placeholder: "e.g. personal attack",
    confirm: "Hide message",
  },
  unhide: {
    verb: "Unhide",
    title: "Unhide this message",
    label: "Why show this message again? (required; kept in the moderation log)",
    placeholder: "e.g. hidden by mistake",
    confirm: "Unhide message",
  },
  report: {
    verb: "Report",
    title: "Report this message",
    label: "What is wrong with this message? (required; moderators will read it)",
    placeholder: "e.g. spam, harassment",
    confirm: "Send report",
  },
};

function renderBody(message) {
  if (message.hidden && !message.html) {
    return el(
      "p",
      { class: "msg-body msg-placeholder" },
      "This message was hidden by a moderator.",
    );
  }
  const body = el("div", { class: "msg-body" });
  // The one place HTML is parsed: the server renders and sanitises message.html with an
  // allow-list (livechat/formatting.py); nothing typed by a user reaches here unsanitised.
  body.innerHTML = message.html;
  return body;
}

/** The newer text shown above the editor after a conflict. */
function renderCurrentVersion(message) {
  const box = el("div", { class: "edit-current" }, el("p", { class: "muted" }, "Current version:"));
  box.append(renderBody(message));
  return box;
}

function snippet(text, length = 80) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
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

/** A hue (0–359) from a name, the same on every page: the name's colour (composer.css
 * turns it into a readable lightness for the light and the dark theme). */
export function nameHue(name) {
  let hash = 0;
  for (const char of name) hash = (Math.imul(hash, 31) + char.codePointAt(0)) | 0;
  return Math.abs(hash) % 360;
}

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** "just now", "3 min ago", "14:02" (today), "yesterday 14:02", "Mar 3, 14:02". */
export function relativeTime(iso, now = new Date()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const seconds = (now - date) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (date.toDateString() === now.toDateString()) return clockFormat.format(date);
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (date.toDateString() === yesterday.toDateString()) {
    return `yesterday ${clockFormat.format(date)}`;
  }
  return dayFormat.format(date);
}
