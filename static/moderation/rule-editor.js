// The abuse-filter editor's rule box (admin/moderation/abusefilter/edit.html): the rule
// coloured as you type, its syntax checked on the server as you pause (the check/ JSON
// endpoint, the same check_syntax the Save button runs) with the error shown in place and
// announced politely, and completion of the language's variables and functions.
//
// Progressive: without this script the textarea and the "Check syntax" button work as they
// always did. The logic without a page is rule-tokens.js (node tests); this module only
// puts it on the page.
//
// How it looks: a <pre> behind the textarea draws the coloured tokens; the textarea on top
// has transparent text and a visible caret, so typing, selecting, undo and the browser's
// own editing stay native. Both share font, padding, wrapping and scroll position.
//
// Completion is the combobox pattern on a text box: the textarea keeps its own role (a
// multi-line text box) and points at the listbox with aria-controls and, while a choice is
// highlighted, aria-activedescendant; Up/Down choose, Tab or Enter accept, Escape closes,
// Ctrl+Space opens it. Focus never leaves the textarea.

import { gettext, interpolate, ngettext, pgettext } from "../livechat/i18n.js";
import { accept, completions, offsetAt, tokenize, wordAt } from "./rule-tokens.js";

const CHECK_DELAY_MS = 400;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "className") node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function csrfToken(form) {
  return form?.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
}

export function mount(textarea, config) {
  const entries = [
    ...config.variables.map((v) => ({ ...v, kind: "variable" })),
    ...config.functions.map((f) => ({ ...f, kind: "function" })),
  ];
  const vocab = {
    variables: config.variables.map((v) => v.name),
    functions: config.functions.map((f) => f.name),
  };

  // -- the structure ------------------------------------------------------------------
  const code = el("code");
  const highlight = el("pre", { className: "rule-highlight", "aria-hidden": "true" }, code);
  const listbox = el("ul", {
    className: "rule-completions",
    role: "listbox",
    id: `${textarea.id}-completions`,
    "aria-label": gettext("Variables and functions"),
  });
  listbox.hidden = true;
  const wrapper = el("div", { className: "rule-editor", dir: "ltr" });
  const field = el("div", { className: "rule-field" });
  textarea.replaceWith(field);
  field.append(wrapper);
  wrapper.append(highlight, textarea, listbox);
  textarea.classList.add("rule-input");
  textarea.setAttribute("dir", "ltr");
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", listbox.id);

  const message = el("span", { className: "rule-status-text" });
  const goTo = el("button", { type: "button", className: "rule-goto" }, gettext("Go to the error"));
  goTo.hidden = true;
  const status = el("div", {
    className: "rule-status",
    id: `${textarea.id}-status`,
    role: "status",
    "aria-live": "polite",
  }, message, " ", goTo);
  const hint = el("div", { className: "rule-hint", "aria-live": "polite" });
  wrapper.after(status, hint);
  const described = textarea.getAttribute("aria-describedby");
  textarea.setAttribute("aria-describedby", [status.id, described].filter(Boolean).join(" "));

  // -- colouring ------------------------------------------------------------------------
  let errorAt = null; // the text offset of the syntax error shown, or null
  let caretMark = null; // where to put the listbox, while it is open

  function render() {
    const source = textarea.value;
    const pieces = [];
    const cut = new Set([errorAt, caretMark].filter((at) => at !== null));
    for (const token of tokenize(source, vocab)) {
      // Cut tokens where a mark goes, so a mark falls between two spans.
      let start = token.start;
      for (const at of [...cut].sort((a, b) => a - b)) {
        if (at > start && at < token.end) {
          pieces.push({ type: token.type, start, end: at });
          start = at;
        }
      }
      pieces.push({ type: token.type, start, end: token.end });
    }
    const nodes = [];
    let errorMarked = false;
    for (const piece of pieces) {
      if (piece.start === caretMark) nodes.push(el("span", { className: "rule-caret" }));
      const span = el("span", { className: `tok tok-${piece.type}` }, source.slice(piece.start, piece.end));
      if (piece.start === errorAt && !errorMarked) {
        span.classList.add("rule-error-here");
        errorMarked = true;
      }
      nodes.push(span);
    }
    if (caretMark === source.length) nodes.push(el("span", { className: "rule-caret" }));
    if (errorAt !== null && !errorMarked) {
      // At the end of the rule (or on a line break): a visible spot to point at.
      nodes.push(el("span", { className: "rule-error-here rule-error-end" }, " "));
    }
    // A final newline needs something after it to take its line in a <pre>.
    nodes.push("\n");
    code.replaceChildren(...nodes);
    syncScroll();
  }

  function syncScroll() {
    highlight.scrollTop = textarea.scrollTop;
    highlight.scrollLeft = textarea.scrollLeft;
  }

  // -- the syntax check -----------------------------------------------------------------
  let timer = null;
  let asked = 0;
  let shown = "";

  function say(text, withGoTo) {
    // Only a change is announced: the same verdict again says nothing.
    if (text !== shown) {
      message.textContent = text;
      shown = text;
    }
    goTo.hidden = !withGoTo;
    status.classList.toggle("rule-status-error", withGoTo);
  }

  async function check() {
    const number = ++asked;
    const source = textarea.value;
    let answer;
    try {
      const response = await fetch(config.check_url, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken(textarea.form), "X-Requested-With": "XMLHttpRequest" },
        body: new URLSearchParams({ rule: source }),
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      answer = await response.json();
    } catch {
      if (number === asked) say(gettext("The syntax could not be checked just now."), false);
      return;
    }
    if (number !== asked || source !== textarea.value) return; // typed on since
    const [first] = answer.errors;
    if (!first) {
      errorAt = null;
      say(source.trim() ? gettext("No syntax errors.") : "", false);
    } else {
      errorAt = first.line ? offsetAt(source, first.line, first.column) : null;
      const more = answer.errors.length - 1;
      const text = more
        ? interpolate(
            ngettext("%(error)s (and %(count)s more error)", "%(error)s (and %(count)s more errors)", more),
            { error: first.message, count: more },
            true,
          )
        : first.message;
      say(text, errorAt !== null);
    }
    render();
  }

  function scheduleCheck() {
    clearTimeout(timer);
    timer = setTimeout(check, CHECK_DELAY_MS);
  }

  goTo.addEventListener("click", () => {
    if (errorAt === null) return;
    textarea.focus();
    textarea.setSelectionRange(errorAt, errorAt);
    // Put the line in view: the browser scrolls to the caret once it moves.
    textarea.blur();
    textarea.focus();
  });

  // -- completion -----------------------------------------------------------------------
  let offered = [];
  let active = -1;
  let word = null;
  let inserting = false; // a completion being typed in: no suggestions for it

  function optionId(index) {
    return `${listbox.id}-${index}`;
  }

  function close() {
    if (listbox.hidden) return;
    listbox.hidden = true;
    listbox.replaceChildren();
    offered = [];
    active = -1;
    word = null;
    caretMark = null;
    textarea.removeAttribute("aria-activedescendant");
    render();
  }

  function open(found, at) {
    offered = found;
    word = at;
    active = 0;
    listbox.replaceChildren(
      ...found.map((entry, index) =>
        el(
          "li",
          { role: "option", id: optionId(index), "aria-selected": "false", className: `rule-option rule-option-${entry.kind}` },
          el("span", { className: "rule-option-name" }, entry.kind === "function" ? entry.signature : entry.name),
          el("span", { className: "rule-option-kind" }, entry.kind === "function"
            ? pgettext("kind of name in an abuse filter rule", "function")
            : pgettext("kind of name in an abuse filter rule", "variable")),
          el("span", { className: "rule-option-description" }, entry.description),
        ),
      ),
    );
    const wasHidden = listbox.hidden;
    listbox.hidden = false;
    caretMark = textarea.selectionStart;
    render();
    place();
    highlightOption();
    if (wasHidden) {
      hint.textContent = interpolate(
        ngettext(
          "%(count)s suggestion: Up and Down to choose, Tab or Enter to accept, Escape to close.",
          "%(count)s suggestions: Up and Down to choose, Tab or Enter to accept, Escape to close.",
          found.length,
        ),
        { count: found.length },
        true,
      );
    }
  }

  function place() {
    const mark = code.querySelector(".rule-caret");
    if (!mark) return;
    const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    const top = mark.offsetTop - highlight.scrollTop + lineHeight;
    const start = mark.offsetLeft - highlight.scrollLeft;
    const room = wrapper.clientWidth - listbox.offsetWidth;
    listbox.style.setProperty("--rule-completions-top", `${Math.max(0, top)}px`);
    listbox.style.setProperty("--rule-completions-left", `${Math.max(0, Math.min(start, room))}px`);
  }

  function highlightOption() {
    [...listbox.children].forEach((option, index) => {
      option.setAttribute("aria-selected", String(index === active));
    });
    if (active >= 0) {
      textarea.setAttribute("aria-activedescendant", optionId(active));
      listbox.children[active]?.scrollIntoView({ block: "nearest" });
    }
  }

  function suggest(force = false) {
    const caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) return close();
    const at = wordAt(textarea.value, caret, vocab);
    let found = [];
    if (at) found = completions(at.prefix, entries);
    else if (force) {
      // Ctrl+Space between words: everything, inserted at the caret.
      const here = wordAt(`${textarea.value.slice(0, caret)}x`, caret + 1, vocab);
      if (here && here.prefix === "x") {
        found = [...entries].sort((a, b) => (a.name < b.name ? -1 : 1));
        open(found, { start: caret, end: caret, prefix: "" });
        return undefined;
      }
    }
    if (found.length) open(found, at);
    else close();
    return undefined;
  }

  function choose(index) {
    const entry = offered[index];
    if (!entry || !word) return;
    const before = textarea.value;
    const { text, caret } = accept(before, word, entry);
    const replaced = text.slice(word.start, text.length - (before.length - word.end));
    const range = [word.start, word.end];
    close();
    textarea.setSelectionRange(...range);
    inserting = true;
    // insertText keeps the browser's undo history (Ctrl+Z takes the completion back);
    // setting the value would wipe it.
    if (!document.execCommand?.("insertText", false, replaced)) {
      textarea.setRangeText(replaced, ...range, "end");
    }
    inserting = false;
    textarea.setSelectionRange(caret, caret);
    hint.textContent = interpolate(gettext("Inserted %(name)s."), { name: entry.name }, true);
    render();
    scheduleCheck();
  }

  textarea.addEventListener("keydown", (event) => {
    if (event.key === " " && event.ctrlKey) {
      event.preventDefault();
      suggest(true);
      return;
    }
    if (listbox.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + offered.length) % offered.length;
      highlightOption();
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
      hint.textContent = "";
    } else if (["ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"].includes(event.key)) {
      close();
    }
  });

  listbox.addEventListener("mousedown", (event) => {
    // Keep the focus (and the caret) in the textarea.
    event.preventDefault();
    const option = event.target.closest("[role=option]");
    if (option) choose([...listbox.children].indexOf(option));
  });

  textarea.addEventListener("input", (event) => {
    errorAt = null; // stale once the text moves; the next answer puts it back
    render();
    if (inserting) return;
    if (event.inputType && (event.inputType.startsWith("insert") || event.inputType === "deleteContentBackward")) {
      if (event.inputType === "insertLineBreak" || event.inputType === "insertFromPaste") close();
      else suggest();
    } else {
      close();
    }
    scheduleCheck();
  });
  textarea.addEventListener("scroll", () => {
    syncScroll();
    if (!listbox.hidden) place();
  });
  textarea.addEventListener("blur", close);
  textarea.addEventListener("click", close);

  render();
  if (textarea.value.trim()) check();
  return { check, close };
}

const configNode = document.getElementById("rule-editor-config");
const field = document.querySelector("textarea.mod-rule");
if (configNode && field) {
  mount(field, JSON.parse(configNode.textContent));
}
