"""Fuzzing the sockets' frame parsing (issue 13, "Security"): whatever a client sends, the
consumer answers and stays open.

Each test opens one real socket (the whole ASGI application: router, origin check, session)
as a person who may use every frame (a moderator and mentor, so no refusal for the role
hides the validation behind it) and reuses it for every example: Hypothesis sends a frame,
then a probe frame of an unknown type, and reads up to the probe's `error`. Everything in
between is the fuzzed frame's answer (frames are handled one at a time, in order). A frame
that crashed the consumer makes the communicator raise its exception; a socket that closed
would not answer the probe.

Every frame the server sends must be what a browser can read: UTF-8 text holding strict
JSON (RFC 8259: no NaN or Infinity, which JavaScript's JSON.parse refuses).

Examples are derandomized, as tests/moderation/test_af_differential.py does, so CI sees the
same frames every run; deadline=None because each example is a socket round trip through
the database thread, whose time says nothing about the parser.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import User
from accounts.roles import MENTORS, MODERATORS
from livechat import actions
from livechat.models import Room

from ..conftest import Socket, make_user, session_cookie, ws_headers

pytestmark = pytest.mark.django_db(transaction=True)

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    # One socket for all examples: the function-scoped fixtures are meant to be shared.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ERROR_CODES = {
    "invalid",
    "too_long",
    "not_found",
    "forbidden",
    "conflict",
    "blocked",
    "filtered",
    "rate_limited",
    "unavailable",
}

# --- JSON values ------------------------------------------------------------------------

HUGE_INTS = st.sampled_from([2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30, -(10**30)])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    HUGE_INTS,
    # NaN and ±Infinity included: json.dumps writes them as the non-JSON words
    # NaN/Infinity, and 1e400 overflows to infinity when parsed.
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(["", " ", "5", "1e400", "\ud800", "\x00", "<script>", "NaN"]),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)

# --- the frames and their fields --------------------------------------------------------

# What each field holds when it is right, by kind; "own"/"other" are the ids of the
# fuzzer's own message and of someone else's (filled in by the fixture).
ROOM_FRAMES: dict[str, dict[str, str]] = {
    "message.send": {"body": "text", "client_id": "client_id", "reply_to": "optional_id"},
    "message.edit": {"message_id": "own", "body": "text", "base_revision": "revision"},
    "reaction.toggle": {"message_id": "other", "emoji": "emoji"},
    "read": {"message_id": "other"},
    "resume": {"after_event_id": "cursor"},
    "thanks": {"message_id": "other"},
    "message.hide": {"message_id": "other", "reason": "text"},
    "message.unhide": {"message_id": "other", "reason": "text"},
    "message.report": {"message_id": "other", "reason": "text"},
    "question.claim": {"question_id": "id"},
    "question.unclaim": {"question_id": "id"},
    "question.resolve": {"question_id": "id"},
    "question.reopen": {"question_id": "id"},
    "typing": {},
    "active": {},
}
HELPDESK_FRAMES: dict[str, dict[str, str]] = {
    "question.claim": {"question_id": "id"},
    "question.unclaim": {"question_id": "id"},
    "question.resolve": {"question_id": "id"},
    "active": {},
}
OPTIONAL_KINDS = {"client_id", "optional_id"}
# Finite floats: NaN and Infinity are not JSON, refused before any field is looked at.
FINITE = st.floats(allow_nan=False, allow_infinity=False)
PLAIN = st.one_of(st.none(), st.booleans(), st.integers(), FINITE, st.text(max_size=10))
NOT_A_WHOLE_NUMBER = st.one_of(
    FINITE, st.text(max_size=10), st.booleans(), st.lists(PLAIN, max_size=2)
)


def wrong_values(kind: str) -> st.SearchStrategy[Any]:
    """Values of the wrong type or out of range for a field of ``kind``."""
    if kind in ("text", "emoji", "client_id"):
        wrong = st.one_of(st.integers(), FINITE, st.booleans(), st.lists(PLAIN, max_size=2))
        if kind == "client_id":
            wrong |= st.text(min_size=65, max_size=80)
        return wrong
    minimum = 0 if kind == "cursor" else 1
    below = st.integers(max_value=minimum - 1)
    if kind in OPTIONAL_KINDS:
        return st.one_of(NOT_A_WHOLE_NUMBER, below, st.dictionaries(st.text(max_size=3), PLAIN))
    return st.one_of(st.none(), NOT_A_WHOLE_NUMBER, below)


def right_value(kind: str, ids: dict[str, int]) -> Any:
    return {
        "text": "fine words",
        "emoji": "👍",
        "client_id": None,
        "optional_id": None,
        "own": ids["own"],
        "other": ids["other"],
        "revision": 1,
        "cursor": 0,
        "id": 1,
    }[kind]


@st.composite
def one_bad_field(draw: st.DrawFn, frames: dict[str, dict[str, str]]) -> tuple[str, str, Any]:
    """A frame type, one of its fields, and a wrong value (or the marker MISSING)."""
    kind_of = {t: f for t, f in frames.items() if f}
    frame_type = draw(st.sampled_from(sorted(kind_of)))
    field = draw(st.sampled_from(sorted(kind_of[frame_type])))
    kind = kind_of[frame_type][field]
    if kind not in OPTIONAL_KINDS and draw(st.booleans()):
        return frame_type, field, MISSING
    return frame_type, field, draw(wrong_values(kind))


MISSING = object()


def arbitrary_frames(frames: dict[str, dict[str, str]]) -> st.SearchStrategy[dict[str, Any]]:
    """Any JSON object: a known or unknown type, its fields with any values, extra keys."""
    types = st.one_of(st.sampled_from(sorted(frames)), st.text(max_size=50), JSON_VALUES)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        frame_type = draw(types)
        fields = frames.get(frame_type, {}) if isinstance(frame_type, str) else {}
        frame: dict[str, Any] = draw(st.dictionaries(st.text(max_size=12), JSON_VALUES, max_size=3))
        for field in fields:
            if draw(st.booleans()):
                frame[field] = draw(JSON_VALUES)
        if draw(st.integers(0, 9)):  # mostly with a type
            frame["type"] = frame_type
        return frame

    return build()


def raw_frames(frames: dict[str, dict[str, str]]) -> st.SearchStrategy[str | bytes]:
    """What arrives on the wire: a JSON text of anything, broken JSON, bytes."""
    return st.one_of(
        arbitrary_frames(frames).map(json.dumps),
        JSON_VALUES.map(json.dumps),
        st.text(max_size=200),
        st.binary(max_size=100),
        st.sampled_from(
            [
                "",
                "{",
                "[]",
                "null",
                '{"type": NaN}',
                '{"type": "read", "message_id": 1e400}',
                '{"type": "read", "message_id": -Infinity}',
                '{"type": "message.send", "body": "x", "client_id": NaN}',
                '{"type": "read", "message_id": ' + "9" * 5000 + "}",
                '{"type": "resume", "after_event_id": ' + "9" * 40 + "}",
                "[" * 10_000 + "]" * 10_000,
                '{"type": "message.send", "body": "\\ud800"}',
                '{"type": "message.send", "body": "x", "client_id": "\\udfff"}',
            ]
        ),
    )


# --- the sockets --------------------------------------------------------------------------


def strict_json(text: str) -> Any:
    """JSON as a browser's JSON.parse reads it: no NaN/Infinity; the text must encode."""
    text.encode("utf-8")  # a lone surrogate cannot go out on the wire

    def refuse(word: str) -> None:
        raise AssertionError(f"{word} in a frame is not JSON: {text[:200]!r}")

    return json.loads(text, parse_constant=refuse)


class Prober:
    """Sends a frame, then a probe, and collects what answered the frame."""

    def __init__(self, socket: Socket) -> None:
        self.socket = socket
        self.probes = itertools.count()

    async def exchange(self, frame: str | bytes) -> list[dict[str, Any]]:
        communicator: WebsocketCommunicator = self.socket.communicator
        # send_input, not send_to: send_to refuses the empty frames a client may send.
        key = "bytes" if isinstance(frame, bytes) else "text"
        await communicator.send_input({"type": "websocket.receive", key: frame})
        probe = f"fuzz.probe.{next(self.probes)}"
        await communicator.send_to(text_data=json.dumps({"type": probe}))
        answers: list[dict[str, Any]] = []
        while True:
            # A crashed consumer raises its exception here; a closed one never answers.
            text = await communicator.receive_from(timeout=10)
            answer = strict_json(text)
            if answer.get("type") == "error" and probe in answer.get("detail", ""):
                assert answer["code"] == "invalid"
                break
            answers.append(answer)
        assert not communicator.future.done(), "the consumer stopped"
        return answers


def errors_in(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors = [a for a in answers if a["type"] == "error"]
    for error in errors:
        assert error["code"] in ERROR_CODES, error
        assert isinstance(error["detail"], str) and error["detail"].strip(), error
    return errors


def names(error: dict[str, Any], field: str) -> bool:
    """The error names the field: as its `field`, or in its sentence ("The message body
    must be text.", "The reason must be text.")."""
    return error.get("field") == field or field.replace("_", " ") in error["detail"].replace(
        "_", " "
    )


@pytest.fixture
def fuzzer(db: None) -> User:
    return make_user("Fuzzer", MODERATORS, MENTORS)


@pytest.fixture
async def message_ids(fuzzer: User, bob: User, room: Room) -> dict[str, int]:
    from ..conftest import fresh

    def send(user: User, body: str) -> int:
        return actions.send_message(user=fresh(user), room=room, body=body).message.pk

    return {
        "own": await database_sync_to_async(send)(fuzzer, "mine"),
        "other": await database_sync_to_async(send)(bob, "bob's"),
    }


@pytest.fixture
async def open_socket() -> AsyncIterator[Callable[..., Any]]:
    from config.asgi import application

    opened: list[WebsocketCommunicator] = []

    async def open_(user: User, path: str) -> Prober:
        cookie = await database_sync_to_async(session_cookie)(user)
        communicator = WebsocketCommunicator(application, path, headers=ws_headers(cookie))
        connected, _ = await communicator.connect(timeout=5)
        assert connected, f"handshake refused for {path}"
        opened.append(communicator)
        socket = Socket(communicator)
        socket.hello = await socket.recv_type("hello")
        return Prober(socket)

    yield open_
    for communicator in opened:
        await communicator.disconnect()


@pytest.fixture
async def room_prober(open_socket, fuzzer, room, message_ids) -> Prober:
    return await open_socket(fuzzer, f"/ws/rooms/{room.slug}/")


@pytest.fixture
async def helpdesk_prober(open_socket, fuzzer) -> Prober:
    return await open_socket(fuzzer, "/ws/helpdesk/")


# --- the tests ----------------------------------------------------------------------------


@FUZZ
@given(raw=raw_frames(ROOM_FRAMES))
@example(raw=b"\x00\xff")
@example(raw='{"type": "read", "message_id": 1e400}')
@example(raw='{"type": "message.send", "body": "x", "client_id": NaN}')
@example(raw='{"type": "message.send", "body": "\\ud800"}')
@example(raw='{"type": "read", "message_id": 1, "client_id": "\\udfff"}')
@example(raw="[" * 10_000 + "]" * 10_000)
@example(raw='{"type": "read", "message_id": ' + "[" * 5_000 + "]" * 5_000 + "}")
async def test_it_answers_any_frame_on_the_room_socket_and_stays_open(
    room_prober: Prober, raw: str | bytes
) -> None:
    answers = await room_prober.exchange(raw)
    errors = errors_in(answers)
    assert len(errors) <= 1, answers
    frame = _parsed_object(raw)
    if frame is None or not isinstance(frame.get("type"), str):
        # Binary, not JSON, not an object, or no type: refused, saying so.
        assert [e["code"] for e in errors] in (["invalid"], ["too_long"]), (raw, answers)
    elif frame["type"] not in ROOM_FRAMES:
        assert [e["code"] for e in errors] == ["invalid"], (raw, answers)
        assert "Unknown frame type" in errors[0]["detail"]


@FUZZ
@given(bad=one_bad_field(ROOM_FRAMES))
async def test_it_names_the_field_of_a_wrong_value_on_the_room_socket(
    room_prober: Prober, message_ids: dict[str, int], bad: tuple[str, str, Any]
) -> None:
    frame_type, field, value = bad
    frame = {name: right_value(kind, message_ids) for name, kind in ROOM_FRAMES[frame_type].items()}
    if value is MISSING:
        del frame[field]
    else:
        frame[field] = value
    answers = await room_prober.exchange(json.dumps({"type": frame_type, **frame}))
    errors = errors_in(answers)
    assert len(errors) == 1, (frame_type, frame, answers)
    assert errors[0]["code"] == "invalid", (frame_type, frame, errors)
    assert names(errors[0], field), (frame_type, field, errors[0])


@FUZZ
@given(raw=raw_frames(HELPDESK_FRAMES))
@example(raw="[" * 10_000 + "]" * 10_000)
async def test_it_answers_any_frame_on_the_helpdesk_socket_and_stays_open(
    helpdesk_prober: Prober, raw: str | bytes
) -> None:
    answers = await helpdesk_prober.exchange(raw)
    errors = errors_in(answers)
    assert len(errors) <= 1, answers
    frame = _parsed_object(raw)
    if frame is None or not isinstance(frame.get("type"), str):
        assert [e["code"] for e in errors] in (["invalid"], ["too_long"]), (raw, answers)
    elif frame["type"] not in HELPDESK_FRAMES:
        assert [e["code"] for e in errors] == ["invalid"], (raw, answers)
        assert "Unknown frame type" in errors[0]["detail"]


@FUZZ
@given(bad=one_bad_field(HELPDESK_FRAMES))
async def test_it_names_the_field_of_a_wrong_value_on_the_helpdesk_socket(
    helpdesk_prober: Prober, bad: tuple[str, str, Any]
) -> None:
    frame_type, field, value = bad
    frame: dict[str, Any] = {"type": frame_type}
    if value is not MISSING:
        frame[field] = value
    errors = errors_in(await helpdesk_prober.exchange(json.dumps(frame)))
    assert len(errors) == 1 and errors[0]["code"] == "invalid", (frame, errors)
    assert names(errors[0], field), (frame, errors[0])


def _parsed_object(raw: str | bytes) -> dict[str, Any] | None:
    """The frame as the server should read it: a JSON object, or None for anything else
    (binary, broken or non-standard JSON such as NaN, a number too large for a float,
    nesting too deep, half a surrogate pair)."""
    if isinstance(raw, bytes):
        return None
    try:
        value = strict_json(raw)
    except (ValueError, AssertionError, UnicodeEncodeError, RecursionError):
        return None
    if not isinstance(value, dict) or _unusable(value):
        return None
    return value


def _unusable(value: Any) -> bool:
    """A number past a float's range, or text with half a surrogate pair: the server
    refuses the frame whatever its type."""
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf"))
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, list):
        return any(_unusable(item) for item in value)
    if isinstance(value, dict):
        return any(_unusable(key) or _unusable(item) for key, item in value.items())
    return False
