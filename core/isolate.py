"""Names isolated inside translated sentences, so that a name in one script keeps its
own direction and does not reorder the sentence around it ("<bdi>مريم</bdi> replied",
"Alice ردّت" read right): in HTML a ``<bdi>`` element, in attributes and plain text (mail,
a ``title``) Unicode's FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, which does the same
where no element can go (docs/translating.md, "Names are isolated").

The isolation goes around the *value* filled into the message, never into the msgid, so
translators see ``%(name)s`` as before."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

FSI = "\u2068"
PDI = "\u2069"


def text(name: Any) -> str:
    """``name`` isolated for plain text and attributes (still to be escaped in HTML)."""
    return f"{FSI}{name}{PDI}"


def html(name: Any) -> SafeString:
    """``name`` escaped and isolated in a ``<bdi>`` element."""
    return format_html("<bdi>{}</bdi>", name)
