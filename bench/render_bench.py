"""How long livechat.formatting.render takes, on hostile and on ordinary messages.

    .venv/bin/python bench/render_bench.py                 # every input, 50 runs each
    .venv/bin/python bench/render_bench.py --repeat 200 --only wiki
    .venv/bin/python bench/render_bench.py --markdown      # also time Python-Markdown once

Prints, per input, the p50/p99/max milliseconds of a full render and the p50 of the
sanitize (bleach) step alone, so a slowdown can be placed in the tokenizer or in bleach.
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
    args = parser.parse_args()

    from livechat.formatting import _markup, render, sanitize

    render("warm-up: *a* [[b]] `c` @d :e: https://f.g")  # builds the cleaner, compiles
    header = f"{'input':24} {'in':>5} {'out':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    header += f" {'bleach p50':>11}" + (f" {'markdown ms':>12}" if args.markdown else "")
    print(header)
    p50s: dict[str, float] = {}
    for name, make in {**HOSTILE, **NORMAL}.items():
        if args.only not in name:
            continue
        text = make(args.length)
        samples = time_ms(lambda text=text: render(text), args.repeat)
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
        print(line, flush=True)
    if p50s:
        worst = max(p50s, key=lambda name: p50s[name])
        print(f"\nworst p50: {worst} {p50s[worst]:.2f} ms over {args.repeat} runs each")


if __name__ == "__main__":
    main()
