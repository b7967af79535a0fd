"""Searching a help room's archive: the same behaviour on SQLite (FTS5) and PostgreSQL
(to_tsvector + websearch_to_tsquery): every word, phrases, "or", "-word"; newest first,
paginated; hidden messages and other rooms never match; edits and deletions are seen."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test import Client

from core.errors import Invalid
from helpdesk import archive, search
from livechat import actions as chat
from livechat.models import Message

from ..conftest import fresh
from .helpers import say

pytestmark = pytest.mark.django_db


def page(user, url: str, query: dict | None = None):
    client = Client()
    client.force_login(user)
    return client.get(url, query)


def found(room, q: str, **kw) -> list[str]:
    return [
        Message.objects.get(pk=r.id).body for r in archive.search(room=room, text=q, **kw).results
    ]


# --- the query language (pure) --------------------------------------------------------------


def test_it_reads_words_phrases_alternatives_and_exclusions():
    query = search.parse_query('Cite "reliable sources" wiki or Wikipedia -draft')
    assert [[t.words for t in group] for group in query.groups] == [
        [("cite",)],
        [("reliable", "sources")],
        [("wiki",), ("wikipedia",)],
    ]
    assert [t.words for t in query.excluded] == [("draft",)]
    assert query.words == ["cite", "reliable", "sources", "wiki", "wikipedia"]
    assert query.fts5() == (
        '("cite" AND "reliable sources" AND ("wiki" OR "wikipedia")) NOT "draft"'
    )


def test_punctuation_never_reaches_fts5_as_syntax():
    query = search.parse_query('NEAR(a b) title:x col* "unclosed ^phrase')
    # Every term is quoted letters and digits: nothing FTS5 could read as an operator.
    # Words joined by punctuation ("NEAR(a", "title:x") stay together, as a phrase.
    assert query.fts5() == '"near a" AND "b" AND "title x" AND "col" AND "unclosed phrase"'


def test_a_leading_or_and_a_dangling_or_are_words_ignored():
    assert search.parse_query("or wiki or").fts5() == '"wiki"'


@pytest.mark.parametrize("text", ["", "   ", "?!", "-draft", '-"a b"', "or", None, 5])
def test_it_refuses_a_search_with_no_word_to_find(text):
    with pytest.raises(Invalid):
        search.parse_query(text)


def test_it_refuses_a_very_long_search():
    with pytest.raises(Invalid, match="at most 200 characters"):
        search.parse_query("word " * 41)


def test_highlight_marks_whole_words_and_escapes_the_rest():
    snippet = search.highlight("Use <cite> for Cite-note, not citation", ["cite"])
    assert snippet == "Use &lt;<mark>cite</mark>&gt; for <mark>Cite</mark>-note, not citation"


def test_highlight_cuts_long_text_around_the_first_match():
    text = ("filler " * 80) + "the needle is here " + ("more " * 80)
    snippet = search.highlight(text, ["needle"], width=100)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "<mark>needle</mark>" in snippet
    assert len(snippet) < 140


# --- searching ------------------------------------------------------------------------------


def test_it_finds_messages_newest_first(mentor, room):
    say(mentor, room, "How to cite a book")
    say(mentor, room, "Unrelated")
    say(mentor, room, "CITE a website")
    assert found(room, "cite") == ["CITE a website", "How to cite a book"]


def test_every_word_must_appear(mentor, room):
    say(mentor, room, "cite a book")
    say(mentor, room, "cite a website")
    assert found(room, "cite website") == ["cite a website"]


def test_phrases_alternatives_and_exclusions(mentor, room):
    say(mentor, room, "reliable sources matter")
    say(mentor, room, "sources that are reliable")
    say(mentor, room, "a draft about sources")
    assert found(room, '"reliable sources"') == ["reliable sources matter"]
    assert found(room, "draft or matter") == ["a draft about sources", "reliable sources matter"]
    assert found(room, "sources -draft") == ["sources that are reliable", "reliable sources matter"]


def test_it_searches_the_words_not_the_markup(mentor, room):
    say(mentor, room, "Read **Wikipedia:Citing sources** first")
    assert found(room, "citing") == ["Read **Wikipedia:Citing sources** first"]
    assert found(room, "strong") == []


def test_hidden_messages_never_match_even_for_moderators(mentor, moderator, room):
    visible = say(mentor, room, "sandbox tips")
    hidden = say(mentor, room, "sandbox insults")
    chat.set_hidden(user=fresh(moderator), message_id=hidden.pk, hidden=True)
    assert found(room, "sandbox") == ["sandbox tips"]
    chat.set_hidden(user=fresh(moderator), message_id=hidden.pk, hidden=False)
    assert found(room, "sandbox") == ["sandbox insults", "sandbox tips"]
    assert visible.pk


def test_other_rooms_messages_never_match(mentor, room, other_room):
    say(mentor, other_room, "sandbox in the lounge")
    say(mentor, room, "sandbox at the help desk")
    assert found(room, "sandbox") == ["sandbox at the help desk"]


def test_an_edited_message_is_found_by_its_new_text_only(alice, room):
    message = say(alice, room, "my first draft")
    chat.edit_message(
        user=fresh(alice), message_id=message.pk, body="my final text", base_revision=1
    )
    assert found(room, "draft") == []
    assert found(room, "final") == ["my final text"]


def test_a_deleted_message_leaves_the_index(mentor, room):
    message = say(mentor, room, "ephemeral words")
    Message.objects.filter(pk=message.pk).delete()
    assert found(room, "ephemeral") == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            table = search.FTS_TABLE
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH 'ephemeral'")
            assert cursor.fetchone()[0] == 0


def test_results_come_a_page_at_a_time(mentor, room):
    for n in range(25):
        say(mentor, room, f"wiki tip number {n}")
    first = archive.search(room=room, text="wiki", limit=20)
    assert [r.id for r in first.results] == sorted((r.id for r in first.results), reverse=True)
    assert len(first.results) == 20
    assert first.older == first.results[-1].id
    second = archive.search(room=room, text="wiki", before=first.older, limit=20)
    assert len(second.results) == 5
    assert second.older is None
    assert max(r.id for r in second.results) < first.older


def test_the_search_page_shows_results_linking_to_their_day(alice, mentor, room, clock):
    clock.set(datetime(2026, 11, 3, 14, 0, tzinfo=UTC))
    message = say(mentor, room, "Try the <b>sandbox</b> first")
    clock.set(datetime(2026, 11, 5, 10, 0, tzinfo=UTC))
    response = page(alice, "/rooms/help-desk/archive/search/", {"q": "sandbox"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/rooms/help-desk/archive/2026-11-03/#m-{message.pk}"' in html
    assert '<bdi class="msg-author">Mentor</bdi>' in html
    assert "Try the &lt;b&gt;<mark>sandbox</mark>&lt;/b&gt; first" in html
    assert 'value="sandbox"' in html


def test_the_search_page_links_to_older_results(alice, mentor, room):
    for n in range(23):
        say(mentor, room, f"wiki tip {n}")
    html = page(alice, "/rooms/help-desk/archive/search/", {"q": "wiki"}).content.decode()
    assert len(re.findall(r'class="archive-result"', html)) == 20
    older = re.search(r'rel="next" href="\?q=wiki&amp;before=(\d+)"', html)
    assert older
    second = page(
        alice, "/rooms/help-desk/archive/search/", {"q": "wiki", "before": older.group(1)}
    ).content.decode()
    assert len(re.findall(r'class="archive-result"', second)) == 3
    assert 'rel="next"' not in second
    assert 'href="?q=wiki">Newest results</a>' in second


def test_the_search_page_says_when_nothing_matches_or_the_query_is_empty(alice, room):
    nothing = page(alice, "/rooms/help-desk/archive/search/", {"q": "zebra"}).content.decode()
    assert "Nothing in the archive matches “zebra”." in nothing
    refused = page(alice, "/rooms/help-desk/archive/search/", {"q": "-zebra"})
    assert refused.status_code == 200
    assert "Type at least one word to search for." in refused.content.decode()
    bad_cursor = page(alice, "/rooms/help-desk/archive/search/", {"q": "wiki", "before": "x"})
    assert "before must be a whole number" in bad_cursor.content.decode()
    form_only = page(alice, "/rooms/help-desk/archive/search/")
    assert form_only.status_code == 200
    assert 'class="archive-result"' not in form_only.content.decode()


def test_a_search_costs_six_queries_at_most_whatever_it_finds(
    alice, mentor, room, django_assert_max_num_queries
):
    for n in range(30):
        say(mentor, room, f"wiki tip {n}")
    client = Client()
    client.force_login(alice)
    # session, user, room, the matching ids (PostgreSQL: the newest, then older ones if
    # the page is not full), those messages with their authors
    with django_assert_max_num_queries(6):
        assert client.get("/rooms/help-desk/archive/search/", {"q": "wiki"}).status_code == 200


# --- the index structures -------------------------------------------------------------------


def test_the_search_structures_exist_after_migrating():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes")
            names = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'livechat_message'::regclass"
            )
            names |= {row[0] for row in cursor.fetchall()}
            assert {*search._PG_INDEXES, *search._PG_TRIGGERS} <= names
        else:
            cursor.execute("SELECT name FROM sqlite_master")
            names = {row[0] for row in cursor.fetchall()}
            assert {search.FTS_TABLE, *search._SQLITE_TRIGGERS} <= names


def test_migrate_puts_back_structures_a_table_rebuild_dropped(mentor, room):
    """SQLite drops a table's triggers and custom indexes when Django rebuilds it for a
    later migration; every migrate restores them and indexes what was missed."""
    say(mentor, room, "written before")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for trigger in search._SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {trigger}")
        else:
            # Inside the test's transaction: an index may not be built over rows with
            # deferred foreign-key checks still pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for trigger in search._PG_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {trigger} ON livechat_message")
    say(mentor, room, "written while the triggers were gone")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    test_the_search_structures_exist_after_migrating()
    assert found(room, "written") == ["written while the triggers were gone", "written before"]


@pytest.mark.parametrize("older", [0, 3, 30])
def test_a_rare_word_is_found_below_the_newest_messages(mentor, room, monkeypatch, older):
    """The PostgreSQL search looks at the newest messages first and only then at older
    matches: the page is whole and in order wherever the matches lie."""
    monkeypatch.setattr(search, "PG_NEWEST", 10)
    for n in range(older):
        say(mentor, room, f"needle {n}")
    for n in range(25):
        say(mentor, room, f"hay {n}")
    say(mentor, room, "needle newest")
    expected = ["needle newest", *(f"needle {n}" for n in reversed(range(older)))]
    assert found(room, "needle") == expected[:20]
    assert found(room, "hay") == [f"hay {n}" for n in reversed(range(5, 25))]


def test_migrate_leaves_them_out_once_migrated_back_before_them(monkeypatch):
    """`migrate helpdesk 0002` drops them (0003 reversed); the receiver must not put
    them back."""
    calls = []
    monkeypatch.setattr(search, "ensure_structures", calls.append)
    monkeypatch.setattr(search, "MIGRATION", ("helpdesk", "9999_not_applied"))
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert calls == []
    monkeypatch.setattr(search, "MIGRATION", ("helpdesk", "0003_archive_search"))
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert len(calls) == 1
