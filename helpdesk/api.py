"""The help desk's JSON API (docs/api.md "Questions"), registered into the chat's routes
from the app's ready(). Views are thin: parse, call one action or selector, answer."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from accounts.roles import is_helper
from core import clock
from core.errors import Forbidden
from core.http import api_view, json_body
from core.params import from_text

from . import actions, mentor_actions, selectors
from .payloads import question_payload
from .views import room_states


def _require_helper(request: HttpRequest) -> None:
    if not is_helper(request.user):
        raise Forbidden(_("Only mentors and moderators can see the helpers' queue."))


@api_view("GET")
def queue(request: HttpRequest) -> JsonResponse:
    _require_helper(request)
    state = selectors.parse_queue_filter(from_text(request.GET.get("state")))
    return JsonResponse(selectors.queue(viewer=request.user, state=state, now=clock.now()))


@api_view("GET")
def summary(request: HttpRequest) -> JsonResponse:
    _require_helper(request)
    return JsonResponse(selectors.waiting_summary(now=clock.now()))


@api_view("GET")
def question_detail(request: HttpRequest, question_id: int) -> JsonResponse:
    return JsonResponse(question_payload(selectors.get_question(question_id=question_id)))


def _question_action(action: Callable[..., actions.QuestionChange]) -> Callable[..., JsonResponse]:
    @api_view("POST")
    def view(request: HttpRequest, question_id: int) -> JsonResponse:
        return JsonResponse(action(user=request.user, question_id=question_id).payload)

    return view


claim = _question_action(actions.claim_question)
unclaim = _question_action(actions.unclaim_question)
resolve = _question_action(actions.resolve_question)
reopen = _question_action(actions.reopen_question)


@api_view("GET")
def availability(request: HttpRequest, slug: str) -> JsonResponse:
    room = selectors.help_room(slug)
    return JsonResponse(selectors.availability(room=room, now=clock.now()))


@api_view("GET")
def my_questions(request: HttpRequest, slug: str) -> JsonResponse:
    room = selectors.help_room(slug)
    return JsonResponse({"questions": selectors.my_questions(user=request.user, room=room)})


_SETTINGS = ("weight", "away_until", "backup", "mute_minutes")


@api_view("GET", "PATCH")
def me(request: HttpRequest) -> JsonResponse:
    """The person's mentor (and, for helpers, their own help-desk settings)."""
    if request.method == "PATCH":
        data = json_body(request)
        mentor_actions.update_helper_settings(
            user=request.user, **{key: data[key] for key in _SETTINGS if key in data}
        )
    return JsonResponse(selectors.mentor_status(user=request.user, now=clock.now()))


def routes() -> list[URLPattern]:
    return [
        path("api/helpdesk/queue/", queue, name="api-helpdesk-queue"),
        path("api/helpdesk/summary/", summary, name="api-helpdesk-summary"),
        path("api/helpdesk/me/", me, name="api-helpdesk-me"),
        path("api/questions/<int:question_id>/", question_detail, name="api-question"),
        path("api/questions/<int:question_id>/claim/", claim, name="api-question-claim"),
        path("api/questions/<int:question_id>/unclaim/", unclaim, name="api-question-unclaim"),
        path("api/questions/<int:question_id>/resolve/", resolve, name="api-question-resolve"),
        path("api/questions/<int:question_id>/reopen/", reopen, name="api-question-reopen"),
        path("api/rooms/<slug:slug>/availability/", availability, name="api-room-availability"),
        path("api/rooms/<slug:slug>/questions/", my_questions, name="api-room-my-questions"),
        path(
            "api/rooms/<slug:slug>/question-states/",
            room_states.question_states,
            name="api-room-question-states",
        ),
    ]
