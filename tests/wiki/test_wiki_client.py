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


# --- pages, edits, search -------------------------------------------------------------------


def test_an_edit_as_the_bot_reads_back_and_an_unchanged_one_says_so(wiki: Wiki):
    title = f"Project:Help desk/Client test {uuid.uuid4().hex[:6]}"
    assert not wiki.page(title).exists
    first = wiki.edit(title, summary="Client test", text="First line.", create_only=True)
    assert first.changed and first.title.startswith("TestWiki:Help desk/Client test")
    page = wiki.page(title)
    assert (page.exists, page.rev_id, page.text) == (True, first.rev_id, "First line.")

    again = wiki.edit(title, summary="Client test", text="First line.")
    assert (again.changed, again.rev_id) == (False, first.rev_id)

    section = wiki.edit(title, summary="Client test", new_section="A question", text="Body.")
    assert section.changed
    assert "== A question ==\n\nBody." in wiki.page(title).text
    [created, added] = wiki.revisions(title)
    assert (created.rev_id, added.rev_id) == (first.rev_id, section.rev_id)
    assert added.user == "Help desk bot" and added.parent_id == first.rev_id
    assert wiki.revisions(title, after_rev_id=first.rev_id) == [added]
    assert wiki.revision_text(first.rev_id) == "First line."


def test_an_edit_on_a_stale_base_or_an_existing_page_is_a_conflict(wiki: Wiki):
    from wiki.client import EditConflict

    title = f"Project:Help desk/Client conflict {uuid.uuid4().hex[:6]}"
    base = wiki.edit(title, summary="Client test", text="One.")
    wiki.edit(title, summary="Client test", text="Two.")
    with pytest.raises(EditConflict):
        wiki.edit(title, summary="Client test", text="Three.", base_rev_id=base.rev_id)
    with pytest.raises(EditConflict):
        wiki.edit(title, summary="Client test", text="Again.", create_only=True)
    assert wiki.page(title).text == "Two."


def test_an_edit_the_wiki_will_never_take_is_refused_for_good(wiki: Wiki):
    """The bot password has no right to edit the site's scripts: no retry will help."""
    from wiki.client import WikiRefused

    with pytest.raises(WikiRefused) as refused:
        wiki.edit("MediaWiki:Common.js", summary="Client test", text="/* no */")
    assert refused.value.code == "protectednamespace-interface"


def test_an_edit_to_a_wiki_that_is_down_is_worth_retrying():
    with pytest.raises(WikiUnavailable):
        Wiki(api_url="http://127.0.0.1:9/api.php").edit("X", summary="s", text="t")


def test_the_wikis_search_finds_help_pages(wiki: Wiki):
    # A word of this run's own: pages that earlier runs left behind never crowd it out.
    word = f"citeword{uuid.uuid4().hex[:8]}"
    title = f"Help:Citing sources {word}"
    wiki.edit(title, summary="Client test", text=f"To cite a book, use {word} and the tool.")
    hits = wiki.search(word, limit=3)
    assert [hit.title for hit in hits] == [title]
    assert hits[0].namespace == 12
    assert "<span" not in hits[0].snippet and word in hits[0].snippet


def test_a_section_is_added_once_whatever_the_retries(wiki: Wiki):
    title = f"Project:Help desk/Client once {uuid.uuid4().hex[:6]}"
    wiki.edit(title, summary="Client test", text="The page.")
    marker = "<!-- livechat:test:1 -->"
    first = wiki.add_section_once(
        title, marker=marker, heading="A question", text="Body.", summary="Client test"
    )
    assert first.posted and first.heading == "A question"
    # A retry (the first answer lost, say) finds the section by its marker.
    again = wiki.add_section_once(
        title, marker=marker, heading="A question", text="Body.", summary="Client test"
    )
    assert (again.posted, again.rev_id, again.heading) == (False, first.rev_id, "A question")
    assert wiki.page(title).text.count(marker) == 1
    assert len(wiki.revisions(title)) == 2
