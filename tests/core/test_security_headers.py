"""Security headers and cookies (docs/security.md): the Content-Security-Policy with no
inline script or style, Permissions-Policy, Referrer-Policy, and what LIVECHAT_HTTPS turns on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import HOST

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _policy(response) -> dict[str, list[str]]:
    directives = [d.split() for d in response["Content-Security-Policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.fixture
def client(alice):
    client = Client(HTTP_HOST=HOST)
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    "url", ["/", "/rooms/help-desk/", "/api/rooms/", "/accounts/login/", "/notifications/settings/"]
)
def test_every_page_has_a_policy_without_inline_code(client, room, url):
    response = client.get(url)
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_permissions_and_referrer_policies(client, room):
    response = client.get("/rooms/help-desk/")
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_session_cookie_is_http_only_and_the_csrf_cookie_readable(client, room):
    """The page's scripts send the CSRF cookie back in a header (static/livechat/dom.js)."""
    response = Client(HTTP_HOST=HOST).get("/accounts/login/")
    assert response.cookies["csrftoken"]["httponly"] == ""
    client = Client(HTTP_HOST=HOST)
    response = client.post("/accounts/login/", {"username": "Alice", "password": "pw-Alice"})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"] is True
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_hsts_over_https(client, room, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    response = client.get("/rooms/help-desk/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=3600"


def _settings_under(env: dict[str, str]) -> dict:
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
    ]
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_"))}
    output = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_make_run_is_plain_http_and_production_is_https_only():
    local = _settings_under({})
    assert local["SESSION_COOKIE_SECURE"] is False
    assert local["SECURE_HSTS_SECONDS"] == 0
    assert local["SECURE_SSL_REDIRECT"] is False
    production = _settings_under({"LIVECHAT_HTTPS": "1"})
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert production["SECURE_SSL_REDIRECT"] is True
    # The widget in a wiki on another site: SameSite=None, which needs Secure.
    widget = _settings_under({"SESSION_COOKIE_SAMESITE": "None"})
    assert widget["SESSION_COOKIE_SECURE"] is True
    proxied = _settings_under({"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"})
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
