"""GET /api/rooms/<slug>/question-states/?messages=1,2,3: the state of each question whose
first message is on the page, for the chips on history loaded over HTTP (live changes
come as question.* events on the room socket)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from core.errors import Invalid
from core.http import api_view
from core.params import from_text, parse_ids

from .. import selectors


def parse_message_ids(value: str | None) -> list[int]:
    """``messages``: message ids separated by commas, at most QUESTION_STATES_MAX."""
    if not value:
        raise Invalid(
            _("messages is required: the ids of the messages on the page, separated by commas."),
            field="messages",
        )
    return parse_ids(
        [from_text(part.strip()) for part in value.split(",")],
        field="messages",
        maximum=selectors.QUESTION_STATES_MAX,
    )


@api_view("GET")
def question_states(request: HttpRequest, slug: str) -> JsonResponse:
    room = selectors.help_room(slug)
    ids = parse_message_ids(request.GET.get("messages"))
    return JsonResponse({"questions": selectors.question_states(room=room, message_ids=ids)})
