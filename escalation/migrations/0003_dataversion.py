"""The data version: one row, created here, that cached pages are keyed by."""

from django.db import migrations, models

VERSION_ROW = 1  # escalation.models.cache.VERSION_ROW


def create_row(apps, schema_editor):
    DataVersion = apps.get_model("escalation", "DataVersion")
    DataVersion.objects.get_or_create(pk=VERSION_ROW, defaults={"value": 1})


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0002_override_exclusion_and_managers"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.PositiveBigIntegerField(default=1)),
            ],
            options={"verbose_name": "data version"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
