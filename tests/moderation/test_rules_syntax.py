"""Syntax errors: exact line/column and a sentence naming what was expected and found."""

from __future__ import annotations

import pytest

from moderation.rules import VARIABLES, RuleSyntaxError, check_syntax, compile_rule

BROKEN = [
    # (source, line, column, fragment of the message)
    (
        '(text contains "a"\n  & (user_age > 3',
        2,
        18,
        "expected ')' to close the '(' at column 5, found end of rule",
    ),
    ("(user_age > 3", 1, 14, "expected ')' to close the '(' at column 1, found end of rule"),
    (
        "(user_age > 3\n",
        1,
        14,
        "expected ')' to close the '(' at column 1, found end of rule",
    ),
    ("text ==", 1, 8, "expected a value after '==', found end of rule"),
    ('text == "a" &', 1, 14, "expected a value after '&', found end of rule"),
    ("user_age > > 3", 1, 12, "expected a value after '>', found '>'"),
    ("text contains", 1, 14, "expected a value after the keyword 'contains', found end of rule"),
    ("1 2", 1, 3, "expected an operator (such as '&', '|', '==' or 'contains') or the end"),
    ('text "x"', 1, 6, 'found the text "x"'),
    ("[1, 2", 1, 6, "expected ',' or ']' to close the list opened at column 1, found end of rule"),
    ("[1, ]", 1, 5, "expected a value after ',', found ']'"),
    (
        "lcase(text",
        1,
        11,
        "expected ',' or ')' to close the call to lcase() opened at column 6, found end of rule",
    ),
    ("txt == 1", 1, 1, "unknown variable 'txt' (did you mean 'text'?)"),
    ("  lcse(text)", 1, 3, "unknown function 'lcse' (did you mean 'lcase'?)"),
    ("lcase(text, 1)", 1, 1, "lcase() takes exactly 1 argument, but 2 were given"),
    ("count()", 1, 1, "count() takes 1 or 2 arguments, but 0 were given"),
    ("contains_any(text)", 1, 1, "contains_any() takes at least 2 arguments, but 1 was given"),
    ("lcase == 1", 1, 1, "'lcase' is a function: expected '(' after it"),
    ("text(1)", 1, 1, "'text' is a variable, not a function"),
    ("text = 1", 1, 6, "expected '==' to compare two values, found '='"),
    ("text && 1", 1, 6, "expected '&' (and), found '&&'"),
    ("text || 1", 1, 6, "expected '|' (or), found '||'"),
    ("text # 1", 1, 6, "found the character '#'"),
    ("user_age > 1 == true", 1, 14, "comparisons cannot be chained"),
    ('text == "abc', 1, 13, 'expected " to close the text started at line 1, column 9'),
    ("/* never\nclosed", 2, 7, "expected '*/' to close the comment opened at line 1, column 1"),
    ("", 1, 1, "the rule is empty"),
    ("  /* only a comment */  ", 1, 1, "the rule is empty"),
    ('text rlike "(buy"', 1, 12, "the regular expression is not valid: missing )"),
    ('text like "x"\n& text rlike "a)"', 2, 14, "the regular expression is not valid"),
    ('text rlike "(a)\\1"', 1, 12, "backreferences like '\\1' are not supported"),
    ('text rlike "foo(?=bar)"', 1, 12, "lookahead '(?=...)' is not supported"),
    ('text irlike "(?<!x)y"', 1, 13, "negative lookbehind"),
    ('text rlike "a++"', 1, 12, "possessive quantifiers"),
    ("in", 1, 1, "expected a value, found the keyword 'in'"),
]


@pytest.mark.parametrize(("source", "line", "column", "message"), BROKEN)
def test_syntax_error_position_and_message(source: str, line: int, column: int, message: str):
    with pytest.raises(RuleSyntaxError) as caught:
        compile_rule(source)
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert message in error.message
    assert str(error) == f"Line {line}, column {column}: {error.message}"


def test_the_documented_example_message():
    source = 'user_age < 60 &\n  (text contains "x" | ('
    [error] = check_syntax(source)
    assert str(error) == ("Line 2, column 25: expected a value after '(', found end of rule")
    [error] = check_syntax('text == "a" &\n  (user_age > 1')
    assert str(error) == (
        "Line 2, column 16: expected ')' to close the '(' at column 3, found end of rule"
    )
    [error] = check_syntax("(user_age > 1\n  & mention_count > 3")
    assert str(error) == (
        "Line 2, column 22: expected ')' to close the '(' at line 1, column 1, found end of rule"
    )


def test_check_syntax_returns_empty_list_for_valid_rules():
    assert check_syntax('text contains "spam"') == []
    assert check_syntax("/* comment */ user_age < 10 /* another */") == []


def test_check_syntax_reports_errors_without_raising():
    errors = check_syntax("text ==")
    assert len(errors) == 1
    assert isinstance(errors[0], RuleSyntaxError)


@pytest.mark.parametrize("name", sorted(VARIABLES))
def test_every_known_variable_compiles(name: str):
    assert compile_rule(f"{name} == {name}").variables == frozenset({name})


def test_names_and_keywords_are_case_insensitive():
    rule = compile_rule('LCASE(Text) CONTAINS "x" & User_Age > 0 & TRUE')
    assert rule.variables == {"text", "user_age"}


def test_rule_variables_lists_only_what_the_rule_reads():
    rule = compile_rule('action == "edit" & (lcase(old_text) contains "x" | mention_count > 5)')
    assert rule.variables == frozenset({"action", "old_text", "mention_count"})
    assert compile_rule("1 == 1").variables == frozenset()


def test_nesting_limits_are_syntax_errors_not_recursion_errors():
    deep = "(" * 500 + "1" + ")" * 500
    with pytest.raises(RuleSyntaxError, match="nests too deeply"):
        compile_rule(deep)
    nots = "!" * 5000 + "true"
    with pytest.raises(RuleSyntaxError, match="nests too deeply"):
        compile_rule(nots)
    chain = " + ".join(["1"] * 300) + " > 0"
    with pytest.raises(RuleSyntaxError, match="too deeply nested"):
        compile_rule(chain)


def test_long_or_chains_stay_flat_and_compile():
    words = [f'"w{i}"' for i in range(800)]
    source = " | ".join(f"text contains {word}" for word in words)
    rule = compile_rule(source)
    assert rule.evaluate({"text": "say w799"}, budget=5000)


def test_overlong_source_and_numbers_are_refused():
    with pytest.raises(RuleSyntaxError, match="too long"):
        compile_rule("1 == 1 | " * 10_000 + "true")
    with pytest.raises(RuleSyntaxError, match="too long"):
        compile_rule("user_age > " + "9" * 40)


def test_unicode_digits_are_not_numbers():
    with pytest.raises(RuleSyntaxError):
        compile_rule("user_age > \u0663")  # ARABIC-INDIC DIGIT THREE


def test_syntax_errors_pickle_and_compare_by_fields():
    import pickle

    [error] = check_syntax("text ==")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.line, copy.column) == (error.message, error.line, error.column)
