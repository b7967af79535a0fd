"""The stand-in OAuth 2 server of `make wiki` (wikioauth/), over HTTP as a client sees it:
Extension:OAuth's paths and answers, backed by the real local wiki's accounts."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import uuid
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
import requests

from .conftest import LocalWiki
from .test_local_wiki import maintenance

pytestmark = pytest.mark.wiki

# A port the chat is not on: loopback callbacks may use any port (RFC 8252 §7.3), which the
# chat's live test servers need.
CALLBACK = "http://127.0.0.1:54321/accounts/wiki/login/callback/"


def authorize(oauth: LocalWiki, session: requests.Session, **params: str) -> requests.Response:
    query = {
        "response_type": "code",
        "client_id": oauth.oauth_key,
        "redirect_uri": CALLBACK,
        "state": "state-123",
        **params,
    }
    return session.get(
        f"{oauth.oauth_rest}/oauth2/authorize?{urlencode(query)}", allow_redirects=False
    )


def log_in(page: requests.Response, session: requests.Session, name: str, password: str):
    """Fills the sign-in form the way a person would."""
    assert re.search(r'<label for="username">Username</label>', page.text)
    assert re.search(r'<label for="password">Password</label>', page.text)
    assert '<button type="submit">Log in</button>' in page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', page.text).group(1)
    return session.post(
        page.url,
        data={
            "csrfmiddlewaretoken": token,
            "next": next_url.replace("&amp;", "&"),
            "username": name,
            "password": password,
        },
        allow_redirects=False,
    )


def sign_in_for_code(oauth: LocalWiki, name: str, password: str, **params: str) -> dict:
    """authorize -> the sign-in form -> back to authorize -> the callback with a code."""
    session = requests.Session()
    start = authorize(oauth, session, **params)
    assert start.status_code == 302, start.text
    form = session.get(urljoin(start.url, start.headers["Location"]))
    assert form.status_code == 200
    signed_in = log_in(form, session, name, password)
    assert signed_in.status_code == 302, signed_in.text
    back = session.get(urljoin(form.url, signed_in.headers["Location"]), allow_redirects=False)
    assert back.status_code == 302, back.text
    callback = back.headers["Location"]
    assert callback.startswith(CALLBACK + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(callback).query).items()}


def access_token(oauth: LocalWiki, code: str, **extra: str) -> requests.Response:
    # As allauth sends it: the client's id and secret in the body.
    return requests.post(
        f"{oauth.oauth_rest}/oauth2/access_token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": oauth.oauth_key,
            "client_secret": oauth.oauth_secret,
            **extra,
        },
    )


def profile(oauth: LocalWiki, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{oauth.oauth_rest}/oauth2/resource/profile", headers=headers)


def wiki_user(oauth: LocalWiki, name: str) -> dict:
    answer = requests.get(
        oauth.api,
        params={
            "action": "query",
            "list": "users",
            "ususers": name,
            "usprop": "groups|editcount|registration",
            "format": "json",
            "formatversion": "2",
        },
    ).json()
    return answer["query"]["users"][0]


def test_it_signs_in_a_wiki_account_and_serves_its_profile(oauth: LocalWiki):
    # allauth's mediawiki provider sends an empty scope: the client's grants, identity only.
    callback = sign_in_for_code(oauth, "Sysop", oauth.passwords["WIKI_SYSOP_PASSWORD"], scope="")
    assert callback["state"] == "state-123"

    answer = access_token(oauth, callback["code"])
    assert answer.status_code == 200, answer.text
    token = answer.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 4 * 3600

    response = profile(oauth, token["access_token"])
    assert response.status_code == 200, response.text
    body = response.json()
    user = wiki_user(oauth, "Sysop")
    registered = datetime.strptime(user["registration"], "%Y-%m-%dT%H:%M:%SZ")
    assert body == {
        "sub": user["userid"],
        "username": "Sysop",
        "editcount": user["editcount"],
        "confirmed_email": False,
        "blocked": False,
        "registered": registered.strftime("%Y%m%d%H%M%S"),
        "groups": user["groups"],
        "rights": body["rights"],
        "grants": ["mwoauth-authonly"],
    }
    assert "sysop" in body["groups"] and "block" in body["rights"]
    assert isinstance(body["sub"], int) and isinstance(body["editcount"], int)
    # Identity only: no email address, no real name.
    assert "email" not in body and "realname" not in body

    # A code is good once.
    assert access_token(oauth, callback["code"]).status_code == 400


def test_a_blocked_account_with_a_unicode_name_signs_in_and_says_so(oauth: LocalWiki):
    name = f"Stand-in tester é {uuid.uuid4().hex[:6]}"
    maintenance("createAndPromote.php", name, "stand-in-password-1")
    maintenance("blockUsers.php", "--performer", "Admin", "--reason", "Vandalism", stdin=name)

    callback = sign_in_for_code(oauth, name, "stand-in-password-1")
    token = access_token(oauth, callback["code"]).json()["access_token"]
    body = profile(oauth, token).json()
    assert body["username"] == name
    assert body["sub"] == wiki_user(oauth, name)["userid"]
    assert body["blocked"] is True
    assert "sysop" not in body["groups"]

    # The profile reads the wiki live: the lift shows on the same token.
    maintenance("blockUsers.php", "--performer", "Admin", "--unblock", stdin=name)
    assert profile(oauth, token).json()["blocked"] is False


def test_it_takes_the_client_secret_by_http_basic_and_checks_pkce(oauth: LocalWiki):
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    challenge = challenge.rstrip(b"=").decode()
    code = sign_in_for_code(
        oauth,
        "Newcomer",
        oauth.passwords["WIKI_NEWCOMER_PASSWORD"],
        code_challenge=challenge,
        code_challenge_method="S256",
    )["code"]
    basic = (oauth.oauth_key, oauth.oauth_secret)
    url = f"{oauth.oauth_rest}/oauth2/access_token"
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    for refused in ({}, {"code_verifier": "x" * 50}):
        answer = requests.post(url, data={**data, **refused}, auth=basic)
        assert answer.status_code == 400, refused
        assert answer.json()["error"] in {"invalid_request", "invalid_grant"}
    right = requests.post(url, data={**data, "code_verifier": verifier}, auth=basic)
    assert right.status_code == 200, right.text
    assert profile(oauth, right.json()["access_token"]).json()["username"] == "Newcomer"


def test_a_wrong_password_shows_the_form_again_with_the_wikis_error(oauth: LocalWiki):
    session = requests.Session()
    start = authorize(oauth, session)
    form = session.get(urljoin(start.url, start.headers["Location"]))
    again = log_in(form, session, "Mentor", "not-the-password")
    assert again.status_code == 200
    assert 'role="alert"' in again.text and "Incorrect username or password" in again.text
    assert 'value="Mentor"' in again.text
    # Still signed out: authorize sends to the form, not to the callback.
    assert "/login" in authorize(oauth, session).headers["Location"]


def test_a_wrong_client_secret_is_refused(oauth: LocalWiki):
    code = sign_in_for_code(oauth, "Mentor", oauth.passwords["WIKI_MENTOR_PASSWORD"])["code"]
    answer = access_token(oauth, code, client_secret="0" * 40)
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert "access_token" not in answer.json()


def test_an_unknown_redirect_uri_is_refused(oauth: LocalWiki):
    session = requests.Session()
    log_in(
        session.get(f"{oauth.oauth_rest.removesuffix('rest.php')}login"),
        session,
        "Mentor",
        oauth.passwords["WIKI_MENTOR_PASSWORD"],
    )
    for uri in (
        "http://127.0.0.1:54321/somewhere/else/",
        "http://evil.example/accounts/wiki/login/callback/",
    ):
        answer = authorize(oauth, session, redirect_uri=uri)
        # No redirect at all: the code must never reach an address the client did not register.
        assert answer.status_code == 400, uri
        assert "Location" not in answer.headers


def test_scopes_other_than_identity_are_refused(oauth: LocalWiki):
    session = requests.Session()
    log_in(
        session.get(f"{oauth.oauth_rest.removesuffix('rest.php')}login"),
        session,
        "Mentor",
        oauth.passwords["WIKI_MENTOR_PASSWORD"],
    )
    answer = authorize(oauth, session, scope="mwoauth-authonlyprivate")
    # An error the client hears about at its callback (RFC 6749 §4.1.2.1), with no code.
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["invalid_scope"] and "code" not in query


def test_the_profile_wants_a_valid_bearer_token(oauth: LocalWiki):
    missing = profile(oauth, None)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert profile(oauth, "not-a-token").status_code == 401
