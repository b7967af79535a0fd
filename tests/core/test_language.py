"""The interface language (core.i18n): ?uselang=, then the person's saved choice, then the
browser's Accept-Language, then LANGUAGE_CODE; the same rules for the scripts' catalog
and the sockets; qqx, the pseudo-language of message keys."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext, npgettext, pgettext

from core import i18n
from tests.conftest import make_user, session_cookie, ws_headers

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [("en", "English"), ("cs", "Čeština"), ("ar", "العربية")]


@pytest.fixture(autouse=True)
def _languages(settings: Any) -> None:
    # Languages with catalogs (Django ships its own for cs and ar), whatever the project
    # ships today.
    settings.LANGUAGES = SHIPPED
    settings.LANGUAGE_CODE = "en"


# --- The order of the rules ---------------------------------------------------------------


def test_it_takes_uselang_first():
    assert i18n.choose(uselang="ar", saved="cs", accept_language="cs") == "ar"


def test_it_takes_the_saved_choice_before_the_browser():
    assert i18n.choose(uselang=None, saved="cs", accept_language="ar") == "cs"


def test_it_takes_the_browser_when_nothing_is_saved():
    assert i18n.choose(uselang=None, saved="", accept_language="de, ar;q=0.8, cs;q=0.5") == "ar"


def test_it_falls_back_to_the_site_language():
    assert i18n.choose(uselang=None, saved=None, accept_language="de, fr") == "en"
    assert i18n.choose(uselang=None, saved=None, accept_language="") == "en"


def test_a_uselang_not_shipped_falls_through_to_the_next_rule():
    assert i18n.choose(uselang="de", saved="cs", accept_language="ar") == "cs"
    assert i18n.choose(uselang="xx-nonsense", saved=None, accept_language="ar") == "ar"
    assert i18n.choose(uselang="<script>", saved=None, accept_language="") == "en"


def test_a_saved_language_no_longer_shipped_falls_through():
    assert i18n.choose(uselang=None, saved="ko", accept_language="cs") == "cs"


def test_regions_fall_back_to_their_language():
    assert i18n.choose(uselang="cs-CZ", saved=None, accept_language="") == "cs"
    assert i18n.choose(uselang=None, saved=None, accept_language="ar-EG,ar;q=0.9") == "ar"


def test_qqx_is_accepted_by_uselang_only():
    assert i18n.choose(uselang="qqx", saved="cs", accept_language="ar") == "qqx"
    assert i18n.choose(uselang="QQX", saved=None, accept_language="") == "qqx"
    assert i18n.choose(uselang=None, saved="qqx", accept_language="qqx") == "en"


# --- Pages --------------------------------------------------------------------------------


def page_language(response: Any) -> str:
    return response["Content-Language"]


@pytest.mark.django_db
def test_a_page_follows_the_rules_in_order():
    alice = make_user("Alice", language="cs")
    client = Client(HTTP_ACCEPT_LANGUAGE="ar")
    assert page_language(client.get("/accounts/login/")) == "ar"
    assert page_language(client.get("/accounts/login/?uselang=cs")) == "cs"
    client.force_login(alice)
    response = client.get("/notifications/settings/")
    assert page_language(response) == "cs"
    assert '<html lang="cs"' in response.content.decode()
    assert page_language(client.get("/notifications/settings/?uselang=ar")) == "ar"
    assert page_language(client.get("/notifications/settings/?uselang=de")) == "cs"
    alice.language = ""
    alice.save(update_fields=["language"])
    assert page_language(client.get("/notifications/settings/")) == "ar"
    assert page_language(Client().get("/accounts/login/")) == "en"


@pytest.mark.django_db
def test_responses_vary_on_the_language_inputs():
    response = Client(HTTP_ACCEPT_LANGUAGE="cs").get("/accounts/login/")
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    assert response["Content-Language"] == "cs"


@pytest.mark.django_db
def test_the_page_passes_its_language_to_the_scripts_catalog():
    alice = make_user("Alice", language="cs")
    client = Client()
    client.force_login(alice)
    html = client.get("/notifications/settings/").content.decode()
    assert '<script src="/jsi18n/?uselang=cs"></script>' in html
    html = client.get("/notifications/settings/?uselang=qqx").content.decode()
    assert '<script src="/jsi18n/?uselang=qqx"></script>' in html


@pytest.mark.django_db
def test_the_scripts_catalog_follows_the_same_rules():
    client = Client(HTTP_ACCEPT_LANGUAGE="cs")
    assert client.get("/jsi18n/")["Content-Language"] == "cs"
    assert client.get("/jsi18n/?uselang=ar")["Content-Language"] == "ar"
    response = client.get("/jsi18n/?uselang=qqx")
    assert response["Content-Language"] == "qqx"
    assert "Accept-Language" in response["Vary"]


# --- qqx on the server --------------------------------------------------------------------


def test_qqx_shows_keys_with_their_placeholders_filled():
    with i18n.override("qqx"):
        assert translation.get_language() == "qqx"
        assert gettext("Send") == "(Send)"
        assert gettext("Hello %(name)s") % {"name": "Zxq"} == "(Hello Zxq)"
        assert ngettext("%(n)d apple", "%(n)d apples", 1) % {"n": 1} == "(1 apple)"
        assert ngettext("%(n)d apple", "%(n)d apples", 3) % {"n": 3} == "(3 apples)"
        assert pgettext("navigation", "Main") == "(navigation|Main)"
        assert npgettext("thing", "one", "many", 2) == "(thing|many)"
        assert not translation.get_language_bidi()
    assert gettext("Send") == "Send"


def test_qqx_survives_the_translation_cache_being_emptied(settings: Any):
    with i18n.override("qqx"):
        assert gettext("Send") == "(Send)"
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]  # the test signals empty the cache
    with i18n.override("qqx"):
        assert gettext("Send") == "(Send)"


@pytest.mark.django_db
def test_qqx_pages_show_keys_for_templates_and_lazy_text():
    html = Client().get("/accounts/login/?uselang=qqx").content.decode()
    assert '<html lang="qqx" dir="ltr">' in html
    assert "(Wiki help desk)" in html


# --- qqx in the page's scripts ------------------------------------------------------------

NODE_CHECK = """
import vm from "node:vm";
import { readFileSync } from "node:fs";
vm.runInThisContext(readFileSync(process.argv[2], "utf8"));
const i18n = await import(process.argv[3]);
const counted = (count) =>
  i18n.interpolate(i18n.ngettext("%(count)s new message", "%(count)s new messages", count),
    {count}, true);
console.log(JSON.stringify([
  i18n.gettext("Send"),
  counted(1),
  counted(4),
  i18n.pgettext("navigation", "Main"),
  i18n.interpolate(i18n.gettext("%s and %s"), ["Zxq", "Qzx"]),
]));
"""


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_scripts_catalog_in_qqx_makes_i18n_js_show_keys(tmp_path: Path):
    catalog = tmp_path / "catalog.js"
    catalog.write_bytes(Client().get("/jsi18n/?uselang=qqx").content)
    check = tmp_path / "check.mjs"
    check.write_text(NODE_CHECK)
    output = subprocess.run(
        ["node", str(check), str(catalog), (ROOT / "static/livechat/i18n.js").as_uri()],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert json.loads(output) == [
        "(Send)",
        "(1 new message)",
        "(4 new messages)",
        "(navigation|Main)",
        "(Zxq and Qzx)",
    ]


@pytest.mark.django_db
@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_scripts_catalog_in_english_leaves_messages_as_written(tmp_path: Path):
    catalog = tmp_path / "catalog.js"
    catalog.write_bytes(Client().get("/jsi18n/?uselang=en").content)
    check = tmp_path / "check.mjs"
    check.write_text(NODE_CHECK)
    output = subprocess.run(
        ["node", str(check), str(catalog), (ROOT / "static/livechat/i18n.js").as_uri()],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert json.loads(output)[:3] == ["Send", "1 new message", "4 new messages"]


# --- Sockets ------------------------------------------------------------------------------


async def language_of_socket(query: str, headers: list[tuple[bytes, bytes]]) -> str:
    """The language SocketLanguageMiddleware puts in the scope of a handshake."""
    seen: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.update(scope)
        await send({"type": "websocket.close"})

    from channels.auth import AuthMiddlewareStack

    communicator = WebsocketCommunicator(
        AuthMiddlewareStack(i18n.SocketLanguageMiddleware(app)), f"/ws/x/{query}", headers=headers
    )
    await communicator.connect()
    return seen["language"]


@pytest.mark.django_db(transaction=True)
async def test_a_socket_follows_the_same_rules():
    from channels.db import database_sync_to_async

    alice = await database_sync_to_async(make_user)("Alice", language="cs")
    cookie = await database_sync_to_async(session_cookie)(alice)
    accept = [(b"accept-language", b"ar")]
    assert await language_of_socket("", ws_headers(None) + accept) == "ar"
    assert await language_of_socket("", ws_headers(cookie) + accept) == "cs"
    assert await language_of_socket("?uselang=ar", ws_headers(cookie) + accept) == "ar"
    assert await language_of_socket("?uselang=qqx", ws_headers(cookie)) == "qqx"
    assert await language_of_socket("?uselang=de", ws_headers(None)) == "en"


@pytest.mark.django_db(transaction=True)
async def test_a_socket_error_detail_is_in_the_socket_language(room: Any):
    from channels.db import database_sync_to_async

    from config.asgi import application

    alice = await database_sync_to_async(make_user)("Alice")
    cookie = await database_sync_to_async(session_cookie)(alice)
    communicator = WebsocketCommunicator(
        application, f"/ws/rooms/{room.slug}/?uselang=qqx", headers=ws_headers(cookie)
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    try:
        await communicator.send_to(text_data=json.dumps({"type": "no.such.frame"}))
        while True:
            frame = json.loads(await communicator.receive_from(timeout=3))
            if frame["type"] == "error":
                break
        assert frame["code"] == "invalid"
        assert frame["detail"].startswith("(") and frame["detail"].endswith(")")
        assert "no.such.frame" in frame["detail"]
    finally:
        await communicator.disconnect()
