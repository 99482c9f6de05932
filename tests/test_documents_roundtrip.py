"""The export re-imports to the same data, whatever state the admin leaves the rows in: renamed
channels, roles, people, services and teams, custom slot labels, parties whose words are not
their target's name, roles added with a holder. `import_escalation_doc --dry-run` on the export
says there is nothing to change."""

from __future__ import annotations

import re
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from escalation.documents.exporter import export_document
from escalation.documents.importer import import_document
from escalation.management.commands.import_escalation_doc import NOTHING_TO_CHANGE
from escalation.models import (
    Channel,
    EscalationPath,
    EscalationStepParty,
    PagingRule,
    Person,
    Role,
    Rotation,
    Service,
    SeverityResponder,
    Team,
)
from tests import factories

pytestmark = pytest.mark.django_db


def dry_run_of_the_export() -> str:
    """What `import_escalation_doc --dry-run` says about the export, as a user would run it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.md"
        call_command("export_escalation_doc", "--output", str(path), stderr=StringIO())
        out = StringIO()
        call_command("import_escalation_doc", str(path), "--dry-run", stdout=out)
    return out.getvalue()


def assert_round_trips() -> None:
    exported = export_document()
    report = import_document(exported, source="export.md", dry_run=True)
    assert report.changes == [], report.changes
    assert NOTHING_TO_CHANGE in dry_run_of_the_export()


def test_renaming_the_status_page_channel_keeps_sev1_on_it(seeded):
    status_page = Channel.objects.get(name="Status page")
    status_page.name = "Statuspage.io"
    status_page.full_clean()
    status_page.save()
    assert_round_trips()
    import_document(export_document(), source="export.md")
    assert not Channel.objects.filter(name="Status page").exists()
    sev1 = SeverityResponder.objects.get(severity__level=1, tier="communication", position=0)
    assert sev1.channel == status_page


def test_renaming_a_slack_channel_the_matrix_names_keeps_its_responders(seeded):
    Channel.objects.filter(name="#incidents").update(name="#incidents-major")
    assert_round_trips()


def test_a_custom_slot_label_is_exported_with_its_week_and_reimported(seeded):
    rotation = Rotation.objects.get()
    rotation.slots.filter(position=0).update(label="Blue team")
    rotation.slots.filter(position=1).update(label="Odd weeks, really")
    exported = export_document()
    assert "| Blue team (Odd weeks) | Engineer A | Engineer B |" in exported
    assert "| Odd weeks, really (Even weeks) | Engineer C | Engineer D |" in exported
    assert_round_trips()


def test_a_renamed_step_party_keeps_pointing_at_its_role(seeded):
    security_lead = Role.objects.get(name="Security Lead")
    security_lead.name = "Head of Security"
    security_lead.save()
    EscalationStepParty.objects.filter(label="CTO").update(label="Chief technology officer")
    roles = Role.objects.count()
    assert_round_trips()
    import_document(export_document(), source="export.md")
    assert Role.objects.count() == roles
    party = EscalationStepParty.objects.get(label="Security Lead")
    assert party.role == security_lead


def test_renamed_people_stay_the_same_people(seeded):
    Person.objects.filter(display_name="Engineer A").update(display_name="Ada Lovelace")
    person = factories.PersonFactory(display_name="Walter Skinner")
    SeverityResponder.objects.create(
        severity=SeverityResponder.objects.get(severity__level=2, tier="management").severity,
        tier="management",
        position=1,
        kind="person",
        label="Walter Skinner",
        person=person,
    )
    Person.objects.filter(pk=person.pk).update(display_name="Walter S. Skinner")
    assert_round_trips()


def test_a_team_channel_the_services_do_not_use_is_kept(seeded):
    Team.objects.filter(name="Platform Team").update(slack_channel="#platform")
    assert_round_trips()


def test_inner_spaces_of_a_name_are_kept(seeded):
    Role.objects.filter(name="DBA Lead").update(name="DBA\u00a0 Lead")
    assert_round_trips()


def test_a_role_added_in_the_admin_with_a_holder_is_in_the_contact_table(seeded):
    holder = factories.PersonFactory(display_name="Dana Scully", phone="+442079460018")
    Role.objects.create(
        name="Privacy Officer", slug="privacy-officer", slack_alias="@privacy", holder=holder
    )
    Role.objects.filter(name="Security Lead").update(
        holder=factories.PersonFactory(display_name="Fox Mulder", phone="")
    )
    exported = export_document()
    contacts = exported.split("## Contact Information")[1]
    assert "| Privacy Officer | Dana Scully | @privacy | TBD | +44 20 7946 0018 |" in contacts
    assert "| Security Lead | Fox Mulder | TBD | TBD | TBD |" in contacts
    assert "| CTO |" not in contacts  # no holder, not in the table: still TBD elsewhere
    assert_round_trips()
    import_document(exported, source="export.md")
    assert Role.objects.get(name="Privacy Officer").contact_position is None
    assert export_document() == exported


HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "![img](https://example.com/x.png)",
    "Tom &amp; Jerry &lt;b&gt;",
    "*bold* and _em_ and `code` and ~~gone~~",
    "back\\slash \\* and \\",
    "<https://example.com>",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_names_that_markdown_or_html_would_read_as_markup_are_escaped_and_round_trip(seeded, name):
    Person.objects.filter(display_name="Engineer A").update(display_name=f"A {name}")
    Role.objects.filter(name="DBA Lead").update(name=f"R {name}")
    Team.objects.filter(name="Platform Team").update(name=f"T {name}")
    Channel.objects.filter(name="#engineering").update(purpose=f"P {name}", who_posts=name)
    Rotation.objects.get().slots.filter(position=0).update(label=f"S {name}")
    SeverityResponder.objects.filter(label="VP Eng").update(label=f"V {name}")
    Service.objects.filter(name="Authentication").update(name=f"Svc {name}")
    EscalationPath.objects.filter(name="Technical Escalation").update(name=f"Path {name}")
    PagingRule.objects.filter(signal="Single user report").update(signal=f"Sig {name}")
    exported = export_document()
    outside_fences = "\n".join(exported.split("```")[0::2])
    for markup in ("<script", "](javascript:", "[img]", "&amp;", "&lt;", "<https:"):
        assert re.search(r"(?<!\\)" + re.escape(markup), outside_fences) is None
    # Outside the flowcharts (code blocks show text as it is), HTML and link syntax from a
    # name is always behind a backslash; the format's own emphasis uses none of them.
    for index, char in enumerate(outside_fences):
        if char in "<&[]~":
            assert outside_fences[index - 1] == "\\", outside_fences[index - 20 : index + 20]
    if "*bold*" in name:
        assert "A \\*bold\\* and \\_em\\_ and \\`code\\` and \\~\\~gone\\~\\~" in exported
    assert_round_trips()
