// The abuse-filter rule editor's logic that needs no page (tests/js/rule-tokens.test.mjs):
// the tokens to colour, where a syntax error's line and column fall in the text, and the
// names to complete at the caret. rule-editor.js puts them on the page.
//
// The tokens follow AbuseFilter's tokenizer (MediaWiki 1.39, AbuseFilterTokenizer.php), so
// a rule pasted from the wiki is coloured as the wiki reads it. Unlike that tokenizer this
// one never fails: an unclosed string or comment runs to the end, and a character it does
// not know is one "error" token. Every character of the source is in exactly one token.

export const KEYWORDS = new Set([
  "in", "like", "true", "false", "null", "contains", "matches",
  "rlike", "irlike", "regex", "if", "then", "else", "end",
]);

// Longest first, as the tokenizer tries them.
const OPERATOR_RE =
  /!==|!=|!|\*\*|\*|\/|\+|-|%|&|\||\^|:=|\?|:|<=|<|>=|>|===|==|=/y;
const PUNCTUATION = new Set([",", "(", ")", "[", "]", ";"]);
const WHITESPACE = new Set(["\t", "\n", "\v", "\f", "\r", " "]);
const NUMBER_RE = /(?:0([xbo]))?([0-9A-Fa-f]+(?:\.\d*)?|\.\d+)(?!\w)/y;
const BASE_DIGITS = { b: /^[01]+$/, o: /^[0-7]+$/, x: /^[0-9A-Fa-f]+$/, "": /^[0-9.]+$/ };
const ID_RE = /[0-9A-Za-z_]+/y;

/** The words the highlighter and the completion know: sets (or arrays) of lower-case
 * names. */
function vocabulary(vocab = {}) {
  return {
    variables: new Set(vocab.variables || []),
    functions: new Set(vocab.functions || []),
  };
}

function sticky(re, source, at) {
  re.lastIndex = at;
  return re.exec(source);
}

function stringEnd(source, at) {
  const quote = source[at];
  let i = at + 1;
  while (i < source.length) {
    if (source[i] === "\\") {
      i += 2;
      continue;
    }
    if (source[i] === quote) return { end: i + 1, open: false };
    i += 1;
  }
  return { end: source.length, open: true }; // unclosed: to the end
}

/** The rule's tokens, in order, covering the whole source: {type, text, start, end}
 * with start/end as string indices. Types: space, comment, string, number, keyword,
 * operator, punctuation, variable (a built-in one), function (a known function, called),
 * name (anything else: the rule's own variables, or a typo), error. */
export function tokenize(source, vocab) {
  const { variables, functions } = vocabulary(vocab);
  const tokens = [];
  const push = (type, start, end, open = false) => {
    const token = { type, text: source.slice(start, end), start, end };
    if (open) token.open = true; // an unclosed string or comment
    tokens.push(token);
  };
  let i = 0;
  while (i < source.length) {
    const chr = source[i];
    if (WHITESPACE.has(chr)) {
      let end = i + 1;
      while (end < source.length && WHITESPACE.has(source[end])) end += 1;
      push("space", i, end);
      i = end;
      continue;
    }
    if (source.startsWith("/*", i)) {
      // As AbuseFilter does: the first "*/" after the "/" closes it ("/*/" is a comment).
      const close = source.indexOf("*/", i + 1);
      const end = close === -1 ? source.length : close + 2;
      push("comment", i, end, close === -1);
      i = end;
      continue;
    }
    if (PUNCTUATION.has(chr)) {
      push("punctuation", i, i + 1);
      i += 1;
      continue;
    }
    if (chr === '"' || chr === "'") {
      const { end, open } = stringEnd(source, i);
      push("string", i, end, open);
      i = end;
      continue;
    }
    const operator = sticky(OPERATOR_RE, source, i);
    if (operator) {
      push("operator", i, i + operator[0].length);
      i += operator[0].length;
      continue;
    }
    const number = sticky(NUMBER_RE, source, i);
    if (number && BASE_DIGITS[number[1] || ""].test(number[2])) {
      push("number", i, i + number[0].length);
      i += number[0].length;
      continue;
    }
    const id = sticky(ID_RE, source, i);
    if (id) {
      const word = id[0];
      const end = i + word.length;
      const lower = word.toLowerCase();
      let type = "name";
      if (KEYWORDS.has(word)) type = "keyword";
      else if (functions.has(lower) && /^\s*\(/.test(source.slice(end, end + 64))) type = "function";
      else if (variables.has(lower)) type = "variable";
      push(type, i, end);
      i = end;
      continue;
    }
    // One character the language does not know (a whole code point, never half of one).
    const size = source.codePointAt(i) > 0xffff ? 2 : 1;
    push("error", i, i + size);
    i += size;
  }
  return tokens;
}

/** The string index of a 1-based line and column, as the server counts them (columns in
 * characters, that is code points; lines split at "\n"). Past the end: the end. */
export function offsetAt(source, line, column) {
  let index = 0;
  for (let current = 1; current < line; current += 1) {
    const newline = source.indexOf("\n", index);
    if (newline === -1) return source.length;
    index = newline + 1;
  }
  for (let current = 1; current < column && index < source.length; current += 1) {
    if (source[index] === "\n") break;
    index += source.codePointAt(index) > 0xffff ? 2 : 1;
  }
  return index;
}

/** The 1-based line and column (in code points) of a string index. */
export function lineColumnAt(source, offset) {
  const before = source.slice(0, offset);
  const lines = before.split("\n");
  return { line: lines.length, column: [...lines[lines.length - 1]].length + 1 };
}

/** The name being typed at ``caret``: {start, end, prefix}, or null where no name is
 * completed (inside a string or a comment, or no name there). ``end`` takes in the rest
 * of the word after the caret, which a completion replaces too. */
export function wordAt(source, caret, vocab) {
  const last = tokenize(source.slice(0, caret), vocab).at(-1);
  if (last && last.open) return null; // in a string or a comment
  let start = caret;
  while (start > 0 && /[0-9A-Za-z_]/.test(source[start - 1])) start -= 1;
  let end = caret;
  while (end < source.length && /[0-9A-Za-z_]/.test(source[end])) end += 1;
  const prefix = source.slice(start, caret);
  if (!prefix || /^[0-9]/.test(prefix)) return null;
  return { start, end, prefix };
}

/** What to offer for ``prefix``: entries ({name, kind, signature?, description}) whose
 * names start with it, then those that contain it, each group by name; at most
 * ``limit``. Case does not matter; an exact, complete name alone is not offered. */
export function completions(prefix, entries, limit = 12) {
  const wanted = prefix.toLowerCase();
  if (!wanted) return [];
  const starts = [];
  const contains = [];
  for (const entry of entries) {
    const name = entry.name.toLowerCase();
    if (name.startsWith(wanted)) starts.push(entry);
    else if (name.includes(wanted)) contains.push(entry);
  }
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const found = [...starts.sort(byName), ...contains.sort(byName)];
  if (found.length === 1 && found[0].name.toLowerCase() === wanted && !(found[0].kind === "function")) {
    return [];
  }
  return found.slice(0, limit);
}

/** The text after accepting ``entry`` for ``word`` (from wordAt), and where the caret
 * goes: a function gets its "(" (unless one follows already) with the caret after it. */
export function accept(source, word, entry) {
  const after = source.slice(word.end);
  if (entry.kind !== "function") {
    return { text: source.slice(0, word.start) + entry.name + after, caret: word.start + entry.name.length };
  }
  const paren = /^\s*\(/.exec(after);
  if (paren) {
    // "(" is there already: step over it.
    return {
      text: source.slice(0, word.start) + entry.name + after,
      caret: word.start + entry.name.length + paren[0].length,
    };
  }
  return { text: source.slice(0, word.start) + entry.name + "(" + after, caret: word.start + entry.name.length + 1 };
}
