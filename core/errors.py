"""Domain errors, shared by every app.

Each carries a wire ``code``, the HTTP ``status`` the JSON API answers with, a sentence
for a person (``detail``, already translated) and extra fields for the error body (the
current revision of a conflict, a block's expiry). Sockets turn them into ``error``
frames, JSON views into ``{"error": {...}}``, the admin into a message on the page.

Refusals that belong to one app live there (``moderation.errors``: blocked, filtered,
rate_limited); this module holds only what every app may raise.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "invalid"
    status: ClassVar[int] = 400

    def __init_subclass__(cls, *, code: str = "", status: int = 0, **kwargs: Any) -> None:
        # class Invalid(DomainError, code="invalid", status=400): one line per error.
        super().__init_subclass__(**kwargs)
        cls.code = code or cls.code
        cls.status = status or cls.status

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = str(detail)
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, **self.extra}


class Invalid(DomainError, code="invalid", status=400): ...


class TooLong(DomainError, code="too_long", status=400): ...


class Forbidden(DomainError, code="forbidden", status=403): ...


class NotFound(DomainError, code="not_found", status=404): ...


class Conflict(DomainError, code="conflict", status=409): ...


class Resync(DomainError, code="resync", status=410):
    """The events asked for are no longer in the log: fetch history again."""


class Unavailable(DomainError, code="unavailable", status=503):
    """The database or Redis cannot be reached for now: nothing was refused, try again
    (``retry_after`` seconds; core.outage)."""
