"""Three foreign keys lose the single-column index Django gave them: a composite index that
starts with the same column already serves every lookup by it (and the cascades), and each
new message paid one insert more into each (docs/benchmarks.md section 11).

Only the indexes are dropped. Django's own AlterField would also drop and re-add each
foreign key constraint on PostgreSQL, and re-adding one checks every row of the table
while writes wait; the constraints do not change, so they are left alone. The names are
the ones Django gave the indexes, the same on every database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('livechat', '0008_verbose_names'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in [
                    ("livechat_message_room_id_21978bd9", "livechat_message", "room_id"),
                    (
                        "livechat_messagerevision_message_id_f99868f0",
                        "livechat_messagerevision",
                        "message_id",
                    ),
                    ("livechat_roomevent_room_id_a54f74e0", "livechat_roomevent", "room_id"),
                ]
            ],
            state_operations=[
                migrations.AlterField(
                    model_name='message',
                    name='room',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='livechat.room', verbose_name='room'),
                ),
                migrations.AlterField(
                    model_name='messagerevision',
                    name='message',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='livechat.message'),
                ),
                migrations.AlterField(
                    model_name='roomevent',
                    name='room',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='livechat.room'),
                ),
            ],
        ),
    ]
