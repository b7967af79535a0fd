"""A person's choice about their name in the public archives (``User.name_in_archives``):
the wiki's monthly transcript pages (helpdesk.wiki_archive) and the help rooms' day
transcripts (helpdesk.archive) show people who opted out as "Anonymous 1", "Anonymous 2"…
(docs/wiki.md "Monthly archive pages")."""

from __future__ import annotations

from .models import User


def set_name_in_archives(*, user: User, shown: bool) -> None:
    """Show (or stop showing) ``user``'s name in the public archives from their next
    rewrite on. One statement: the choice touches nothing else of the account."""
    User.objects.filter(pk=user.pk).update(name_in_archives=shown)
    user.name_in_archives = shown
