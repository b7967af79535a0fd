"""The authorization matrix (issue 13, docs/security.md): every HTTP endpoint the URL
resolver knows and every socket frame type the dispatchers know, tried as each kind of
person, against the answer written here. A new URL pattern or frame type fails this test
until its row is added: nobody ships an endpoint without saying who may use it.

Who: ``anon`` (signed out), ``newcomer``, ``mentor``, ``moderator``, ``blocked`` (a
newcomer under a site-wide block) and ``superuser``. Each request runs in a transaction
rolled back afterwards, so every person meets the same data.

HTTP answers are status codes (302 is a redirect to the sign-in page unless the row says
otherwise); socket answers are what the first frame back says: ``ok`` (not an error),
or the error's code (``forbidden``, ``blocked``...). The admin's generated pages (one set
per model) follow one rule: sign in, then moderators and superusers only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import MENTORS, MODERATORS
from livechat import actions
from livechat.models import Room
from tests.conftest import HOST, fresh, make_user, session_cookie, ws_headers

ROLES = ("anon", "newcomer", "mentor", "moderator", "blocked", "superuser")


def walk(
    patterns: list[Any], prefix: str = "", namespace: str | None = None
) -> Iterator[tuple[str, str]]:
    """(route, name) of every URL pattern, admin's and allauth's included."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name or ""


# --- The people and the data they meet ---------------------------------------------------


class World:
    """Everyone, and one of each thing an endpoint may name."""

    def __init__(self) -> None:
        from helpdesk.models import Question
        from moderation import actions as moderation
        from moderation.models import Report

        self.room = Room.objects.create(slug="help-desk", name="Help desk")
        superuser = make_user("Root", is_staff=True, is_superuser=True)
        moderator = make_user("Mod", MODERATORS)
        self.users = {
            "anon": None,
            "newcomer": make_user("Newbie"),
            "mentor": make_user("Mentor", MENTORS),
            "moderator": moderator,
            "blocked": make_user("Blocked"),
            "superuser": superuser,
        }
        author = make_user("Asker")
        self.message = actions.send_message(
            user=author, room=self.room, body="How do I cite?"
        ).message
        self.question = Question.objects.get(first_message=self.message)
        self.report = moderation.report_message(
            user=fresh(self.users["newcomer"]), message_id=self.message.pk, reason="Rude"
        )
        assert isinstance(self.report, Report)
        # A message of each person's own (before the block: blocked people wrote earlier).
        self.own = {
            role: actions.send_message(user=user, room=self.room, body=f"By {role}").message.pk
            for role, user in self.users.items()
            if user is not None
        }
        self.block = moderation.place_block(
            moderator=fresh(moderator),
            user=self.users["blocked"],
            reason="Spam",
            duration=timedelta(days=1),
        )

    def things(self, kinds: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
        """For each (role, frame kind): a fresh message by someone else, its question, and
        the role's own message. Made before any socket opens, so no socket sees them."""
        from helpdesk.models import Question

        made = {}
        for role in ROLES[1:]:
            for kind in kinds:
                # One asker each: a person's next message joins their open question.
                asker = make_user(f"Asker {len(made) + 1}")
                target = actions.send_message(user=asker, room=self.room, body=kind).message
                question = Question.objects.get(first_message=target)
                made[role, kind] = {
                    "target": target.pk,
                    "question": question.pk,
                    "own": self.own[role],
                }
        return made

    def fill(self, name: str) -> str:
        return {
            "slug": self.room.slug,
            "message_id": str(self.message.pk),
            "report_id": str(self.report.pk),
            "block_id": str(self.block.pk),
            "question_id": str(self.question.pk),
            "day": self.message.created_at.date().isoformat(),
            "token": "not-a-token",
            "object_id": "1",
            "id": "1",
            "wiki_id": "1",
            "content_type_id": "1",
            "app_label": "moderation",
        }[name]


def endpoints() -> list[tuple[str, URLPattern]]:
    """Every (route, pattern) the resolver knows, in its order."""
    found: list[tuple[str, URLPattern]] = []

    def visit(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                visit(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                found.append((prefix + str(pattern.pattern), pattern))

    visit(get_resolver().url_patterns, "")
    return found


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def concrete(route: str, world: World) -> str:
    """The route with each parameter filled in from ``world``."""
    if route.endswith("(?P<url>.*)$"):  # the admin's catch-all: any unknown admin path
        return "/admin/no-such-page/"
    path = _PARAM.sub(lambda m: world.fill(m[1] or m[2]), route)
    return "/" + path.replace("^", "").replace("$", "")


# What every write sends: enough for each endpoint to get past its own checks, so that an
# answer tells who may write (a blocked person's 403) rather than a bad body's 400.
BODY = {
    "body": "Hello",
    "base_revision": 1,
    "emoji": "👍",
    "reason": "Because",
    "note": "Done",
    "all": True,
    "username": "Newbie",
    "duration": "1d",
}
QUERY = {"api-room-events": "?after=0"}

# --- Asking ---------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def ask(world: World, role: str, method: str, path: str) -> int:
    """The status ``role`` gets for one request, its writes rolled back."""
    client = Client(HTTP_HOST=HOST, raise_request_exception=False)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    status = 0
    try:
        with transaction.atomic():
            call = getattr(client, method.lower())
            if method == "GET":
                response = call(path)
            else:
                response = call(path, data=json.dumps(BODY), content_type="application/json")
            status = response.status_code
            if status == 302 and response["Location"].startswith("/accounts/login/"):
                status = -302  # "sign in first", apart from any other redirect
            raise _Rollback
    except _Rollback:
        pass
    return status


@pytest.fixture
def world(settings: Any, db: None) -> World:
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    # The wiki's sign-in configured (with a wiki nobody reaches: no request goes there).
    settings.LIVECHAT_WIKI_OAUTH_REST = "https://wiki.invalid/rest.php"
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "mediawiki": {
            **settings.SOCIALACCOUNT_PROVIDERS["mediawiki"],
            "APPS": [{"client_id": "matrix", "secret": "matrix"}],
        },
    }
    return World()


# --- Sockets ----------------------------------------------------------------------------------

ROOM_SOCKET = "/ws/rooms/help-desk/"
HELPDESK_SOCKET = "/ws/helpdesk/"


def frame_for(kind: str, role: str, things: dict[str, Any]) -> dict[str, Any]:
    """A well-formed frame of ``kind`` from ``role``, about things of its own (a fresh
    message and question each, and a message of their own to edit)."""
    target, question, own = things["target"], things["question"], things["own"]
    return {
        "message.send": {"body": "Hello", "client_id": f"c-{role}"},
        "message.edit": {"message_id": own, "body": "Edited", "base_revision": 1},
        "reaction.toggle": {"message_id": target, "emoji": "👍"},
        "read": {"message_id": target},
        "thanks": {"message_id": target},
        "message.hide": {"message_id": target, "reason": "Because"},
        "message.unhide": {"message_id": target, "reason": "Because"},
        "message.report": {"message_id": target, "reason": "Because"},
        "typing": {},
        "resume": {"after_event_id": 0},
        "active": {},
        "question.claim": {"question_id": question},
        "question.unclaim": {"question_id": question},
        "question.resolve": {"question_id": question},
        "question.reopen": {"question_id": question},
    }[kind] | {"type": kind}


SENTINEL = {"type": "matrix.sentinel"}


async def answer(communicator: WebsocketCommunicator, frame: dict[str, Any]) -> str:
    """``ok``, or the code of the error the frame got. A socket answers its frames in
    order, so a frame of unknown type sent after it marks where its answers end (live
    events, which come through the channel layer, may come later: they are no errors)."""
    await communicator.send_to(text_data=json.dumps(frame))
    await communicator.send_to(text_data=json.dumps(SENTINEL))
    got = "ok"
    while True:
        reply = json.loads(await communicator.receive_from(timeout=5))
        if reply["type"] != "error":
            continue
        if SENTINEL["type"] in reply.get("detail", ""):
            return got
        if got == "ok":
            got = reply["code"]


async def open_socket(path: str, user: Any) -> WebsocketCommunicator | None:
    from config.asgi import application

    cookie = await database_sync_to_async(session_cookie)(user) if user is not None else None
    communicator = WebsocketCommunicator(application, path, headers=ws_headers(cookie))
    connected, _ = await communicator.connect(timeout=5)
    if not connected:
        return None
    await communicator.receive_from(timeout=5)  # hello
    return communicator


# --- The matrix ------------------------------------------------------------------------------
# (route, name): {method: the answers of anon newcomer mentor moderator blocked superuser}.
# "login" is a redirect to the sign-in page. A method a route refuses for everyone (405)
# is left out.
HTTP = {
    ("accounts/login/", "login"): {
        "GET": "200 200 200 200 200 200",
        "POST": "200 200 200 200 200 200",
    },
    ("accounts/logout/", "logout"): {"POST": "login login login login login login"},
    ("accounts/widget/sign-in/", "widget-sign-in"): {
        "GET": "login 302 302 302 302 302",
        "POST": "login 302 302 302 302 302",
        "PATCH": "login 302 302 302 302 302",
    },
    ("accounts/widget/signed-in/", "widget-signed-in"): {
        "GET": "login 200 200 200 200 200",
        "POST": "login 200 200 200 200 200",
        "PATCH": "login 200 200 200 200 200",
    },
    ("accounts/widget/token/", "widget-token"): {"POST": "403 200 200 200 200 200"},
    # "Download my data": one's own, whoever one is (docs/privacy.md).
    ("accounts/my-data/", "my-data"): {
        "GET": "login 200 200 200 200 200",
        "POST": "login 405 405 405 405 405",
        "PATCH": "login 405 405 405 405 405",
    },
    ("accounts/3rdparty/", "socialaccount_connections"): {
        "GET": "302 302 302 302 302 302",
        "POST": "302 302 302 302 302 302",
        "PATCH": "302 302 302 302 302 302",
    },
    ("accounts/login/", "account_login"): {
        "GET": "200 200 200 200 200 200",
        "POST": "200 200 200 200 200 200",
    },
    ("accounts/logout/", "account_logout"): {"POST": "login login login login login login"},
    ("accounts/inactive/", "account_inactive"): {"GET": "200 200 200 200 200 200"},
    ("accounts/3rdparty/login/cancelled/", "socialaccount_login_cancelled"): {
        "GET": "200 200 200 200 200 200"
    },
    ("accounts/3rdparty/login/error/", "socialaccount_login_error"): {
        "GET": "401 401 401 401 401 401"
    },
    ("accounts/3rdparty/signup/", "socialaccount_signup"): {
        "GET": "login login login login login login",
        "POST": "login login login login login login",
        "PATCH": "login login login login login login",
    },
    ("accounts/social/login/cancelled/", None): {
        "GET": "301 301 301 301 301 301",
        "POST": "301 301 301 301 301 301",
        "PATCH": "301 301 301 301 301 301",
    },
    ("accounts/social/login/error/", None): {
        "GET": "301 301 301 301 301 301",
        "POST": "301 301 301 301 301 301",
        "PATCH": "301 301 301 301 301 301",
    },
    ("accounts/social/signup/", None): {
        "GET": "301 301 301 301 301 301",
        "POST": "301 301 301 301 301 301",
        "PATCH": "301 301 301 301 301 301",
    },
    ("accounts/social/connections/", None): {
        "GET": "301 301 301 301 301 301",
        "POST": "301 301 301 301 301 301",
        "PATCH": "301 301 301 301 301 301",
    },
    ("accounts/wiki/login/", "mediawiki_login"): {
        "GET": "200 200 200 200 200 200",
        "POST": "302 302 302 302 302 302",
        "PATCH": "302 302 302 302 302 302",
    },
    ("accounts/wiki/login/callback/", "mediawiki_callback"): {
        "GET": "401 401 401 401 401 401",
        "POST": "401 401 401 401 401 401",
        "PATCH": "401 401 401 401 401 401",
    },
    ("jsi18n/", "javascript-catalog"): {"GET": "200 200 200 200 200 200"},
    ("metrics", "metrics"): {"GET": "404 403 403 403 403 200"},
    ("helpdesk/", "queue"): {
        "GET": "login 403 200 200 403 200",
        "POST": "login 403 200 200 403 200",
        "PATCH": "login 403 200 200 403 200",
    },
    ("helpdesk/coverage/", "coverage"): {
        "GET": "login 403 200 200 403 200",
        "POST": "login 403 200 200 403 200",
        "PATCH": "login 403 200 200 403 200",
    },
    ("api/helpdesk/coverage/", "api-coverage"): {"GET": "403 403 200 200 403 200"},
    ("helpdesk/feed/", "feed"): {"GET": "200 200 200 200 200 200"},
    ("helpdesk/feed.json", "feed-json"): {"GET": "200 200 200 200 200 200"},
    ("rooms/<slug:slug>/archive/", "archive"): {
        "GET": "login 200 200 200 200 200",
        "POST": "login 200 200 200 200 200",
        "PATCH": "login 200 200 200 200 200",
    },
    ("rooms/<slug:slug>/archive/search/", "archive-search"): {
        "GET": "login 200 200 200 200 200",
        "POST": "login 200 200 200 200 200",
        "PATCH": "login 200 200 200 200 200",
    },
    ("rooms/<slug:slug>/archive/messages/<int:message_id>/", "archive-message"): {
        "GET": "login 302 302 302 302 302",
        "POST": "login 302 302 302 302 302",
        "PATCH": "login 302 302 302 302 302",
    },
    ("rooms/<slug:slug>/archive/<str:day>/", "archive-day"): {
        "GET": "login 200 200 200 200 200",
        "POST": "login 200 200 200 200 200",
        "PATCH": "login 200 200 200 200 200",
    },
    ("api/rooms/<slug:slug>/folded/", "api-folded-threads"): {"GET": "403 200 200 200 200 200"},
    ("wiki/loader.js", "wiki-loader"): {"GET": "200 200 200 200 200 200"},
    ("wiki/status.json", "wiki-status"): {"GET": "200 200 200 200 200 200"},
    ("", "room-list"): {
        "GET": "login 200 200 200 200 200",
        "POST": "login 200 200 200 200 200",
        "PATCH": "login 200 200 200 200 200",
    },
    ("rooms/<slug:slug>/", "room"): {
        "GET": "login 200 200 200 200 200",
        "POST": "login 200 200 200 200 200",
        "PATCH": "login 200 200 200 200 200",
    },
    ("rooms/<slug:slug>/embed/", "room-embed"): {
        "GET": "200 200 200 200 200 200",
        "POST": "200 200 200 200 200 200",
        "PATCH": "200 200 200 200 200 200",
    },
    ("api/rooms/", "api-rooms"): {"GET": "403 200 200 200 200 200"},
    ("api/users/", "api-users"): {"GET": "403 200 200 200 200 200"},
    ("api/notifications/", "api-notifications"): {"GET": "403 200 200 200 200 200"},
    ("api/notifications/read/", "api-notifications-read"): {"POST": "403 200 200 200 200 200"},
    ("api/messages/<int:message_id>/thanks/", "api-message-thanks"): {
        "POST": "403 201 201 201 403 201"
    },
    ("api/rooms/<slug:slug>/messages/", "api-room-messages"): {
        "GET": "403 200 200 200 200 200",
        "POST": "403 201 201 201 403 201",
    },
    ("api/rooms/<slug:slug>/events/", "api-room-events"): {"GET": "403 200 200 200 200 200"},
    ("api/messages/<int:message_id>/", "api-message"): {
        "GET": "403 200 200 200 200 200",
        "PATCH": "403 403 403 403 403 403",
    },
    ("api/messages/<int:message_id>/revisions/", "api-message-revisions"): {
        "GET": "403 200 200 200 200 200"
    },
    ("api/messages/<int:message_id>/reactions/", "api-message-reactions"): {
        "POST": "403 200 200 200 403 200"
    },
    ("notifications/settings/", "notifications-settings"): {
        "GET": "login 200 200 200 200 200",
        "POST": "login 200 200 200 200 200",
        "PATCH": "login 405 405 405 405 405",
    },
    ("notifications/settings/verify/", "notifications-request-verification"): {
        "GET": "login 405 405 405 405 405",
        "POST": "login 302 302 302 302 302",
        "PATCH": "login 405 405 405 405 405",
    },
    ("notifications/settings/archives/", "notifications-archive-name"): {
        "GET": "login 405 405 405 405 405",
        "POST": "login 302 302 302 302 302",
        "PATCH": "login 405 405 405 405 405",
    },
    ("notifications/settings/language/", "notifications-language"): {
        "GET": "login 405 405 405 405 405",
        "POST": "login 302 302 302 302 302",
        "PATCH": "login 405 405 405 405 405",
    },
    ("notifications/settings/time-zone/", "notifications-time-zone"): {
        "GET": "login 405 405 405 405 405",
        "POST": "login 302 302 302 302 302",
        "PATCH": "login 405 405 405 405 405",
    },
    ("notifications/verify/<str:token>/", "notifications-verify"): {
        "GET": "400 400 400 400 400 400"
    },
    ("notifications/unsubscribe/<str:token>/", "notifications-unsubscribe"): {
        "GET": "400 400 400 400 400 400",
        "POST": "400 400 400 400 400 400",
    },
    ("notifications/go/<str:token>/", "notifications-go"): {"GET": "400 400 400 400 400 400"},
    ("api/messages/<int:message_id>/hide/", "api-message-hide"): {
        "POST": "403 403 403 200 403 200"
    },
    ("api/messages/<int:message_id>/unhide/", "api-message-unhide"): {
        "POST": "403 403 403 409 403 409"
    },
    ("api/messages/<int:message_id>/report/", "api-message-report"): {
        "POST": "403 409 201 201 403 201"
    },
    ("api/reports/", "api-reports"): {"GET": "403 403 403 200 403 200"},
    ("api/reports/<int:report_id>/resolve/", "api-report-resolve"): {
        "POST": "403 403 403 400 403 400"
    },
    ("api/reports/<int:report_id>/hide/", "api-report-hide"): {"POST": "403 403 403 200 403 200"},
    ("api/reports/<int:report_id>/block/", "api-report-block"): {"POST": "403 403 403 201 403 201"},
    ("api/blocks/", "api-blocks"): {
        "GET": "403 403 403 200 403 200",
        "POST": "403 403 403 201 403 201",
    },
    ("api/blocks/<int:block_id>/lift/", "api-block-lift"): {"POST": "403 403 403 200 403 200"},
    ("api/helpdesk/queue/", "api-helpdesk-queue"): {"GET": "403 403 200 200 403 200"},
    ("api/helpdesk/summary/", "api-helpdesk-summary"): {"GET": "403 403 200 200 403 200"},
    ("api/helpdesk/me/", "api-helpdesk-me"): {
        "GET": "403 200 200 200 200 200",
        "PATCH": "403 403 200 200 403 200",
    },
    ("api/questions/<int:question_id>/", "api-question"): {"GET": "403 200 200 200 200 200"},
    ("api/questions/<int:question_id>/claim/", "api-question-claim"): {
        "POST": "403 403 200 200 403 200"
    },
    ("api/questions/<int:question_id>/unclaim/", "api-question-unclaim"): {
        "POST": "403 409 409 409 409 409"
    },
    ("api/questions/<int:question_id>/resolve/", "api-question-resolve"): {
        "POST": "403 403 200 200 403 200"
    },
    ("api/questions/<int:question_id>/reopen/", "api-question-reopen"): {
        "POST": "403 403 403 403 403 403"
    },
    ("api/rooms/<slug:slug>/availability/", "api-room-availability"): {
        "GET": "403 200 200 200 200 200"
    },
    ("api/rooms/<slug:slug>/questions/", "api-room-my-questions"): {
        "GET": "403 200 200 200 200 200"
    },
    ("api/rooms/<slug:slug>/question-states/", "api-room-question-states"): {
        "GET": "403 400 400 400 400 400"
    },
    ("api/rooms/<slug:slug>/suggestions/", "api-room-suggestions"): {
        "GET": "403 200 200 200 200 200"
    },
    ("api/rooms/<slug:slug>/suggestions/helped/", "api-room-suggestions-helped"): {
        "POST": "403 200 200 200 200 200"
    },
}

# (socket, frame type): the answers of anon newcomer mentor moderator blocked superuser;
# "refused" is a handshake the socket refuses.
SOCKETS = {
    ("/ws/rooms/help-desk/", "active"): "refused ok ok ok ok ok",
    ("/ws/rooms/help-desk/", "message.edit"): "refused ok ok ok blocked ok",
    ("/ws/rooms/help-desk/", "message.hide"): "refused forbidden forbidden ok forbidden ok",
    ("/ws/rooms/help-desk/", "message.report"): "refused ok ok ok blocked ok",
    ("/ws/rooms/help-desk/", "message.send"): "refused ok ok ok blocked ok",
    (
        "/ws/rooms/help-desk/",
        "message.unhide",
    ): "refused forbidden forbidden conflict forbidden conflict",
    ("/ws/rooms/help-desk/", "question.claim"): "refused forbidden ok ok forbidden ok",
    (
        "/ws/rooms/help-desk/",
        "question.reopen",
    ): "refused forbidden forbidden forbidden forbidden forbidden",
    ("/ws/rooms/help-desk/", "question.resolve"): "refused forbidden ok ok forbidden ok",
    (
        "/ws/rooms/help-desk/",
        "question.unclaim",
    ): "refused conflict conflict conflict conflict conflict",
    ("/ws/rooms/help-desk/", "reaction.toggle"): "refused ok ok ok blocked ok",
    ("/ws/rooms/help-desk/", "read"): "refused ok ok ok ok ok",
    ("/ws/rooms/help-desk/", "resume"): "refused ok ok ok ok ok",
    ("/ws/rooms/help-desk/", "thanks"): "refused ok ok ok blocked ok",
    ("/ws/rooms/help-desk/", "typing"): "refused ok ok ok ok ok",
    ("/ws/helpdesk/", "active"): "refused refused ok ok refused ok",
    ("/ws/helpdesk/", "question.claim"): "refused refused ok ok refused ok",
    ("/ws/helpdesk/", "question.resolve"): "refused refused ok ok refused ok",
    ("/ws/helpdesk/", "question.unclaim"): "refused refused conflict conflict refused conflict",
}


def _codes(statuses: list[int]) -> str:
    return " ".join("login" if code == -302 else str(code) for code in statuses)


def test_every_endpoint_answers_each_person_as_the_matrix_says(world: World) -> None:
    known = {(route, pattern.name) for route, pattern in endpoints()}
    unlisted = sorted(key for key in known if key not in HTTP and not key[0].startswith("admin/"))
    assert not unlisted, f"URL patterns missing from the matrix: {unlisted}"
    assert not set(HTTP) - known, f"rows for URLs that no longer exist: {set(HTTP) - known}"
    wrong = []
    for route, pattern in endpoints():
        if route.startswith("admin/"):
            continue
        path = concrete(route, world) + QUERY.get(pattern.name, "")
        row = HTTP[route, pattern.name]
        for method in ("GET", "POST", "PATCH"):
            expected = row.get(method, "405 405 405 405 405 405")
            got = _codes([ask(world, role, method, path) for role in ROLES])
            if got != expected:
                wrong.append(f"{method} {path}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_every_admin_page_is_for_moderators_and_superusers(world: World) -> None:
    """The admin's pages, one set per model: signed out, the sign-in page; newcomers,
    mentors and blocked people 403 (moderation.admin_site); moderators at most what a
    superuser may (Django's model permissions refuse them the rest)."""
    wrong = []
    for route, _pattern in endpoints():
        if not route.startswith("admin/"):
            continue
        path = concrete(route, world)
        got = dict(zip(ROLES, (ask(world, role, "GET", path) for role in ROLES), strict=True))
        ok = (
            got["anon"] == -302
            and got["newcomer"] == got["mentor"] == got["blocked"] == 403
            and got["superuser"] not in (-302, 500)
            and got["moderator"] in (got["superuser"], 403)
        )
        if not ok:
            wrong.append(f"{path}: {got}")
    assert not wrong, "\n".join(wrong)


# Admin pages stricter than the admin's rule: superusers only, moderators refused too.
# "<id>" is another person's account (World's asker); GET is the export or the
# confirmation page, POST the erasure itself (rolled back like every request here).
SUPERUSER_ONLY = {
    ("admin/accounts/user/<path:object_id>/export-data/", "accounts_user_export_data"): {
        "GET": "login 403 403 403 403 200",
        "POST": "login 403 403 403 403 405",
    },
    ("admin/accounts/user/<path:object_id>/erase/", "accounts_user_erase"): {
        "GET": "login 403 403 403 403 200",
        "POST": "login 403 403 403 403 302",
    },
}


def test_a_persons_data_pages_are_for_superusers_only(world: World) -> None:
    known = {(route, pattern.name) for route, pattern in endpoints()}
    assert set(SUPERUSER_ONLY) <= known
    asker = world.message.author_id
    wrong = []
    for (route, _name), row in SUPERUSER_ONLY.items():
        path = "/" + route.replace("<path:object_id>", str(asker))
        for method, expected in row.items():
            got = _codes([ask(world, role, method, path) for role in ROLES])
            if got != expected:
                wrong.append(f"{method} {path}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db(transaction=True)
async def test_every_socket_frame_answers_each_person_as_the_matrix_says(settings: Any) -> None:
    from helpdesk.consumers import QUESTION_ACTIONS
    from livechat import frames

    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    room_kinds = sorted(frames.registered())
    desk_kinds = sorted({"active", *QUESTION_ACTIONS})
    known = {(ROOM_SOCKET, k) for k in room_kinds} | {(HELPDESK_SOCKET, k) for k in desk_kinds}
    assert known == set(SOCKETS), (
        f"frame types missing from the matrix: {sorted(known - set(SOCKETS))}; "
        f"rows for frames that no longer exist: {sorted(set(SOCKETS) - known)}"
    )
    world = await database_sync_to_async(World)()
    things = await database_sync_to_async(world.things)(
        room_kinds + [f"desk:{kind}" for kind in desk_kinds]
    )
    wrong = []
    for path, kinds, prefix in (
        (ROOM_SOCKET, room_kinds, ""),
        (HELPDESK_SOCKET, desk_kinds, "desk:"),
    ):
        got: dict[str, list[str]] = {kind: [] for kind in kinds}
        for role in ROLES:
            socket = await open_socket(path, world.users[role])
            for kind in kinds:
                if socket is None:
                    got[kind].append("refused")
                else:
                    frame = frame_for(kind, role, things[role, prefix + kind])
                    got[kind].append(await answer(socket, frame))
            if socket is not None:
                await socket.disconnect()
        for kind in kinds:
            if " ".join(got[kind]) != SOCKETS[path, kind]:
                wrong.append(f"{path} {kind}: expected {SOCKETS[path, kind]}, got {got[kind]}")
    assert not wrong, "\n".join(wrong)
