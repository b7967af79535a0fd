"""Help while waiting without the wiki (the wiki's half: tests/wiki/test_suggestions.py):
reading a draft, the thresholds and the length cap, similar answered questions from the
help room's archive, the endpoint's answers and query counts, the "it helped" counter."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from core import clock
from core.errors import Invalid
from helpdesk import suggestions
from helpdesk.models import Question
from livechat import actions as chat
from livechat.models import Room
from livechat.payloads import iso

from ..conftest import JsonClient, fresh, make_user
from .helpers import ask, reload, reply

pytestmark = pytest.mark.django_db

URL = "/api/rooms/help-desk/suggestions/"


@pytest.fixture(autouse=True)
def _no_wiki(settings: Any) -> None:
    settings.LIVECHAT_WIKI_API = ""
    settings.LIVECHAT_SUGGEST_MIN_WORDS = 3


def answered(asker: User, helper: User, room: Room, body: str) -> Question:
    question = ask(asker, room, body)
    reply(helper, question)
    question = reload(question)
    assert question.state == Question.State.ANSWERED
    return question


# --- reading a draft ------------------------------------------------------------------------


def test_it_reads_the_key_words_longest_first_without_question_words():
    draft = suggestions.read_draft("  How do I   upload a picture to an Article?  ")
    assert draft.text == "How do I upload a picture to an Article?"
    assert draft.words == ("how", "do", "i", "upload", "a", "picture", "to", "an", "article")
    assert draft.key_words == ("picture", "article", "upload")
    assert draft.long_enough


def test_it_needs_the_settings_number_of_words_and_one_key_word(settings):
    assert not suggestions.read_draft("upload picture").long_enough
    assert not suggestions.read_draft("how do I do it").long_enough  # no key word
    assert suggestions.read_draft("upload a picture").long_enough
    settings.LIVECHAT_SUGGEST_MIN_WORDS = 5
    assert not suggestions.read_draft("upload a picture").long_enough


def test_it_refuses_a_draft_past_the_length_cap_naming_q():
    suggestions.read_draft("x" * suggestions.MAX_QUERY_CHARS)
    with pytest.raises(Invalid) as error:
        suggestions.read_draft("x" * (suggestions.MAX_QUERY_CHARS + 1))
    assert error.value.extra == {"field": "q"}
    assert "501" in error.value.detail and "500" in error.value.detail


def test_it_links_a_page_with_underscores_url_encoded(settings):
    settings.LIVECHAT_WIKI_URL = "https://wiki.example/wiki/"
    assert suggestions.page_url("Help:Citing sources/Books & más") == (
        "https://wiki.example/wiki/Help:Citing_sources/Books_%26_m%C3%A1s"
    )


# --- similar answered questions -------------------------------------------------------------


def test_it_suggests_answered_questions_sharing_most_key_words(alice, bob, mentor, room):
    carol = make_user("Carol")
    match = answered(alice, mentor, room, "How can I upload a picture to my article?")
    bobs = answered(bob, mentor, room, "Uploading failed: where does the picture go?")
    chat.send_message(user=fresh(bob), room=room, body="Please upload the picture of the article")
    # Bob's second message is in his answered question (the asker's words count too).
    answered(carol, mentor, room, "My article was deleted, why?")  # one key word of three
    ask(make_user("Dan"), room, "Can I upload a picture of an article myself?")  # waiting

    found = suggestions.answered_questions(
        room=room,
        viewer=fresh(make_user("Eve")),
        draft=suggestions.read_draft("how do I upload a picture into an article"),
    )

    assert [row["question_id"] for row in found] == [bobs.pk, match.pk]
    first = found[1]
    assert first["excerpt"] == "How can I upload a picture to my article?"
    assert first["url"] == f"/rooms/help-desk/archive/messages/{match.first_message_id}/"
    assert first["answered_at"] == iso(reload(match).first_reply_at)


def test_hidden_questions_and_the_viewers_open_one_are_not_suggested(
    alice, mentor, room, moderator
):
    from moderation import actions as moderation

    question = answered(alice, mentor, room, "How do I upload a picture to an article?")
    draft = suggestions.read_draft("upload a picture to an article")
    # The asker's own question, answered but still open: that is what they are writing about.
    assert suggestions.answered_questions(room=room, viewer=fresh(alice), draft=draft) == []
    bob = fresh(make_user("Bob"))
    assert len(suggestions.answered_questions(room=room, viewer=bob, draft=draft)) == 1
    moderation.hide_message(
        moderator=fresh(moderator), message_id=question.first_message_id, reason="spam"
    )
    assert suggestions.answered_questions(room=room, viewer=bob, draft=draft) == []


def test_at_most_three_are_suggested_best_first(alice, mentor, room):
    questions = [
        answered(make_user(f"Asker{n}"), mentor, room, f"upload picture article number {n}")
        for n in range(5)
    ]
    found = suggestions.answered_questions(
        room=room, viewer=fresh(alice), draft=suggestions.read_draft("upload a picture article")
    )
    # All match alike: the newest first.
    assert [row["question_id"] for row in found] == [q.pk for q in questions[::-1][:3]]


# --- the endpoint ---------------------------------------------------------------------------


def test_the_endpoint_answers_both_lists(alice, bob, mentor, room, django_assert_max_num_queries):
    question = answered(bob, mentor, room, "How do I upload a picture to an article?")
    client = JsonClient(alice)
    client.get(URL, {"q": "warm up"})  # the session's first read
    # The session and user, the room, the search index (one statement on SQLite, two on
    # PostgreSQL: its newest-first window, then the matches), the questions.
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"q": "upload a picture to the article"})
    assert response.status_code == 200
    data = response.json()
    assert data["help_pages"] == []  # no wiki configured
    assert [row["question_id"] for row in data["answered"]] == [question.pk]
    assert set(data["answered"][0]) == {"question_id", "excerpt", "url", "answered_at"}


def test_a_short_or_missing_draft_gets_nothing_without_searching(
    alice, room, django_assert_max_num_queries
):
    client = JsonClient(alice)
    client.get(URL)
    for query in ({}, {"q": ""}, {"q": "upload picture"}):
        with django_assert_max_num_queries(3):
            response = client.get(URL, query)
        assert response.json() == {"help_pages": [], "answered": []}


def test_the_endpoint_refuses_a_long_draft_with_a_clear_error(alice, room):
    response = JsonClient(alice).get(URL, {"q": "word " * 200})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["field"] == "q"
    assert "1000 characters" in error["detail"]


def test_the_endpoint_is_for_signed_in_people_in_help_rooms(alice, room, other_room, client):
    assert client.get(URL, {"q": "upload a picture"}).status_code == 403
    response = JsonClient(alice).get("/api/rooms/lounge/suggestions/", {"q": "upload a picture"})
    assert response.status_code == 404


def test_a_wiki_that_does_not_answer_gives_no_help_pages(alice, room, settings):
    settings.LIVECHAT_WIKI_API = "http://127.0.0.1:9/api.php"
    response = JsonClient(alice).get(URL, {"q": "upload a picture to the article"})
    assert response.status_code == 200
    assert response.json()["help_pages"] == []
    # Left alone for a while: the next drafts do not wait for it.
    assert suggestions.help_pages(suggestions.read_draft("cite a book please")) == []


def test_yes_is_counted_per_room_and_day(alice, room):
    client = JsonClient(alice)
    url = URL + "helped/"
    assert client.post(url, {}).json() == {"counted": True}
    client.post(url, {})
    today = timezone.localdate(clock.now())
    assert suggestions.helped_count(room=room, today=today) == 2
    assert client.get(url).status_code == 405
