import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  accept,
  completions,
  lineColumnAt,
  offsetAt,
  tokenize,
  wordAt,
} from "../../static/moderation/rule-tokens.js";

const VOCAB = { variables: ["new_wikitext", "added_lines", "user_age", "user_groups"], functions: ["lcase", "length", "ccnorm"] };
const ENTRIES = [
  { name: "new_wikitext", kind: "variable", description: "The text" },
  { name: "added_lines", kind: "variable", description: "Lines" },
  { name: "user_age", kind: "variable", description: "Age" },
  { name: "user_groups", kind: "variable", description: "Groups" },
  { name: "lcase", kind: "function", signature: "lcase(text)", description: "Lower case" },
  { name: "length", kind: "function", signature: "length(value)", description: "Length" },
  { name: "ccnorm", kind: "function", signature: "ccnorm(text)", description: "Fold" },
];

const kinds = (source) => tokenize(source, VOCAB).filter((t) => t.type !== "space").map((t) => [t.type, t.text]);

describe("tokenize", () => {
  it("covers every character exactly once", () => {
    const source = 'a := lcase(new_wikitext); /* x */ a contains "b\\"c" & 0x1F > .5 ** 2 ? [1, 2][0] : null';
    const tokens = tokenize(source, VOCAB);
    assert.equal(tokens.map((t) => t.text).join(""), source);
    for (let i = 1; i < tokens.length; i += 1) assert.equal(tokens[i].start, tokens[i - 1].end);
  });

  it("tells keywords, built-in variables, called functions and the rule's own names apart", () => {
    assert.deepEqual(kinds("lcase(new_wikitext) contains x"), [
      ["function", "lcase"],
      ["punctuation", "("],
      ["variable", "new_wikitext"],
      ["punctuation", ")"],
      ["keyword", "contains"],
      ["name", "x"],
    ]);
    // A function's name not called is a name; variables are case-insensitive.
    assert.deepEqual(kinds("lcase + USER_AGE"), [["name", "lcase"], ["operator", "+"], ["variable", "USER_AGE"]]);
    assert.deepEqual(kinds("if true then 1 else 2 end"), [
      ["keyword", "if"], ["keyword", "true"], ["keyword", "then"], ["number", "1"],
      ["keyword", "else"], ["number", "2"], ["keyword", "end"],
    ]);
  });

  it("reads operators longest first, as AbuseFilter does", () => {
    assert.deepEqual(kinds("a === b !== c ** d := e <= f"), [
      ["name", "a"], ["operator", "==="], ["name", "b"], ["operator", "!=="], ["name", "c"],
      ["operator", "**"], ["name", "d"], ["operator", ":="], ["name", "e"], ["operator", "<="], ["name", "f"],
    ]);
  });

  it("reads numbers in AbuseFilter's bases and leaves words that only look like hex alone", () => {
    assert.deepEqual(kinds("0x1F 0b101 0o17 .5 5. 12 abc 12abc"), [
      ["number", "0x1F"], ["number", "0b101"], ["number", "0o17"], ["number", ".5"],
      ["number", "5."], ["number", "12"], ["name", "abc"], ["name", "12abc"],
    ]);
  });

  it("reads strings with escapes, and comments", () => {
    assert.deepEqual(kinds(`'it\\'s' "a\\\\" /* note */ x`), [
      ["string", "'it\\'s'"], ["string", '"a\\\\"'], ["comment", "/* note */"], ["name", "x"],
    ]);
  });

  it("runs an unclosed string or comment to the end and marks it open", () => {
    const [string] = tokenize('"abc', VOCAB);
    assert.deepEqual([string.type, string.text, string.open], ["string", '"abc', true]);
    const [comment] = tokenize("/* abc", VOCAB);
    assert.deepEqual([comment.type, comment.open], ["comment", true]);
    assert.equal(tokenize('"a"', VOCAB)[0].open, undefined);
  });

  it("makes one error token of an unknown character, whole code points", () => {
    assert.deepEqual(kinds("a # b 😀"), [["name", "a"], ["error", "#"], ["name", "b"], ["error", "😀"]]);
  });
});

describe("positions", () => {
  it("finds the server's 1-based line and column in the text", () => {
    const source = 'x := 1;\nnew_wikitext contains (\n  "b"';
    assert.equal(offsetAt(source, 1, 1), 0);
    assert.equal(source.slice(offsetAt(source, 2, 23)), '(\n  "b"');
    assert.equal(offsetAt(source, 3, 3), source.indexOf('"b"'));
    assert.equal(offsetAt(source, 9, 1), source.length);
    // A column past the line's end stays on the line.
    assert.equal(offsetAt(source, 1, 40), source.indexOf("\n"));
  });

  it("counts columns in characters, as Python does, not UTF-16 units", () => {
    const source = '"😀😀" x';
    assert.equal(source.slice(offsetAt(source, 1, 6)), "x");
    assert.deepEqual(lineColumnAt(source, source.indexOf("x")), { line: 1, column: 6 });
    assert.deepEqual(lineColumnAt("a\nbc", 3), { line: 2, column: 2 });
  });
});

describe("completion", () => {
  it("finds the name being typed, with the rest of the word after the caret", () => {
    assert.deepEqual(wordAt("a & user_a", 10, VOCAB), { start: 4, end: 10, prefix: "user_a" });
    assert.deepEqual(wordAt("user_aXge", 5, VOCAB), { start: 0, end: 9, prefix: "user_" });
  });

  it("offers nothing in a string, a comment, a number or between words", () => {
    assert.equal(wordAt('"user_a', 7, VOCAB), null);
    assert.equal(wordAt("/* user_a", 9, VOCAB), null);
    assert.equal(wordAt("12", 2, VOCAB), null);
    assert.equal(wordAt("a & ", 4, VOCAB), null);
    // After a closed string or comment, names are offered again.
    assert.deepEqual(wordAt('"x" & us', 8, VOCAB).prefix, "us");
    assert.deepEqual(wordAt("/* x */ us", 10, VOCAB).prefix, "us");
  });

  it("puts names that start with the prefix first, then those that contain it", () => {
    assert.deepEqual(completions("user", ENTRIES).map((e) => e.name), ["user_age", "user_groups"]);
    assert.deepEqual(completions("L", ENTRIES).map((e) => e.name), ["lcase", "length", "added_lines"]);
    assert.deepEqual(completions("zzz", ENTRIES), []);
    assert.equal(completions("e", ENTRIES, 2).length, 2);
  });

  it("offers nothing for a variable already typed in full", () => {
    assert.deepEqual(completions("user_age", ENTRIES), []);
  });

  it("accepts a variable, and a function with its parenthesis", () => {
    const word = wordAt("x & user_a", 10, VOCAB);
    assert.deepEqual(accept("x & user_a", word, ENTRIES[2]), { text: "x & user_age", caret: 12 });
    const call = wordAt("lc", 2, VOCAB);
    assert.deepEqual(accept("lc", call, ENTRIES[4]), { text: "lcase(", caret: 6 });
    // A "(" already there is stepped over, not doubled.
    const before = wordAt("lc(x)", 2, VOCAB);
    assert.deepEqual(accept("lc(x)", before, ENTRIES[4]), { text: "lcase(x)", caret: 6 });
  });
});
