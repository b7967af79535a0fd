// Help while waiting, the rules (docs/helpdesk.md "Help while waiting"): when an asker's
// draft is worth a search (enough words, no longer than the server reads), waiting until
// they pause typing, dropping answers to drafts they have moved on from, and remembering
// for the draft in the box whether they said "Yes" or "No" (then nothing more is shown)
// and whether the panel was announced (once per draft).
//
// Pure: no DOM, no network. The search, the page's rendering and the timers are injected,
// so the node tests drive them (tests/js/suggest-model.test.mjs). suggestions.js wires it
// to the message box. Nothing here ever touches sending: the box and its Send button are
// the page's, always.

import { interpolate, ngettext } from "../livechat/i18n.js";

export const DEBOUNCE_MS = 500;
// The server refuses longer drafts (helpdesk.suggestions.MAX_QUERY_CHARS); a draft this
// long is not a search any more, and the panel hides.
export const MAX_CHARS = 500;

const WORD = /[\p{L}\p{N}]+/gu;

/** How many words the draft has, counted as the server counts them. */
export function countWords(text) {
  return (String(text ?? "").match(WORD) ?? []).length;
}

/** The draft as far as a search is concerned: its words, lowercased, one space apart. A
 * new comma or a second space is not a new search. */
export function searchKey(text) {
  return (String(text ?? "").match(WORD) ?? []).join(" ").toLowerCase();
}

/** Whether an answer has anything to show. */
export function hasSuggestions(result) {
  return Boolean(result && (result.help_pages?.length || result.answered?.length));
}

/** The polite announcement when suggestions first show for a draft. */
export function announcement(result) {
  const count = (result?.help_pages?.length ?? 0) + (result?.answered?.length ?? 0);
  return interpolate(
    ngettext(
      "%(count)s help page might answer this",
      "%(count)s help pages might answer this",
      count,
    ),
    { count },
    true,
  );
}

export class SuggestionPlanner {
  /**
   * @param {object} options
   * @param {number} options.minWords      words a draft needs (LIVECHAT_SUGGEST_MIN_WORDS)
   * @param {Function} options.search      (text) => Promise of the endpoint's answer
   * @param {Function} options.show        (result | null, {announce}) => void; null hides;
   *                                       `announce` is the sentence to say, once a draft
   * @param {number} [options.debounceMs]
   * @param {object} [options.timers]      {setTimeout, clearTimeout}
   */
  constructor({ minWords, search, show, debounceMs = DEBOUNCE_MS, timers = globalThis }) {
    this.minWords = minWords;
    this.search = search;
    this.show = show;
    this.debounceMs = debounceMs;
    this.timers = timers;
    this.timer = null;
    this.sequence = 0; // the newest search asked; older answers are dropped
    this.shownKey = null; // the search whose answer (maybe nothing) is on the page
    this.visible = false;
    this.dismissed = false; // "Yes" or "No" for the draft in the box
    this.announced = false; // the panel was announced for this draft
  }

  /** The message box's text changed (typing, pasting, a completion). */
  input(text) {
    const value = String(text ?? "");
    if (!value.trim()) {
      this.reset(); // sent or cleared: the next words are a new draft
      return;
    }
    if (this.dismissed) return;
    const key = searchKey(value);
    this.cancel();
    if (countWords(value) < this.minWords || value.length > MAX_CHARS) {
      this.shownKey = null;
      this.hide();
      return;
    }
    if (key === this.shownKey) return; // its answer is on the page already
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.ask(value, key);
    }, this.debounceMs);
  }

  async ask(text, key) {
    const mine = ++this.sequence;
    let result = null;
    try {
      result = await this.search(text);
    } catch {
      result = null; // offline, or the server had a moment: suggestions are an extra
    }
    // The asker typed on, sent, or answered "Yes"/"No" meanwhile.
    if (mine !== this.sequence || this.dismissed) return;
    this.shownKey = key;
    if (!hasSuggestions(result)) {
      this.hide();
      return;
    }
    const announce = this.announced ? "" : announcement(result);
    this.announced = true;
    this.visible = true;
    this.show(result, { announce });
  }

  /** "Yes" or "No, I'll ask a person": nothing more for this draft. */
  dismiss() {
    this.dismissed = true;
    this.cancel();
    this.hide();
  }

  /** The draft is gone (sent, cleared): forget it. */
  reset() {
    this.cancel();
    this.dismissed = false;
    this.announced = false;
    this.shownKey = null;
    this.hide();
  }

  cancel() {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.sequence++; // any search in flight now answers a draft that is gone
  }

  hide() {
    if (!this.visible) return;
    this.visible = false;
    this.show(null, { announce: "" });
  }
}
