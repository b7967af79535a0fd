"""Fuzzing the abuse-filter rule language (issue 13, "Security"): no text crashes the
parser, no compiled rule crashes its evaluation, and evaluation is bounded.

A moderator writes the rules, but a filter runs on every message, with values the people
writing messages choose: compiling may raise only RuleSyntaxError, evaluating only
RuleRuntimeError (BudgetExceeded included), and never the catch-all "internal error"
RuleRuntimeError that Rule.value wraps around an unexpected exception (that one is a bug
kept from reaching the chat, and the fuzzing must see it).

The texts are arbitrary Unicode, a soup of the language's tokens, and grammar-shaped rules
(variables, every function with right and wrong argument counts, operators, arrays,
if/then/else, ?:, assignments, comments), sometimes broken at a random place. Derandomized,
as tests/moderation/test_af_differential.py, so CI sees the same rules every run.
"""

from __future__ import annotations

import json
import tracemalloc

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from moderation.rules import (
    FUNCTIONS,
    VARIABLES,
    BudgetExceeded,
    Rule,
    RuleError,
    RuleRuntimeError,
    RuleSyntaxError,
    check_syntax,
    compile_rule,
    to_api,
)

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- rule texts -----------------------------------------------------------------------------

VARIABLE_NAMES = sorted(VARIABLES)
FUNCTION_NAMES = sorted(FUNCTIONS)
OPERATORS = [
    "+", "-", "*", "/", "%", "**", "==", "!=", "===", "!==", "<", "<=", ">", ">=", "=",
    "&", "|", "^", "in", "contains", "like", "matches", "rlike", "irlike", "regex",
]  # fmt: skip
LITERALS = [
    "0", "1", "-1", "0x1F", "0b101", "0o17", "9223372036854775807", "9223372036854775808",
    "1e308", "1e309", "1.5", ".5", "5.", "true", "false", "null", "''", "'a'", '"x y"',
    "'\\x41'", "'\\xff'", "'\\u0041'", "'\\'", "'(a+)+$'", "'(?<=a)b'", "'\\\\1'", "'[a-'",
    "'*'", "'1.2.3.0/24'", "'::1'", "'😀'", "'\\ud800'", "[]", "[1, [2, [3]]]",
]  # fmt: skip
TOKENS = (
    VARIABLE_NAMES
    + FUNCTION_NAMES
    + OPERATORS
    + LITERALS
    + ["(", ")", "[", "]", ",", ";", ":=", "?", ":", "!", "if", "then", "else", "end"]
    + ["/*", "*/", "'", '"', "\\", "\n", " ", "x", "my_var", "tmp[]", "tmp[0]", "\x00"]
)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth <= 0 or draw(st.integers(0, 9)) < 3:
        return draw(st.sampled_from(VARIABLE_NAMES + LITERALS + ["my_var"]))
    sub = expressions(depth - 1)
    form = draw(st.integers(0, 9))
    if form <= 2:
        return f"{draw(sub)} {draw(st.sampled_from(OPERATORS))} {draw(sub)}"
    if form == 3:
        return f"{draw(st.sampled_from(['-', '+', '!']))}({draw(sub)})"
    if form <= 5:
        # Every function, with any number of arguments: right ones and wrong ones.
        arguments = draw(st.lists(sub, max_size=4))
        return f"{draw(st.sampled_from(FUNCTION_NAMES))}({', '.join(arguments)})"
    if form == 6:
        return f"if {draw(sub)} then {draw(sub)} else {draw(sub)} end"
    if form == 7:
        return f"({draw(sub)}) ? ({draw(sub)}) : ({draw(sub)})"
    if form == 8:
        return "[" + ", ".join(draw(st.lists(sub, max_size=3))) + "]"
    return f"({draw(sub)})[{draw(st.integers(-2, 3))}]"


@st.composite
def grammar_rules(draw: st.DrawFn) -> str:
    statements = [
        f"{draw(st.sampled_from(['my_var', 'tmp', 'text']))} := {draw(expressions(2))}"
        for _ in range(draw(st.integers(0, 2)))
    ]
    statements.append(draw(expressions()))
    source = draw(st.sampled_from(["; ", ";\n", " /* c */ ; "])).join(statements)
    if draw(st.integers(0, 4)) == 0:  # broken at a random place
        at = draw(st.integers(0, len(source)))
        source = source[:at] + draw(st.sampled_from(TOKENS + [""])) + source[at + 1 :]
    return source


TOKEN_SOUP = st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join)
RULE_TEXTS = st.one_of(st.text(max_size=120), TOKEN_SOUP, grammar_rules())

# --- variable values ------------------------------------------------------------------------

VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        # The chat's numbers are counts, ages and times: 64-bit, as the language's own are.
        st.integers(-(2**63), 2**63 - 1),
        st.sampled_from([2**63 - 1, -(2**63), 0, -1]),
        st.floats(),
        st.text(max_size=30),
        st.sampled_from(["", "\ud800", "1.2.3.4", "12", " 4 ", "0x1A", "(a+)+$", "x" * 5000]),
    ),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=10,
)
VARIABLE_VALUES = st.dictionaries(st.sampled_from(VARIABLE_NAMES), VALUES, max_size=6)


def not_a_crash(error: RuleRuntimeError) -> bool:
    """Rule.value turns an unexpected exception into "internal error" RuleRuntimeError,
    chained from it: that is a bug in the language, not a verdict on the rule."""
    cause = error.__cause__
    return cause is None or isinstance(cause, RuleError)


def compiled(source: str) -> Rule | None:
    """compile_rule's verdict, checked: only RuleSyntaxError, with a position, and the
    same verdict as check_syntax."""
    try:
        rule = compile_rule(source)
    except RuleSyntaxError as error:
        assert error.line >= 1 and error.column >= 1, (source, error)
        assert str(error), source
        assert [str(e) for e in check_syntax(source)] == [str(error)], source
        return None
    assert check_syntax(source) == [], source
    return rule


# --- the tests ------------------------------------------------------------------------------


@FUZZ
@given(source=RULE_TEXTS)
@example(source="")
@example(source="(" * 500 + "1" + ")" * 500)
@example(source="[" * 500 + "]" * 500)
@example(source="-" * 500 + "1")
@example(source="!" * 500 + "1")
@example(source="if " * 200 + "1")
@example(source="'" + "\\" * 99)
@example(source="text rlike '(a+)+$'")
@example(source="1/0")
@example(source="9223372036854775807 + 1")
@example(source="substr('abc', 9223372036854775808)")
@example(source="9" * 5000)
@example(source="0" * 5000 + "1")
@example(source="0x" + "f" * 300)
@example(source="0b" + "1" * 2000 + " + 1")
def test_compiling_raises_nothing_but_a_syntax_error(source: str) -> None:
    compiled(source)


@FUZZ
@given(source=grammar_rules(), variables=VARIABLE_VALUES, budget=st.sampled_from([1, 20, 1000]))
@example(source="text + text", variables={"text": "\ud800"}, budget=1000)
@example(source="int(text)", variables={"text": "9" * 5000}, budget=1000)
@example(source="timestamp * 10", variables={"timestamp": float("nan")}, budget=1000)
@example(source="user_age ** user_age", variables={"user_age": 2**63 - 1}, budget=1000)
@example(source="length(added_lines)", variables={"added_lines": [[1, [2]], None]}, budget=1000)
@example(source="text rlike 'a' & text irlike 'b'", variables={"text": 5}, budget=1)
def test_evaluating_raises_nothing_but_a_runtime_error(
    source: str, variables: dict[str, object], budget: int
) -> None:
    rule = compiled(source)
    if rule is None:
        return
    try:
        value = rule.value(variables, budget=budget)
    except RuleRuntimeError as error:
        assert not_a_crash(error), (source, variables, error.__cause__)
        assert str(error)
        return
    json.dumps(to_api(value))
    assert isinstance(rule.evaluate(variables, budget=budget), bool)


@FUZZ
@given(
    conditions=st.integers(1, 60),
    budget=st.integers(1, 60),
    joiner=st.sampled_from([" | ", " & "]),
    text=st.text(max_size=5),
)
@example(conditions=60, budget=59, joiner=" | ", text="")
@example(conditions=2, budget=1, joiner=" & ", text="")
def test_the_budget_stops_a_rule_that_needs_more_conditions(
    conditions: int, budget: int, joiner: str, text: str
) -> None:
    """A chain of distinct comparisons, none deciding the chain early (for '|' all false,
    for '&' all true): each one counts a condition, so the evaluation stops exactly when
    the chain is longer than the budget."""
    operator = "==" if joiner == " | " else "!="
    source = joiner.join(f"text {operator} 'never {i}'" for i in range(conditions))
    rule = compile_rule(source)
    value = "never" + text  # never equal to "never <i>"
    if conditions > budget:
        with pytest.raises(BudgetExceeded):
            rule.evaluate({"text": value}, budget=budget)
    else:
        assert rule.evaluate({"text": value}, budget=budget) is (joiner == " & ")


@FUZZ
@given(
    doublings=st.integers(0, 64),
    start=st.sampled_from(["'ab'", "'😀'", "[1, 2]", "[[1], 'x']"]),
    grow=st.sampled_from(["s + s", "s + s + s", "str_replace(s, 'a', s)", "string(s) + s"]),
)
@example(doublings=64, start="'ab'", grow="s + s")
@example(doublings=64, start="[1, 2]", grow="s + s")
@example(doublings=40, start="'ab'", grow="str_replace(s, 'a', s)")
def test_a_rule_that_grows_a_value_is_stopped_within_bounded_memory(
    doublings: int, start: str, grow: str
) -> None:
    """No loops in the language, but each statement may double a text or an array: 64 of
    them would ask for 2**64 items. Texts stop at 100,000 characters and arrays at 10,000
    items, so the evaluation ends (a value or RuleRuntimeError) and its peak memory stays
    small. Memory, not time: tracemalloc's count of allocated bytes does not depend on the
    machine's speed or load."""
    source = f"s := {start}; " + f"s := {grow}; " * doublings + "length(s)"
    rule = compiled(source)
    if rule is None:
        return
    tracemalloc.start()
    try:
        try:
            rule.value({})
        except RuleRuntimeError as error:
            assert not_a_crash(error), (source, error.__cause__)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, (source, peak)
