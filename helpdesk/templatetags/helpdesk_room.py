"""What a help room's banner (templates/helpdesk/room_banner.html) shows besides the
scripts' sentences: the wiki's help pages and where notifications are set up."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse

register = template.Library()

# The notification settings page (the notifications app); its path, should the app not
# have registered its pages (a trimmed deployment).
NOTIFICATION_SETTINGS_PATH = "/notifications/settings/"


@register.simple_tag
def help_pages() -> list[tuple[str, str]]:
    """LIVECHAT_HELP_PAGES as (title, url), the titles in the reader's language."""
    return [(str(title), url) for title, url in settings.LIVECHAT_HELP_PAGES]


@register.simple_tag
def notification_settings_url() -> str:
    try:
        return reverse("livechat:notifications-settings")
    except NoReverseMatch:
        return NOTIFICATION_SETTINGS_PATH


@register.simple_tag
def suggest_min_words() -> int:
    """The words an asker's draft needs before help is suggested (help while waiting)."""
    return settings.LIVECHAT_SUGGEST_MIN_WORDS
