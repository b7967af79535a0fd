"""The word-level diff: what it marks, that it escapes everything, and that it stays cheap
on text built to make a diff slow."""

from __future__ import annotations

import random
import re
import time
from html import unescape

import pytest
from django.utils.safestring import SafeString

from moderation.diff import word_diff

TAGS = re.compile(r"<span class=\"diff-nl\"[^>]*>↵</span>|</?(?:del|ins)(?: class=\"diff-ws\")?>")


def old_side(html: str) -> str:
    """The old text back from a diff: drop insertions and the marks."""
    return unescape(TAGS.sub("", re.sub(r"<ins[^>]*>.*?</ins>", "", html, flags=re.S)))


def new_side(html: str) -> str:
    return unescape(TAGS.sub("", re.sub(r"<del[^>]*>.*?</del>", "", html, flags=re.S)))


def test_it_marks_changed_words_and_leaves_the_rest():
    html = word_diff(
        "The quick brown fox jumps over the lazy dog.",
        "The quick red fox jumps over the very lazy dog!",
    )
    assert html == (
        "The quick <del>brown</del><ins>red</ins> fox jumps over the <ins>very </ins>"
        "lazy dog<del>.</del><ins>!</ins>"
    )
    assert isinstance(html, SafeString)


def test_it_marks_a_run_of_changed_words_as_one_change():
    assert word_diff("say a b c now", "say x y z now") == "say <del>a b c</del><ins>x y z</ins> now"


def test_it_escapes_everything_old_new_and_unchanged():
    html = word_diff(
        '<b>hi</b> & <script>alert("x")</script>',
        '<b>hi</b> & <script>alert("y")</script><img src=x onerror=alert(1)>',
    )
    assert set(re.findall(r"<(/?[^ >]*)", html)) == {"del", "/del", "ins", "/ins"}
    assert "&lt;script&gt;alert(&quot;" in html and "&lt;img src=x onerror=alert(1)" in html
    assert "&lt;b&gt;hi&lt;/b&gt; &amp; " in html
    assert new_side(html) == '<b>hi</b> & <script>alert("y")</script><img src=x onerror=alert(1)>'


def test_it_shows_whitespace_and_line_break_changes():
    assert word_diff("foo bar", "foo  bar") == 'foo<ins class="diff-ws"> </ins> bar'
    assert word_diff("foo  bar", "foo\tbar") == (
        'foo<del class="diff-ws">  </del><ins class="diff-ws">\t</ins>bar'
    )
    assert word_diff("tags but", "tags, but") == "tags<ins>,</ins> but"
    html = word_diff("one\ntwo", "one\n\ntwo")
    assert '<span class="diff-nl" title="line break">↵</span>' in html
    assert new_side(html) == "one\n\ntwo"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", ""),
        ("", "new text"),
        ("old text", ""),
        ("same", "same"),
        ("a, b; c.", "a; b, c!"),
        ("line one\nline two\n", "line one\nline 2\nline three"),
        ("  leading space", "leading space  "),
        ("émoji 👍 and ünïcode", "émoji 👎 and unicode"),
    ],
)
def test_both_texts_can_be_read_back_from_the_diff(old, new):
    html = word_diff(old, new)
    assert (old_side(html), new_side(html)) == (old, new)


def test_an_unchanged_text_has_no_marks():
    text = "Nothing changed here.\nAt all."
    assert word_diff(text, text) == text


def adversarial_pairs() -> dict[str, tuple[str, str]]:
    """Pairs of 4,000-character texts of the kinds that make SequenceMatcher slow: few
    distinct tokens, repeated in shifting patterns."""
    rng = random.Random(7)

    def words(vocab: list[str], n: int = 4000, sep: str = " ") -> str:
        out: list[str] = []
        while len(sep.join(out)) < n:
            out.append(rng.choice(vocab))
        return sep.join(out)[:n]

    vocab = [
        "".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 7))) for _ in range(300)
    ]
    prose = words(vocab)
    return {
        "repeated word vs interleaved": ("a " * 2000, "b a " * 1000),
        "repeated lines vs interleaved": ("a\n" * 2000, "b\na\n" * 1000),
        "punctuation": (". " * 2000, ", ." * 1333),
        "three-word vocabulary": (words(["the", "a", "of"]), words(["the", "a", "of"])),
        "with line breaks": (words(["a", "b", "c", "\n"]), words(["a", "b", "c", "\n"])),
        "mixed lines": ("a " * 200 + "\n" + "c " * 200, "b a " * 100 + "\n" + "d c " * 100),
        "unrelated prose": (prose, words(vocab)),
        "edited at both ends": ("X " + prose[2:3990] + " Y", "Z " + prose[2:3990] + " W"),
    }


@pytest.mark.parametrize("name", list(adversarial_pairs()))
def test_it_stays_fast_on_text_built_to_be_slow(name):
    # Without the budget, the first of these took over five minutes.
    old, new = adversarial_pairs()[name]
    started = time.perf_counter()
    html = word_diff(old, new)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"{name}: {elapsed:.2f} s"
    assert (old_side(html), new_side(html)) == (old, new)


def test_a_few_words_changed_in_repetitive_text_are_marked_where_they_changed():
    # SequenceMatcher alone aligned these shifted by a sentence: a paragraph "moved".
    old = "Mentors answer questions about editing the wiki in the help desk. " * 60
    words = old.split(" ")
    changed = range(5, len(words), 70)
    for i in changed:
        words[i] = "CHANGED"
    html = word_diff(old, " ".join(words))
    replaced = re.findall(r"<del>(\w+\.?)</del><ins>CHANGED</ins>", html)
    assert replaced == [old.split(" ")[i] for i in changed]
    assert html.count("<ins>") == html.count("<del>") == len(changed)


def test_an_added_line_is_marked_from_its_line_break():
    # The token diff alone marks ")↵  & !(d" and keeps the last ")" as if unchanged.
    html = word_diff("a & (b | c)", "a & (b | c)\n  & !(d)")
    assert html == (
        'a &amp; (b | c)<ins><span class="diff-nl" title="line break">↵</span>\n  &amp; !(d)</ins>'
    )
