// New messages, told to screen readers without flooding them: at most one announcement
// every few seconds. The first message after a quiet spell is read at once ("New message
// from Bob: …"); whatever arrives during the pause that follows is summed up when it ends
// ("3 new messages"). The reader's own messages are not announced.
//
// Pure: no DOM. The page gives it `speak(text)` (room.js writes the text into a polite,
// atomic live region) and, in tests, its own clock and timers.

import { gettext, interpolate, ngettext } from "./i18n.js";

export const ANNOUNCE_EVERY_MS = 5000;
const EXCERPT_CHARS = 140;

/** The message's text as a sentence can carry it: one line, cut at EXCERPT_CHARS. */
export function excerpt(body) {
  const text = String(body || "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text;
}

/** What to say for `messages` (oldest first) that arrived since the last announcement. */
export function summary(messages) {
  if (messages.length === 0) return "";
  const [only] = messages;
  const text = messages.length === 1 ? excerpt(only.body) : "";
  if (text) {
    return interpolate(
      // Translators: read out by screen readers when one message arrives; %(name)s is
      // its author's username, %(text)s the start of the message.
      gettext("New message from %(name)s: %(text)s"),
      { name: only.author?.username ?? "", text },
      true,
    );
  }
  return interpolate(
    // Translators: read out by screen readers, summing up the messages that arrived in
    // the last few seconds.
    ngettext("%(count)s new message", "%(count)s new messages", messages.length),
    { count: messages.length },
    true,
  );
}

export class MessageAnnouncer {
  /**
   * @param {object} options
   * @param {(text: string) => void} options.speak
   * @param {number|null} [options.me]            the reader's user id (not announced)
   * @param {number} [options.everyMs]            the shortest gap between announcements
   * @param {() => number} [options.now]
   * @param {typeof setTimeout} [options.setTimeout]
   * @param {typeof clearTimeout} [options.clearTimeout]
   */
  constructor({
    speak,
    me = null,
    everyMs = ANNOUNCE_EVERY_MS,
    now = () => Date.now(),
    // Wrapped: the browser's timers throw "Illegal invocation" when called as a method.
    setTimeout: setTimer = (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: clearTimer = (id) => globalThis.clearTimeout(id),
  }) {
    this.speak = speak;
    this.me = me;
    this.everyMs = everyMs;
    this.now = now;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.pending = [];
    this.lastSpokenAt = -Infinity;
    this.timer = null;
  }

  /** A message new to the page, arrived live. */
  add(message) {
    if (!message || (this.me !== null && message.author?.id === this.me)) return;
    this.pending.push(message);
    if (this.timer !== null) return; // the summary at the end of the pause will count it
    const wait = this.lastSpokenAt + this.everyMs - this.now();
    if (wait <= 0) {
      this.flush();
    } else {
      this.timer = this.setTimer(() => {
        this.timer = null;
        this.flush();
      }, wait);
    }
  }

  flush() {
    if (this.pending.length === 0) return;
    const text = summary(this.pending);
    this.pending = [];
    this.lastSpokenAt = this.now();
    this.speak(text);
  }

  /** Nothing pending is said (the conversation was reloaded, the page is leaving). */
  reset() {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
