"""Names isolated inside translated sentences, so that a name in one script keeps its
own direction and does not reorder the sentence around it ("<bdi>مريم</bdi> replied",
"Alice ردّت" read right): in HTML a ``<bdi>`` element, in attributes and plain text (mail,
a ``title``) Unicode's FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, which does the same
where no element can go (docs/translating.md, "Names are isolated").

The isolation goes around the *value* filled into the message, never into the msgid, so
translators see ``%(name)s`` as before."""

from __future__ import annotations

from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

FSI = "\u2068"
PDI = "\u2069"


def text(name: Any) -> str:
    """``name`` isolated for plain text and attributes (still to be escaped in HTML)."""
    return f"{FSI}{name}{PDI}"


def html(name: Any) -> SafeString:
    """``name`` escaped and isolated in a ``<bdi>`` element."""
    return format_html("<bdi>{}</bdi>", name)


def html_sentence(template: str, *, names: dict[str, Any], **values: Any) -> SafeString:
    """A translated sentence (``%(name)s`` placeholders) as HTML: the sentence and every
    value escaped, ``names`` each in a ``<bdi>``."""
    filled = {key: conditional_escape(value) for key, value in values.items()}
    filled.update({key: html(name) for key, name in names.items()})
    return mark_safe(conditional_escape(template) % filled)
