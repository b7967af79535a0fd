"""The variables a rule can read: the one place that lists them.

The parser rejects any other name at compile time, and the admin UI shows these
descriptions next to the rule editor. The caller (the moderation guard) computes the
values; :attr:`Rule.variables` tells it which ones a rule actually reads.
"""

from __future__ import annotations

from types import MappingProxyType

VARIABLES: MappingProxyType[str, str] = MappingProxyType(
    {
        "text": "The message text as sent (after an edit: the new text).",
        "old_text": 'The text before an edit; "" when a message is first sent.',
        "action": 'What the user is doing: "send" (new message) or "edit".',
        "room": "The slug of the room the message is written in.",
        "user_name": "The author's user name.",
        "user_age": "Seconds since the author's account was created.",
        "user_message_count": "How many messages the author has written before.",
        "user_groups": 'The author\'s groups, as a list of names (e.g. ["moderators"]).',
        "added_links": "URLs in the message that were not in the old text (a list).",
        "mention_count": "How many @mentions the message contains.",
    }
)
