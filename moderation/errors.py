"""Moderation's refusals: what the guard raises when it stops a write."""

from __future__ import annotations

from core.errors import DomainError


class Blocked(DomainError, code="blocked", status=403): ...


class Filtered(DomainError, code="filtered", status=403): ...


class RateLimited(DomainError, code="rate_limited", status=429): ...
