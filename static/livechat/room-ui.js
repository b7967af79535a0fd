// The room page around the message list: the message box (Enter sends, the counter, the
// "typing" frames, its error line and the block notice above it), the reader's position
// (stick to the bottom, "Jump to new messages"), read markers, and the page's own events
// (online again, tab shown, leaving). Everything it sends goes through the ChatRoom.

import { Composer } from "./composer.js";
import { gettext, interpolate } from "./i18n.js";
import { Reading } from "./scroll.js";

const TYPING_SEND_EVERY_MS = 2000; // send `typing` at most this often
const READ_DEBOUNCE_MS = 1000;
const NEAR_BOTTOM_PX = 80;

export class RoomUI {
  /**
   * @param {import("./room.js").ChatRoom} room
   * @param {object} config  the page's config (#chat-config)
   * @param {object} dom     the page's elements (chat.js)
   */
  constructor(room, config, dom) {
    this.room = room;
    this.config = config;
    this.dom = dom;
    this.lastTypingSent = 0;
    this.lastReadSent = config.lastReadMessageId || 0;
    this.readTimer = null;

    // The message box's helpers (composer.js): counter, reply, emoji, completion. Built
    // before bindComposer() so that an open completion list sees Enter first.
    this.composer = new Composer({
      form: dom.composer,
      input: dom.input,
      counter: dom.counter,
      config,
      onEditLast: () => room.timeline.editLast(),
    });
    // What the reader has seen (read frames), the "New" divider, this room's unread count.
    this.reading = new Reading({
      scroller: dom.scroller,
      list: dom.messages,
      older: dom.loadOlder,
      me: room.me,
      room: room.slug,
      lastReadId: config.lastReadMessageId ?? null,
      messageOf: (id) => room.timeline.messages.get(id),
      onSeen: () => this.scheduleRead(),
      loadOlder: () => room.history.loadOlder(),
    });
  }

  start() {
    this.bindComposer();
    this.bindPage();
  }

  // -- the message box -----------------------------------------------------------------------

  bindComposer() {
    const { composer, input } = this.dom;
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    input.addEventListener("keydown", (event) => {
      // Enter sends, Shift+Enter is a new line; never while an IME is composing.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    input.addEventListener("input", () => {
      this.composer.updateCounter();
      if (input.value.trim()) this.maybeSendTyping();
    });
  }

  submit() {
    const { input } = this.dom;
    const body = input.value.trim();
    if (!body) return;
    const limit = this.config.maxLength;
    if (limit && body.length > limit) {
      this.showError(
        interpolate(
          gettext("The message is %(length)s characters long; the limit is %(limit)s."),
          { length: body.length, limit },
          true,
        ),
      );
      return;
    }
    this.clearError();
    input.value = "";
    this.composer.updateCounter();
    this.room.sendMessage(body, this.composer.takeReply());
  }

  maybeSendTyping() {
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    if (this.room.send({ type: "typing" })) this.lastTypingSent = now;
  }

  reply(message) {
    if (message) this.composer.setReply(message);
  }

  /** A blocked send goes back into the box, but only into an empty one. */
  restoreDraft(body) {
    const { input } = this.dom;
    if (input.value.trim()) return false;
    input.value = body;
    this.composer.updateCounter();
    return true;
  }

  /** Put a refused text back into the message box (after what is there already). */
  reuseDraft(entry) {
    if (!entry) return;
    const { input } = this.dom;
    input.value = input.value.trim() ? `${input.value.trimEnd()}\n${entry.body}` : entry.body;
    this.composer.updateCounter();
    input.focus();
  }

  showError(text) {
    this.dom.composerError.textContent = text;
  }

  clearError() {
    this.dom.composerError.textContent = "";
  }

  /** The prominent notice above the message box (a block: its reason and expiry). */
  showRefusal(text) {
    this.dom.refusalText.textContent = text;
    this.dom.refusal.hidden = false;
  }

  hideRefusal() {
    if (this.dom.refusal.hidden) return;
    this.dom.refusal.hidden = true;
    this.dom.refusalText.textContent = "";
  }

  // -- the reader's position -----------------------------------------------------------------

  nearBottom() {
    const { scroller } = this.dom;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToBottom() {
    this.dom.scroller.scrollTop = this.dom.scroller.scrollHeight;
    this.dom.jumpNew.hidden = true;
  }

  afterNewMessages(stick) {
    if (stick) this.scrollToBottom();
    else this.dom.jumpNew.hidden = false;
    this.scheduleRead();
  }

  /** The first history is in: place the reader (a linked message, the "New" divider, or
   * the bottom) and report what is on screen at once. */
  entered() {
    if (!this.reading.enter()) this.scrollToBottom();
    this.scheduleRead(0);
  }

  readElsewhere(id) {
    this.reading.readElsewhere(id);
  }

  /** Tell the server the newest message this user has seen, when the page is visible;
   * live messages are batched for a moment, a freshly loaded history is read at once. */
  scheduleRead(delay = READ_DEBOUNCE_MS) {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => this.sendRead(), delay);
  }

  sendRead() {
    clearTimeout(this.readTimer);
    if (document.visibilityState !== "visible") return;
    const newest = this.reading.seenId; // on screen while the page was visible
    if (!newest || newest <= this.lastReadSent) return;
    if (this.room.send({ type: "read", message_id: newest })) this.lastReadSent = newest;
  }

  // -- page events ---------------------------------------------------------------------------

  bindPage() {
    const { scroller, jumpNew, loadOlder, retry } = this.dom;
    loadOlder.addEventListener("click", () => this.room.history.loadOlder());
    jumpNew.addEventListener("click", () => this.scrollToBottom());
    retry.addEventListener("click", () => this.room.reconnectNow());
    this.dom.refusalDismiss.addEventListener("click", () => {
      this.hideRefusal();
      this.dom.input.focus();
    });
    scroller.addEventListener("scroll", () => {
      if (this.nearBottom()) jumpNew.hidden = true;
    });
    // Coming back (network or tab) is a good moment to retry without waiting.
    window.addEventListener("online", () => {
      if (!this.room.live) this.room.reconnectNow();
    });
    // Leaving the page: what was seen in the last moment still counts as read.
    window.addEventListener("pagehide", () => this.sendRead());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "visible") return;
      if (!this.room.live && this.room.connection.waiting) this.room.reconnectNow();
      this.scheduleRead();
    });
  }
}
