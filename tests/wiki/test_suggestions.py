"""Help while waiting against the real local wiki: help pages the bot wrote (with words no
other page has) come back from the wiki's own search through the suggestions endpoint,
linked to the page; answered questions from the archive come with them; a wiki that is
down gives no help pages and no error."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.core.cache import cache

from accounts.roles import MENTORS
from helpdesk.models import Question
from tests.conftest import JsonClient, make_user
from tests.helpdesk.helpers import ask, reply
from wiki.client import Wiki

from .conftest import LocalWiki

pytestmark = [pytest.mark.wiki, pytest.mark.django_db]

URL = "/api/rooms/help-desk/suggestions/"


@pytest.fixture
def wiki_on(settings: Any, local_wiki: LocalWiki) -> Iterator[LocalWiki]:
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    settings.LIVECHAT_WIKI_API = local_wiki.api
    settings.LIVECHAT_WIKI_BOT_USER = local_wiki.bot_user
    settings.LIVECHAT_WIKI_BOT_PASSWORD = local_wiki.bot_password
    settings.LIVECHAT_WIKI_URL = local_wiki.api.removesuffix("api.php") + "index.php/"
    settings.LIVECHAT_SUGGEST_MIN_WORDS = 3
    yield local_wiki


@pytest.fixture
def bot(local_wiki: LocalWiki) -> Wiki:
    return Wiki(api_url=local_wiki.api, user=local_wiki.bot_user, password=local_wiki.bot_password)


def words() -> tuple[str, str]:
    """Two words no page of the wiki has yet (the wiki persists between runs)."""
    tag = uuid.uuid4().hex[:10]
    return f"kestrel{tag}", f"nightjar{tag}"


def test_it_suggests_help_and_project_pages_from_the_wikis_search(wiki_on, bot, alice, room):
    first, second = words()
    tag = first.removeprefix("kestrel")
    help_page = f"Help:Citing {tag}"
    bot.edit(help_page, summary="Test", text=f"To cite a {first}, use the {second} template.")
    bot.edit(
        f"Project:Help desk/FAQ {tag}", summary="Test", text=f"How to cite: {first} and {second}."
    )
    bot.edit(f"Article {tag}", summary="Test", text=f"{first} {second}")  # main namespace

    response = JsonClient(alice).get(URL, {"q": f"How do I cite a {first} with {second}?"})

    assert response.status_code == 200
    pages = response.json()["help_pages"]
    assert sorted(page["title"] for page in pages) == [
        help_page,
        f"TestWiki:Help desk/FAQ {tag}",
    ]
    [page] = [page for page in pages if page["title"] == help_page]
    assert page["url"] == f"{wiki_on.api.removesuffix('api.php')}index.php/Help:Citing_{tag}"
    assert first in page["snippet"] and "<" not in page["snippet"]
    # The link is the page on the wiki.
    assert requests.get(page["url"], timeout=10).status_code == 200


def test_a_word_no_page_has_still_finds_the_page_by_the_others(wiki_on, bot, alice, room):
    first, second = words()
    title = f"Help:Uploading {first}"
    bot.edit(title, summary="Test", text=f"Uploading a {first} needs a {second} first.")
    # "lighthouse" is in no page with those words: the wiki wants every word it is given,
    # so the two most telling are asked alone next.
    draft = f"uploading {first} {second} lighthouse"
    pages = JsonClient(alice).get(URL, {"q": draft}).json()["help_pages"]
    assert [page["title"] for page in pages] == [title]


def test_the_wikis_answer_is_cached_per_key_words(wiki_on, bot, alice, room):
    first, second = words()
    bot.edit(f"Help:Cache {first}", summary="Test", text=f"{first} {second}")
    client = JsonClient(alice)
    asked = f"where is {first} and {second}"
    assert len(client.get(URL, {"q": asked}).json()["help_pages"]) == 1
    bot.edit(f"Help:Cache two {first}", summary="Test", text=f"{second} {first}")
    # The same key words, written differently: the cached answer.
    again = f"{second.upper()} {first}, where?"
    assert len(client.get(URL, {"q": again}).json()["help_pages"]) == 1
    cache.clear()
    assert len(client.get(URL, {"q": again}).json()["help_pages"]) == 2


def test_answered_questions_come_with_the_help_pages(wiki_on, bot, alice, bob, room):
    first, second = words()
    bot.edit(f"Help:Both {first}", summary="Test", text=f"{first} {second}")
    mentor = make_user("Mentor", MENTORS)
    question = ask(bob, room, f"Where do I find the {first} {second} button?")
    reply(mentor, question)
    assert Question.objects.get(pk=question.pk).state == Question.State.ANSWERED

    data = JsonClient(alice).get(URL, {"q": f"the {first} {second} please"}).json()

    assert [page["title"] for page in data["help_pages"]] == [f"Help:Both {first}"]
    assert [row["question_id"] for row in data["answered"]] == [question.pk]


def test_a_wiki_that_is_down_gives_no_help_pages_and_no_error(wiki_on, settings, alice, room):
    first, second = words()
    settings.LIVECHAT_WIKI_API = "http://127.0.0.1:9/api.php"
    response = JsonClient(alice).get(URL, {"q": f"cite a {first} {second}"})
    assert response.status_code == 200
    assert response.json() == {"help_pages": [], "answered": []}
