"""The real local MediaWiki of `make wiki` (scripts/wiki.sh), over HTTP, and the stand-in
OAuth 2 server beside it (wikioauth/).

Their addresses, the chat bot's password and the chat's OAuth client come from the
environment or from .wiki/credentials.env, which `make wiki` writes. Without a wiki the tests
are skipped, saying so; with LIVECHAT_REQUIRE_WIKI=1 (CI starts the wiki and sets it) they
fail instead.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = ROOT / ".wiki" / "credentials.env"


@dataclass(frozen=True)
class LocalWiki:
    api: str  # http://127.0.0.1:8080/api.php
    bot_user: str  # "Help desk bot@chat": a bot password's login name
    bot_password: str
    admin_password: str
    # Every account's password from credentials.env (WIKI_SYSOP_PASSWORD, …).
    passwords: dict[str, str]
    # The stand-in OAuth server's rest.php (http://127.0.0.1:8081/rest.php) and the chat's
    # client there: LIVECHAT_WIKI_OAUTH_REST, _KEY and _SECRET.
    oauth_rest: str = ""
    oauth_key: str = ""
    oauth_secret: str = ""

    @property
    def host(self) -> str:
        return urlsplit(self.api).netloc

    @property
    def path(self) -> str:
        return urlsplit(self.api).path.rsplit("/", 1)[0] + "/"

    def site(self):  # -> mwclient.Site
        import mwclient

        return mwclient.Site(self.host, path=self.path, scheme="http")


def _settings() -> dict[str, str]:
    values = {}
    if CREDENTIALS.exists():
        for line in CREDENTIALS.read_text().splitlines():
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    values.update({key: os.environ[key] for key in values if key in os.environ})
    return values


def _answers(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}?action=query&meta=siteinfo&format=json", timeout=5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def local_wiki() -> LocalWiki:
    values = _settings()
    api = values.get("LIVECHAT_WIKI_API", "")
    if not api or not _answers(api):
        reason = "no local MediaWiki answers (`make wiki` starts one)"
        if os.environ.get("LIVECHAT_REQUIRE_WIKI") == "1":
            pytest.fail(f"{reason}, and LIVECHAT_REQUIRE_WIKI=1 requires the wiki tests")
        pytest.skip(f"{reason}; set LIVECHAT_REQUIRE_WIKI=1 to fail instead")
    return LocalWiki(
        api=api,
        bot_user=values["LIVECHAT_WIKI_BOT_USER"],
        bot_password=values["LIVECHAT_WIKI_BOT_PASSWORD"],
        admin_password=values["WIKI_ADMIN_PASSWORD"],
        passwords={key: value for key, value in values.items() if key.endswith("_PASSWORD")},
        oauth_rest=values.get("LIVECHAT_WIKI_OAUTH_REST", ""),
        oauth_key=values.get("LIVECHAT_WIKI_OAUTH_KEY", ""),
        oauth_secret=values.get("LIVECHAT_WIKI_OAUTH_SECRET", ""),
    )


@pytest.fixture(scope="session")
def oauth(local_wiki: LocalWiki) -> LocalWiki:
    """The local wiki with its stand-in OAuth 2 server (wikioauth/) answering."""
    reason = ""
    if not local_wiki.oauth_rest:
        reason = "credentials.env has no LIVECHAT_WIKI_OAUTH_REST (`make wiki` writes it)"
    else:
        try:
            requests.get(local_wiki.oauth_rest.removesuffix("rest.php") + "login", timeout=5)
        except requests.ConnectionError:
            reason = f"the stand-in OAuth server does not answer at {local_wiki.oauth_rest}"
    if reason:
        if os.environ.get("LIVECHAT_REQUIRE_WIKI") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return local_wiki


# --- Chromium, for the browser tests of the wiki's side ---------------------------------------


@pytest.fixture
def chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Chromium with third-party cookies blocked, as the browser setting does it (the
    profile's cookie controls) and as Chrome's phase-out test switch does."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, require_browser

    require_browser()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(
        json.dumps({"profile": {"cookie_controls_mode": 1, "block_third_party_cookies": True}})
    )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"],
            headless=True,
        )
        try:
            yield context
        finally:
            context.close()
            from django.db import connections

            connections.close_all()


@pytest.fixture
def page_errors() -> Iterator[list[str]]:
    """Page errors and console errors of the pages given to ``watch``; none allowed."""
    errors: list[str] = []
    yield errors
    assert not errors, "the page logged errors:\n" + "\n".join(errors)
