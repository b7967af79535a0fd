from django.db import migrations

# Frozen on purpose, as migrations are: the group names accounts.roles defines (MENTOR.group,
# MODERATOR.group) as they were when this ran. Renaming a role's group takes a new
# migration that renames the Group row.
ROLE_GROUPS = ["Mentors", "Moderators"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
