"""A prefix index for @mention completion on PostgreSQL.

Completion asks `upper(username) COLLATE "C" LIKE 'AL%' ORDER BY upper(username) COLLATE "C"
LIMIT 10`. Under the database's linguistic collation PostgreSQL could use a btree index
for neither the LIKE prefix nor that order; in the C collation one index serves both, so
the query stops after ten index entries however many names share the prefix. SQLite
(development) needs nothing.
"""

from django.db import migrations

INDEX = "user_username_upper_prefix_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON accounts_user "
            '(UPPER(username::text) COLLATE "C")'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(create, drop)]
