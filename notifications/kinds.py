"""The notification kinds that can be mailed, and the words for each.

Mailed: what someone waiting for help needs to know when they are away: a reply, a
mention, a helper taking the question, the question resolved, the one reminder to mark it
resolved. Not mailed: thanks (nice, not urgent) and the helpers' "a question is waiting"
(the help desk reaches helpers who are online; a mail minutes later would not help).

Each kind has its own whole sentences (no sentence is put together from translated
pieces), so every language can place the names where it needs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from livechat.models import Notification


@dataclass(frozen=True)
class EmailKind:
    kind: str
    # On the settings page, next to its checkbox.
    label: Promise
    # One line of the email; placeholders %(actor)s and %(room)s.
    sentence: Promise
    # The email's link that stops this kind (and the confirmation page's button).
    stop: Promise


K = Notification.Kind

EMAIL_KINDS: dict[str, EmailKind] = {
    kind.kind: kind
    for kind in [
        EmailKind(
            K.REPLY,
            _("Replies to you and to your questions"),
            _("%(actor)s replied in %(room)s"),
            _("Stop emails about replies"),
        ),
        EmailKind(
            K.MENTION,
            _("Mentions of your name"),
            _("%(actor)s mentioned you in %(room)s"),
            _("Stop emails about mentions"),
        ),
        EmailKind(
            K.CLAIMED,
            _("A helper taking on your question"),
            _("%(actor)s is looking into your question in %(room)s"),
            _("Stop emails about helpers taking on your questions"),
        ),
        EmailKind(
            K.RESOLVED,
            _("Your question marked resolved"),
            _("%(actor)s marked your question in %(room)s resolved"),
            _("Stop emails about resolved questions"),
        ),
        EmailKind(
            K.REMINDER,
            _("A reminder to mark an answered question resolved"),
            _(
                "Your question in %(room)s has an answer. If it solved your problem, "
                "please mark the question resolved."
            ),
            _("Stop reminders about answered questions"),
        ),
    ]
}


def mailable(kind: str) -> bool:
    return kind in EMAIL_KINDS


def clean_kinds(kinds: object) -> list[str]:
    """The mailable kinds among ``kinds`` (from a token or a form), in the order above."""
    wanted = set(kinds) if isinstance(kinds, list | tuple | set | frozenset) else set()
    return [kind for kind in EMAIL_KINDS if kind in wanted]
