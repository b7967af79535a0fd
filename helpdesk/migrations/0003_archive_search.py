"""The archives' structures (helpdesk.search):

- PostgreSQL: the search table helpdesk_message_search (message id, room, hidden,
  to_tsvector('simple', body)), the triggers that keep it in sync with the messages, its
  GIN and (room_id, message_id) indexes, filled from the existing messages; indexes are
  built CONCURRENTLY (hence a non-atomic migration: the chat keeps writing meanwhile);
- SQLite: an external-content FTS5 table over the messages and the triggers that keep it
  in sync, filled from the existing messages.

Nothing here changes Django's model state; the same function runs again after every
migrate (helpdesk.search.restore_after_migrate), since SQLite loses triggers and custom
indexes whenever a migration rebuilds the message table.
"""

from django.db import migrations


def create(apps, schema_editor):
    from helpdesk.search import ensure_structures

    ensure_structures(schema_editor.connection)


def drop(apps, schema_editor):
    from helpdesk.search import drop_structures

    drop_structures(schema_editor.connection)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("helpdesk", "0002_helper_samples"),
        ("livechat", "0006_notification_question_kinds"),
    ]

    operations = [migrations.RunPython(create, drop, atomic=False)]
