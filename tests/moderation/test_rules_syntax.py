"""Syntax errors: exact line/column and a sentence naming what was expected and found."""

from __future__ import annotations

import pytest

from moderation.rules import VARIABLES, RuleSyntaxError, check_syntax, compile_rule

BROKEN = [
    # (source, line, column, AbuseFilter's offset, fragment of the message). The verdicts
    # and offsets are AbuseFilter's (issue 12); line and column show the offending token.
    (
        '(text contains "a"\n  & (user_age > 3',
        2,
        18,
        36,
        "expected ')' to close the '(' at line 2, column 5, found the end of the rule",
    ),
    ("(user_age > 3", 1, 14, 13, "expected ')' to close the '(' at line 1, column 1"),
    ("(user_age > 3\n", 1, 14, 14, "expected ')' to close the '(' at line 1, column 1"),
    ("text ==", 1, 8, 7, "expected a value after '==', found the end of the rule"),
    ('text == "a" &', 1, 14, 13, "expected a value after '&', found the end of the rule"),
    ("user_age > > 3", 1, 12, 12, "expected a value after '>', found '>'"),
    ("text contains", 1, 14, 13, "expected a value after the keyword 'contains'"),
    ("1 2", 1, 3, 3, "expected the end of the rule, found the number 2"),
    ('text "x"', 1, 6, 8, 'expected the end of the rule, found the text "x"'),
    ("[1, 2", 1, 6, 5, "expected ',' or ']' to close the '[' at line 1, column 1"),
    ("lcase(text", 1, 11, 10, "expected ',' or ')' to close the '(' at line 1, column 6"),
    ("txt == 1", 1, 1, 0, "unknown variable 'txt' (did you mean 'text'?)"),
    ("  lcse(text)", 1, 3, 6, "unknown function 'lcse' (did you mean 'lcase'?)"),
    ("lcase(text, 1)", 1, 1, 5, "lcase() takes exactly 1 argument, but 2 were given"),
    ("count()", 1, 1, 5, "count() takes 1 to 2 arguments, but 0 were given"),
    ("contains_any(text)", 1, 1, 12, "contains_any() takes at least 2 arguments, but 1 was"),
    ("lcase == 1", 1, 1, 0, "'lcase' is a built-in name, not a variable"),
    ("text(1)", 1, 1, 4, "unknown function 'text'"),
    ("text && 1", 1, 7, 7, "expected a value after '&', found '&'"),
    ("text || 1", 1, 7, 7, "expected a value after '|', found '|'"),
    ("text # 1", 1, 6, 4, 'unrecognised token "# 1"'),
    ('text == "abc', 1, 9, 12, 'expected " to close this text'),
    ("/* never\nclosed", 1, 1, 0, "expected '*/' to close this comment"),
    ('text rlike "(buy"', 1, 6, 10, "the regular expression is not valid: missing )"),
    ('text like "x"\n& text rlike "a)"', 2, 8, 26, "the regular expression is not valid"),
    ('text rlike "(a)\\1"', 1, 6, 10, "backreferences like '\\1' are not supported"),
    ('text rlike "foo(?=bar)"', 1, 6, 10, "lookahead '(?=' is not supported"),
    ('text irlike "(?<!x)y"', 1, 6, 11, "lookbehind '(?<!' is not supported"),
    ('text rlike "a++"', 1, 6, 10, "possessive quantifiers"),
    ("in", 1, 1, 2, "expected a value, found the keyword 'in'"),
    ("!!true", 1, 2, 2, "expected a value after '!', found '!'"),
    ("--1", 1, 2, 2, "expected a value after '-', found '-'"),
    ("LCASE(text)", 1, 1, 5, "unknown function 'LCASE' (did you mean 'lcase'?)"),
    ("text LIKE 'x'", 1, 6, 9, "expected the end of the rule, found the name 'LIKE'"),
    ("TRUE", 1, 1, 0, "'true' is a built-in name, not a variable"),
    ("lcase := 1", 1, 1, 8, "'lcase' is a built-in name: it cannot be assigned"),
    ("user_name := 1", 1, 1, 12, "'user_name' is a built-in name: it cannot be assigned"),
    ("x", 1, 1, 0, "unknown variable 'x'"),
    ("page_namespace == 0", 1, 1, 0, "'page_namespace' has no meaning in the chat"),
    ("set(x, 1)", 1, 1, 3, "set and set_var take the variable's name as a literal text"),
    ("a[0]", 1, 1, 0, "unknown variable 'a'"),
    ("1/0", 1, 2, 2, "division of 1 by zero"),
    ("false & 1/0", 1, 10, 10, "division of 1 by zero"),
    ('ip_in_range("1.1.1.1", "x")', 1, 1, 11, 'invalid IP range "x"'),
    ("[1][5]", 1, 4, 4, "there is no item 5 in an array of 1"),
    ("1[0]", 1, 2, 2, "this is not an array"),
    ("if true then 1", 1, 15, 14, "expected 'end', found the end of the rule"),
    ("true ? 1", 1, 9, 8, "expected ':', found the end of the rule"),
    ("()", 1, 1, 1, "empty parentheses"),
    ("1 in 2 in 3", 1, 8, 9, "expected the end of the rule, found the keyword 'in'"),
    ("1 < 2 < 3", 1, 7, 7, "expected the end of the rule, found '<'"),
    ("1 == 2 < 3 == 4", 1, 12, 13, "expected the end of the rule, found '=='"),  # one of each
    ("x := 1; y", 1, 9, 7, "unknown variable 'y'"),
    ("y; y := 1", 1, 1, 0, "unknown variable 'y'"),
]


@pytest.mark.parametrize(("source", "line", "column", "offset", "message"), BROKEN)
def test_syntax_error_position_and_message(
    source: str, line: int, column: int, offset: int, message: str
):
    with pytest.raises(RuleSyntaxError) as caught:
        compile_rule(source)
    error = caught.value
    assert (error.line, error.column, error.offset) == (line, column, offset), str(error)
    assert message in error.message
    assert str(error) == f"Line {line}, column {column}: {error.message}"


# Forms the old language refused that AbuseFilter accepts (issue 12).
ACCEPTED = [
    "",
    "  /* only a comment */  ",
    "[1, ]",
    "text = 1",
    "user_age > 1 == true",
    ";;1;",
    'contains_any(text, "a",)',
    "x := 1; x",
    "false & (x := 1); x",
    "if false then (y := 2) end; y",
    "Text == TEXT",
    "/*/ 1",
]


@pytest.mark.parametrize("source", ACCEPTED)
def test_what_abusefilter_accepts_compiles(source: str):
    assert check_syntax(source) == []


def test_the_documented_example_message():
    source = 'user_age < 60 &\n  (text contains "x" | ('
    [error] = check_syntax(source)
    assert str(error) == (
        "Line 2, column 25: expected ')' to close the '(' at line 2, column 24, found the end "
        "of the rule"
    )
    [error] = check_syntax("(user_age > 1\n  & mention_count > 3")
    assert str(error) == (
        "Line 2, column 22: expected ')' to close the '(' at line 1, column 1, found the end "
        "of the rule"
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


def test_variable_names_are_case_insensitive_keywords_and_functions_are_not():
    # As in AbuseFilter: 'Text' is text, but 'LCASE' and 'TRUE' are not lcase and true.
    rule = compile_rule('lcase(Text) contains "x" & User_Age > 0 & true')
    assert rule.variables == {"text", "user_age"}
    assert check_syntax("LCASE(text)") and check_syntax("TRUE") and check_syntax("1 IN 2")


def test_rule_variables_lists_only_what_the_rule_reads():
    rule = compile_rule('action == "edit" & (lcase(old_text) contains "x" | mention_count > 5)')
    assert rule.variables == frozenset({"action", "old_text", "mention_count"})
    assert compile_rule("1 == 1").variables == frozenset()


def test_nesting_limits_are_syntax_errors_not_recursion_errors():
    deep = "(" * 500 + "1" + ")" * 500
    with pytest.raises(RuleSyntaxError, match="nests too deeply"):
        compile_rule(deep)
    ternaries = "true ? " * 500 + "1" + " : 0" * 500
    with pytest.raises(RuleSyntaxError, match="nests too deeply"):
        compile_rule(ternaries)
    # A chain of one operator is evaluated in a loop: long ones are fine.
    chain = " + ".join(["1"] * 3000) + " > 0"
    assert compile_rule(chain).evaluate({})


def test_long_or_chains_stay_flat_and_compile():
    words = [f'"w{i}"' for i in range(800)]
    source = " | ".join(f"text contains {word}" for word in words)
    rule = compile_rule(source)
    assert rule.evaluate({"text": "say w799"}, budget=5000)


def test_overlong_source_is_refused_and_long_numbers_saturate():
    with pytest.raises(RuleSyntaxError, match="too long"):
        compile_rule("1 == 1 | " * 10_000 + "true")
    # PHP's intval() saturates, so AbuseFilter reads this as 2**63 - 1.
    assert compile_rule("9" * 40).value({}) == 2**63 - 1


def test_unicode_digits_are_not_numbers():
    with pytest.raises(RuleSyntaxError):
        compile_rule("user_age > \u0663")  # ARABIC-INDIC DIGIT THREE


def test_syntax_errors_pickle_and_compare_by_fields():
    import pickle

    [error] = check_syntax("text ==")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.line, copy.column) == (error.message, error.line, error.column)


@pytest.mark.parametrize("control", ["\x0b", "\x0c", "\x01", "\x1f"])
def test_control_characters_are_not_whitespace(control: str):
    # MediaWiki turns them into U+FFFD before AbuseFilter's tokenizer sees them
    with pytest.raises(RuleSyntaxError) as caught:
        compile_rule(f"{control}1")
    assert caught.value.offset == 0
    assert compile_rule(f"1 /*{control}*/").value({}) == 1  # in a comment: ignored
    assert compile_rule(f'"a{control}b"').value({}) == "a\ufffdb"  # in a text: U+FFFD
    assert compile_rule('"\\x01"').value({}) == "\x01"  # an escape is kept


# -- the chat's own variables, which AbuseFilter does not have ---------------------------


def test_the_chats_own_names_can_be_assigned_as_in_abusefilter():
    # In AbuseFilter `text` is no built-in: assigning it makes a user variable.
    rule = compile_rule("text := 'BUY CHEAP PILLS'; ucase(text) == text")
    assert rule.evaluate({"text": "hello"}) is True
    assert rule.variables == frozenset()
    assert compile_rule("TEXT := 1; text").value({"text": "chat"}) == 1
    assert compile_rule("set('room', 'x'); room").value({"room": "help"}) == "x"
    assert compile_rule("mention_count := [1]; mention_count[] := 2; mention_count").value({}) == [
        1,
        2,
    ]


def test_a_read_before_the_assignment_sees_the_chats_value():
    rule = compile_rule("before := text; text := 'mine'; before + '|' + text")
    assert rule.value({"text": "chat"}) == "chat|mine"
    assert rule.variables == {"text"}
    # an assignment that may not happen leaves the chat's value needed
    assert compile_rule("if room == 'x' then (text := 1) end; text").variables == {
        "room",
        "text",
    }
    assert compile_rule("true & (text := 1); text").variables == {"text"}
    assert compile_rule("if true then (text := 1) else (text := 2) end; text").variables == set()


@pytest.mark.parametrize("name", ["new_wikitext", "user_name", "old_text", "added_lines"])
def test_abusefilters_own_names_stay_unassignable(name: str):
    with pytest.raises(RuleSyntaxError, match="cannot be assigned"):
        compile_rule(f"{name} := 'x'")
