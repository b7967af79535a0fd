"""wiki.client against the real local MediaWiki: users, blocks (site-wide and partial),
the block log, the mentor list, and a wiki that cannot be reached."""

from __future__ import annotations

import time
import uuid

import pytest

from wiki.client import Wiki, WikiUnavailable

from .conftest import LocalWiki
from .test_local_wiki import maintenance

pytestmark = pytest.mark.wiki


@pytest.fixture
def wiki(local_wiki: LocalWiki) -> Wiki:
    return Wiki(api_url=local_wiki.api, user=local_wiki.bot_user, password=local_wiki.bot_password)


def new_account() -> str:
    name = f"Client test {uuid.uuid4().hex[:6]}"
    maintenance("createAndPromote.php", name, "client-password-1")
    return name


def test_it_reads_users_with_groups_edit_counts_and_registration(wiki: Wiki):
    users = wiki.users(["Sysop", "Newcomer", "Nobody by this name"])
    assert set(users) == {"Sysop", "Newcomer"}
    assert "sysop" in users["Sysop"].groups
    assert users["Newcomer"].edit_count >= 0
    assert users["Newcomer"].registered is not None


def test_a_sitewide_block_its_log_entry_and_its_lift(wiki: Wiki):
    name = new_account()
    before = max((entry.log_id for entry in wiki.block_log()), default=0)
    maintenance("blockUsers.php", "--performer", "Admin", "--reason", "Vandalism", stdin=name)
    [block] = wiki.blocks([name])[name]
    assert block.sitewide and block.reason == "Vandalism" and block.expires_at is None
    assert block.covers(title="Anything", namespace=0)
    maintenance("blockUsers.php", "--performer", "Admin", "--unblock", stdin=name)
    assert name not in wiki.blocks([name])
    log = [(entry.user, entry.action) for entry in wiki.block_log(after_log_id=before)]
    assert log == [(name, "block"), (name, "unblock")]


def test_a_partial_block_covers_only_its_pages(local_wiki: LocalWiki, wiki: Wiki):
    name = new_account()
    sysop = local_wiki.site()
    sysop.clientlogin(username="Sysop", password=local_wiki.passwords["WIKI_SYSOP_PASSWORD"])
    sysop.api(
        "block",
        user=name,
        reason="Keep off the help desk",
        expiry="1 day",
        partial=1,
        pagerestrictions="TestWiki:Help desk",
        allowusertalk=1,
        token=sysop.get_token("csrf"),
        http_method="POST",
    )
    [block] = wiki.blocks([name])[name]
    assert not block.sitewide
    assert block.pages == ("TestWiki:Help desk",)
    assert block.expires_at is not None and block.expires_at.timestamp() > time.time()
    assert block.covers(title="TestWiki:Help desk", namespace=4)
    assert not block.covers(title="Main Page", namespace=0)


def test_the_mentor_list(wiki: Wiki):
    [mentor] = wiki.mentors()
    assert mentor.username == "Mentor" and mentor.weight == 2 and mentor.automatic
    assert mentor.user_id == wiki.users(["Mentor"])["Mentor"].id
    assert wiki.mentors(page="MediaWiki:No such mentor list.json") == []


def test_a_wiki_that_cannot_be_reached_is_one_clear_error():
    gone = Wiki(api_url="http://127.0.0.1:9/api.php", timeout=2)
    with pytest.raises(WikiUnavailable):
        gone.users(["Anyone"])
    with pytest.raises(WikiUnavailable):
        gone.mentors()


def test_a_wiki_without_global_blocking_has_none_and_is_asked_once(wiki: Wiki):
    assert wiki.global_blocks(["Newcomer", "Mentor"]) == {}
    # Learnt from the wiki's warning ("Unrecognized value for parameter list"): not asked
    # again.
    assert wiki._global_blocking is False
    assert wiki.global_blocks(["Newcomer"]) == {}
