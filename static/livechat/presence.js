// Who is here: the online list in the side panel (from `hello` and `presence`) and the
// "Alice is typing…" line (from `typing`, which the server sends at most once a second
// per person; each stays up for a few seconds unless that person's message arrives).

import { el, roleBadges } from "./dom.js";
import { gettext, interpolateParts } from "./i18n.js";

const TYPING_SHOW_MS = 4000; // how long "X is typing…" stays up

export class Presence {
  /**
   * @param {object} dom  onlineList, onlineCount, typing
   * @param {object} me   {id}
   */
  constructor(dom, me) {
    this.dom = dom;
    this.me = me;
    this.typers = new Map(); // username -> timer
  }

  renderOnline(users) {
    const items = users.map((user) =>
      el(
        "li",
        { class: "online-user" },
        el("bdi", { class: "online-name" }, user.username),
        roleBadges(user.roles),
        // Translators: after the reader's own name in the list of people online.
        user.id === this.me.id ? el("span", { class: "muted" }, " ", gettext("(you)")) : null,
      ),
    );
    this.dom.onlineList.replaceChildren(...items);
    this.dom.onlineCount.textContent = `(${users.length})`;
  }

  showTyping(user) {
    if (!user || user.id === this.me.id) return;
    clearTimeout(this.typers.get(user.username));
    this.typers.set(
      user.username,
      setTimeout(() => this.clearTyping(user.username), TYPING_SHOW_MS),
    );
    this.renderTyping();
  }

  /** Their message arrived (or the time is up): they are no longer typing it. */
  clearTyping(username) {
    if (!this.typers.has(username)) return;
    clearTimeout(this.typers.get(username));
    this.typers.delete(username);
    this.renderTyping();
  }

  renderTyping() {
    // Each name in a <bdi>, so it keeps its own direction inside the sentence.
    const names = [...this.typers.keys()].map((name) => el("bdi", {}, name));
    let parts = [];
    if (names.length === 1) {
      parts = interpolateParts(gettext("%(name)s is typing…"), { name: names[0] });
    } else if (names.length === 2) {
      parts = interpolateParts(gettext("%(first)s and %(second)s are typing…"), {
        first: names[0],
        second: names[1],
      });
    } else if (names.length > 2) {
      parts = [gettext("Several people are typing…")];
    }
    this.dom.typing.replaceChildren(...parts);
  }
}
