"""Safety: condition budget, regexes that cannot hang, bounded texts, and the promise that
evaluate() raises nothing but RuleRuntimeError/BudgetExceeded."""

from __future__ import annotations

import faulthandler
from collections.abc import Iterator

import pytest

from moderation.rules import BudgetExceeded, RuleRuntimeError, compile_rule

from .test_rules_helpers import MESSAGE


@pytest.fixture
def hang_guard() -> Iterator[None]:
    """A regression to a backtracking engine must fail the run, not hang it: dump the
    stacks and exit after 10 s. (No wall-clock assertions: the benchmark measures time.)"""
    faulthandler.dump_traceback_later(10, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


# -- condition budget ------------------------------------------------------------------


def test_budget_counts_operators_and_calls():
    rule = compile_rule('lcase(text) contains "x" | user_age > 5')
    # As AbuseFilter counts: lcase(), 'contains', '>' (the '|' is free): three
    assert rule.evaluate(MESSAGE, budget=3) is True
    with pytest.raises(BudgetExceeded) as caught:
        rule.evaluate(MESSAGE, budget=2)
    assert "budget of 2 conditions" in caught.value.message
    assert caught.value.line == 1


def test_budget_exceeded_by_a_huge_rule_with_the_default_budget():
    source = " | ".join(f'text contains "word{i}"' for i in range(1200))
    rule = compile_rule(source)
    with pytest.raises(BudgetExceeded):
        rule.evaluate(MESSAGE)
    assert rule.evaluate(MESSAGE, budget=2000) is False


def test_budget_exceeded_is_a_runtime_error_and_budget_is_per_evaluation():
    rule = compile_rule("user_age > 1 & user_age > 2")
    with pytest.raises(RuleRuntimeError):
        rule.evaluate(MESSAGE, budget=1)
    for _ in range(3):  # nothing carries over between evaluations
        assert rule.evaluate(MESSAGE, budget=3) is True


# -- regular expressions -----------------------------------------------------------------


@pytest.mark.usefixtures("hang_guard")
@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("(a+)+$", "a" * 5000 + "b"),
        ("(x+x+)+y", "x" * 4000),
        ("(a|aa)+$", "a" * 5000 + "!"),
        ("(.*a){12}", "a" * 4000),
        ("^(\\w+\\s?)*$", "word " * 800 + "!"),
    ],
)
def test_catastrophic_patterns_finish(pattern: str, text: str):
    for op in ("rlike", "irlike"):
        rule = compile_rule(f"text {op} {pattern!r}")
        try:
            result = rule.evaluate({"text": text})
        except RuleRuntimeError:
            pass  # over its time bound is an acceptable outcome; hanging is not
        else:
            assert isinstance(result, bool)


@pytest.mark.usefixtures("hang_guard")
def test_catastrophic_glob_finishes():
    rule = compile_rule('text like "*a*a*a*a*a*a*a*a*a*a*b"')
    assert rule.evaluate({"text": "a" * 4000}) is False


@pytest.mark.usefixtures("hang_guard")
def test_catastrophic_pattern_built_at_run_time_finishes():
    rule = compile_rule('text rlike (user_name + "+)+$")')
    assert rule.evaluate({"text": "a" * 5000 + "b", "user_name": "(a"}) is False


def test_a_match_over_its_time_bound_is_a_runtime_error():
    rule = compile_rule('text rlike "a"')
    with pytest.raises(RuleRuntimeError, match="over its limit of 0 ms") as caught:
        rule.evaluate({"text": "b" * 4000}, regex_timeout=0)
    assert (caught.value.line, caught.value.column) == (1, 6)


def test_regex_literals_are_compiled_once_per_rule(monkeypatch: pytest.MonkeyPatch):
    from moderation.rules import regexes

    calls: list[str] = []
    real_build = regexes.build

    def counting_build(kind: str, source: str) -> object:
        calls.append(source)
        return real_build(kind, source)

    monkeypatch.setattr(regexes, "build", counting_build)
    rule = compile_rule('text rlike "spam" | text irlike ("x" + "y")')
    for _ in range(5):
        rule.evaluate({"text": "nothing"})
    assert calls.count("spam") == 1  # at compile time
    assert calls.count("xy") == 1  # constant expressions too
    dynamic = compile_rule('text rlike (user_name + "!")')
    for _ in range(5):
        dynamic.evaluate({"text": "hi", "user_name": "bob"})
    assert calls.count("bob!") == 1  # first evaluation, then cached


def test_every_call_counts_once_per_evaluation_as_in_abusefilter():
    rule = compile_rule('lcase(norm(text)) contains lcase(norm("Free  Money!!"))')
    # Two norm(), one lcase() (the second has the same argument, "FREMONEY", and is
    # remembered) and 'contains': AbuseFilter counts constant calls too.
    assert rule.evaluate({"text": "FREE MONEY"}, budget=4) is True
    with pytest.raises(BudgetExceeded):
        rule.evaluate({"text": "FREE MONEY"}, budget=3)
    # An identical call (same function, same arguments) is remembered and not counted.
    again = compile_rule('lcase(text) contains "a" | lcase(text) contains "b"')
    assert again.evaluate({"text": "xyz"}, budget=3) is False


def test_a_bad_pattern_built_from_constants_is_a_syntax_error():
    from moderation.rules import RuleSyntaxError

    with pytest.raises(RuleSyntaxError, match="not valid") as caught:
        compile_rule('text rlike ("(" + "abc")')
    assert (caught.value.line, caught.value.column, caught.value.offset) == (1, 6, 10)


# -- bounded values ------------------------------------------------------------------------


def test_text_growth_is_capped():
    # Each '+' doubles: 2**n copies quickly pass the 100,000-character cap.
    doubled = "text"
    for _ in range(12):
        doubled = f"({doubled} + {doubled})"
    rule = compile_rule(f"length({doubled}) > 0")
    with pytest.raises(RuleRuntimeError, match="over the limit of 100,000"):
        rule.evaluate({"text": "x" * 4000})


def test_list_growth_is_capped():
    doubled = "[1, 2, 3, 4, 5, 6, 7, 8]"
    for _ in range(11):
        doubled = f"({doubled} + {doubled})"
    with pytest.raises(RuleRuntimeError, match="over the limit of 10,000"):
        compile_rule(f"length({doubled}) > 0").evaluate({}, budget=100_000)


def test_huge_numbers_become_floats_as_in_php():
    product = " * ".join(["999999999"] * 10)
    assert isinstance(compile_rule(product).value({}), float)
    assert compile_rule("2 ** 62").value({}) == 2**62
    assert compile_rule("2 ** 64").value({}) == 2.0**64
    assert compile_rule("10 ** 400").value({}) == float("inf")


def test_functions_respect_the_text_cap():
    with pytest.raises(RuleRuntimeError, match="over the limit"):
        compile_rule("length(ucase(text)) > 0").evaluate({"text": "ß" * 60_000})


# -- nothing but RuleRuntimeError escapes ------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [object(), {"a": 1}, b"bytes", 1j],
)
def test_unsupported_variable_types_are_runtime_errors(value: object):
    with pytest.raises(RuleRuntimeError, match="'text' holds a"):
        compile_rule('text contains "x"').evaluate({"text": value})


def test_tuples_sets_and_str_subclasses_are_accepted():
    class Marked(str):
        pass

    rule = compile_rule('"mods" in user_groups & text contains "hi"')
    assert rule.evaluate({"user_groups": ("mods",), "text": Marked("hi there")})
    assert rule.evaluate({"user_groups": frozenset({"mods"}), "text": "hi"})


def test_lists_holding_odd_items_fail_cleanly():
    rule = compile_rule('user_groups contains "x" | string(user_groups) == ""')
    with pytest.raises(RuleRuntimeError):
        rule.evaluate({"user_groups": [object()]})


def test_a_non_mapping_for_variables_fails_cleanly():
    rule = compile_rule("user_age > 1")
    with pytest.raises(RuleRuntimeError):
        rule.evaluate(None)  # type: ignore[arg-type]


def test_a_built_in_variable_not_provided_is_null_as_in_abusefilter():
    rule = compile_rule("mention_count > 1 |\n  user_message_count === null")
    assert rule.evaluate({"mention_count": 0}) is True


def test_compiled_rules_are_reusable_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    rule = compile_rule('text irlike "spam" & user_age < 100')
    messages = [{"text": f"SPAM {i}" if i % 2 else "ok", "user_age": 5} for i in range(400)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(rule.evaluate, messages))
    assert results == [bool(i % 2) for i in range(400)]


def test_lone_surrogates_do_not_switch_pattern_filters_off():
    text = "buy cheap \ud800 pills"  # valid in JSON, not encodable as UTF-8
    for source in (
        'text irlike "buy\\s+cheap"',
        'text like "buy*"',
        'ccnorm(text) contains "CHEAP"',  # the equivalence set folds to capitals
        'lcase(norm(text)) contains "pils"',
        "specialratio(text) < 0.5",
    ):
        assert compile_rule(source).evaluate({"text": text}) is True, source


def test_rescape_of_text_with_a_lone_surrogate():
    rule = compile_rule("text rlike rescape(text)")
    assert rule.evaluate({"text": "a.b \ud800 (c)"}) is True


def test_patterns_with_a_lone_surrogate_compile():
    rule = compile_rule('text rlike "\ud800" | text like user_name + "*"')
    assert rule.evaluate({"text": "x\ud800", "user_name": "\ud800"}) is True


def test_a_variable_past_64_bits_is_a_float_as_in_php_never_an_internal_error():
    # PHP has 64-bit integers; a caller's larger Python int reads as PHP would hold it.
    rule = compile_rule("user_age ** user_age", dry_run=False)
    assert rule.value({"user_age": 10**400}) == float("inf")
    assert rule.value({"user_age": 2**70}) == float("inf")
    assert compile_rule("user_age + 0", dry_run=False).value({"user_age": 2**70}) == 2.0**70
