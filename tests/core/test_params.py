"""Client input is parsed once for the socket and HTTP, with one wording per problem."""

from __future__ import annotations

import pytest

from core.errors import Invalid
from core.params import (
    from_text,
    parse_choice,
    parse_cursor,
    parse_id,
    parse_ids,
    parse_limit,
    require_cursor,
)


@pytest.mark.parametrize("value", [1, 42, 2**40])
def test_it_takes_ids_as_json_numbers(value):
    assert parse_id(value, field="message_id") == value


@pytest.mark.parametrize("value", [0, -1, True, False, "5", 1.0, None, [1], {"id": 1}])
def test_it_refuses_anything_else_as_an_id_naming_the_field(value):
    with pytest.raises(Invalid) as refused:
        parse_id(value, field="message_id")
    assert refused.value.detail == "message_id must be a whole number, 1 or more."
    assert refused.value.extra == {"field": "message_id"}


def test_query_strings_and_url_parts_become_the_same_values():
    assert from_text("17") == 17
    assert parse_id(from_text("17"), field="message_id") == 17
    # Anything that is not plain digits stays text, for the parser to refuse by name.
    for text in ("-3", "1e3", "٣", " 4", "x"):
        with pytest.raises(Invalid, match="^after must be a whole number, 0 or more.$"):
            parse_cursor(from_text(text), field="after")
    assert from_text(None) is None and from_text(5) == 5


def test_cursors_start_at_zero_and_may_be_absent():
    assert parse_cursor(0, field="before") == 0
    assert parse_cursor(None, field="before") is None
    assert parse_cursor("", field="before") is None
    with pytest.raises(Invalid, match="^after_event_id is required"):
        require_cursor(None, field="after_event_id")
    assert require_cursor(0, field="after_event_id") == 0


def test_limits_default_and_stay_in_range():
    assert parse_limit(None, default=50, maximum=100) == 50
    assert parse_limit(100, default=50, maximum=100) == 100
    for value in (0, 101, "ten", True):
        with pytest.raises(Invalid) as refused:
            parse_limit(value, default=50, maximum=100)
        assert refused.value.detail == "limit must be a whole number from 1 to 100."


def test_lists_of_ids_are_bounded_and_each_item_is_an_id():
    assert parse_ids([3, 1], field="ids", maximum=5) == [3, 1]
    with pytest.raises(Invalid, match="^ids must be a list of ids.$"):
        parse_ids(3, field="ids", maximum=5)
    with pytest.raises(Invalid, match="^ids may list at most 2 ids.$"):
        parse_ids([1, 2, 3], field="ids", maximum=2)
    with pytest.raises(Invalid, match="^ids must be a whole number, 1 or more.$"):
        parse_ids([1, "2"], field="ids", maximum=5)


def test_choices_name_what_is_allowed():
    assert parse_choice("open", field="status", choices=("open", "all")) == "open"
    assert parse_choice(None, field="status", choices=("open", "all")) is None
    with pytest.raises(Invalid, match="^status must be one of open, all.$"):
        parse_choice("closed", field="status", choices=("open", "all"))
