"""How long livechat.formatting.render takes, on hostile and on ordinary messages.

    .venv/bin/python bench/render_bench.py                 # every input, 50 runs each
    .venv/bin/python bench/render_bench.py --repeat 200 --only wiki
    .venv/bin/python bench/render_bench.py --markdown      # also time Python-Markdown once
    .venv/bin/python bench/render_bench.py --markdown-it   # our renderer vs markdown-it-py
    .venv/bin/python bench/render_bench.py --corpus        # the XSS corpus through both

Prints, per input, the p50/p99/max milliseconds of a full render and the p50 of the
sanitize (bleach) step alone, so a slowdown can be placed in the tokenizer or in bleach.
With --markdown-it, the same inputs also go through markdown-it-py configured as close to
our subset as it gets (see markdown_it_renderer), in the same run, interleaved, with the
ratio of the two p50s; --corpus runs the XSS corpus (tests/data/xss) through both and
counts the outputs the corpus test's audit would refuse. markdown-it-py is a benchmark
dependency only: `.venv/bin/pip install markdown-it-py`.
Tests never time anything (tests/livechat/test_formatting_performance.py only checks that
these inputs finish and that the work grows linearly); this script is where numbers come from.
The HOSTILE table is shared with that test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

MAX_LENGTH = 4000  # settings.LIVECHAT_MAX_MESSAGE_LENGTH's default


def repeat_to(unit: str) -> Callable[[int], str]:
    """An input of exactly n characters made of `unit` over and over."""
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def halves(first: str, second: str) -> Callable[[int], str]:
    """n/2 characters of `first` repeated, then n/2 of `second`: opens, then closes."""
    return lambda n: repeat_to(first)(n // 2) + repeat_to(second)(n - n // 2)


def growing_backtick_runs(n: int) -> str:
    """`x``x```x...: every run length differs, the worst case for matching code spans."""
    out: list[str] = []
    size, run = 0, 1
    while size < n:
        out.append("`" * run + "x")
        size += run + 1
        run += 1
    return "".join(out)[:n]


# Inputs known to make Markdown renderers super-linear, plus ones that make each branch of
# this tokenizer (and bleach after it) do the most work per character.
HOSTILE: dict[str, Callable[[int], str]] = {
    "asterisks": repeat_to("*"),
    "underscores": repeat_to("_"),
    "apostrophes": repeat_to("'"),
    "backticks": repeat_to("`"),
    "backtick-runs": growing_backtick_runs,
    "open-brackets": repeat_to("["),
    "open-wiki-links": repeat_to("[[a"),
    "strong-nested-open": repeat_to("**a "),
    "strong-nested-1000": halves("**a ", "b** "),
    "em-alternating": repeat_to("*a"),
    "em-words": repeat_to("*a* "),
    "em-mixed-kinds": repeat_to("*a _b "),
    "wiki-italic": repeat_to("''a"),
    "wiki-bold-italic": repeat_to("'''a''"),
    "wiki-five-quotes": repeat_to("'''''a"),
    "link-open": repeat_to("[a]("),
    "image-open": repeat_to("![a]("),
    "link-unclosed-parens": lambda n: "[a](http://x/" + "(" * (n - 13),
    "link-closed-parens": lambda n: repeat_to("[a](http://x/(b))")(n),
    "links": repeat_to("[a](https://x.y/) "),
    "wiki-links": repeat_to("[[a]]"),
    "wiki-links-labelled": repeat_to("[[a|''b'']]"),
    "bare-urls": repeat_to("http://a.b/ "),
    "url-close-parens": lambda n: "https://x.y/" + ")" * (n - 12),
    "url-schemes-only": repeat_to("http://"),
    "mentions": repeat_to("@a "),
    "mention-long": lambda n: "@" + "a" * (n - 1),
    "at-signs": repeat_to("@"),
    "colons": repeat_to(":"),
    "shortcodes": repeat_to(":+1:"),
    "shortcode-unclosed": repeat_to(":abcdefghij"),
    "code-spans": repeat_to("`a` "),
    "backslashes": repeat_to("\\"),
    "escaped-stars": repeat_to("\\*"),
    "less-than": repeat_to("<"),
    "ampersands": repeat_to("&"),
    "greater-than": repeat_to(">"),
    "html-tags": repeat_to("<a "),
    "line-breaks": repeat_to("a\n"),
    "paragraphs": repeat_to("a\n\n"),
    "newlines-only": repeat_to("\n"),
    "h-letters": repeat_to("h"),
    "everything": repeat_to("*a _b ''c '''d `e [f [[g @h :i: http://j <k &l \\m\n"),
}

_PARAGRAPH = (
    "Hi @Mentor, I'm new here :wave: I tried to add a citation to [[Albert Einstein]] "
    "with <ref>{{cite web|url=https://example.org/paper}}</ref> but the preview shows "
    "'''Cite error'''. The [[Help:Referencing for beginners|help page]] says to use "
    "`<references />` -- do I need that in *every* section? See "
    "https://en.wikipedia.org/wiki/Special:Diff/123456 (my last edit). Thanks!\n\n"
)

NORMAL: dict[str, Callable[[int], str]] = {
    "normal-short": lambda n: "thanks, that worked :tada:",
    "normal-question": lambda n: _PARAGRAPH.strip(),
    "normal-max-length": repeat_to(_PARAGRAPH),
    "plain-prose-max": repeat_to("Plain prose with no markup at all, just words. "),
}


# Hostile inputs for the block constructs (quotes, fences, lists, strikethrough).
HOSTILE.update(
    {
        "quote-nested-deep": repeat_to(">"),
        "quote-nested-spaced": repeat_to("> "),
        "quote-lines": repeat_to("> a\n"),
        "quote-nested-lines": lambda n: "".join(">" * (k % 40) + " a\n" for k in range(n))[:n],
        "list-items": repeat_to("- a\n"),
        "list-wiki-items": repeat_to("# a\n"),
        "list-numbered": repeat_to("1. a\n"),
        "list-kinds-alternating": repeat_to("- a\n1. b\n* c\n# d\n"),
        "list-in-quotes": repeat_to("> - a\n"),
        "fence-unclosed": lambda n: "```\n" + repeat_to("a\n")(n - 4),
        "fence-openers": repeat_to("```\n"),
        "fence-lang-openers": repeat_to("```a\n"),
        "fence-in-quotes": repeat_to("> ```\n"),
        "tildes": repeat_to("~"),
        "tilde-pairs-open": repeat_to("~~a "),
        "strike-words": repeat_to("~~a~~ "),
        "strike-nested": halves("~~a **b ", "c** d~~ "),
    }
)

_BLOCKS = (
    "> Someone wrote: the **preview** shows ~~nothing~~ a ''Cite error''\n"
    "> - step one, see [[Help:Referencing]]\n\n"
    "Try this, @Mentor :wave:\n"
    "```\n<ref>{{cite web|url=https://example.org}}</ref>\n<references />\n```\n"
    "# open the page\n# edit the section\n1. save\n- or ask at https://example.org/help\n\n"
)
NORMAL["normal-blocks"] = lambda n: _BLOCKS.strip()
NORMAL["normal-blocks-max"] = repeat_to(_BLOCKS)


def markdown_it_renderer() -> Callable[[str], str] | None:
    """markdown-it-py set up as our subset, for the measurement only; None if missing.

    CommonMark's rules for what both have (emphasis, code, links, quotes, fences, lists,
    strikethrough), "breaks" for chat line breaks, and a core rule that runs our own
    inline pass over each text token for what CommonMark lacks (wikitext quotes and
    links, mentions, shortcodes, bare URLs). Not covered: wikitext "# " lists (a custom
    block rule would be needed) and escaped characters are re-read by our pass; neither
    changes the cost much. Its HTML then passes the same sanitize.
    """
    try:
        from markdown_it import MarkdownIt
        from markdown_it.rules_core import StateCore
    except ImportError:
        return None
    from livechat.formatting import _clean_source, _Inline, _Message, sanitize

    rules = ["emphasis", "backticks", "link", "newline", "escape", "strikethrough"]
    rules += ["blockquote", "fence", "list"]
    md = MarkdownIt("zero", {"breaks": True, "maxNesting": 16}).enable(rules)

    def chat_text(state: StateCore) -> None:
        message: _Message = state.env["message"]
        for block in state.tokens:
            for child in block.children or ():
                if child.type == "text":
                    child.type = "html_inline"  # rendered as is: _Inline escapes the text
                    child.content = _Inline(child.content, message, links=True).to_html()

    md.core.ruler.push("chat_text", chat_text)
    return lambda text: sanitize(md.render(_clean_source(text), {"message": _Message()}))


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def time_ms(function: Callable[[], object], repeat: int) -> list[float]:
    samples: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        function()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def markdown_ms(text: str) -> float | None:
    try:
        import markdown
    except ImportError:
        return None
    start = time.perf_counter_ns()
    markdown.markdown(text)
    return (time.perf_counter_ns() - start) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="runs per input (default 50)")
    parser.add_argument("--length", type=int, default=MAX_LENGTH, help="input length")
    parser.add_argument("--only", default="", help="only inputs whose name contains this")
    parser.add_argument("--markdown", action="store_true", help="also time Python-Markdown")
    parser.add_argument(
        "--markdown-it", action="store_true", help="also time markdown-it-py, side by side"
    )
    parser.add_argument(
        "--corpus", action="store_true", help="run the XSS corpus through both renderers"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from livechat.formatting import _markup, render, sanitize

    mdit = markdown_it_renderer() if (args.markdown_it or args.corpus) else None
    if (args.markdown_it or args.corpus) and mdit is None:
        parser.error("markdown-it-py is not installed: .venv/bin/pip install markdown-it-py")
    if args.corpus:
        assert mdit is not None
        run_corpus({"ours": lambda text: render(text).html, "markdown-it": mdit})
        return

    render("warm-up: *a* [[b]] `c` @d :e: https://f.g")  # builds the cleaner, compiles
    header = f"{'input':24} {'in':>5} {'out':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    header += f" {'bleach p50':>11}" + (f" {'markdown ms':>12}" if args.markdown else "")
    if mdit is not None:
        mdit("warm-up: *a* [[b]] `c` @d :e: https://f.g")
        header += f" {'mdit p50':>9} {'mdit max':>9} {'mdit/ours':>9}"
    print(header)
    p50s: dict[str, float] = {}
    mdit_p50s: dict[str, float] = {}
    for name, make in {**HOSTILE, **NORMAL}.items():
        if args.only not in name:
            continue
        text = make(args.length)
        if mdit is None:
            samples = time_ms(lambda text=text: render(text), args.repeat)
        else:
            # Interleaved, so that a change in the machine's load hits both alike.
            samples, mdit_samples = time_both(
                lambda text=text: render(text), lambda text=text: mdit(text), args.repeat
            )
        markup, _ = _markup(text)
        bleach_samples = time_ms(lambda markup=markup: sanitize(markup), args.repeat)
        out_len = len(render(text).html)
        p50s[name] = statistics.median(samples)
        line = (
            f"{name:24} {len(text):5} {out_len:6} {p50s[name]:8.2f} "
            f"{percentile(samples, 0.99):8.2f} {max(samples):8.2f} "
            f"{statistics.median(bleach_samples):11.2f}"
        )
        if args.markdown:
            md = markdown_ms(text)
            line += f" {md:12.1f}" if md is not None else f" {'n/a':>12}"
        if mdit is not None:
            mdit_p50s[name] = statistics.median(mdit_samples)
            ratio = mdit_p50s[name] / p50s[name]
            line += f" {mdit_p50s[name]:9.2f} {max(mdit_samples):9.2f} {ratio:9.2f}"
        print(line, flush=True)
    if p50s:
        worst = max(p50s, key=lambda name: p50s[name])
        print(f"\nworst p50: {worst} {p50s[worst]:.2f} ms over {args.repeat} runs each")
    if mdit_p50s:
        worst = max(mdit_p50s, key=lambda name: mdit_p50s[name])
        print(f"markdown-it worst p50: {worst} {mdit_p50s[worst]:.2f} ms")
        ratios = sorted(mdit_p50s[name] / p50s[name] for name in mdit_p50s)
        print(
            f"markdown-it/ours p50 ratio: median {statistics.median(ratios):.2f}, "
            f"min {ratios[0]:.2f}, max {ratios[-1]:.2f}; markdown-it slower on "
            f"{sum(r > 1 for r in ratios)} of {len(ratios)} inputs"
        )


def time_both(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[list[float], list[float]]:
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        a += time_ms(first, 1)
        b += time_ms(second, 1)
    return a, b


def run_corpus(renderers: dict[str, Callable[[str], str]]) -> None:
    """The XSS corpus in each context of the corpus test, through each renderer."""
    from tests.livechat.test_xss_corpus import BLOCK_CONTEXTS, VECTORS, audit

    contexts: dict[str, Callable[[str], str]] = {
        "raw": lambda v: v,
        "link-target": lambda v: f"[x]({v})",
        "link-text": lambda v: f"[{v}](https://example.org/)",
        "wiki-title": lambda v: f"[[{v}]]",
        "mention": lambda v: f"@{v}",
        **BLOCK_CONTEXTS,
    }
    print(f"{len(VECTORS)} vectors per context")
    print(f"{'renderer':12} {'context':20} {'refused':>8} {'total ms':>9} {'max ms':>8}")
    for renderer, render_html in renderers.items():
        for context, wrap in contexts.items():
            failures = 0
            samples: list[float] = []
            for vector in VECTORS:
                text = wrap(vector)
                start = time.perf_counter_ns()
                output = render_html(text)
                samples.append((time.perf_counter_ns() - start) / 1e6)
                failures += bool(audit(output))
            print(
                f"{renderer:12} {context:20} {failures:8} {sum(samples):9.1f} {max(samples):8.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
