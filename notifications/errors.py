"""The refusals of the notifications app, as domain errors (see core.errors)."""

from __future__ import annotations

from core.errors import DomainError


class TooSoon(DomainError, code="rate_limited", status=429):
    """Another verification mail was asked for too soon after the last."""


class MailFailed(DomainError, code="unavailable", status=503):
    """The mail server refused or could not be reached."""
