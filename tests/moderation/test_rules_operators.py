"""Every operator, precedence, short-circuiting and the type rules."""

from __future__ import annotations

import pytest

from moderation.rules import RuleRuntimeError, RuleSyntaxError, compile_rule, to_api

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
        ('"5" == 5', True),  # == compares as text (AbuseFilter's AFPData::equals)
        ('5 == " 5 "', False),  # AbuseFilter compares the texts "5" and " 5 "
        ('"5" == "5.0"', False),  # two texts compare as texts
        ('"abc" == 0', False),
        ("true == 1", True),  # "1" == "1"
        ("false == 0", False),  # "" != "0"
        ("null == 0", False),
        ('null == ""', True),
        ("[] == null", True),
        ("[] == false", True),
        ("0.1 + 0.2 == 0.3", True),  # floats are written with 14 digits
        ("[1, 2] == ['1', 2]", True),
        ("[1, 2] == [1, 2, 3]", False),
        ('"5" === 5', False),
        ("5 === 5", True),
        ("1 === 1.0", False),  # int and float are different types
        ('"5" !== 5', True),
        ("[1] === [1]", True),
        ("[1] === ['1']", False),
        ("2 < 10", True),
        ('"2" < "10"', True),  # both numeric texts: numeric order
        ('"b" > "a"', True),  # texts: code-point order
        ('"B" < "a"', True),
        ('user_age < "abc"', True),  # "3600" < "abc" as texts
        ("null < 1", True),  # "" < "1"
        ("true >= false", True),  # "1" >= ""
        ("user_age <= 3600 & user_age >= 3600", True),
        ('user_age > "60"', True),
        ("1.5 > 1", True),
    ],
)
def test_comparisons(source: str, expected: bool):
    assert run(source) is expected


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
        ("!(!true)", True),  # '!!' is an error, as in AbuseFilter
        ('"" | 0 | null | [] | "0"', False),  # falsy values, "0" included (PHP)
        ('"00" & 1 & [0]', True),  # truthy values
    ],
)
def test_boolean_operators(source: str, expected: bool):
    assert run(source) is expected


def test_and_or_short_circuit():
    # The right-hand side would fail if evaluated (AbuseFilter's save-time check evaluates
    # it, so these compile only without that check).
    assert compile_rule("false & 1 / 0 == 1", dry_run=False).evaluate({}) is False
    assert compile_rule("true | 1 / 0 == 1", dry_run=False).evaluate({}) is True
    # The result of a short-circuit is the left operand itself.
    assert compile_rule('"x" | false').value({}) == "x"
    assert compile_rule("0 & true").value({}) == 0
    edit_rule = compile_rule('action == "edit" & old_text contains "x"')
    assert edit_rule.evaluate({"action": "send"}) is False
    # A built-in variable the caller did not compute is null, as in AbuseFilter.
    assert edit_rule.evaluate({"action": "edit"}) is False


def test_short_circuit_saves_budget():
    rule = compile_rule("1 == 2 & (1 == 1 & 2 == 2 & 3 == 3)")
    # One '==': the parenthesised part is never evaluated ('&' itself is free).
    assert rule.evaluate({}, budget=1) is False


def test_xor_evaluates_both_sides():
    with pytest.raises(RuleRuntimeError, match="by zero"):
        compile_rule("true ^ 1 / 0 == 1", dry_run=False).evaluate({})


# -- precedence ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true | true & false", False),  # & | ^: one level, left to right
        ("(true | true) & false", False),
        ("true | (true & false)", True),
        ("false & true | true", True),
        ("true ^ true & false", False),
        ("!false & false", False),  # ! binds tighter than &
        ("!(false & false)", True),
        ("!1 == 2", False),  # ! binds tighter than ==: (!1) == 2
        ('!"sysop" in user_groups', True),  # !("sysop" in user_groups)
        ("1 + 2 * 3 == 7", True),
        ("(1 + 2) * 3 == 9", True),
        ("10 - 4 - 3 == 3", True),  # left-associative
        ("12 / 3 / 2 == 2", True),
        ("-2 * 3 == -6", True),
        ("-(-2) == 2", True),
        ("2 ** 3 ** 2 == 64", True),  # ** is left-associative
        ("-2 ** 2 == 4", True),  # unary minus binds tighter than **
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
        ('"users" in user_groups', True),  # arrays are searched as their text
        ('"user" in user_groups', True),  # ... so a substring of an item is found
        ('user_groups contains "users"', True),
        ('"" in text', False),  # an empty needle never matches
        ('text contains ""', False),
        ("42 in user_name", True),  # numbers as text
        ("2 in [1, 2, 3]", True),
        ('"2" in [1, 2, 3]', True),
        ('"1\n2" in [1, 2, 3]', True),  # "1\n2\n3\n" contains it
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
        # AbuseFilter escapes '-' inside a class: [0-9] is '0', '-' or '9'.
        ('user_name like "Newbie[0-9][0-9]"', False),
        ('"Newbie09" like "Newbie[0-9][0-9]"', True),
        ('user_name like "Newbie[!0-9]*"', True),
        ('user_name like "[NM]*"', True),
        ('"a.b" like "a?b"', True),
        ('"axb" like "a.b"', False),  # '.' is literal in globs
        ('"line1\\nline2" like "line1*"', False),  # '*' does not cross a newline (PCRE)
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
        ('text rlike ("how " + "do")', True),
        ('text rlike "x" + 1 === 1', True),  # keywords bind tighter than '+'"
    ],
)
def test_rlike_and_irlike(source: str, expected: bool):
    assert run(source) is expected


def test_patterns_match_the_text_of_an_array():
    # An array is matched as its text: each item followed by a newline.
    links = ["https://wiki.example/Main", "http://cheap-pills.biz/buy"]
    assert run('added_links irlike "pills\\.biz"', added_links=links) is True
    assert run('added_links like "*.biz/*"', added_links=links) is False
    assert run('added_links rlike "casino"', added_links=links) is False
    assert run('added_links rlike "casino"', added_links=[]) is False


def test_runtime_pattern_errors_are_runtime_errors():
    with pytest.raises(RuleRuntimeError, match="regular expression is not valid") as caught:
        run('text rlike ("(" + user_name)')
    assert (caught.value.line, caught.value.column, caught.value.offset) == (1, 6, 10)
    assert caught.value.code == "regexfailure"
    with pytest.raises(RuleRuntimeError, match="lookahead"):
        run('text rlike (user_name + "(?=x)")')


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
        ('"10" - 4 === 6.0', True),  # text is read as a float
        ('"12abc" - 2 == 10', True),  # as far as it spells a number
        ("true + true === 2", True),
        ("[1, 2] * 2 === 4.0", True),  # an array counts as its length
        ("6 * 7 == 42", True),
        ("7 / 2 == 3.5", True),
        ("6 / 3 === 2", True),
        ("7 % 3 == 1", True),
        ("-7 % 3 === -1", True),  # the sign of the left, as in PHP
        ("7.9 % 3 === 1", True),  # integer parts
        ("9223372036854775807 + 1 === 9223372036854775808.0", True),  # overflow to float
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
        ("1 / 0", "division of 1 by zero"),
        ("1 % 0", "division of 1 by zero"),
        ("1 % 0.5", "division of 1 by zero"),  # % works on integers
        ('1 / "abc"', "division of 1 by zero"),
    ],
)
def test_division_by_zero_is_refused_when_saved(source: str, fragment: str):
    with pytest.raises(RuleSyntaxError) as caught:
        compile_rule(source)
    assert fragment in caught.value.message
    assert caught.value.code == "dividebyzero"


def test_runtime_errors_point_at_the_failing_operator():
    with pytest.raises(RuleRuntimeError) as caught:
        run('text contains "x" |\n  user_age / user_message_count > 1', user_message_count=0)
    assert (caught.value.line, caught.value.column, caught.value.offset) == (2, 12, 32)
    assert str(caught.value).startswith("Line 2, column 12: division of 3600 by zero")


def test_result_is_truthiness_of_the_value():
    assert run("user_age") is True
    assert run("old_text") is False
    assert run("user_groups") is True
    assert run("added_links") is False


# -- unary minus on what is not a number (AFPData::unaryMinus) -------------------------


@pytest.mark.parametrize(
    ("source", "api"),
    [
        ("-null", None),  # still a null, holding -0.0
        ("string(-null)", "-0"),
        ("-null == null", False),
        ("[] == -null", True),
        ("-(-null)", None),
        ("-true", -1.0),  # a "bool" holding -1.0
        ("bool(-true)", -1.0),
        ("-true === -1.0", False),
        ("-true == -1", True),
        ('-"5"', -5.0),  # a "string" holding the float -5.0
        ('-"5" == "-5"', False),  # PHP's float === string
        ('-"5" == -5', False),
        ('-"a" === -"b"', True),
        ('string(-"5") === "-5"', False),  # string() gives the same value back
        ('-"5" + 1', "-51"),  # still a text for +
        ('-"5" < "a"', True),
        ("-[]", []),  # an "array" holding -0.0, shown as []
        ("-[1]", []),
        ("string(-[1])", ""),
        ('"a" + -[1]', "a"),
        ('-[1] in "a"', False),
        ('count(-[1], "a")', 0),
        ("[-null]", [None]),
    ],
)
def test_unary_minus_keeps_the_type_as_abusefilter_does(source: str, api: object):
    result = to_api(compile_rule(source).value({}))
    assert result == api and type(result) is type(api)


@pytest.mark.parametrize(
    "source",
    [
        "-[1] + 1",
        "-(-[1])",
        "!-[1]",
        "-[1] & true",
        "-[1] ? 1 : 2",
        "-[1] == []",
        "-[1] === []",
        "length(-[1])",
        "count(-[1])",
        "int(-[1])",
        "bool(-[1])",
        "(-[1])[0]",
        "x := -[1]; x[0] := 1",
        "x := -[1]; x[] := 1",
        "equals_to_any(-[1], [])",
    ],
)
def test_a_negated_array_cannot_be_counted(source: str):
    # AbuseFilter fails there with PHP's TypeError (count() of a float); not a syntax error
    rule = compile_rule(source)
    with pytest.raises(RuleRuntimeError, match="negated array"):
        rule.value({})
