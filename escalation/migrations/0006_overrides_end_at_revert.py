"""A revert ends an override at that instant instead of erasing it: overrides reverted while under
way are cut at their revert, and on PostgreSQL the no-overlap constraint covers every override in
effect (never reverted, or reverted once it had ended)."""

from django.db import migrations
from django.db.models import F

DROP_SQL = "ALTER TABLE escalation_override DROP CONSTRAINT IF EXISTS override_no_overlap;"

EXCLUSION_SQL = """
ALTER TABLE escalation_override ADD CONSTRAINT override_no_overlap
    EXCLUDE USING gist (
        rotation_id WITH =,
        tier WITH =,
        tstzrange(start, "end", '[)') WITH &&
    ) WHERE (reverted_at IS NULL OR reverted_at >= "end");
"""

PREVIOUS_EXCLUSION_SQL = EXCLUSION_SQL.replace(' OR reverted_at >= "end"', "")


def cut_at_revert(apps, schema_editor):
    Override = apps.get_model("escalation", "Override")
    Override.objects.filter(start__lt=F("reverted_at"), end__gt=F("reverted_at")).update(
        end=F("reverted_at")
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)
        schema_editor.execute(EXCLUSION_SQL)


def previous_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)
        schema_editor.execute(PREVIOUS_EXCLUSION_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0005_swap_event_actions"),
    ]

    operations = [
        migrations.RunPython(cut_at_revert, previous_constraint),
    ]
