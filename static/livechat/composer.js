// The message box's helpers: the character counter, the formatting help, the reply bar,
// the emoji button, Up-arrow to edit the last message, Escape to cancel, and the
// completion list for `@name` and `:shortcode` (an ARIA combobox on the textarea).
//
// chat.js still owns sending: Enter (without Shift) submits, and the submit asks
// `takeReply()` what the message answers. The composer's keydown listener is registered
// before chat.js's, so that Enter and Tab go to an open completion list first.

import { el } from "./dom.js";
import { EmojiPicker, shortcodeSource } from "./emoji-picker.js";
import { snippet } from "./format.js";
import { gettext, interpolate, interpolateParts, ngettext } from "./i18n.js";
import { mentionSource } from "./mentions.js";

const COUNTER_FROM = 0.9; // show the counter from 90 % of the limit

/** The formatting help: what to type, and what it gives. Built when shown, once the
 * catalog is in; the syntax is translated too (the words in it are examples). */
function helpRows() {
  return [
    [gettext("**bold** or '''bold'''"), gettext("bold")],
    [gettext("*italic* or ''italic''"), gettext("italic")],
    // Translators: keep the two tildes on each side; translate the words between them.
    [gettext("~~struck out~~"), gettext("strikethrough")],
    // Translators: keep the backticks on each side; translate the example word.
    [gettext("`code`"), gettext("code")],
    // Translators: the fence of three backticks is typed as is, on a line of its own.
    ["```", gettext("on the lines before and after some code: a code block")],
    // Translators: keep "> " at the start; translate the example words.
    [gettext("> quoted text"), gettext("a quote")],
    // Translators: keep "- " and "* " at the start of each example; translate "item".
    [gettext("- item or * item"), gettext("a bulleted list, one item a line")],
    // Translators: keep "1. " and "# " at the start of each example; translate "item".
    [gettext("1. item or # item"), gettext("a numbered list, one item a line")],
    [gettext("[text](https://…)"), gettext("a link")],
    [gettext("[[Page title]]"), gettext("a wiki page")],
    // Translators: keep the "@"; translate the example word (a person's name goes there).
    [gettext("@name"), gettext("mention someone")],
    // Translators: keep the colons; translate the example word (an emoji's code goes there).
    [gettext(":shortcode:"), gettext("an emoji, e.g. :smile:")],
  ];
}

export class Composer {
  /**
   * @param {object} options
   * @param {HTMLFormElement} options.form
   * @param {HTMLTextAreaElement} options.input
   * @param {HTMLElement} options.counter
   * @param {object} options.config      the page's config (maxLength, shortcodes, room)
   * @param {Function} options.onEditLast  Up-arrow in an empty box: edit the last message;
   *                                       returns true if there was one
   */
  constructor({ form, input, counter, config, onEditLast }) {
    this.form = form;
    this.input = input;
    this.counter = counter;
    this.limit = config.maxLength || 0;
    this.onEditLast = onEditLast;
    this.replyTo = null;
    this.picker = new EmojiPicker(config.shortcodes || {});
    // Past the limit the counter warns and sending is refused with a sentence; the
    // browser's maxlength would cut pasted text silently instead.
    input.removeAttribute("maxlength");

    this.autocomplete = new Autocomplete(input, [
      mentionSource(config.room.slug),
      shortcodeSource(config.shortcodes || {}),
    ]);
    this.buildReplyBar();
    this.buildTools();
    input.addEventListener("keydown", (event) => this.onKeydown(event));
    input.addEventListener("input", () => this.updateCounter());
  }

  buildReplyBar() {
    this.replyText = el("span", { class: "composer-reply-text" });
    this.replyCancel = el(
      "button",
      {
        type: "button",
        class: "button-quiet composer-reply-cancel",
        "aria-label": gettext("Cancel the reply"),
        title: gettext("Cancel the reply (Esc)"),
        onclick: () => {
          this.clearReply();
          this.input.focus();
        },
      },
      "×",
    );
    this.replyBar = el(
      "div",
      { class: "composer-reply", id: "composer-reply", hidden: true },
      this.replyText,
      this.replyCancel,
    );
    this.form.prepend(this.replyBar);
  }

  buildTools() {
    const helpId = "composer-help";
    this.emojiButton = el(
      "button",
      {
        type: "button",
        class: "button-quiet composer-emoji",
        "aria-label": gettext("Insert an emoji"),
        title: gettext("Insert an emoji"),
        "aria-haspopup": "dialog",
        onclick: () => this.openPicker(),
      },
      "☺",
    );
    this.helpButton = el(
      "button",
      {
        type: "button",
        class: "button-quiet composer-help-toggle",
        "aria-expanded": "false",
        "aria-controls": helpId,
        onclick: () => this.toggleHelp(),
      },
      gettext("Formatting help"),
    );
    const rows = helpRows().map(([syntax, meaning]) =>
      el("li", {}, el("code", {}, syntax), " ", el("span", { class: "muted" }, meaning)),
    );
    this.help = el(
      "div",
      { class: "composer-help", id: helpId, hidden: true },
      el("ul", {}, rows),
    );
    const tools = el("div", { class: "composer-tools" }, this.emojiButton, this.helpButton);
    const hint = this.form.querySelector(".composer-hint");
    if (hint) hint.before(tools, this.help);
    else this.form.append(tools, this.help);
  }

  toggleHelp() {
    const open = this.help.hidden;
    this.help.hidden = !open;
    this.helpButton.setAttribute("aria-expanded", open ? "true" : "false");
  }

  openPicker() {
    const start = this.input.selectionStart;
    const end = this.input.selectionEnd;
    this.picker.open(
      this.emojiButton,
      (emoji) => {
        this.input.focus();
        this.input.setRangeText(emoji, start, end, "end");
        this.input.dispatchEvent(new Event("input", { bubbles: true }));
      },
      { label: gettext("Insert an emoji") },
    );
  }

  onKeydown(event) {
    if (this.autocomplete.handleKey(event)) {
      // The list took the key: chat.js must not send on this Enter.
      event.stopImmediatePropagation();
      return;
    }
    if (event.key === "Escape") {
      if (this.replyTo !== null) {
        event.preventDefault();
        this.clearReply();
      }
      return;
    }
    if (
      event.key === "ArrowUp" &&
      !event.shiftKey &&
      !event.altKey &&
      !event.ctrlKey &&
      !event.metaKey &&
      this.input.value === "" &&
      this.onEditLast?.()
    ) {
      event.preventDefault();
    }
  }

  /** "Replying to Alice: …" above the box; the next message answers `message`. */
  setReply(message) {
    this.replyTo = message.id;
    const excerpt = message.erased
      ? gettext("(removed message)")
      : message.hidden
        ? gettext("(hidden message)")
        : snippet(message.body, 80);
    this.replyText.replaceChildren(
      ...interpolateParts(gettext("Replying to %(name)s: %(excerpt)s"), {
        name: el("strong", {}, el("bdi", {}, message.author.username)),
        excerpt: el("bdi", {}, excerpt),
      }),
    );
    this.replyBar.hidden = false;
    this.input.setAttribute(
      "aria-describedby",
      addToken(this.input.getAttribute("aria-describedby"), "composer-reply"),
    );
    this.input.focus();
  }

  clearReply() {
    this.replyTo = null;
    this.replyBar.hidden = true;
    this.replyText.replaceChildren();
  }

  /** The id the message being sent answers (and the reply bar closes). */
  takeReply() {
    const id = this.replyTo;
    this.clearReply();
    return id;
  }

  /** Near the limit: "45 / 50"; past it: a warning, and sending is refused. */
  updateCounter() {
    const { limit, counter } = this;
    if (!limit) return;
    const length = this.input.value.trim().length;
    const over = length > limit;
    counter.classList.toggle("is-over", over);
    if (over) {
      const excess = length - limit;
      counter.textContent = interpolate(
        ngettext(
          "%(length)s / %(limit)s: %(excess)s too many character.",
          "%(length)s / %(limit)s: %(excess)s too many characters.",
          excess,
        ),
        { length, limit, excess },
        true,
      );
    } else if (length >= limit * COUNTER_FROM) {
      counter.textContent = interpolate(gettext("%(length)s / %(limit)s"), { length, limit }, true);
    } else {
      counter.textContent = "";
    }
  }
}

/**
 * A completion list for the textarea: each source says when it applies (`pattern`, a
 * regex ending at the caret whose group 1 is the query), fetches the items (a list or a
 * promise), shows one (`option`) and what it inserts (`insert`). The textarea is the
 * combobox, the list a listbox; aria-activedescendant follows the highlighted option.
 */
export class Autocomplete {
  constructor(input, sources) {
    this.input = input;
    this.sources = sources;
    this.items = [];
    this.active = -1;
    this.match = null; // {source, start, end}
    this.seq = 0;
    this.list = el("ul", {
      class: "composer-suggest",
      id: "composer-suggest",
      role: "listbox",
      hidden: true,
    });
    input.after(this.list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.addEventListener("input", () => this.update());
    input.addEventListener("click", () => this.update());
    // Leaving the box closes the list (after a moment: a click on an option lands first).
    input.addEventListener("blur", () =>
      setTimeout(() => {
        if (document.activeElement !== input) this.close();
      }, 150),
    );
  }

  get isOpen() {
    return !this.list.hidden;
  }

  async update() {
    const seq = ++this.seq;
    const { input } = this;
    const caret = input.selectionEnd;
    if (input.selectionStart !== caret) return this.close();
    const before = input.value.slice(0, caret);
    for (const source of this.sources) {
      const found = source.pattern.exec(before);
      if (!found) continue;
      const query = found[1];
      const items = await source.fetch(query);
      if (seq !== this.seq) return undefined; // the text moved on meanwhile
      this.match = { source, start: caret - query.length - 1, end: caret };
      return this.show(source, items);
    }
    return this.close();
  }

  show(source, items) {
    if (!items.length) return this.close();
    this.items = items;
    this.list.setAttribute("aria-label", source.label);
    this.list.replaceChildren(
      ...items.map((item, index) => {
        const option = el(
          "li",
          {
            id: `composer-suggest-${index}`,
            role: "option",
            class: "suggest-option",
            "aria-selected": "false",
          },
          source.option(item),
        );
        // mousedown, not click: the textarea keeps the focus (and its caret).
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          this.accept(index);
        });
        return option;
      }),
    );
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight(0);
    return undefined;
  }

  highlight(index) {
    const options = this.list.children;
    if (!options.length) return;
    this.active = (index + options.length) % options.length;
    for (const [i, option] of [...options].entries()) {
      option.setAttribute("aria-selected", i === this.active ? "true" : "false");
    }
    this.input.setAttribute("aria-activedescendant", options[this.active].id);
    options[this.active].scrollIntoView({ block: "nearest" });
  }

  accept(index = this.active) {
    const item = this.items[index];
    const match = this.match;
    this.close();
    if (!item || !match) return;
    this.input.setRangeText(match.source.insert(item), match.start, match.end, "end");
    this.seq += 1; // a fetch still under way must not reopen the list
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  close() {
    this.seq += 1;
    if (this.list.hidden) return;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.items = [];
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  /** Returns true when the key was for the open list. */
  handleKey(event) {
    if (!this.isOpen || event.isComposing) return false;
    switch (event.key) {
      case "ArrowDown":
        this.highlight(this.active + 1);
        break;
      case "ArrowUp":
        this.highlight(this.active - 1);
        break;
      case "Enter":
      case "Tab":
        if (event.shiftKey) return false;
        this.accept();
        break;
      case "Escape":
        this.close();
        break;
      default:
        return false;
    }
    event.preventDefault();
    return true;
  }
}

function addToken(list, token) {
  const tokens = (list || "").split(/\s+/).filter(Boolean);
  if (!tokens.includes(token)) tokens.unshift(token);
  return tokens.join(" ");
}
