// `@name` completion in the composer: the people whose name starts with what was typed,
// from `GET /api/users/?prefix=&room=` (online in the room first, then recent writers).
// The list itself (keyboard, ARIA combobox) is the composer's Autocomplete; this module
// only says when to ask, what to ask and how an answer looks.

import { el, fetchJSON, roleBadges } from "./dom.js";
import { gettext } from "./i18n.js";

const DEBOUNCE_MS = 120;

export function mentionSource(slug) {
  let timer = null;
  let pending = null; // resolve of the answer a newer keystroke superseded
  return {
    name: "mention",
    label: gettext("People"),
    // After a space, a line start or "(", "@" and at least one letter of a name.
    pattern: /(?:^|[\s(])@([A-Za-z0-9_.-]{1,150})$/,
    /** Debounced: only the last query of a burst of typing goes to the server. */
    fetch(query) {
      clearTimeout(timer);
      pending?.([]);
      return new Promise((resolve) => {
        pending = resolve;
        timer = setTimeout(async () => {
          pending = null;
          const params = new URLSearchParams({ prefix: query, room: slug });
          try {
            const data = await fetchJSON(`/api/users/?${params}`);
            resolve((data.users || []).slice(0, 10));
          } catch {
            resolve([]); // offline: no suggestions, typing goes on
          }
        }, DEBOUNCE_MS);
      });
    },
    option: (user) => [
      el("span", {
        class: `suggest-presence${user.online ? " is-online" : ""}`,
        "aria-hidden": "true",
      }),
      el("span", { class: "suggest-name" }, user.username),
      ...roleBadges(user.roles),
      user.online ? el("span", { class: "visually-hidden" }, " ", gettext("(online)")) : null,
    ],
    insert: (user) => `${mentionText(user)} `,
  };
}

/** What to insert for `user`: the server's `mention`, which always resolves to that person
 * (a name with spaces or dots needs brackets, say), or plain @username from servers that
 * do not send it. */
export function mentionText(user) {
  return typeof user.mention === "string" && user.mention ? user.mention : `@${user.username}`;
}
