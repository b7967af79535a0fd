"""Import from the wiki (moderation/wiki_filters.py and the admin's wiki/ pages), against
the real local MediaWiki with Extension:AbuseFilter: its filters listed (private ones not
importable), one imported as a disabled filter with its description and a link to the
original after a syntax check and a dry run, a second import changing nothing, a rule that
does not parse here refused with its error, and the wiki down said plainly.

The wiki's filters are written through its own Special:AbuseFilter form (1.39 has no API
to save one), signed in as its Sysop; they stay disabled there, so they never act on the
wiki's edits, and are reused from run to run (found by their description)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
import requests
from django.test import Client

from accounts.models import User
from accounts.roles import MENTORS
from livechat import actions
from livechat.models import Room
from moderation import wiki_filters
from moderation.models import AbuseFilter, AbuseFilterVersion, ModerationLog
from tests.conftest import make_user
from tests.servers import free_port
from tests.wiki.conftest import LocalWiki, local_wiki  # noqa: F401 (the fixture)
from wiki.client import Wiki, WikiUnavailable

pytestmark = [pytest.mark.wiki, pytest.mark.django_db]

LIST_URL = "/admin/moderation/abusefilter/wiki/"
PILLS = "Chat import test: cheap pills"
PILLS_RULE = 'lcase(new_wikitext) contains "cheap pills"'
SECRET = "Chat import test: a private one"
BACKREFERENCE = "Chat import test: a backreference"


# --- the wiki's side: filters through Special:AbuseFilter ------------------------------------


def sysop_session(wiki: LocalWiki) -> requests.Session:
    session = requests.Session()
    token = session.get(
        wiki.api,
        params={"action": "query", "meta": "tokens", "type": "login", "format": "json"},
        timeout=30,
    ).json()["query"]["tokens"]["logintoken"]
    answer = session.post(
        wiki.api,
        data={
            "action": "clientlogin",
            "username": "Sysop",
            "password": wiki.passwords["WIKI_SYSOP_PASSWORD"],
            "logintoken": token,
            "loginreturnurl": "http://127.0.0.1/",
            "format": "json",
        },
        timeout=30,
    ).json()
    assert answer["clientlogin"]["status"] == "PASS", answer
    return session


def listed(wiki: LocalWiki) -> list[dict[str, Any]]:
    return requests.get(
        wiki.api,
        params={
            "action": "query",
            "list": "abusefilters",
            "abfprop": "id|description|pattern|actions|status|private",
            "abfshow": "!deleted",
            "abflimit": "max",
            "format": "json",
            "formatversion": "2",
        },
        timeout=30,
    ).json()["query"]["abusefilters"]


def save(
    wiki: LocalWiki,
    *,
    filter_id: int | str = "new",
    description: str,
    rules: str,
    enabled: bool = False,
    private: bool = False,
    deleted: bool = False,
    tag: str = "",
) -> None:
    """Create (``filter_id="new"``) or change a filter through the wiki's own form."""
    session = sysop_session(wiki)
    index = wiki.api.rsplit("/", 1)[0] + "/index.php"
    title = f"Special:AbuseFilter/{filter_id}"
    page = session.get(index, params={"title": title}, timeout=30).text
    token = re.search(r'value="([^"]+)" name="wpEditToken"', page)
    assert token, "no edit token on Special:AbuseFilter: is Sysop a sysop?"
    data = {
        "wpEditToken": token.group(1),
        "wpFilterDescription": description,
        "wpFilterRules": rules,
        "wpFilterNotes": "Written by the chat's import tests.",
        "wpFilterWarnMessage": "abusefilter-warning",
        "wpFilterDisallowMessage": "abusefilter-disallowed",
    }
    data |= {"wpFilterEnabled": "1"} if enabled else {}
    data |= {"wpFilterHidden": "1"} if private else {}
    data |= {"wpFilterDeleted": "1"} if deleted else {}
    data |= {"wpFilterActionTag": "1", "wpFilterTags": tag} if tag else {}
    answer = session.post(index, params={"title": title}, data=data, allow_redirects=False)
    assert answer.status_code == 302 and "result=success" in answer.headers["Location"], re.sub(
        r"\s+", " ", answer.text
    )[:2000]


def ensure(wiki: LocalWiki, *, description: str, rules: str, **options: Any) -> int:
    """The id of a filter with this description and rule on the wiki, written there the
    first time (the tests' filters stay disabled: they never act on the wiki's edits)."""
    for row in listed(wiki):
        if row.get("description") == description:
            if not options.get("private") and row.get("pattern") != rules:
                save(wiki, filter_id=row["id"], description=description, rules=rules, **options)
            return int(row["id"])
    save(wiki, description=description, rules=rules, **options)
    return next(int(row["id"]) for row in listed(wiki) if row.get("description") == description)


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def wiki_settings(local_wiki: LocalWiki, settings: Any) -> LocalWiki:  # noqa: F811
    settings.LIVECHAT_WIKI_API = local_wiki.api
    settings.LIVECHAT_WIKI_BOT_USER = local_wiki.bot_user
    settings.LIVECHAT_WIKI_BOT_PASSWORD = local_wiki.bot_password
    return local_wiki


@pytest.fixture
def pills(wiki_settings: LocalWiki) -> int:
    return ensure(wiki_settings, description=PILLS, rules=PILLS_RULE, tag="chat-import-test")


@pytest.fixture
def secret(wiki_settings: LocalWiki) -> int:
    return ensure(
        wiki_settings, description=SECRET, rules='new_wikitext contains "x"', private=True
    )


@pytest.fixture
def mod_client(moderator: User) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


def page_text(response: Any) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def import_url(wiki_id: int) -> str:
    return f"/admin/moderation/abusefilter/wiki/{wiki_id}/"


# --- the client ----------------------------------------------------------------------------


def test_the_client_lists_the_filters_and_a_private_one_without_its_rule(
    wiki_settings: LocalWiki, pills: int, secret: int
) -> None:
    wiki = Wiki(
        api_url=wiki_settings.api, user=wiki_settings.bot_user, password=wiki_settings.bot_password
    )
    found = {f.id: f for f in wiki.abuse_filters()}
    assert found[pills].description == PILLS
    assert found[pills].pattern == PILLS_RULE
    assert found[pills].actions == ("tag",)
    assert not found[pills].private and not found[pills].enabled and not found[pills].deleted
    assert found[secret].private and found[secret].pattern is None


def test_the_client_says_when_the_wiki_cannot_be_reached() -> None:
    wiki = Wiki(api_url=f"http://127.0.0.1:{free_port()}/api.php")
    with pytest.raises(WikiUnavailable):
        wiki.abuse_filters()


# --- the pages -----------------------------------------------------------------------------


def test_the_list_shows_the_wikis_filters_and_private_ones_as_not_importable(
    mod_client: Client, pills: int, secret: int
) -> None:
    response = mod_client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(response)
    assert PILLS in text and PILLS_RULE in unescape(html)
    assert f'action="{import_url(pills)}"' in html
    # The private filter is listed, without its rule and without an Import button.
    row = re.search(rf'<tr id="wiki-filter-{secret}">.*?</tr>', html, re.S).group(0)
    assert "cannot be imported" in row and "<form" not in row
    assert f"Special:AbuseFilter/{pills}" in html
    # The filter list leads here.
    assert LIST_URL in mod_client.get("/admin/moderation/abusefilter/").content.decode()


def test_importing_shows_the_check_and_the_dry_run_then_makes_a_disabled_filter(
    mod_client: Client, moderator: User, pills: int, bob: User, room: Room
) -> None:
    actions.send_message(user=bob, room=room, body="Where can I buy CHEAP PILLS?")
    actions.send_message(user=bob, room=room, body="How do I add a citation?")

    preview = mod_client.post(import_url(pills))
    assert preview.status_code == 200
    text = page_text(preview)
    assert "The rule parses." in text
    assert "matched 1 of the last 2 messages" in text
    # The variables the rule saw for the matching message.
    assert "new_wikitext" in text and '"Where can I buy CHEAP PILLS?"' in text
    assert AbuseFilter.objects.count() == 0  # a preview saves nothing

    fingerprint = re.search(r'name="fingerprint" value="(\w+)"', preview.content.decode())[1]
    done = mod_client.post(import_url(pills), {"_confirm": "1", "fingerprint": fingerprint})
    imported = AbuseFilter.objects.get()
    assert done.status_code == 302
    assert done["Location"] == f"/admin/moderation/abusefilter/{imported.pk}/change/"
    assert imported.enabled is False
    assert (imported.name, imported.description, imported.rule) == (PILLS, PILLS, PILLS_RULE)
    assert imported.actions == ["tag"]
    assert imported.source_url.endswith(f"Special:AbuseFilter/{pills}")
    assert AbuseFilterVersion.objects.filter(filter=imported, number=1).exists()
    assert ModerationLog.objects.filter(
        action=ModerationLog.Action.FILTER_CREATE, actor=moderator
    ).exists()
    # The editor links to the original, which answers on the wiki.
    editor = mod_client.get(done["Location"]).content.decode()
    assert f'href="{imported.source_url}"' in editor
    assert requests.get(imported.source_url, timeout=30).status_code == 200


def test_importing_the_same_filter_twice_changes_nothing_and_links_to_the_first(
    mod_client: Client, pills: int
) -> None:
    mod_client.post(import_url(pills), {"_confirm": "1"})
    first = AbuseFilter.objects.get()
    again = mod_client.post(import_url(pills), {"_confirm": "1"}, follow=True)
    assert AbuseFilter.objects.count() == 1
    assert AbuseFilter.objects.get().version == first.version == 1
    assert "imported already" in page_text(again)
    # The preview and the list say so too, with a link to it.
    link = f"/admin/moderation/abusefilter/{first.pk}/change/"
    preview = mod_client.post(import_url(pills))
    assert "This filter is imported already" in page_text(preview)
    assert link in preview.content.decode()
    assert 'name="_confirm"' not in preview.content.decode()
    assert link in mod_client.get(LIST_URL).content.decode()


def test_a_rule_that_does_not_parse_here_is_refused_with_its_error(
    mod_client: Client, wiki_settings: LocalWiki
) -> None:
    # PCRE takes a backreference; RE2, here, cannot (docs/abuse-filters.md).
    wiki_id = ensure(wiki_settings, description=BACKREFERENCE, rules='new_wikitext rlike "(a)\\1"')
    preview = mod_client.post(import_url(wiki_id))
    text = page_text(preview)
    assert "The rule does not parse here" in text and "Line 1, column" in text
    assert 'name="_confirm"' not in preview.content.decode()
    refused = mod_client.post(import_url(wiki_id), {"_confirm": "1"})
    assert refused.status_code == 200
    assert "Nothing was imported." in page_text(refused)
    assert "backreference" in page_text(refused)
    assert not AbuseFilter.objects.exists()


def test_a_private_filter_is_not_imported(mod_client: Client, secret: int) -> None:
    refused = mod_client.post(import_url(secret), {"_confirm": "1"})
    assert "private on the wiki" in page_text(refused)
    assert not AbuseFilter.objects.exists()


def test_a_rule_changed_on_the_wiki_since_the_preview_is_not_imported(
    mod_client: Client, pills: int
) -> None:
    refused = mod_client.post(import_url(pills), {"_confirm": "1", "fingerprint": "0" * 16})
    assert "changed on the wiki since you looked" in page_text(refused)
    assert not AbuseFilter.objects.exists()


def test_the_wiki_down_is_said_plainly_not_a_server_error(
    mod_client: Client, settings: Any
) -> None:
    settings.LIVECHAT_WIKI_API = f"http://127.0.0.1:{free_port()}/api.php"
    settings.LIVECHAT_WIKI_BOT_USER = ""
    listing = mod_client.get(LIST_URL)
    assert listing.status_code == 503
    assert "The wiki could not be reached" in page_text(listing)
    posted = mod_client.post(import_url(3), {"_confirm": "1"})
    assert posted.status_code == 503
    assert "The wiki could not be reached" in page_text(posted)
    assert not AbuseFilter.objects.exists()


def test_without_a_wiki_there_is_nothing_to_import(mod_client: Client, settings: Any) -> None:
    settings.LIVECHAT_WIKI_API = ""
    assert LIST_URL not in mod_client.get("/admin/moderation/abusefilter/").content.decode()
    response = mod_client.get(LIST_URL)
    # How this chat is set up, not an outage: a page that says so, not a 503.
    assert response.status_code == 200
    assert "No wiki is configured" in page_text(response)


def test_only_moderators_list_and_import(pills: int, bob: User) -> None:
    client = Client()
    client.force_login(bob)
    assert client.get(LIST_URL).status_code == 403
    assert client.post(import_url(pills), {"_confirm": "1"}).status_code == 403
    mentor = Client()
    mentor.force_login(make_user("Mentor Mia", MENTORS))
    assert mentor.post(import_url(pills), {"_confirm": "1"}).status_code == 403
    assert not AbuseFilter.objects.exists()


def test_import_filter_requires_a_moderator(pills: int, bob: User) -> None:
    from core.errors import Forbidden

    with pytest.raises(Forbidden):
        wiki_filters.import_filter(moderator=bob, filter_id=pills)
