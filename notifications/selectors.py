"""Reads: a person's email settings, and who may be mailed (cached for the write path)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.models import User

from .models import EmailSettings


@dataclass(frozen=True)
class Delivery:
    """Where a person's notification mail goes, and which kinds they stopped."""

    address: str
    unsubscribed: frozenset[str]

    def wants(self, kind: str) -> bool:
        return kind not in self.unsubscribed


def email_settings(*, user: User) -> EmailSettings:
    """The person's settings; unsaved defaults (their account's address, not verified,
    every kind on) when they never saved any."""
    found = EmailSettings.objects.filter(user=user).first()
    return found or EmailSettings(user=user, address=user.email or "")


def delivery_from_db(*, user_id: int) -> Delivery | None:
    """Where to mail ``user_id`` now, or None: no verified address. The timer handler
    decides with this, never with the cache."""
    row = EmailSettings.objects.filter(user_id=user_id).first()
    if row is None or not row.verified:
        return None
    return Delivery(row.address, frozenset(row.unsubscribed_kinds))


def _cache_key(user_id: int) -> str:
    return f"notifications:delivery:{user_id}"


def cached_delivery(*, user_id: int) -> Delivery | None:
    """``delivery_from_db``, cached: the listener asks this for every notification
    created, inside the sender's transaction, and most people never set up email. A
    stale answer costs little: the change's own process drops the entry on commit (all
    processes, with Redis), the timer handler checks the database again before mailing,
    and the entry lives ``LIVECHAT_EMAIL_SETTINGS_CACHE_SECONDS`` at most."""
    key = _cache_key(user_id)
    cached = cache.get(key)
    if cached is not None:
        address, unsubscribed = cached
        return Delivery(address, frozenset(unsubscribed)) if address else None
    found = delivery_from_db(user_id=user_id)
    value = (found.address, sorted(found.unsubscribed)) if found else ("", [])
    cache.set(key, value, settings.LIVECHAT_EMAIL_SETTINGS_CACHE_SECONDS)
    return found


def forget_delivery_on_commit(*, user_id: int) -> None:
    transaction.on_commit(lambda: cache.delete(_cache_key(user_id)))
