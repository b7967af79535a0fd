"""Mentorships, mentors' settings and questions in the moderators' admin."""

from __future__ import annotations

import pytest
from django.test import Client

from helpdesk.models import Mentorship

from .helpers import ask

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_moderator_assigns_a_mentor_in_the_admin(alice, mentor, moderator, clock):
    response = signed_in(moderator).post(
        "/admin/helpdesk/mentorship/add/", {"mentee": alice.pk, "mentor": mentor.pk}
    )
    assert response.status_code == 302, response.content[:500]
    mentorship = Mentorship.objects.get(mentee=alice)
    assert mentorship.mentor == mentor
    assert mentorship.source == Mentorship.Source.ADMIN


def test_a_non_mentor_cannot_be_assigned(alice, bob, moderator, clock):
    response = signed_in(moderator).post(
        "/admin/helpdesk/mentorship/add/", {"mentee": alice.pk, "mentor": bob.pk}
    )
    assert response.status_code == 403
    assert not Mentorship.objects.exists()


def test_questions_are_listed_read_only(alice, moderator, room, clock):
    question = ask(alice, room)
    client = signed_in(moderator)
    listing = client.get("/admin/helpdesk/question/")
    assert listing.status_code == 200
    assert b"Alice" in listing.content
    assert client.post(f"/admin/helpdesk/question/{question.pk}/change/", {}).status_code == 403


def test_newcomers_and_mentors_do_not_see_the_help_desk_admin(alice, mentor):
    for user in (alice, mentor):
        assert signed_in(user).get("/admin/helpdesk/mentorship/").status_code in (302, 403)
