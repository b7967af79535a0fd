"""The moderation guard: every livechat write calls :func:`check_write` before it persists
(through ``settings.LIVECHAT_WRITE_GUARD``).

Today it refuses writes from accounts that cannot write at all; blocks, abuse filters and
rate limits are added here, and only here, so that every entry point (socket, JSON API,
admin, management commands) gets them at once.
"""

from __future__ import annotations

from livechat.errors import Forbidden
from livechat.guard import WriteAttempt


def check_write(attempt: WriteAttempt) -> None:
    user = attempt.user
    if not user.is_authenticated or not user.is_active:
        raise Forbidden("You need to be signed in to an active account to write here.")
