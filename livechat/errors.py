"""Domain errors. Each carries a wire `code`, a sentence for a person (`detail`) and the
HTTP status the JSON API answers with; consumers turn them into `error` frames."""

from __future__ import annotations

from typing import Any, ClassVar


class ChatError(Exception):
    code: ClassVar[str] = "invalid"
    status: ClassVar[int] = 400

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        # Extra fields for the error body, e.g. the current revision of a conflict.
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, **self.extra}


class Invalid(ChatError):
    code = "invalid"
    status = 400


class TooLong(ChatError):
    code = "too_long"
    status = 400


class NotFound(ChatError):
    code = "not_found"
    status = 404


class Forbidden(ChatError):
    code = "forbidden"
    status = 403


class Conflict(ChatError):
    code = "conflict"
    status = 409


class Blocked(ChatError):
    code = "blocked"
    status = 403


class Filtered(ChatError):
    code = "filtered"
    status = 403


class RateLimited(ChatError):
    code = "rate_limited"
    status = 429


class Resync(ChatError):
    """The events asked for are no longer in the log: fetch history again."""

    code = "resync"
    status = 410
