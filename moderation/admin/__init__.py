"""The moderators' admin: blocks, messages (revisions, diffs, hiding), reports, the logs
and abuse filters. Importing the package registers them all on the admin site.

Every write goes through the same actions as the chat (moderation.actions,
moderation.filters), so the moderation log, the room's event log and the live broadcast
cannot be skipped from here: the stock add/change/delete forms are closed, custom views
call the actions, and ``save_model``/``delete_model`` refuse as a backstop.
"""

from . import abuse_filters, blocks, logs, messages, reports

__all__ = ["abuse_filters", "blocks", "logs", "messages", "reports"]
