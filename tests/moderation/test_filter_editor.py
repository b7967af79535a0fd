"""The abuse-filter editor's server side: the syntax check as you type (check/, JSON,
moderators only, CSRF-protected), what the page gives rule-editor.js (the variables and
functions to complete, its scripts), and the dry run's variables for each match."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.test import Client

from accounts.models import User
from livechat import actions
from livechat.models import Room
from moderation import filters
from moderation.rules import FUNCTIONS, VARIABLES

pytestmark = pytest.mark.django_db

CHECK_URL = "/admin/moderation/abusefilter/check/"
ADD_URL = "/admin/moderation/abusefilter/add/"


def signed_in(user: User, **options: bool) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def test_the_check_answers_each_error_with_its_line_and_column(moderator: User) -> None:
    client = signed_in(moderator)
    answer = client.post(CHECK_URL, {"rule": 'new_wikitext contains "x" &\n  (user_age'})
    assert answer.status_code == 200
    [error] = answer.json()["errors"]
    assert error["line"] == 2 and isinstance(error["column"], int)
    assert error["message"].startswith(f"Line 2, column {error['column']}:")
    assert error["detail"] and error["detail"] in error["message"]


def test_the_check_answers_no_errors_for_a_rule_that_parses(moderator: User) -> None:
    client = signed_in(moderator)
    answer = client.post(CHECK_URL, {"rule": 'lcase(new_wikitext) contains "cheap pills"'})
    assert answer.json() == {"errors": []}


def test_the_check_saves_nothing(moderator: User) -> None:
    signed_in(moderator).post(CHECK_URL, {"rule": "user_age > 1"})
    assert not filters.AbuseFilter.objects.exists()


def test_the_check_is_for_moderators_only(bob: User) -> None:
    assert signed_in(bob).post(CHECK_URL, {"rule": "x"}).status_code == 403
    anonymous = Client().post(CHECK_URL, {"rule": "x"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_check_takes_only_posts_with_the_csrf_token(moderator: User) -> None:
    client = signed_in(moderator, enforce_csrf_checks=True)
    assert client.post(CHECK_URL, {"rule": "x"}).status_code == 403
    page = client.get(ADD_URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    answer = client.post(CHECK_URL, {"rule": "user_age > 1"}, headers={"X-CSRFToken": token})
    assert answer.status_code == 200 and answer.json() == {"errors": []}
    assert client.get(CHECK_URL).status_code == 405


def test_the_editor_gives_its_script_the_names_to_complete(moderator: User) -> None:
    page = signed_in(moderator).get(ADD_URL).content.decode()
    found = re.search(
        r'<script id="rule-editor-config" type="application/json">(.*?)</script>', page, re.S
    )
    config = json.loads(found[1])
    assert config["check_url"] == CHECK_URL
    variables = {entry["name"]: entry["description"] for entry in config["variables"]}
    assert variables.keys() == VARIABLES.keys()
    assert all(variables.values())
    functions = {entry["name"]: entry for entry in config["functions"]}
    assert functions.keys() == FUNCTIONS.keys()
    assert functions["lcase"]["signature"] == FUNCTIONS["lcase"].signature
    # Its scripts are files (no inline script), the catalog first, and its styles.
    assert re.search(r'<script src="/jsi18n/\?uselang=\w+"></script>', page)
    assert '<script type="module" src="/static/moderation/rule-editor.js"></script>' in page
    assert "/static/moderation/rule-editor.css" in page
    assert not re.search(r"<script(?![^>]*\b(src|type=\"application/json\")=?)[^>]*>", page)
    # Without the script the old check stays.
    assert 'name="_check"' in page


def test_the_dry_run_keeps_the_variables_each_message_showed_the_rule(
    bob: User, room: Room
) -> None:
    actions.send_message(user=bob, room=room, body="Buy cheap pills")
    actions.send_message(user=bob, room=room, body="Hello")
    results = filters.try_rule('new_wikitext contains "cheap" & user_age >= 0', limit=10)
    by_text = {result.message.body: result for result in results}
    assert by_text["Buy cheap pills"].matched
    seen = by_text["Buy cheap pills"].variables
    assert list(seen) == ["new_wikitext", "user_age"]
    assert seen["new_wikitext"] == "Buy cheap pills"
    assert isinstance(seen["user_age"], int)
    # Variables the rule never read are not computed, nor shown.
    assert "user_groups" not in seen


def test_the_dry_run_shows_the_variables_under_each_match(
    moderator: User, bob: User, room: Room
) -> None:
    actions.send_message(user=bob, room=room, body="Buy cheap pills")
    actions.send_message(user=bob, room=room, body="Hello")
    client = signed_in(moderator)
    page = client.post(
        ADD_URL,
        {
            "_test": "1",
            "limit": "10",
            "rule": 'new_wikitext contains "cheap" & "user" in user_groups',
        },
    ).content.decode()
    trial = page[page.index('id="trial"') :]
    assert "matched 1 of the last 2 messages" in unescape(trial)
    details = re.search(r'<details class="trial-vars">(.*?)</details>', trial, re.S)[1]
    assert "The variables the rule saw (2)" in details
    pairs = dict(re.findall(r"<dt><code>(\w+)</code></dt><dd><code>(.*?)</code></dd>", details))
    assert json.loads(unescape(pairs["new_wikitext"])) == "Buy cheap pills"
    assert "user" in json.loads(unescape(pairs["user_groups"]))
