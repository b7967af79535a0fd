"""The block structure of a message: paragraphs, quotes, code blocks and lists.

    > quoted text         a quote; ">>" nests, and a quote holds any of these blocks
    ```                   a code block: every line up to the closing ``` kept as written
    - item   * item       a bulleted list (markdown's and the wiki's marker)
    1. item  # item       a numbered list (markdown's and the wiki's marker)

Which line starts what is decided by the line's first characters alone, so one pass over
the lines does it: a quote collects its run of ">" lines and parses them again, one level
down (at most _MAX_QUOTE_DEPTH levels, so that is a bounded number of passes); a code
block takes the lines up to its closing fence, or to the end of its quote or of the
message when nothing closes it (as CommonMark does: scanning on for a closer that may
never come, once per opener, is what would make "```a" repeated quadratic). Everything
else goes to the inline renderer handed in, a paragraph or a list item at a time.

Choices a reader may wonder about:
* "# item" (a space after the '#') is a numbered item, as in wikitext; "#hashtag" stays
  text. A numbered list starts at "1." or "#": "2018. A year to remember" is a sentence,
  and the output carries no start attribute to honour another first number.
* Lists are flat: an indented line continues the item above it; nested lists are not in
  the subset. A line that is neither an item nor indented ends the list.
* A quote ends at the first line without ">" (no "lazy" continuation).
* Each quote, code block and list spends one element of the message's budget (the one
  links and emphasis spend, livechat/formatting.py); past it, their lines are text. bleach
  parses every element it is given, so 1,000 one-line lists of alternating kinds cost
  ~130 ms where the same lines as text cost a third of that.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Quote markers deeper than this are text: a hostile ">>>>…" stays a handful of passes.
_MAX_QUOTE_DEPTH = 8

_QUOTE_RE = re.compile(r" {0,3}>")
# An opening fence: three or more backticks, then an optional language word; CommonMark
# refuses backticks after it, so "```code```" on one line stays inline code.
_FENCE_RE = re.compile(r" {0,3}(`{3,})([^`]*)$")
# What may follow the opening fence and be dropped: a language word ("python").
_LANGUAGE_RE = re.compile(r"[A-Za-z0-9_+.#-]{1,20}")
_CLOSING_FENCE_RE = re.compile(r" {0,3}(`{3,})[ \t]*$")
# A list item: its marker, then whitespace, then something to show.
_ITEM_RE = re.compile(r" {0,3}(?:([-*])|(#)|([0-9]{1,9})[.)])[ \t]+(?=\S)")

Inline = Callable[[str], str]
Budget = Callable[[], bool]  # spends one element; False once there are none left


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _list_kind(match: re.Match[str]) -> str:
    return "ul" if match.group(1) else "ol"


def _starts_list(match: re.Match[str]) -> bool:
    number = match.group(3)
    return number is None or int(number) == 1


class _Blocks:
    def __init__(self, inline: Inline, take_element: Budget) -> None:
        self.inline = inline
        self.take_element = take_element
        self.out: list[str] = []

    def parse(self, lines: list[str], depth: int) -> None:
        paragraph: list[str] = []

        def end_paragraph() -> None:
            if paragraph:
                self.out.append(f"<p>{self.inline(chr(10).join(paragraph))}</p>")
                paragraph.clear()

        i, n = 0, len(lines)
        while i < n:
            line = lines[i]
            if not line.strip():
                end_paragraph()
                i += 1
            elif (fence := _FENCE_RE.match(line)) and self.take_element():
                end_paragraph()
                i = self._code_block(lines, i + 1, fence)
            elif depth < _MAX_QUOTE_DEPTH and _QUOTE_RE.match(line) and self.take_element():
                end_paragraph()
                i = self._quote(lines, i, depth)
            elif (item := _ITEM_RE.match(line)) and _starts_list(item) and self.take_element():
                end_paragraph()
                i = self._list(lines, i, _list_kind(item))
            else:
                paragraph.append(line)
                i += 1
        end_paragraph()

    def _code_block(self, lines: list[str], start: int, fence: re.Match[str]) -> int:
        fence_length = len(fence.group(1))
        end = start
        while end < len(lines):
            closing = _CLOSING_FENCE_RE.match(lines[end])
            if closing and len(closing.group(1)) >= fence_length:
                break
            end += 1
        code = "\n".join(lines[start:end])
        # A language word after the opening fence is dropped (no class gets through);
        # anything else written there is not, it is the code's first line.
        info = fence.group(2).strip()
        if info and not _LANGUAGE_RE.fullmatch(info):
            code = f"{info}\n{code}" if end > start else info
        self.out.append(f"<pre><code>{_escape_text(code)}</code></pre>")
        return end + 1

    def _quote(self, lines: list[str], start: int, depth: int) -> int:
        inner: list[str] = []
        i = start
        while i < len(lines) and (marker := _QUOTE_RE.match(lines[i])):
            rest = lines[i][marker.end() :]
            inner.append(rest[1:] if rest.startswith((" ", "\t")) else rest)
            i += 1
        self.out.append("<blockquote>")
        self.parse(inner, depth + 1)
        self.out.append("</blockquote>")
        return i

    def _list(self, lines: list[str], start: int, kind: str) -> int:
        items: list[list[str]] = []
        i = start
        while i < len(lines):
            line = lines[i]
            item = _ITEM_RE.match(line)
            if item and _list_kind(item) == kind:
                items.append([line[item.end() :]])
            elif items and not item and line[:1] in (" ", "\t") and line.strip():
                items[-1].append(line.strip())  # an indented line continues the item
            else:
                break
            i += 1
        rendered = "".join(f"<li>{self.inline(chr(10).join(item))}</li>" for item in items)
        self.out.append(f"<{kind}>{rendered}</{kind}>")
        return i


def blocks_html(text: str, *, inline: Inline, take_element: Budget) -> str:
    """`text` (cleaned: only "\\n" line ends) as block HTML; `inline` renders the rest."""
    blocks = _Blocks(inline, take_element)
    blocks.parse(text.split("\n"), depth=0)
    return "".join(blocks.out)
