"""The sanitizer's shortcut for plain paragraphs gives exactly what bleach gives."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from livechat import sanitizer
from livechat.formatting import _markup, render

# Text that stresses what bleach changes or keeps: the characters HTML cares about,
# newlines (line breaks and paragraphs), letters of other scripts, and everything else.
_HTMLISH = st.sampled_from(
    list("<>&\"'=/;#\n \t\u00a0") + ["&amp;", "&lt;", "&#60;", "<p>", "<br>"]
)
_TEXT = st.lists(st.one_of(_HTMLISH, st.characters(), st.text(max_size=5)), max_size=40).map(
    "".join
)


def _bleach(html: str) -> str:
    return sanitizer._cleaner().clean(html)


@settings(max_examples=600, deadline=None)
@given(_TEXT)
@example("a > b & c < d \"q\" 's'")
@example("line one\nline two\n\nnext paragraph")
@example("héllo مرحبا 안녕 🎉 \ufdd0 \ufffe")
@example("&amp; &lt; &gt; &#x3c; &nbsp;")
def test_the_shortcut_gives_what_bleach_gives(body: str) -> None:
    markup, _ = _markup(body)
    assert sanitizer.sanitize(markup) == _bleach(markup)


# Every markup the shortcut takes: paragraphs of any text without '<' or '&', the
# renderer's two entities and line breaks, whether or not the renderer would write it.
_PIECE = st.one_of(
    st.text(
        st.characters(blacklist_characters="<&", blacklist_categories=["Cc", "Cs"]),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["&amp;", "&lt;", "<br>", ">", '"', "'", "\n", "\u00a0"]),
)
_PLAIN_PARAGRAPHS = st.lists(
    st.lists(_PIECE, max_size=12).map("".join), min_size=1, max_size=4
).map(lambda paragraphs: "".join(f"<p>{text}</p>" for text in paragraphs))


@settings(max_examples=600, deadline=None)
@given(_PLAIN_PARAGRAPHS)
@example("<p></p>")
@example("<p><br><br></p><p>&lt;script> &amp;lt;</p>")
def test_every_markup_the_shortcut_takes_comes_out_as_bleach_writes_it(html: str) -> None:
    # (Control characters and surrogates: below, they are left to bleach.)
    assert sanitizer._PLAIN_PARAGRAPHS_RE.fullmatch(html)
    assert sanitizer.sanitize(html) == _bleach(html)


@pytest.mark.parametrize(
    "body",
    ["plain words", "two\nlines", "a > b and a < c & d", "para one\n\npara two"],
)
def test_plain_messages_take_the_shortcut(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_bleach() -> None:
        raise AssertionError("bleach was called for a plain message")

    monkeypatch.setattr(sanitizer, "_cleaner", no_bleach)
    assert render(body).html.startswith("<p>")


@pytest.mark.parametrize(
    "html",
    [
        "<p>x<script>alert(1)</script></p>",
        '<p><a href="javascript:alert(1)">x</a></p>',
        "<p>x</p><img src=x onerror=alert(1)>",
        "<p>unclosed",
        "</p>x<p>",
        "<p>a &quot; b</p>",
        "<p><p>nested</p></p>",
        "<P>upper</P>",
        "<p>a\x1fb</p>",
        "<p>a\rb</p>",
        "<p>a\x85b</p>",
        "<p>a\ud800b</p>",
    ],
)
def test_anything_else_goes_through_bleach(html: str) -> None:
    assert not sanitizer._PLAIN_PARAGRAPHS_RE.fullmatch(html)
    assert sanitizer.sanitize(html) == _bleach(html)
