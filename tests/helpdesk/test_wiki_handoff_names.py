"""Who the question handed off to the wiki says asked it (helpdesk.wiki_handoff.user_link):
the wiki's help desk page is public, so the person's choice about public archives holds
there too."""

from __future__ import annotations

import pytest

from helpdesk.wiki_handoff import user_link
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_wiki_account_is_linked_to_its_user_page():
    assert user_link(make_user("Zoë van Dijk", wiki_id=41)) == "[[User:Zoë van Dijk|Zoë van Dijk]]"


def test_a_local_account_is_named_as_text_that_wikitext_cannot_touch():
    assert user_link(make_user("Demo asker")) == "<nowiki>Demo asker</nowiki>"


def test_someone_who_asked_not_to_be_named_is_not():
    assert user_link(make_user("Private person", wiki_id=42, name_in_archives=False)) == "Someone"
