"""The variables a rule can read: the one place that lists them.

Two families, both computed by the caller (the moderation guard, ``moderation.filters``):

* the chat's own names (``text``, ``old_text``, ``room``, ``mention_count``...), and
* AbuseFilter's names where they mean something for a chat message (``new_wikitext``,
  ``added_lines``, ``user_editcount``...), so a filter pasted from the wiki works here and
  means the same (docs/abuse-filters.md has the table).

AbuseFilter's other built-in names (``page_namespace``, ``moved_to_title``, ``summary``...)
describe things a chat message does not have. They are in ``UNSUPPORTED``: the parser
refuses a rule that reads one when it is saved, naming it, rather than let a pasted filter
silently read nothing. Any other unknown name is refused too, as AbuseFilter refuses it.
"""

from __future__ import annotations

from types import MappingProxyType

from .i18n import gettext_lazy

# Descriptions are translated when shown (gettext_lazy).
VARIABLES: MappingProxyType[str, str] = MappingProxyType(
    {
        # The chat's own names.
        "text": gettext_lazy("The message text as sent (after an edit: the new text)."),
        "old_text": gettext_lazy('The text before an edit; "" when a message is first sent.'),
        "action": gettext_lazy('What the user is doing: "send" (new message) or "edit".'),
        "room": gettext_lazy("The slug of the room the message is written in."),
        "user_name": gettext_lazy("The author's user name."),
        "user_age": gettext_lazy("Seconds since the author's account was created."),
        "user_message_count": gettext_lazy("How many messages the author has written before."),
        "user_groups": gettext_lazy(
            'The author\'s groups, as MediaWiki lists them: "*" (everyone), "user" (every '
            'signed-in account), each chat role ("mentor", "moderator"), then the groups of '
            'their wiki account when they signed in with it (e.g. ["*", "user", '
            '"autoconfirmed"]).'
        ),
        "added_links": gettext_lazy("URLs in the message that were not in the old text (a list)."),
        "mention_count": gettext_lazy(
            "How many @mentions (@Name or @[Name]) the message contains, repeats included."
        ),
        # AbuseFilter's names, with the meaning they have for a chat message.
        "new_wikitext": gettext_lazy("AbuseFilter's name for the message text (the same as text)."),
        "old_wikitext": gettext_lazy(
            "AbuseFilter's name for the text before an edit (the same as old_text)."
        ),
        "added_lines": gettext_lazy(
            "The lines the message adds (a list): every line of a new message; after an "
            "edit, the lines that were not there before."
        ),
        "removed_lines": gettext_lazy(
            "The lines an edit removed (a list); [] when a message is first sent."
        ),
        "new_size": gettext_lazy(
            "The size of the message text in bytes (UTF-8), as AbuseFilter counts."
        ),
        "old_size": gettext_lazy(
            "The size of the text before an edit in bytes; 0 for a new message."
        ),
        "edit_delta": gettext_lazy("new_size - old_size: how many bytes the message adds."),
        "all_links": gettext_lazy("Every URL in the message (a list)."),
        "old_links": gettext_lazy("Every URL in the text before an edit (a list)."),
        "removed_links": gettext_lazy("URLs the edit removed (a list)."),
        "user_editcount": gettext_lazy(
            "The author's edit count on the wiki, as of their last sign-in with the wiki "
            "account; null for an account that never signed in with the wiki."
        ),
        "user_emailconfirm": gettext_lazy(
            "When the author confirmed their email address for the chat's notifications, as "
            "MediaWiki writes times (20261206143000); null if they have not."
        ),
        "page_title": gettext_lazy("The title of the room the message is written in."),
        "timestamp": gettext_lazy(
            "When the message is written: seconds since 1970 as text, as AbuseFilter gives it."
        ),
    }
)

# The chat's names that AbuseFilter does not have (``old_text`` is one of its disabled
# names, so it stays unassignable as there). In AbuseFilter, ``text := 'x'`` makes a user
# variable, so a rule may assign these: from the assignment on, the name is the rule's own
# variable; a read before any assignment still gets the chat's value (an addition).
CHAT_ONLY: frozenset[str] = frozenset({"text", "room", "user_message_count", "mention_count"})

# AbuseFilter's built-in variables (KeywordsManager, MediaWiki 1.39, with its deprecated
# and disabled names) that mean nothing for a chat message. ``old_text`` is disabled in
# AbuseFilter and the chat's own variable here, so it is not listed.
UNSUPPORTED: frozenset[str] = frozenset(
    {
        "accountname", "edit_diff", "edit_diff_pst", "new_content_model",
        "old_content_model", "summary", "page_id", "page_namespace", "page_prefixedtitle",
        "page_age", "moved_from_id", "moved_from_namespace", "moved_from_title",
        "moved_from_prefixedtitle", "moved_from_age", "moved_to_id", "moved_to_namespace",
        "moved_to_title", "moved_to_prefixedtitle", "moved_to_age", "user_rights",
        "user_blocked", "new_pst", "added_lines_pst", "new_text", "new_html",
        "page_restrictions_edit", "page_restrictions_move", "page_restrictions_create",
        "page_restrictions_upload", "page_recent_contributors", "page_first_contributor",
        "moved_from_restrictions_edit", "moved_from_restrictions_move",
        "moved_from_restrictions_create", "moved_from_restrictions_upload",
        "moved_from_recent_contributors", "moved_from_first_contributor",
        "moved_to_restrictions_edit", "moved_to_restrictions_move",
        "moved_to_restrictions_create", "moved_to_restrictions_upload",
        "moved_to_recent_contributors", "moved_to_first_contributor", "file_sha1",
        "file_size", "file_mime", "file_mediatype", "file_width", "file_height",
        "file_bits_per_channel", "wiki_name", "wiki_language", "old_html", "minor_edit",
        "article_text", "article_prefixedtext", "article_namespace", "article_articleid",
        "article_restrictions_edit", "article_restrictions_move",
        "article_restrictions_create", "article_restrictions_upload",
        "article_recent_contributors", "article_first_contributor", "moved_from_text",
        "moved_from_prefixedtext", "moved_from_articleid", "moved_to_text",
        "moved_to_prefixedtext", "moved_to_articleid",
    }
)  # fmt: skip
