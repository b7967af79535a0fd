"""PLACEHOLDER: replaced by the real renderer (markdown subset + wikitext + bleach)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rendered:
    html: str
    mentions: list[str] = field(default_factory=list)


def render(body: str) -> Rendered:
    return Rendered(html=f"<p>{html.escape(body)}</p>", mentions=[])


def normalize_emoji(value: str) -> str | None:
    value = value.strip()
    return value if 0 < len(value) <= 32 else None
EMOJI_SHORTCODES: dict[str, str] = {"thumbsup": "👍"}
