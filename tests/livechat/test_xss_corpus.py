"""Every known XSS vector, in every place a message can carry it, renders to inert HTML.

The corpus is tests/data/xss/vectors.txt (PayloadsAllTheThings, MIT; see LICENSE there).
Each context runs the whole corpus and reports every failing vector at once, so one
regression reads as a list rather than hundreds of separate failures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from livechat.formatting import render, sanitize

CORPUS = Path(__file__).resolve().parent.parent / "data" / "xss" / "vectors.txt"

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "a", "span"}
ALLOWED_TAGS |= {"blockquote", "pre", "ul", "ol", "li", "del"}
ALLOWED_ATTRIBUTES = {
    # data-user names the mentioned person on a mention link; inert, and pinned to the
    # username pattern by the sanitizer.
    "a": {"href", "title", "class", "rel", "target", "data-user"},
    "span": {"class", "data-user"},
}
FORBIDDEN_ATTRIBUTES = {"style", "src", "srcdoc", "formaction"}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
# Browsers ignore ASCII whitespace and control characters inside a URL's scheme.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")
# A URL's scheme as browsers parse it (WHATWG URL): a letter, then letters, digits, '+',
# '-' or '.', then ':'. Anything else, such as "[a]java[b]script:", is a relative URL.
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def load_vectors() -> list[str]:
    # split("\n"), not splitlines(): a vector may hold a form feed or U+2028 on purpose.
    lines = CORPUS.read_text(encoding="utf-8").split("\n")
    # render() receives the message already stripped, as the send path stores it.
    return [line.strip() for line in lines if line.strip()]


VECTORS = load_vectors()


def scheme_problem(href: str) -> str | None:
    # HTMLParser has already decoded the character references, once, as a browser does:
    # `&#x6A;avascript:` arrives here as `javascript:`, while bleach's `&amp;colon;`
    # arrives as the inert text `&colon;` (decoding it again would see a scheme that no
    # browser sees).
    url = _IGNORED_IN_URL.sub("", href).lower()
    match = _SCHEME.match(url)
    if match and match.group(1) not in ALLOWED_SCHEMES:
        return f"href scheme {match.group(1)!r}"
    return None


class Audit(HTMLParser):
    """Collects everything in a rendered message that could execute or load something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in FORBIDDEN_ATTRIBUTES:
                self.problems.append(f"attribute {name}")
            elif name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href":
                problem = scheme_problem(value or "")
                if problem:
                    self.problems.append(problem)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("CDATA/unknown declaration")


def audit(output: str) -> list[str]:
    parser = Audit()
    try:
        parser.feed(output)
        parser.close()
    except AssertionError as error:  # the stdlib parser gives up on some bogus markup
        parser.problems.append(f"unparseable: {error}")
    problems = parser.problems
    if sanitize(output) != output:
        problems.append("sanitize is not idempotent on this output")
    return problems


def render_as_edit(vector: str) -> str:
    """An edit re-renders the new text from scratch; nothing of the old text carries over."""
    render("The original message with **bold**, [[A link]] and @someone")
    return render(vector).html


# Each block construct (and strikethrough) around a vector: the message's source text.
# Shared with bench/render_bench.py --corpus, which runs them through markdown-it-py too.
BLOCK_CONTEXTS: dict[str, Callable[[str], str]] = {
    "quote": lambda v: f"> {v}",
    "quote-nested": lambda v: f">>> {v}",
    "quote-after-text": lambda v: f"text\n> {v}\n\ntext",
    "code-block": lambda v: f"```\n{v}\n```",
    "code-block-info": lambda v: f"```{v}\ncode\n```",
    "code-block-unclosed": lambda v: f"```\n{v}",
    "code-in-quote": lambda v: f"> ```\n> {v}\n> ```",
    "bullet": lambda v: f"- {v}",
    "bullet-wiki": lambda v: f"* {v}",
    "numbered": lambda v: f"1. {v}",
    "numbered-wiki": lambda v: f"# {v}",
    "list-items": lambda v: f"- a\n- {v}\n- b",
    "list-in-quote": lambda v: f"> # {v}",
    "strikethrough": lambda v: f"~~{v}~~",
    "strike-in-list": lambda v: f"- ~~{v}~~",
}

CONTEXTS: dict[str, Callable[[str], str]] = {
    "raw": lambda v: render(v).html,
    "link-target": lambda v: render(f"[x]({v})").html,
    "link-text": lambda v: render(f"[{v}](https://example.org/)").html,
    "wiki-title": lambda v: render(f"[[{v}]]").html,
    "wiki-label": lambda v: render(f"[[Page|{v}]]").html,
    "wiki-bold": lambda v: render(f"'''{v}'''").html,
    "mention": lambda v: render(f"@{v}").html,
    "edit": render_as_edit,
    **{name: (lambda v, wrap=wrap: render(wrap(v)).html) for name, wrap in BLOCK_CONTEXTS.items()},
}


def test_the_corpus_is_the_full_copy() -> None:
    assert len(VECTORS) == 602
    assert (CORPUS.parent / "LICENSE").is_file()


@pytest.mark.parametrize("context", list(CONTEXTS), ids=list(CONTEXTS))
def test_it_renders_every_vector_inert(context: str) -> None:
    make = CONTEXTS[context]
    failures: list[str] = []
    for number, vector in enumerate(VECTORS, start=1):
        output = make(vector)
        problems = audit(output)
        if problems:
            failures.append(f"line {number}: {vector!r}\n  -> {output!r}\n  {problems}")
    assert not failures, f"{len(failures)} vectors not inert in {context!r}:\n" + "\n".join(
        failures[:5]
    )


def test_sanitize_alone_leaves_every_vector_inert_and_is_idempotent() -> None:
    """The allow-list on its own, on the raw vectors: the second line of defence."""
    failures: list[str] = []
    for number, vector in enumerate(VECTORS, start=1):
        output = sanitize(vector)
        problems = audit(output)
        if problems:
            failures.append(f"line {number}: {vector!r}\n  -> {output!r}\n  {problems}")
    assert not failures, f"{len(failures)} vectors not inert after sanitize:\n" + "\n".join(
        failures[:5]
    )


@pytest.mark.parametrize("context", list(CONTEXTS), ids=list(CONTEXTS))
def test_it_shows_the_vectors_markup_as_text(context: str) -> None:
    """strip=False: a disallowed tag is escaped, never silently dropped."""
    make = CONTEXTS[context]
    output = make("<script>alert(1)</script><img src=x onerror=alert(1)>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in output


def test_the_audit_catches_what_it_should() -> None:
    """The checker itself: each of these must be reported."""
    assert audit("<img src=x>")
    assert audit('<a href="javascript:alert(1)">x</a>')
    assert audit('<a href=" java&#x09;script:alert(1)">x</a>')
    assert audit('<a href="&#x6A;avascript:alert(1)">x</a>')
    assert audit('<a href="data:text/html,x">x</a>')
    assert audit('<span onmouseover="x">x</span>')
    assert audit('<span style="x">x</span>')
    assert audit("<svg><script>x</script></svg>")
    assert audit("<!-- x -->")
    assert audit('<![><img src="]><img src=x onerror=alert(1)//">')
    assert not audit(
        '<p><a href="https://x.org/a:b" rel="nofollow noopener noreferrer" target="_blank">'
        "x</a></p>"
    )
