"""Log lines as JSON objects, one a line (LOG_FORMAT=json, the default in production), or
readable text in development; both carry the request or socket id (core.request_context).
Fields: docs/operations.md "Logs"."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# What the standard LogRecord carries; anything else on a record was passed with `extra=`
# and goes into the JSON object as its own field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "socket_id",
    "ids",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in ("request_id", "socket_id"):
            value = getattr(record, field, "")
            if value:
                line[field] = value
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger [id] message``: the id only when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(
            value
            for value in (getattr(record, "request_id", ""), getattr(record, "socket_id", ""))
            if value
        )
        record.ids = f" [{ids}]" if ids else ""
        return super().format(record)
