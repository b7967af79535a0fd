"""The local wiki's Action API, as the stand-in needs it: check a password, read a profile.

Plain `requests` on purpose: this server is test tooling beside the chat and shares nothing
with it (the chat's own client is wiki/client.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

TIMEOUT = 10
USER_AGENT = "livechat-wikioauth/1.0 (the stand-in OAuth server of `make wiki`)"


class WikiUnavailable(Exception):
    """The wiki did not answer, or answered with something unexpected."""


@dataclass(frozen=True)
class SignedIn:
    wiki_id: int
    name: str
    email_confirmed: bool


@dataclass(frozen=True)
class Refused:
    message: str  # the wiki's own words ("Incorrect username or password entered. …")


def _session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def _call(session: requests.Session, method: str, **params: Any) -> dict[str, Any]:
    params |= {"format": "json", "formatversion": "2"}
    try:
        if method == "GET":
            response = session.get(settings.WIKI_API, params=params, timeout=TIMEOUT)
        else:
            response = session.post(settings.WIKI_API, data=params, timeout=TIMEOUT)
        response.raise_for_status()
        answer = response.json()
    except (requests.RequestException, ValueError) as error:
        raise WikiUnavailable(str(error)) from error
    if "error" in answer:
        raise WikiUnavailable(f"{answer['error'].get('code')}: {answer['error'].get('info')}")
    return answer


def sign_in(name: str, password: str) -> SignedIn | Refused:
    """Logs in to the wiki as a person would (action=clientlogin, the API behind
    Special:UserLogin), then reads who that is from inside the session: whether their email
    address is confirmed is only visible to themselves."""
    session = _session()
    token = _call(session, "GET", action="query", meta="tokens", type="login")
    answer = _call(
        session,
        "POST",
        action="clientlogin",
        username=name,
        password=password,
        logintoken=token["query"]["tokens"]["logintoken"],
        # Only used by logins that go through another site; a password login never does.
        loginreturnurl=settings.WIKI_API,
    )["clientlogin"]
    if answer.get("status") != "PASS":
        return Refused(message=answer.get("message") or answer.get("status", ""))
    info = _call(session, "GET", action="query", meta="userinfo", uiprop="email")["query"]
    user = info["userinfo"]
    return SignedIn(
        wiki_id=int(user["id"]),
        name=user["name"],
        email_confirmed=bool(user.get("emailauthenticated")),
    )


def mw_timestamp(iso: str | None) -> str | None:
    """2026-12-05T12:00:00Z -> 20261205120000 (TS_MW, as User::getRegistration gives it)."""
    if not iso:
        return None  # accounts older than 2005 have no registration date
    moment = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y%m%d%H%M%S")


def user(wiki_id: int) -> dict[str, Any] | None:
    """The account as list=users gives it now, or None when the wiki does not show it (gone,
    or hidden by a suppressing block)."""
    answer = _call(
        _session(),
        "GET",
        action="query",
        list="users",
        ususerids=str(wiki_id),
        usprop="groups|rights|editcount|registration|blockinfo",
    )
    users = answer["query"]["users"]
    if not users or users[0].get("missing") or users[0].get("hidden"):
        return None
    return users[0]
