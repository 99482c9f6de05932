"""PostgreSQL: overrides in effect cannot overlap for one rotation and tier. Everywhere: the
"Escalation managers" group, with the permissions to edit contacts and decide swap requests."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGERS_GROUP = "Escalation managers"

EDITABLE_MODELS = [
    "person",
    "team",
    "role",
    "channel",
    "severity",
    "severityresponder",
    "service",
    "escalationpath",
    "escalationstep",
    "escalationstepparty",
    "pagingrule",
    "rotation",
    "rotationslot",
    "override",
]

EXCLUSION_SQL = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE escalation_override ADD CONSTRAINT override_no_overlap
    EXCLUDE USING gist (
        rotation_id WITH =,
        tier WITH =,
        tstzrange(start, "end", '[)') WITH &&
    ) WHERE (reverted_at IS NULL);
"""


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXCLUSION_SQL)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE escalation_override DROP CONSTRAINT IF EXISTS override_no_overlap;"
        )


def create_managers_group(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    app_config = apps.get_app_config("escalation")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    codenames = [
        f"{action}_{model}"
        for model in EDITABLE_MODELS
        for action in ("add", "change", "delete", "view")
    ]
    codenames += ["view_swaprequest", "change_swaprequest", "decide_swaprequest"]
    codenames += ["view_swaprequestevent", "view_outgoingmessage"]
    permissions = Permission.objects.filter(
        content_type__app_label="escalation", codename__in=codenames
    )
    group.permissions.set(permissions)


def delete_managers_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MANAGERS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(add_exclusion, drop_exclusion),
        migrations.RunPython(create_managers_group, delete_managers_group),
    ]
