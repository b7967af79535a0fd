"""Fuzzing the message renderer (issue 13, "Security"): whatever the text, the HTML it
renders cannot run anything, sanitising it again changes nothing, and its cost grows
linearly with the text.

The texts are arbitrary Unicode, the XSS corpus (tests/data/xss, seeded as examples and
sampled), and texts built from the formatting constructs (quotes, code fences, lists,
strikethrough, links, wiki links, mentions, emphasis, escapes) mixed with pieces of the
vectors, so that Hypothesis reaches the places where the constructs meet.

Derandomized, as tests/moderation/test_af_differential.py: CI sees the same texts every run.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from livechat.formatting import render
from livechat.sanitizer import ALLOWED_PROTOCOLS, ALLOWED_TAGS, sanitize

from ..livechat.test_xss_corpus import BLOCK_CONTEXTS, VECTORS

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# The allow-list as the sanitizer states it (livechat/sanitizer.py): no tag takes style or
# src, and only links and mentions take attributes at all.
ATTRIBUTES = {
    "a": {"href", "title", "class", "rel", "target", "data-user"},
    "span": {"class", "data-user"},
}
# Never in the output, whatever the allow-list says: each can run or load something.
DANGEROUS_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "svg", "math",
    "img", "image", "video", "audio", "source", "track", "link", "meta", "base", "form",
    "input", "button", "textarea", "select", "template", "noscript", "applet", "param",
    "xml", "xmp", "plaintext", "isindex", "marquee", "portal",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background"}
# Browsers drop ASCII whitespace and control characters inside a scheme ("java\tscript:").
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


class Audit(HTMLParser):
    """What in a rendered message could run script or load something, as a browser reads
    it (character references decoded once, as html.parser does)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS or tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            elif name == "style" or name not in ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES:
                url = _IGNORED_IN_URL.sub("", value or "").lower()
                scheme = _SCHEME.match(url)
                # Relative URLs (no scheme) stay on the chat's own site.
                if scheme and scheme.group(1) not in ALLOWED_PROTOCOLS:
                    self.problems.append(f"{name}={value!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("CDATA")


def problems_in(html: str) -> list[str]:
    audit = Audit()
    audit.feed(html)
    audit.close()
    return audit.problems


# --- texts ----------------------------------------------------------------------------------

CONSTRUCTS = [
    "**", "*", "_", "''", "'''", "'''''", "~~", "~", "`", "``", "```", "```js\n", "\\",
    "\n", "\n\n", "> ", ">> ", "- ", "* ", "1. ", "# ", "  ",
    "[[", "]]", "|", "[", "]", "(", ")", "](", "[x](", "[[Page|", "[[User:Bob]]",
    "https://", "http://example.org/", "https://example.org/a_(b)?c=d&e#f", "mailto:a@b.c",
    "javascript:", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
    "vbscript:", "//evil.example/", "/relative",
    "@", "@[", "@Bob", "@[Bob (WMF)]", "@John_Smith", ":smile:", ":+1:", ":nope:",
    "<", ">", "&", '"', "'", "&#x6A;", "&lt;", "&amp;", "&#0;", "=", " ", "\t",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href=javascript:x>",
    " onmouseover=alert(1) ", "style=x:expression(alert(1))", "<svg/onload=alert(1)>",
    "\u202e", "\u200b", "\ufeff", "é", "ß", "😄", "\U0001f9d1\u200d\U0001f4bb", "\ud800",
]  # fmt: skip

PIECES = st.one_of(
    st.sampled_from(CONSTRUCTS),
    st.sampled_from(VECTORS),
    st.text(max_size=8),
)
CONSTRUCTED = st.lists(PIECES, max_size=30).map("".join)
WRAPPED_VECTORS = st.builds(
    lambda wrap, vector: wrap(vector),
    st.sampled_from(list(BLOCK_CONTEXTS.values())),
    st.sampled_from(VECTORS),
)
TEXTS = st.one_of(st.text(max_size=300), CONSTRUCTED, st.sampled_from(VECTORS), WRAPPED_VECTORS)


# Every 40th vector of the corpus, and the constructs that have mattered, as fixed examples;
# the whole corpus runs in tests/livechat/test_xss_corpus.py.
def with_examples(test: Callable[..., Any]) -> Callable[..., Any]:
    for vector in VECTORS[::40]:
        test = example(text=vector)(test)
    for text in (
        "[x](javascript:alert(1))",
        "[[javascript:alert(1)]]",
        "@[<script>]",
        "> ```\n> <script>\n> ```",
        "- ~~<img src=x onerror=alert(1)>~~",
        'https://example.org/"onmouseover="alert(1)',
        '[a](https://x.org/ "title" onclick=alert(1))',
    ):
        test = example(text=text)(test)
    return test


# --- the tests ------------------------------------------------------------------------------


@FUZZ
@given(text=TEXTS)
@with_examples
def test_it_never_renders_executable_html(text: str) -> None:
    html = render(text).html
    assert problems_in(html) == [], (text, html)


@FUZZ
@given(text=TEXTS)
@with_examples
def test_it_sanitises_idempotently(text: str) -> None:
    """The output is a fixed point of the allow-list: cleaning it again (bleach, the same
    Cleaner) changes nothing, so nothing in it depends on being cleaned once."""
    html = render(text).html
    assert sanitize(html) == html, (text, html)


# The densest markup per character of text is a mention: "@𝒜" (2 characters) is ~150
# characters of HTML (the address with the name percent-encoded, data-user, the text, the
# link's fixed attributes), and "@𝒜\n@𝒜" ~47 a character. Elements are capped per message
# (livechat.formatting._MAX_ELEMENTS) and everything else expands less ('&' is 5), so a
# constant bound per character holds: the output is linear in the text, never more.
CHARS_PER_CHAR = 64
FIXED_CHARS = 64


@FUZZ
@given(text=TEXTS)
@with_examples
@example(text="@\U0001d49c\n@\U0001d49c")
@example(text="@a " * 300)
@example(text="- @a\n" * 300)
@example(text="[[a]]" * 300)
@example(text="&" * 300)
def test_the_html_is_at_most_linear_in_the_text(text: str) -> None:
    html = render(text).html
    assert len(html) <= CHARS_PER_CHAR * len(text) + FIXED_CHARS, (text, len(html))


def python_calls(function: Callable[[], object]) -> int:
    """Python function calls made while ``function`` runs: the renderer's, bleach's and
    html5lib's. Deterministic (unlike time): the same text always makes the same calls."""
    calls = 0

    def count(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        function()
    finally:
        sys.setprofile(None)
    return calls


UNITS = st.one_of(
    st.lists(st.sampled_from(CONSTRUCTS), min_size=1, max_size=6).map("".join),
    st.text(min_size=1, max_size=12),
    st.sampled_from(VECTORS).map(lambda vector: vector[:40]),
)


@FUZZ
@given(unit=UNITS)
@example(unit="[")
@example(unit="[a](")
@example(unit="<a ")
@example(unit="**a")
@example(unit="@[")
@example(unit="> ")
@example(unit="- ~~")
@example(unit="`")
@example(unit="[[a|")
@example(unit="'''''")
def test_the_work_grows_linearly_with_the_text(unit: str) -> None:
    """A unit repeated n times, then 4n times: the Python calls rendering makes may grow
    at most 4.5-fold (quadratic work would grow 16-fold).

    Calls, not seconds: a count is the same on every machine and every run, so this
    cannot be flaky on a loaded CI machine, and it covers bleach and html5lib as well as
    the tokenizer (C-level regular expressions are not counted; the renderer only uses
    ones that cannot backtrack far, per livechat/formatting.py). The short text is at
    least 250 characters, so the fixed cost of a call to render() (~a few hundred calls)
    does not hide a growing one, and the long one at most ~4,000.
    """
    n = max(1, 250 // len(unit))
    short, long = unit * n, unit * (4 * n)
    render(short), render(long)  # warm the caches (regular expressions, the cleaner)
    small = python_calls(lambda: render(short))
    large = python_calls(lambda: render(long))
    assert large <= 4.5 * small, (unit, n, small, large)


def test_the_audit_catches_what_it_should() -> None:
    """The checker itself, so a green run means something."""
    for html in (
        "<script>x</script>",
        "<svg><a href=x>x</a></svg>",
        "<iframe src=x></iframe>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" java&#x09;script:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<span onclick="x">x</span>',
        '<p style="color: red">x</p>',
        "<!-- x -->",
    ):
        assert problems_in(html), html
    assert not problems_in(
        '<p><a href="https://example.org/" class="external" rel="nofollow noopener noreferrer"'
        ' target="_blank">x</a> <a href="/relative">y</a> <a href="mailto:a@b.c">z</a></p>'
    )
