// The emoji picker: a searchable grid built from the server's shortcodes (name -> emoji),
// used by the composer (insert at the caret) and by messages (add a reaction). Also the
// source for `:shortcode` completion while typing (see composer.js).
//
// One popup at a time, attached to <body> with fixed positioning next to the button that
// opened it, so that a message re-rendered underneath does not take it away.
// Keyboard: type to search, Down (or Tab) into the grid, arrows move, Enter picks,
// Escape closes and gives the focus back.

import { el } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";

/** Unique emoji with every name that spells them, in the server's order. */
export function emojiIndex(shortcodes) {
  const byEmoji = new Map();
  for (const [name, emoji] of Object.entries(shortcodes || {})) {
    if (!byEmoji.has(emoji)) byEmoji.set(emoji, []);
    byEmoji.get(emoji).push(name);
  }
  return [...byEmoji].map(([emoji, names]) => ({ emoji, names }));
}

/** Entries whose names contain `query` (names starting with it first). */
export function searchEmoji(index, query, limit = Infinity) {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, "");
  if (!q) return index.slice(0, limit);
  const starts = [];
  const contains = [];
  for (const entry of index) {
    if (entry.names.some((name) => name.startsWith(q))) starts.push(entry);
    else if (entry.names.some((name) => name.includes(q))) contains.push(entry);
  }
  return [...starts, ...contains].slice(0, limit);
}

/** The composer's `:shortcode` completion: after ':' and two letters. */
export function shortcodeSource(shortcodes) {
  const index = emojiIndex(shortcodes);
  return {
    name: "emoji",
    label: gettext("Emoji"),
    pattern: /(?:^|[\s(]):([a-z0-9_+-]{2,30})$/i,
    fetch: (query) => {
      const q = query.toLowerCase();
      return searchEmoji(index, q, 8).map((entry) => ({
        emoji: entry.emoji,
        name: entry.names.find((name) => name.startsWith(q)) || entry.names[0],
      }));
    },
    option: (item) => [
      el("span", { class: "suggest-emoji", "aria-hidden": "true" }, item.emoji),
      ` :${item.name}:`,
    ],
    insert: (item) => item.emoji,
  };
}

let openPicker = null;

export class EmojiPicker {
  constructor(shortcodes) {
    this.index = emojiIndex(shortcodes);
  }

  /** Open next to `anchor`; `onPick(emoji)` runs on a choice. */
  open(anchor, onPick, { label = gettext("Choose an emoji") } = {}) {
    openPicker?.close({ restoreFocus: false });
    const search = el("input", {
      type: "search",
      class: "emoji-search",
      placeholder: gettext("Search emoji"),
      "aria-label": gettext("Search emoji"),
      autocomplete: "off",
    });
    const grid = el("div", { class: "emoji-grid", role: "group", "aria-label": gettext("Emoji") });
    const empty = el("p", { class: "emoji-empty muted", hidden: true }, gettext("No emoji match."));
    const popup = el(
      "div",
      { class: "emoji-picker", role: "dialog", "aria-label": label },
      search,
      grid,
      empty,
    );
    const state = {
      popup,
      anchor,
      close: ({ restoreFocus = true } = {}) => {
        if (openPicker !== state) return;
        openPicker = null;
        popup.remove();
        document.removeEventListener("pointerdown", outside, true);
        window.removeEventListener("resize", place);
        if (restoreFocus && anchor.isConnected) anchor.focus();
      },
    };
    const pick = (emoji) => {
      state.close({ restoreFocus: false });
      onPick(emoji);
      // The composer puts the focus back in the box; anywhere else, the opening button.
      if (document.activeElement === document.body && anchor.isConnected) anchor.focus();
    };
    const fill = () => {
      const entries = searchEmoji(this.index, search.value);
      grid.replaceChildren(
        ...entries.map((entry, i) =>
          el(
            "button",
            {
              type: "button",
              class: "emoji-choice",
              tabindex: i === 0 ? "0" : "-1",
              title: `:${entry.names[0]}:`,
              "aria-label": interpolate(
                gettext("%(emoji)s %(name)s"),
                { emoji: entry.emoji, name: entry.names[0].replace(/_/g, " ") },
                true,
              ),
              "data-emoji": entry.emoji,
              onclick: () => pick(entry.emoji),
            },
            entry.emoji,
          ),
        ),
      );
      empty.hidden = entries.length > 0;
    };
    const outside = (event) => {
      if (popup.contains(event.target) || anchor.contains(event.target)) return;
      state.close({ restoreFocus: false });
    };
    const place = () => placeNear(popup, anchor);

    search.addEventListener("input", fill);
    popup.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        state.close();
        return;
      }
      const buttons = [...grid.querySelectorAll(".emoji-choice")];
      if (event.target === search) {
        if (event.key === "Enter") {
          event.preventDefault();
          if (buttons[0]) pick(buttons[0].dataset.emoji);
        } else if (event.key === "ArrowDown" && buttons[0]) {
          event.preventDefault();
          buttons[0].focus();
        }
        return;
      }
      const index = buttons.indexOf(event.target);
      if (index < 0) return;
      const columns = gridColumns(buttons);
      // The grid mirrors in a right-to-left page, and so do Left and Right.
      const ahead = getComputedStyle(grid).direction === "rtl" ? -1 : 1;
      const moves = { ArrowLeft: -ahead, ArrowRight: ahead, ArrowUp: -columns, ArrowDown: columns };
      let next = null;
      if (event.key in moves) next = index + moves[event.key];
      else if (event.key === "Home") next = 0;
      else if (event.key === "End") next = buttons.length - 1;
      if (next === null) return;
      event.preventDefault();
      if (next < 0) {
        search.focus();
        return;
      }
      next = Math.min(next, buttons.length - 1);
      for (const button of buttons) button.tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });

    fill();
    document.body.append(popup);
    openPicker = state;
    place();
    document.addEventListener("pointerdown", outside, true);
    window.addEventListener("resize", place);
    search.focus();
    return state;
  }

  static close() {
    openPicker?.close();
  }

  static get isOpen() {
    return openPicker !== null;
  }
}

/** How many buttons share the first row. */
function gridColumns(buttons) {
  if (!buttons.length) return 1;
  const top = buttons[0].offsetTop;
  let n = 0;
  while (n < buttons.length && buttons[n].offsetTop === top) n += 1;
  return Math.max(1, n);
}

/** Above the anchor when there is room, else below; always inside the viewport. */
function placeNear(popup, anchor) {
  const rect = anchor.getBoundingClientRect();
  const margin = 8;
  const width = popup.offsetWidth;
  const height = popup.offsetHeight;
  // Lined up with the anchor's start edge: its right edge in a right-to-left page.
  const rtl = getComputedStyle(anchor).direction === "rtl";
  let left = Math.min(rtl ? rect.right - width : rect.left, window.innerWidth - width - margin);
  left = Math.max(margin, left);
  let top = rect.top - height - 4;
  if (top < margin) top = Math.min(rect.bottom + 4, window.innerHeight - height - margin);
  popup.style.left = `${Math.round(left)}px`;
  popup.style.top = `${Math.round(Math.max(margin, top))}px`;
}
