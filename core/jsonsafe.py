"""Checks shared by every JSON the chat accepts (socket frames, API request bodies)."""

from __future__ import annotations

import re
from typing import Any

# A JSON escape such as "\ud800" (half of a pair, alone) parses, but no UTF-8 holds it: the
# database refuses to store it and an answer echoing it cannot be sent.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(value: Any) -> bool:
    """True if any text in ``value`` (keys included) holds half a surrogate pair."""
    # A loop, not recursion: the value may be nested as deep as json could parse.
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE_RE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
