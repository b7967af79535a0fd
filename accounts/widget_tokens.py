"""Short-lived sign-in tokens for the widget (docs/wiki.md, "The widget").

The widget is a frame on the wiki's pages, another site than the chat: a browser that
blocks third-party cookies sends the frame no session cookie at all. So the widget signs
in through a popup (a first-party window, where cookies work), and the popup hands the
frame a token by ``postMessage``. The frame sends the token instead of a cookie: in the
form that loads its page, in the ``Authorization`` header of its API calls, and in its
socket's address.

A token is signed (``SECRET_KEY``), names the user, and lasts
``LIVECHAT_WIDGET_TOKEN_SECONDS``; the widget swaps it for a fresh one while it is open.
It carries part of the user's session hash, so a password change or a deactivated account
ends every token, as it ends sessions.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from accounts.backends import RolesModelBackend
from accounts.models import User
from core import clock

SALT = "accounts.widget_tokens"
# The prefix of the Authorization header that carries a token.
BEARER = "Bearer "


def issue(user: User) -> str:
    # The issue time comes from the injected clock (core.clock), not signing's own
    # timestamp, so that tests can let a token expire without waiting.
    claims = {"u": user.pk, "h": _hash(user), "t": clock.now().timestamp()}
    return signing.dumps(claims, salt=SALT, compress=True)


def user_for(token: str) -> User | None:
    """The active user ``token`` signs in, or None if it is forged, expired or revoked."""
    try:
        claims = signing.loads(token, salt=SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("t"), (int, float)):
        return None
    age = clock.now().timestamp() - claims["t"]
    if not 0 <= age <= settings.LIVECHAT_WIDGET_TOKEN_SECONDS:
        return None
    # The backend loads the roles with the user, as it does for a session.
    user = RolesModelBackend().get_user(claims.get("u"))
    if user is None or claims.get("h") != _hash(user):
        return None
    return user


def from_header(value: str) -> str | None:
    return value[len(BEARER) :].strip() or None if value.startswith(BEARER) else None


def _hash(user: User) -> str:
    return user.get_session_auth_hash()[:16]
