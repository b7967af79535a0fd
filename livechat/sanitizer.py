"""The allow-list step every rendered message passes (bleach). The renderer already
escapes everything it does not produce itself; this is the second wall, so that a bug in
the renderer can at worst produce ugly output, never script."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from bleach import html5lib_shim
from bleach.sanitizer import Cleaner

from accounts.usernames import is_valid_username

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "code", "a", "span"}
    # The blocks (livechat/formatting_blocks.py) and strikethrough; none takes an attribute.
    | {"blockquote", "pre", "ul", "ol", "li", "del"}
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Class names the renderer uses; anything else could borrow the site's own styles.
_LINK_CLASSES = frozenset({"external", "wikilink"})
_MENTION_CLASS = "mention"
_LINK_REL = "nofollow noopener noreferrer"


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """bleach's attribute allow-list, with the values of class/data-user pinned down too.

    href is also checked against ALLOWED_PROTOCOLS by bleach itself, after this.
    """
    if tag == "a":
        if name == "class":
            return value in _LINK_CLASSES or value == _MENTION_CLASS
        if name == "data-user":
            return is_valid_username(value)
        return name in ("href", "title", "rel", "target")
    if tag == "span":
        if name == "class":
            return value == _MENTION_CLASS
        if name == "data-user":
            return is_valid_username(value)
    return False


def is_web_url(href: str) -> bool:
    lowered = href.lstrip().lower()
    return lowered.startswith(("http://", "https://"))


class _LinkPolicyFilter(html5lib_shim.Filter):
    """Runs after bleach's sanitizer: every link gets our rel; web links open a new tab.

    A chat link must not navigate the page that holds the live connection, hence
    target=_blank, and with it noopener/noreferrer so the opened page cannot reach back.
    Values written by anyone else are overwritten, which also keeps sanitize idempotent.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = token["data"]
                attrs[(None, "rel")] = _LINK_REL
                if is_web_url(attrs.get((None, "href"), "")):
                    attrs[(None, "target")] = "_blank"
                else:
                    attrs.pop((None, "target"), None)
            yield token


# bleach documents Cleaner as not thread-safe (its parser keeps state), and rendering runs
# in Channels' thread pool: one cleaner per thread.
_cleaners = threading.local()


def _cleaner() -> Cleaner:
    cleaner = getattr(_cleaners, "cleaner", None)
    if cleaner is None:
        cleaner = Cleaner(
            tags=ALLOWED_TAGS,
            attributes=_allowed_attribute,
            protocols=ALLOWED_PROTOCOLS,
            # Disallowed markup is escaped, not dropped: it shows as the text it was.
            strip=False,
            strip_comments=True,
            filters=[_LinkPolicyFilter],
        )
        _cleaners.cleaner = cleaner
    return cleaner


def sanitize(html: str) -> str:  # the agreed parameter name; it shadows the module only here
    """The allow-list step on its own: tags, attributes and URL schemes not listed go."""
    return _cleaner().clean(html)
