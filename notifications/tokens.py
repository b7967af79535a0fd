"""The signed tokens in mailed links: verifying an address, unsubscribing from kinds,
going to a message. Each purpose has its own salt, so a token made for one is refused by
the others; a verification token also expires.

Expiry reads the project's clock (core.clock), not the system time that Django's
TimestampSigner reads, so tests move past it by advancing the clock."""

from __future__ import annotations

import datetime
from typing import Any

from django.core import signing

from core import clock

VERIFY_SALT = "notifications.verify"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
MESSAGE_SALT = "notifications.message"


class ClockSigner(signing.TimestampSigner):
    """TimestampSigner whose timestamps and ages come from the project's clock."""

    def timestamp(self) -> str:
        return signing.b62_encode(int(clock.now().timestamp()))

    def unsign(self, value: str, max_age: float | datetime.timedelta | None = None) -> str:
        result = signing.Signer.unsign(self, value)
        value, timestamp = result.rsplit(self.sep, 1)
        if max_age is not None:
            if isinstance(max_age, datetime.timedelta):
                max_age = max_age.total_seconds()
            age = clock.now().timestamp() - signing.b62_decode(timestamp)
            if age > max_age:
                raise signing.SignatureExpired(f"Signature age {age} > {max_age} seconds")
        return value


def _signer(salt: str) -> ClockSigner:
    return ClockSigner(salt=salt)


def make(salt: str, data: dict[str, Any]) -> str:
    return _signer(salt).sign_object(data, compress=True)


def read(salt: str, token: str, *, max_age: float | None = None) -> dict[str, Any]:
    """The token's data; ``signing.BadSignature`` (``SignatureExpired`` past ``max_age``)
    when it was not made here for this purpose."""
    data = _signer(salt).unsign_object(token, max_age=max_age)
    if not isinstance(data, dict):
        raise signing.BadSignature("not a token of ours")
    return data
