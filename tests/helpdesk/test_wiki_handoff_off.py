"""Without a wiki configured, the hand-off step hands nothing to a wiki."""

from __future__ import annotations

import pytest

from helpdesk.models import Question, WikiHandoff
from livechat import actions
from tests.conftest import make_user
from timers.api import fire_due_timers, pending

pytestmark = pytest.mark.django_db


def test_it_hands_nothing_off_without_a_wiki(settings, room, clock):
    settings.LIVECHAT_WIKI_API = ""
    asker = make_user("Asker")
    first = actions.send_message(user=asker, room=room, body="How do I cite a book?").message
    clock.advance(hours=24)
    fire_due_timers(now=clock.now())
    question = Question.objects.get(first_message=first)
    assert question.step == Question.Step.HANDOFF and question.handoff_at is not None
    assert not WikiHandoff.objects.exists()
    assert pending(key=f"question:{question.pk}:wiki-handoff") is None
