"""``{% load isolate %}``: ``{{ name|bdi }}`` (HTML text) and ``{{ name|fsi }}`` (an
attribute, a plain-text mail) around a name filled into a translated sentence, e.g.
``{% blocktranslate with who=entry.actor|bdi %}{{ who }}, {{ since }} ago{% endblocktranslate %}``
(core.isolate)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from core import isolate

register = template.Library()


@register.filter
def bdi(name: Any) -> SafeString | str:
    """The name in a ``<bdi>``; nothing for an empty value (a ``default`` still applies)."""
    if name is None or name == "":
        return ""
    return isolate.html(name)


@register.filter
def fsi(name: Any) -> str:
    """The name between FSI and PDI; nothing for an empty value."""
    if name is None or name == "":
        return ""
    return isolate.text(name)
