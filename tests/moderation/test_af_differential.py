"""The chat's filter language against the real AbuseFilter (issue 12, "Checked against the real
AbuseFilter"): the same expressions go to our rules package and to the AbuseFilter of the local
wiki (`make wiki`; tests/moderation/abusefilter_oracle.py), which must agree

* on the syntax verdict: our ``check_syntax`` finds nothing exactly when AbuseFilter's syntax
  check passes (AbuseFilter's check evaluates every branch, so ``1/0`` fails it too);
* for valid expressions, on the value: ``values.to_api(rule.value({}))`` equals the evaluation
  API's ``result`` (numbers compared as its JSON has them: 1.0 is 1), or both fail to evaluate.

Over the hand-written examples of af_examples.py and over generated expressions (Hypothesis,
a grammar of literals of every type, variables assigned before, operators, calls of every
function, nested arrays, if/ternary, and some deliberately broken text); derandomized, so CI
sees the same expressions every run. The differences the chat intends (RE2 refusing what it
cannot do) are checked to differ exactly as af_examples.INTENDED declares.

With ``AF_DIVERGENCES_FILE`` set, each run writes the divergences it found there, grouped by
construct (``FIXED:`` lines already in the file are kept).
"""

from __future__ import annotations

import math
import os
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation import rules
from tests.moderation.abusefilter_oracle import AbuseFilterOracle, Answer
from tests.moderation.af_examples import INTENDED, all_examples

pytestmark = pytest.mark.wiki

GENERATED = 2500  # Hypothesis examples: with the examples, about 5,000 API calls, ~1.5 min
SHOWN = 40  # divergences listed in a failure and in AF_DIVERGENCES_FILE


# --- our side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ours:
    kind: str  # "syntax", "runtime", "value" or "crash" (an exception that must not escape)
    value: Any = None
    message: str = ""

    def describe(self) -> str:
        if self.kind == "value":
            return f"value {self.value!r}"
        return f"{self.kind} error: {self.message}"


def ours(expression: str) -> Ours:
    from moderation.rules import values

    try:
        errors = rules.check_syntax(expression)
    except Exception as error:  # noqa: BLE001 - reported as a divergence, with its text
        return Ours("crash", message=f"check_syntax raised {error!r}")
    if errors:
        first = errors[0]
        offset = getattr(first, "offset", None)
        return Ours("syntax", message=f"@{offset}: {first.message}")
    try:
        rule = rules.compile_rule(expression)
        value = rule.value({})
        return Ours("value", value=values.to_api(value))
    except rules.RuleSyntaxError as error:
        return Ours("crash", message=f"check_syntax passed, compile_rule raised: {error}")
    except rules.RuleRuntimeError as error:
        return Ours("runtime", message=f"{error.code or type(error).__name__}: {error.message}")
    except Exception as error:  # noqa: BLE001
        return Ours("crash", message=repr(error))


def same_value(ours_value: Any, theirs: Any) -> bool:
    """Equal as the API's JSON has them: booleans only equal booleans; numbers by value (PHP
    writes 1.0 as 1); lists element by element."""
    if isinstance(ours_value, bool) or isinstance(theirs, bool):
        return type(ours_value) is type(theirs) and ours_value == theirs
    if isinstance(ours_value, int | float) and isinstance(theirs, int | float):
        both_nan = all(isinstance(v, float) and math.isnan(v) for v in (ours_value, theirs))
        return both_nan or ours_value == theirs
    if isinstance(ours_value, list) and isinstance(theirs, list):
        return len(ours_value) == len(theirs) and all(map(same_value, ours_value, theirs))
    return type(ours_value) is type(theirs) and ours_value == theirs


# What the evaluation API answers for INF and NaN (PHP's JSON encoder refuses them), which the
# language itself has: 2**10000 > 5 is true there, string(2**10000) is "INF".
NOT_JSON = "internal_api_error_InvalidArgumentException"


def not_finite(value: Any) -> bool:
    if isinstance(value, list):
        return any(map(not_finite, value))
    return isinstance(value, float) and not math.isfinite(value)


def divergence(mine: Ours, theirs: Answer) -> str | None:
    """None when both agree, else the kind of disagreement."""
    if mine.kind == "crash":
        return "ours crashed"
    if not theirs.syntax_ok:
        return None if mine.kind == "syntax" else f"AbuseFilter: syntax error, ours: {mine.kind}"
    if mine.kind == "syntax":
        return "ours: syntax error, AbuseFilter: valid"
    if theirs.error == NOT_JSON and mine.kind == "value" and not_finite(mine.value):
        return None  # INF or NaN: the API cannot write them, the filter language has them
    if theirs.error is not None:
        if mine.kind == "runtime":
            return None
        if theirs.error.startswith("internal_api_error_"):
            return f"AbuseFilter crashes ({theirs.error}), ours: a value"
        return "AbuseFilter fails to evaluate, ours: a value"
    if mine.kind == "runtime":
        return "ours fails to evaluate, AbuseFilter: a value"
    return None if same_value(mine.value, theirs.result) else "different values"


# --- the report ----------------------------------------------------------------------------


def af_message_class(message: str) -> str:
    """AbuseFilter's message with its particulars (quoted text, numbers) left out."""
    return re.sub(r"\d+", "N", re.sub(r'"[^"]*"', '"…"', message)).split("\n")[0]


@dataclass
class Found:
    source: str  # "examples" or "generated"
    group: str
    kind: str
    expression: str
    mine: Ours
    theirs: Answer

    @property
    def key(self) -> tuple[str, ...]:
        detail = af_message_class(self.theirs.message) if not self.theirs.syntax_ok else ""
        if self.source == "examples":
            return (self.group, self.kind, detail)
        # Generated ones: also by the functions and keywords they use.
        calls = re.findall(r"\b([a-z_]+)\s*\(", self.expression)
        keywords = re.findall(
            r"\b(in|contains|like|matches|irlike|rlike|regex|if)\b", self.expression
        )
        return (self.group, self.kind, detail, " ".join(sorted({*calls, *keywords})))

    def line(self) -> str:
        # Control characters (newlines, tabs) as Python writes them: py'1\n+\n2'.
        printable = self.expression.isprintable()
        shown = f"`{self.expression}`" if printable else f"py{self.expression!r}"
        return f"- {shown} — ours: {self.mine.describe()}; AbuseFilter: {self.theirs.describe()}"


class Report:
    def __init__(self, oracle: AbuseFilterOracle | None = None) -> None:
        self.oracle = oracle
        self.found: list[Found] = []
        self.checked: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)

    def add(self, source: str, group: str, expression: str, mine: Ours, theirs: Answer) -> None:
        self.checked[source] += 1
        kind = divergence(mine, theirs)
        if kind is not None:
            if self.oracle is not None:
                theirs = self.oracle.explain(theirs)
            self.found.append(Found(source, group, kind, expression, mine, theirs))

    def distinct(self) -> list[Found]:
        """One (the shortest) expression per construct, kind and AbuseFilter message class."""
        best: dict[tuple[str, str, str], Found] = {}
        for found in self.found:
            known = best.get(found.key)
            if known is None or len(found.expression) < len(known.expression):
                best[found.key] = found
        return sorted(best.values(), key=lambda found: (found.group, found.kind))

    def summary(self) -> str:
        checked = ", ".join(f"{count} {source}" for source, count in self.checked.items())
        seconds = ", ".join(f"{source} {spent:.0f} s" for source, spent in self.seconds.items())
        return (
            f"{checked} expressions ({seconds}); {len(self.found)} divergent, "
            f"{len(self.distinct())} distinct (construct, kind, AbuseFilter message)"
        )

    def text(self, limit: int = SHOWN) -> str:
        """At most ``limit`` distinct divergences, taken in turn from each construct."""
        by_group: dict[str, list[Found]] = defaultdict(list)
        for found in self.distinct():
            by_group[found.group].append(found)
        chosen: dict[str, list[Found]] = defaultdict(list)
        for rank in range(max(map(len, by_group.values()), default=0)):
            for group, founds in by_group.items():
                if rank < len(founds) and sum(map(len, chosen.values())) < limit:
                    chosen[group].append(founds[rank])
        lines = []
        for group, founds in chosen.items():
            lines.append(f"\n## {group} ({len(by_group[group])} distinct)")
            lines.extend(found.line() + f"  [{found.kind}]" for found in founds)
        return "\n".join(lines)

    def write(self, path: Path) -> None:
        kept = []
        if path.exists():
            kept = [line for line in path.read_text().splitlines() if line.startswith("FIXED:")]
        header = (
            "# Divergences from the real AbuseFilter (tests/moderation/test_af_differential.py)\n"
            f"Run {datetime.now():%Y-%m-%d %H:%M}: {self.summary()}.\n"
            "Each run replaces the list; lines starting with FIXED: are kept.\n"
            "AbuseFilter's syntax check evaluates every branch (no short-circuit), so its\n"
            "run-time errors (divide by zero, non-array index...) are syntax errors there; its\n"
            "offsets count bytes (UTF-8), not characters.\n"
        )
        body = self.text() or "\nNone."
        path.write_text(header + body + "\n" + ("\n" + "\n".join(kept) + "\n" if kept else ""))


@pytest.fixture(scope="module")
def report(af_oracle: AbuseFilterOracle) -> Iterator[Report]:
    collected = Report(af_oracle)
    yield collected
    print(f"\nAbuseFilter differential: {collected.summary()}")
    target = os.environ.get("AF_DIVERGENCES_FILE")
    if target:
        collected.write(Path(target))


def check(report: Report, source: str) -> None:
    mine = [found for found in report.found if found.source == source]
    if mine:
        shown = Report()
        shown.found = mine
        pytest.fail(
            f"{len(mine)} expressions ({len(shown.distinct())} distinct) where ours and "
            f"AbuseFilter disagree:{shown.text()}",
            pytrace=False,
        )


# --- the examples --------------------------------------------------------------------------


def test_documented_examples_agree(af_oracle: AbuseFilterOracle, report: Report) -> None:
    started = time.monotonic()
    examples = all_examples()
    answers = af_oracle.run_many([expression for _, expression in examples])
    for (group, expression), theirs in zip(examples, answers, strict=True):
        report.add("examples", group, expression, ours(expression), theirs)
    report.seconds["examples"] += time.monotonic() - started
    check(report, "examples")


@pytest.mark.parametrize("intended", INTENDED, ids=lambda intended: intended.expression)
def test_intended_differences_differ_as_declared(af_oracle: AbuseFilterOracle, intended) -> None:
    theirs = af_oracle.run(intended.expression, explain=True)
    assert theirs.syntax_ok and theirs.error is None, theirs.describe()
    assert intended.theirs == "ok"
    mine = ours(intended.expression)
    assert intended.ours == "syntax error"
    assert mine.kind == "syntax", f"{intended.reason}; ours: {mine.describe()}"


# --- generated expressions -----------------------------------------------------------------

# Names no AbuseFilter variable, function or keyword has.
NAMES = ["v1", "v2", "tmp", "my_text", "arr", "Count2", "_x"]
INT_FORMATS = ["{}", "{}", "{}", "-{}", "0x{:x}", "0b{:b}", "0o{:o}"]
FLOATS = ["0.5", ".5", "5.", "1.25", "-2.75", "0.1", "3.0", "10.50", "0.0", "1.5", "2.25"]
STRING_PIECES = [
    "a", "B", "c", "1", "0", " ", "  ", "é", "ß", "İ", "日", "Ｖ", "😀", "-", ".", "*", "?", "/",
    "\\n", "\\t", "\\\\", "\\x41", "\\q", "abc", "foo", "Bar", "1.5", "x y", "&amp;", "!!",
    "\\r", "\\x4", "\\xZZ", "Σ", "ǅ", "12", "-3", " 4", "0x1A", "1e2", "ﬁ", "1.0",
]  # fmt: skip
# Patterns PCRE and RE2 read alike (and two neither accepts).
PATTERNS = [
    "a", "b+", "^a", "c$", "[a-c]", "\\d+", "\\s", "\\w+", "(a|b)", "(o)+", "a.c", ".*", "x?",
    "[^a]", "\\bfoo\\b", "(?i)A", "é", "", "a{2}", "\\.", "1", "(", "[",
]  # fmt: skip
IPS = ["1.2.3.4", "10.0.0.1", "::1", "2001:db8::5", "300.1.1.1", "x"]
RANGES = ["1.2.3.0/24", "10.0.0.0/8", "1.2.3.4", "1.2.3.0 - 1.2.3.9", "2001:db8::/32", "bad"]
BINARY = [
    "+", "-", "*", "/", "%", "**", "==", "!=", "===", "!==", "<", "<=", ">", ">=", "=",
    "&", "|", "^", "in", "contains", "like", "matches",
]  # fmt: skip
REGEX_OPS = ["rlike", "irlike", "regex"]
SIMPLE_FUNCTIONS = {
    # name: (fewest, most) arguments; regex and ip functions have their own rules below.
    "lcase": (1, 1), "ucase": (1, 1), "length": (1, 1), "string": (1, 1), "int": (1, 1),
    "float": (1, 1), "bool": (1, 1), "norm": (1, 1), "ccnorm": (1, 1),
    "ccnorm_contains_any": (2, 4), "ccnorm_contains_all": (2, 4), "specialratio": (1, 1),
    "rmspecials": (1, 1), "rmdoubles": (1, 1), "rmwhitespace": (1, 1), "count": (1, 2),
    "contains_any": (2, 4), "contains_all": (2, 4), "equals_to_any": (2, 4), "substr": (2, 3),
    "strlen": (1, 1), "strpos": (2, 3), "str_replace": (3, 3), "rescape": (1, 1),
    "sanitize": (1, 1),
}  # fmt: skip
BREAKERS = ["(", ")", ",", "[", "]", ";", ":=", "?", ":", "'", '"', "/*", "then", "end", "&",
            "==", "1", "zz", "!", "."]  # fmt: skip


def quoted(draw: st.DrawFn, pieces: list[str]) -> str:
    quote = draw(st.sampled_from(["'", '"']))
    text = "".join(draw(st.lists(st.sampled_from(pieces), max_size=4)))
    if draw(st.integers(0, 9)) == 0:
        text += "\\" + quote
    return quote + text + quote


def literal(draw: st.DrawFn) -> str:
    choice = draw(st.integers(0, 9))
    if choice <= 2:
        number = draw(st.one_of(st.integers(0, 20), st.integers(0, 3000), st.just(2**62)))
        return draw(st.sampled_from(INT_FORMATS)).format(number)
    if choice == 3:
        return draw(st.sampled_from(FLOATS))
    if choice <= 6:
        return quoted(draw, STRING_PIECES)
    return draw(st.sampled_from(["true", "false", "null"]))


def expression(draw: st.DrawFn, names: list[str], depth: int) -> str:
    return _expression(draw, names, depth)[0]


def _expression(draw: st.DrawFn, names: list[str], depth: int) -> tuple[str, bool]:
    """An expression and whether it is atomic (safe as an operand without parentheses)."""
    if depth <= 0 or draw(st.integers(0, 9)) < 3:
        if names and draw(st.integers(0, 3)) == 0:
            return draw(st.sampled_from(names)), True
        if draw(st.integers(0, 7)) == 0:
            items = draw(st.lists(st.just(0), max_size=3))
            return "[" + ", ".join(expression(draw, names, 0) for _ in items) + "]", True
        return literal(draw), True

    def sub() -> str:
        return expression(draw, names, depth - 1)

    def operand() -> str:
        # Mostly parenthesised: AbuseFilter's comparisons do not chain, and unary operators
        # do not stack; sometimes bare, for precedence.
        text, atomic = _expression(draw, names, depth - 1)
        return text if atomic or draw(st.integers(0, 3)) == 0 else f"({text})"

    def arguments(fewest: int, most: int) -> str:
        count = draw(st.integers(fewest, most))
        if draw(st.integers(0, 14)) == 0:  # a wrong number of arguments, now and then
            count = draw(st.sampled_from([max(0, fewest - 1), most + 1]))
        return ", ".join(sub() for _ in range(count))

    form = draw(st.integers(0, 15))
    if form <= 3:
        return f"{operand()} {draw(st.sampled_from(BINARY))} {operand()}", False
    if form == 4:
        return (
            f"{operand()} {draw(st.sampled_from(REGEX_OPS))} {quoted(draw, PATTERNS[:-2])}",
            False,
        )
    if form == 5:
        return f"{draw(st.sampled_from(['-', '+', '!']))}{operand()}", False
    if form == 6:
        return f"({sub()})", True
    if form <= 8:
        name = draw(st.sampled_from(sorted(SIMPLE_FUNCTIONS)))
        return f"{name}({arguments(*SIMPLE_FUNCTIONS[name])})", True
    if form == 9:
        pattern = "'" + draw(st.sampled_from(PATTERNS)) + "'"
        call = draw(st.sampled_from(["rcount", "get_matches", "str_replace_regexp"]))
        if call == "str_replace_regexp":
            return f"{call}({sub()}, {pattern}, {sub()})", True
        return f"{call}({pattern}, {sub()})", True
    if form == 10:
        ip = draw(st.sampled_from(IPS))
        ranges = draw(st.lists(st.sampled_from(RANGES), min_size=1, max_size=2))
        call = "ip_in_range" if len(ranges) == 1 else "ip_in_ranges"
        return f"{call}('{ip}', {', '.join(repr(r) for r in ranges)})", True
    if form == 11:
        if draw(st.booleans()):
            return f"if {sub()} then {sub()} else {sub()} end", False
        return f"if {sub()} then {sub()} end", False
    if form == 12:
        return f"{operand()} ? {operand()} : {operand()}", False
    if form == 13:
        items = draw(st.lists(st.just(0), max_size=3))
        return "[" + ", ".join(sub() for _ in items) + "]", True
    if form == 14:
        items = draw(st.lists(st.just(0), min_size=1, max_size=3))
        base = "[" + ", ".join(sub() for _ in items) + "]"
        if names and draw(st.booleans()):
            base = draw(st.sampled_from(names))
        return f"{base}[{draw(st.integers(-1, 3))}]", True
    # Two bare operators: precedence, and comparisons that do not chain.
    ops = draw(st.lists(st.sampled_from(BINARY + REGEX_OPS[:1]), min_size=2, max_size=2))
    return f"{operand()} {ops[0]} {operand()} {ops[1]} {operand()}", False


@st.composite
def programs(draw: st.DrawFn) -> str:
    names: list[str] = []
    statements = []
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(NAMES))
        if name in names and draw(st.booleans()):
            target = draw(st.sampled_from([f"{name}[]", f"{name}[0]", f"{name}[1]"]))
            statements.append(f"{target} := {expression(draw, names, 1)}")
        elif draw(st.integers(0, 5)) == 0:
            setter = draw(st.sampled_from(["set", "set_var"]))
            statements.append(f"{setter}('{name}', {expression(draw, names, 2)})")
            names.append(name)
        else:
            statements.append(f"{name} := {expression(draw, names, 2)}")
            names.append(name)
    statements.append(expression(draw, names, 3))
    separator = draw(st.sampled_from(["; ", ";\n", " /* c */; ", ";"]))
    source = separator.join(statements)
    if draw(st.integers(0, 9)) == 0:  # deliberately broken text
        at = draw(st.integers(0, len(source)))
        how = draw(st.integers(0, 2))
        if how == 0:
            source = source[:at] + source[at + 1 :]
        elif how == 1:
            source = source[:at] + draw(st.sampled_from(BREAKERS)) + source[at:]
        else:
            source = source[:at]
    return source


def test_generated_expressions_agree(af_oracle: AbuseFilterOracle, report: Report) -> None:
    started = time.monotonic()
    generated: list[str] = []

    @settings(
        max_examples=GENERATED,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(programs())
    def generate(source: str) -> None:
        generated.append(source)

    # Generated first, then compared: every divergence is reported (not the first one,
    # shrunk), and AbuseFilter is asked several at a time.
    generate()
    distinct = list(dict.fromkeys(generated))
    answers = af_oracle.run_many(distinct)
    for source, theirs in zip(distinct, answers, strict=True):
        report.add("generated", "generated", source, ours(source), theirs)
    report.seconds["generated"] += time.monotonic() - started
    valid = sum(answer.syntax_ok for answer in answers)
    print(
        f"\nHypothesis (derandomized, {GENERATED} examples): {len(distinct)} distinct "
        f"expressions, {valid} valid for AbuseFilter, {len(distinct) - valid} not"
    )
    check(report, "generated")
