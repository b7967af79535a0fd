"""The wiki's blocks apply here, against the real local MediaWiki: a block placed with
blockUsers.php refuses writes within a minute (the block log followed by a timer) and its
lift allows them again; partial blocks count when they cover the help desk; answers are
cached for at most 5 minutes; an unreachable wiki leaves the last known state plus local
blocks, logged and told to moderators once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache

from accounts.models import User
from accounts.signals import wiki_signed_in
from livechat import actions
from livechat.guard import WriteAttempt, blocked_among, check_write
from livechat.models import Message, Room
from moderation import actions as moderation
from moderation import guard, wiki_blocks
from moderation.errors import Blocked
from moderation.models import KnownWikiBlocks, ModerationLog, WikiBlockWatch
from tests.conftest import fresh, json_client, make_user
from timers.api import fire_due_timers, pending
from wiki.client import Wiki

from .conftest import LocalWiki
from .test_local_wiki import maintenance

pytestmark = [pytest.mark.wiki, pytest.mark.django_db(transaction=True)]

# A wiki account of these tests' own, so that blocking it disturbs no other test.
BLOCKED = "Chat blocks test"
NOWHERE = "http://127.0.0.1:9/api.php"  # nothing answers there


@pytest.fixture(scope="module")
def wiki_ids(local_wiki: LocalWiki) -> dict[str, int]:
    """The wiki's user ids (not 1, 2, 3…: other tests create accounts): the chat's
    ``wiki_id`` for each account the tests use."""
    maintenance("createAndPromote.php", "--force", BLOCKED, "chat-blocks-password-1")
    wiki = Wiki(api_url=local_wiki.api)
    return {name: user.id for name, user in wiki.users([BLOCKED, "Newcomer", "Mentor"]).items()}


def unblock() -> None:
    # Also lifts a partial block; a no-op (exit 0) when there is none.
    maintenance("blockUsers.php", "--performer", "Admin", "--unblock", stdin=BLOCKED)


@pytest.fixture
def wiki_on(settings: Any, local_wiki: LocalWiki) -> Iterator[LocalWiki]:
    settings.LIVECHAT_WIKI_API = local_wiki.api
    settings.LIVECHAT_WIKI_BOT_USER = local_wiki.bot_user
    settings.LIVECHAT_WIKI_BOT_PASSWORD = local_wiki.bot_password
    settings.LIVECHAT_WIKI_HELP_DESK_PAGE = "Project:Help desk"
    settings.LIVECHAT_WIKI_BLOCK_CACHE_SECONDS = 300
    unblock()
    yield local_wiki
    unblock()  # other tests see a clean wiki


@pytest.fixture
def person(wiki_on: LocalWiki, wiki_ids: dict[str, int]) -> User:
    """The chat account of the wiki account BLOCKED (signed in with the wiki)."""
    return make_user(BLOCKED, wiki_id=wiki_ids[BLOCKED])


def block_on_wiki(reason: str = "Vandalism on the wiki") -> None:
    maintenance("blockUsers.php", "--performer", "Admin", "--reason", reason, stdin=BLOCKED)


def sysop_blocks(local_wiki: LocalWiki, **restrictions: Any) -> None:
    """A sysop places (or changes) a partial block through the Action API, as on-wiki."""
    site = local_wiki.site()
    site.clientlogin(username="Sysop", password=local_wiki.passwords["WIKI_SYSOP_PASSWORD"])
    site.api(
        "block",
        user=BLOCKED,
        reason="Keep off the help desk",
        expiry="1 day",
        partial=1,
        allowusertalk=1,
        reblock=1,
        token=site.get_token("csrf"),
        http_method="POST",
        **restrictions,
    )


def send(user: User, room: Room) -> Message:
    return actions.send_message(user=user, room=room, body="Where do I cite a book?").message


def refused(user: User, room: Room) -> Blocked:
    with pytest.raises(Blocked) as error:
        send(user, room)
    return error.value


def follow(clock: Any, **delta: float) -> int:
    """Move the clock and fire what is due (the block log timer among it)."""
    clock.advance(**delta)
    return fire_due_timers(now=clock.now())


# --- site-wide blocks, the block log --------------------------------------------------------


def test_a_block_placed_with_blockusers_refuses_writes_within_a_minute_and_its_lift_allows_them(
    person, room, clock
):
    assert wiki_blocks.ensure_following(now=clock.now())
    assert fire_due_timers(now=clock.now()) == 1  # the first look at the block log
    send(person, room)

    block_on_wiki()
    send(person, room)  # a fresh answer stands until the block log says otherwise
    assert follow(clock, seconds=60) == 1
    error = refused(person, room)
    assert error.extra == {"reason": "Vandalism on the wiki", "expires_at": None, "source": "wiki"}
    assert error.detail == (
        "You are blocked on the wiki indefinitely, so you cannot write in the chat either. "
        "Reason given on the wiki: Vandalism on the wiki"
    )

    unblock()
    assert follow(clock, seconds=60) == 1
    send(person, room)
    # The timer goes on every minute, from the log id it reached.
    assert pending(key=wiki_blocks.FOLLOW_KEY).due_at == clock.now() + timedelta(seconds=60)
    assert WikiBlockWatch.objects.get().last_log_id > 0


def test_only_wiki_accounts_are_checked_against_the_wiki(wiki_on, room, clock):
    block_on_wiki()
    namesake = make_user(BLOCKED)  # a local account of the same name
    send(namesake, room)


def test_the_json_api_says_the_block_is_the_wikis(person, room, clock):
    block_on_wiki("Spam on the wiki")
    response = json_client(person).post("/api/rooms/help-desk/messages/", {"body": "hello"})
    assert response.status_code == 403
    error = response.json()["error"]
    assert (error["code"], error["source"], error["reason"]) == (
        "blocked",
        "wiki",
        "Spam on the wiki",
    )
    assert "blocked on the wiki" in error["detail"]


def test_a_local_block_comes_first_and_says_it_is_the_chats(person, moderator, room, clock):
    block_on_wiki()
    moderation.place_block(moderator=fresh(moderator), user=person, reason="Local spam")
    error = refused(person, room)
    assert (error.extra["source"], error.extra["reason"]) == ("chat", "Local spam")


def test_signing_in_reads_the_wiki_at_once(person, room, clock):
    send(person, room)  # cached: not blocked
    block_on_wiki()
    # What signing in with the wiki sends: the wiki is asked now, whatever the cache says.
    wiki_signed_in.send(sender=User, user=person, profile={"sub": str(person.wiki_id)})
    refused(person, room)
    # The same, called directly.
    block = wiki_blocks.refresh(person)
    assert block is not None and block.site_wide and block.reason == "Vandalism on the wiki"


async def test_a_socket_connecting_loads_the_wiki_blocks(connect, person, room, clock):
    await database_sync_to_async(block_on_wiki)()
    socket = await connect(person)
    # Frames are handled once the connect (its hooks run after the hello) is done: the
    # answer to an unknown frame comes after it.
    await socket.send({"type": "no.such.frame"})
    assert (await socket.recv_type("error"))["code"] == "invalid"
    known = await database_sync_to_async(cache.get)(f"moderation:wiki-blocks:{person.pk}")
    assert known is not None and known.blocks[0].reason == "Vandalism on the wiki"
    await socket.send({"type": "message.send", "body": "hello", "client_id": "c1"})
    error = await socket.recv_type("error", "ack")
    assert (error["type"], error["code"], error["source"]) == ("error", "blocked", "wiki")


# --- partial blocks ---------------------------------------------------------------------------


def test_the_help_desk_title_is_normalised_by_the_wiki(local_wiki):
    wiki = Wiki(api_url=local_wiki.api)
    assert wiki.title("Project:Help_desk") == ("TestWiki:Help desk", 4)
    assert wiki.title("main Page") == ("Main Page", 0)


def test_a_partial_block_on_the_help_desk_page_refuses(wiki_on, person, room, clock):
    sysop_blocks(wiki_on, pagerestrictions="TestWiki:Help desk")
    block = wiki_blocks.refresh(person)
    assert block is not None and not block.site_wide
    error = refused(person, room)
    assert error.extra["source"] == "wiki" and error.extra["expires_at"] is not None
    assert error.detail.startswith("The wiki blocks you from editing its help desk until ")


def test_a_partial_block_on_the_help_desks_namespace_refuses(wiki_on, person, room, clock):
    sysop_blocks(wiki_on, namespacerestrictions="4")  # Project: (TestWiki:)
    assert wiki_blocks.refresh(person) is not None
    refused(person, room)


def test_a_partial_block_on_another_page_does_not(wiki_on, person, room, clock):
    sysop_blocks(wiki_on, pagerestrictions="Main Page")
    assert wiki_blocks.refresh(person) is None
    send(person, room)


# --- the cache --------------------------------------------------------------------------------


def test_an_answer_is_cached_for_at_most_five_minutes(person, room, clock):
    send(person, room)
    block_on_wiki()  # the block log is not followed in this test: only the cache ages
    clock.advance(seconds=299)
    send(person, room)
    clock.advance(seconds=2)
    refused(person, room)


def test_the_guard_reads_cached_wiki_blocks_without_a_query(
    person, alice, room, clock, django_assert_num_queries
):
    send(person, room)  # cached
    send(alice, room)  # a local account, for comparison
    with django_assert_num_queries(0):
        guard.check_blocks(WriteAttempt(user=person, room=room, action="send", text="hi"))
    # A whole guarded write costs a wiki account no more than a local one.
    with django_assert_num_queries(0):
        check_write(WriteAttempt(user=person, room=room, action="send", text="hi"))
        check_write(WriteAttempt(user=alice, room=room, action="send", text="hi"))
    block_on_wiki()
    wiki_blocks.refresh(person)
    with django_assert_num_queries(0), pytest.raises(Blocked):
        guard.check_blocks(WriteAttempt(user=person, room=room, action="send", text="hi"))


def test_blocked_helpers_count_from_the_cache_alone(
    person, alice, wiki_ids, room, clock, django_assert_num_queries
):
    block_on_wiki()
    wiki_blocks.refresh(person)
    never_seen = make_user("Newcomer", wiki_id=wiki_ids["Newcomer"])
    with django_assert_num_queries(1):  # the local blocks of those not cached yet
        assert blocked_among([person.pk, alice.pk, never_seen.pk], room.pk) == {person.pk}


# --- the wiki unreachable ---------------------------------------------------------------------


def test_an_unreachable_wiki_leaves_the_last_known_state_plus_local_blocks(
    wiki_on, person, wiki_ids, moderator, room, clock, settings, caplog
):
    newcomer = make_user("Newcomer", wiki_id=wiki_ids["Newcomer"])
    unknown = make_user("Mentor", wiki_id=wiki_ids["Mentor"])
    block_on_wiki()
    assert wiki_blocks.ensure_following(now=clock.now())
    assert fire_due_timers(now=clock.now()) == 1
    wiki_blocks.refresh(person)
    wiki_blocks.refresh(newcomer)

    settings.LIVECHAT_WIKI_API = NOWHERE
    clock.advance(minutes=10)  # every cached answer is stale: the wiki would be asked
    cache.delete_many([f"moderation:wiki-blocks:{user.pk}" for user in (person, newcomer)])
    caplog.set_level(logging.WARNING, logger="moderation.wiki_blocks")

    error = refused(person, room)  # last known, from the database
    assert (error.extra["source"], error.extra["reason"]) == ("wiki", "Vandalism on the wiki")
    send(newcomer, room)
    # Nobody knows anything of this one: they write, with local blocks only.
    send(unknown, room)
    moderation.place_block(moderator=fresh(moderator), user=unknown, reason="Local spam")
    assert refused(unknown, room).extra["source"] == "chat"
    assert follow(clock, seconds=60) == 1  # the block log cannot be read either
    refused(person, room)

    # Logged once, and moderators told once, for the whole outage.
    warnings = [r for r in caplog.records if r.name == "moderation.wiki_blocks"]
    assert len(warnings) == 1 and "cannot be reached" in warnings[0].getMessage()
    [told] = ModerationLog.objects.filter(action=ModerationLog.Action.WIKI_UNREACHABLE)
    assert told.actor is None and "last known" in told.reason
    assert wiki_blocks.unreachable_since() is not None
    client = json_client(fresh(moderator))
    page = client.get("/admin/").content.decode()
    assert "The wiki has not answered for" in page and "Wiki unreachable" in page

    # The wiki answers again: the next look at the block log says so, once.
    settings.LIVECHAT_WIKI_API = wiki_on.api
    assert follow(clock, seconds=60) == 1
    assert wiki_blocks.unreachable_since() is None
    assert ModerationLog.objects.filter(action=ModerationLog.Action.WIKI_REACHABLE).count() == 1
    unblock()
    assert follow(clock, seconds=60) == 1
    send(person, room)
    assert KnownWikiBlocks.objects.get(user=person).blocks == []


# --- global blocks ---------------------------------------------------------------------------


def test_a_global_block_refuses_like_a_wiki_block(person, room, clock, monkeypatch):
    """No wiki here has GlobalBlocking: the local wiki answers list=blocks for real, and the
    global block comes from a recorded answer of a Wikimedia wiki (tests/data/wiki)."""
    from wiki.client import global_block

    from .test_global_blocks import RECORDED

    row = {**RECORDED["query"]["globalblocks"][1], "target": BLOCKED}
    monkeypatch.setattr(
        Wiki,
        "global_blocks",
        lambda self, names: {BLOCKED: [global_block(row)]} if BLOCKED in names else {},
    )
    wiki_blocks.refresh(person)
    error = refused(person, room)
    assert error.extra == {
        "reason": "Long-term abuse",
        "expires_at": "2027-01-05T12:00:00Z",
        "source": "wiki",
    }
