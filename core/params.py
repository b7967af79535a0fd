"""Client input, parsed once for both entry points.

The socket hands over JSON values (``5``, ``[1, 2]``), the HTTP API JSON bodies, and query
strings and URL parts that :func:`from_text` turns into the same values first; all of it
comes here, so every problem is worded one way wherever it arrives. Each parser raises
:class:`core.errors.Invalid` naming the field. JSON must carry numbers as numbers: ``"5"``
in a frame is refused, as a client bug worth hearing about.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.errors import Invalid


def from_text(value: object) -> object:
    """A query-string or URL value as the JSON value it stands for: digits become an int;
    anything else stays text, for the parser to refuse by name."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return value


def _whole_number(value: object) -> int | None:
    # bool is an int in Python; true is not an id.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _at_least(value: object, *, field: str, minimum: int) -> int:
    number = _whole_number(value)
    if number is None or number < minimum:
        raise Invalid(
            _("%(field)s must be a whole number, %(minimum)d or more.")
            % {"field": field, "minimum": minimum},
            field=field,
        )
    return number


def parse_id(value: object, *, field: str) -> int:
    """An object's id: a whole number, 1 or more."""
    return _at_least(value, field=field, minimum=1)


def parse_optional_id(value: object, *, field: str) -> int | None:
    return None if value is None else parse_id(value, field=field)


def parse_ids(value: object, *, field: str, maximum: int) -> list[int]:
    """A list of ids, at most ``maximum`` of them."""
    if not isinstance(value, list):
        raise Invalid(_("%(field)s must be a list of ids.") % {"field": field}, field=field)
    if len(value) > maximum:
        raise Invalid(
            _("%(field)s may list at most %(maximum)d ids.") % {"field": field, "maximum": maximum},
            field=field,
        )
    return [parse_id(item, field=field) for item in value]


def parse_cursor(value: object, *, field: str) -> int | None:
    """A position such as ``before`` or ``after``: a whole number, 0 or more; ``None``
    when the client sent none."""
    if value is None or value == "":
        return None
    return _at_least(value, field=field, minimum=0)


def require_cursor(value: object, *, field: str) -> int:
    cursor = parse_cursor(value, field=field)
    if cursor is None:
        raise Invalid(
            _("%(field)s is required: the last event id you hold (0 for none).") % {"field": field},
            field=field,
        )
    return cursor


def parse_limit(value: object, *, default: int, maximum: int) -> int:
    """A page size: ``default`` when absent, else a whole number from 1 to ``maximum``."""
    if value is None or value == "":
        return default
    number = _whole_number(value)
    if number is None or not 1 <= number <= maximum:
        raise Invalid(
            _("limit must be a whole number from 1 to %(maximum)d.") % {"maximum": maximum},
            field="limit",
        )
    return number


def parse_choice(value: object, *, field: str, choices: tuple[str, ...]) -> str | None:
    """One of ``choices``; ``None`` when the client sent none."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in choices:
        raise Invalid(
            _("%(field)s must be one of %(choices)s.")
            % {"field": field, "choices": ", ".join(choices)},
            field=field,
        )
    return value
