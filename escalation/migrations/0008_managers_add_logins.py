"""Escalation managers add plain logins and link them to People: view, add and change users.

The admin (escalation/admin/logins.py) keeps rights out of their hands: they never see staff,
superuser, group or permission fields, and cannot change an account that has any of them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGERS_GROUP = "Escalation managers"
LOGIN_PERMISSIONS = ["view_user", "add_user", "change_user"]


def _login_permissions(apps):
    # Permissions are normally created after all migrations; the group needs them now.
    app_config = apps.get_app_config("auth")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="auth", codename__in=LOGIN_PERMISSIONS)


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    group.permissions.add(*_login_permissions(apps))


def withdraw(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=MANAGERS_GROUP):
        group.permissions.remove(*_login_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0007_nothing_cleared_silently"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, withdraw)]
