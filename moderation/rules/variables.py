"""The variables a rule can read: the one place that lists them.

The parser rejects any other name at compile time, and the admin UI shows these
descriptions next to the rule editor. The caller (the moderation guard) computes the
values; :attr:`Rule.variables` tells it which ones a rule actually reads.
"""

from __future__ import annotations

from types import MappingProxyType

from .i18n import gettext_lazy

# Descriptions are translated when shown (gettext_lazy).
VARIABLES: MappingProxyType[str, str] = MappingProxyType(
    {
        "text": gettext_lazy("The message text as sent (after an edit: the new text)."),
        "old_text": gettext_lazy('The text before an edit; "" when a message is first sent.'),
        "action": gettext_lazy('What the user is doing: "send" (new message) or "edit".'),
        "room": gettext_lazy("The slug of the room the message is written in."),
        "user_name": gettext_lazy("The author's user name."),
        "user_age": gettext_lazy("Seconds since the author's account was created."),
        "user_message_count": gettext_lazy("How many messages the author has written before."),
        "user_groups": gettext_lazy(
            'The author\'s groups, as MediaWiki lists them: "*" (everyone), "user" (every '
            'signed-in account), then each role: "mentor", "moderator" (e.g. ["*", "user", '
            '"moderator"]).'
        ),
        "added_links": gettext_lazy("URLs in the message that were not in the old text (a list)."),
        "mention_count": gettext_lazy(
            "How many @mentions (@Name or @[Name]) the message contains, repeats included."
        ),
    }
)
