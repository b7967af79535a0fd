"""What a person reads on a page, and the English left in it once the message keys of
``uselang=qqx`` are taken out (tests/i18n/test_qqx_walk.py, tests/e2e/test_qqx_page.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

# Attributes a person reads or hears.
PEOPLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description"}
CAPTION_INPUT_TYPES = {"submit", "button", "reset"}
SKIPPED = {"script", "style", "template"}
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
INNERMOST_KEY = re.compile(r"\([^()]*\)")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.page_language = ""
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)

    @property
    def skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.page_language = values.get("lang", "")
            return
        # Text marked as another language than the page's (a language's own name in the
        # language menu) is meant to stay as written.
        other_language = "lang" in values and values["lang"] != self.page_language
        skipped = tag in SKIPPED or other_language
        if not (self.skipping or skipped):
            for name in PEOPLE_ATTRIBUTES & values.keys():
                self.pieces.append(values[name])
            if tag == "input" and values.get("type") in CAPTION_INPUT_TYPES:
                self.pieces.append(values.get("value", ""))
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.pieces.append(data)


def visible_text(html: str) -> str:
    """The page's text and the attributes people read, scripts and styles left out."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return " ".join(" ".join(reader.pieces).split())


def without_keys(text: str) -> str:
    """``text`` with every ``(key)`` taken out, innermost first (keys hold parentheses of
    their own, and filled-in values that hold keys)."""
    while True:
        stripped = INNERMOST_KEY.sub(" ", text)
        if stripped == text:
            return text
        text = stripped


def english_left(text: str, data: Iterable[str] = ()) -> list[str]:
    """The words of three letters or more left once keys and ``data`` (the names and
    bodies a test made itself) are taken out."""
    rest = without_keys(text)
    for value in sorted(data, key=len, reverse=True):
        rest = rest.replace(value, " ")
    return ENGLISH_WORD.findall(rest)
