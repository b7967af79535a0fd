"""Every operator, precedence, short-circuiting and the type rules."""

from __future__ import annotations

import pytest

from moderation.rules import RuleRuntimeError, compile_rule

from .test_rules_helpers import run, true

# -- literals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "'single' == \"single\"",
        "'it\\'s' == \"it's\"",
        '"say \\"hi\\"" == \'say "hi"\'',
        'length("a\\nb\\tc") == 5',
        'length("\\\\") == 1',
        'length("\\s") == 2',  # unknown escapes keep their backslash, for regexes
        "42 == 42 & 2.5 == 2.5 & 0.5 < 1",
        "true & !false",
        "null == null",
        "[1, 'a', [2]] == [1, 'a', [2]]",
        "[] == []",
        "length([1, 2, 3]) == 3",
    ],
)
def test_literals(source: str):
    assert true(source)


# -- comparisons and the type rules --------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 == 1", True),
        ("1 == 1.0", True),
        ("1 != 2", True),
        ('"5" == 5', True),  # numeric text equals the number, as in MediaWiki
        ('5 == " 5 "', True),
        ('"5" == "5.0"', False),  # two texts compare as texts
        ('"abc" == 0', False),  # different types: simply not equal, no error
        ("true == 1", False),
        ("null == 0", False),
        ('null == ""', False),
        ("[1, 2] == ['1', 2]", True),
        ("[1, 2] == [1, 2, 3]", False),
        ('"5" === 5', False),
        ("5 === 5", True),
        ("1 === 1.0", True),
        ('"5" !== 5', True),
        ("[1] === [1]", True),
        ("[1] === ['1']", False),
        ("2 < 10", True),
        ('"2" < "10"', True),  # both numeric texts: numeric order
        ('"b" > "a"', True),  # texts: code-point order
        ('"B" < "a"', True),
        ("user_age <= 3600 & user_age >= 3600", True),
        ('user_age > "60"', True),
        ("1.5 > 1", True),
    ],
)
def test_comparisons(source: str, expected: bool):
    assert run(source) is expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ('user_age < "abc"', "cannot compare a number with the text \"abc\" using '<'"),
        ("user_groups > 1", "cannot compare a list with a number using '>'"),
        ("null < 1", "cannot compare null with a number"),
        ("true >= false", "cannot compare a boolean with a boolean"),
    ],
)
def test_ordering_mismatched_types_is_a_runtime_error(source: str, fragment: str):
    with pytest.raises(RuleRuntimeError) as caught:
        run(source)
    assert fragment in caught.value.message
    assert caught.value.line == 1 and caught.value.column is not None


# -- boolean operators ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true & true", True),
        ("true & false", False),
        ("false | true", True),
        ("false | false", False),
        ("true ^ false", True),
        ("true ^ true", False),
        ("!true", False),
        ("!!true", True),
        ('"" | 0 | null | []', False),  # falsy values
        ('"0" & 1 & [0]', True),  # truthy values
    ],
)
def test_boolean_operators(source: str, expected: bool):
    assert run(source) is expected


def test_and_or_short_circuit():
    # The right-hand side would fail (division by zero, missing variable) if evaluated.
    assert run("false & 1 / 0 == 1") is False
    assert run("true | 1 / 0 == 1") is True
    edit_rule = compile_rule('action == "edit" & old_text contains "x"')
    assert edit_rule.evaluate({"action": "send"}) is False
    with pytest.raises(RuleRuntimeError, match="'old_text' was not provided"):
        edit_rule.evaluate({"action": "edit"})


def test_short_circuit_saves_budget():
    rule = compile_rule("false & (1 == 1 & 2 == 2 & 3 == 3)")
    # '&' (1) + '==' x0: the parenthesised part is never evaluated.
    assert rule.evaluate({}, budget=1) is False


def test_xor_evaluates_both_sides():
    with pytest.raises(RuleRuntimeError, match="division by zero"):
        run("true ^ 1 / 0 == 1")


# -- precedence ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true | true & false", True),  # & binds tighter than |
        ("(true | true) & false", False),
        ("false & true | true", True),
        ("true ^ true & false", True),  # ^ sits between | and &
        ("!false & false", False),  # ! binds tighter than &
        ("!(false & false)", True),
        ("!1 == 2", True),  # ! applies to the whole comparison: !(1 == 2)
        ('!"sysop" in user_groups', True),  # !("sysop" in user_groups)
        ("1 + 2 * 3 == 7", True),
        ("(1 + 2) * 3 == 9", True),
        ("10 - 4 - 3 == 3", True),  # left-associative
        ("12 / 3 / 2 == 2", True),
        ("-2 * 3 == -6", True),
        ("- -2 == 2", True),
        ('"ab" + "cd" contains "bc"', True),  # arithmetic before keywords
        ('"x" in "a" + "x"', True),
        ('"abc" contains "b" == true', True),  # keywords before comparisons
        ("user_age > 60 & user_age < 7200 | false", True),
        ("2 + 3 > 4 & 1", True),
    ],
)
def test_precedence(source: str, expected: bool):
    assert run(source) is expected


# -- keyword operators -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('"upload" in text', True),  # MediaWiki order: a in b = a is contained in b
        ('text in "upload"', False),
        ('text contains "upload"', True),
        ('text contains "UPLOAD"', False),  # case-sensitive
        ('"users" in user_groups', True),  # list membership
        ('"user" in user_groups', False),  # membership, not substring
        ('user_groups contains "users"', True),
        ('"" in text', False),  # an empty needle never matches
        ('text contains ""', False),
        ("42 in user_name", True),  # numbers as text
        ("2 in [1, 2, 3]", True),
        ('"2" in [1, 2, 3]', True),  # loose equality in lists
    ],
)
def test_in_and_contains(source: str, expected: bool):
    assert run(source) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('text like "Hello*"', True),
        ('text like "hello*"', False),  # case-sensitive, as in MediaWiki
        ('text like "*picture?"', True),
        ('text like "Hello"', False),  # whole text must match
        ('user_name like "Newbie[0-9][0-9]"', True),
        ('user_name like "Newbie[!0-9]*"', False),
        ('user_name like "[A-Z]*"', True),
        ('"a.b" like "a?b"', True),
        ('"axb" like "a.b"', False),  # '.' is literal in globs
        ('"a[b" like "a[b"', True),  # an unclosed '[' is literal
        ('"line1\\nline2" like "line1*"', True),  # '*' crosses newlines
        ('user_name matches "Newbie*"', True),  # MediaWiki alias
        ('room like "he*"', True),
    ],
)
def test_like(source: str, expected: bool):
    assert run(source) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('text rlike "upload\\s+a"', True),
        ('text rlike "UPLOAD"', False),
        ('text irlike "UPLOAD"', True),
        ('text rlike "^Hello"', True),  # unanchored search, anchors available
        ('text regex "pic(ture)?"', True),  # MediaWiki alias
        ('user_name rlike "\\d+$"', True),
        ('"naïve" rlike "^na.ve$"', True),  # '.' is one character, not one byte
        ('"ПРИВЕТ" irlike "привет"', True),  # case folding beyond ASCII
        ('text rlike ""', True),
        ("text rlike user_name", False),  # pattern built at run time
        ('text rlike "how " + "do"', True),
    ],
)
def test_rlike_and_irlike(source: str, expected: bool):
    assert run(source) is expected


def test_patterns_match_any_item_of_a_list():
    links = ["https://wiki.example/Main", "http://cheap-pills.biz/buy"]
    assert run('added_links irlike "pills\\.biz"', added_links=links) is True
    assert run('added_links like "*.biz/*"', added_links=links) is True
    assert run('added_links rlike "casino"', added_links=links) is False
    assert run('added_links rlike "casino"', added_links=[]) is False


def test_runtime_pattern_errors_are_runtime_errors():
    with pytest.raises(RuleRuntimeError, match="regular expression is not valid") as caught:
        run('text rlike "(" + user_name')
    assert (caught.value.line, caught.value.column) == (1, 6)
    with pytest.raises(RuleRuntimeError, match="lookahead"):
        run('text rlike user_name + "(?=x)"')


# -- arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 == 3", True),
        ("0.5 + 0.25 == 0.75", True),
        ('"ab" + "cd" == "abcd"', True),
        ('"1" + 1 == "11"', True),  # text wins, as in MediaWiki
        ('user_name + 1 == "Newbie421"', True),
        ("[1] + [2, 3] == [1, 2, 3]", True),
        ("10 - 4 == 6", True),
        ('"10" - 4 == 6', True),  # numeric text in arithmetic
        ("6 * 7 == 42", True),
        ("7 / 2 == 3.5", True),
        ("6 / 3 === 2", True),
        ("7 % 3 == 1", True),
        ("-user_age == -3600", True),
        ("+5 == 5", True),
        ("user_message_count * 2 + 1 == 5", True),
    ],
)
def test_arithmetic(source: str, expected: bool):
    assert run(source) is expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("1 / 0", "division by zero"),
        ("1 % 0", "division by zero"),
        ('"abc" * 2', "'*' needs a number, but got the text \"abc\""),
        ("[1] + 1", "cannot add a list and a number"),
        ("true + 1", "cannot add a boolean and a number"),
        ('null + "x"', "cannot add null and the text"),
        ("-user_groups", "'-' needs a number, but got a list"),
    ],
)
def test_arithmetic_type_errors(source: str, fragment: str):
    with pytest.raises(RuleRuntimeError) as caught:
        run(source)
    assert fragment in caught.value.message


def test_runtime_errors_point_at_the_failing_operator():
    with pytest.raises(RuleRuntimeError) as caught:
        run('text contains "x" |\n  user_age / 0 > 1')
    assert (caught.value.line, caught.value.column) == (2, 12)
    assert str(caught.value).startswith("Line 2, column 12: division by zero")


def test_result_is_truthiness_of_the_value():
    assert run("user_age") is True
    assert run("old_text") is False
    assert run("user_groups") is True
    assert run("added_links") is False
