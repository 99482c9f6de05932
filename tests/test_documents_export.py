"""Exporting the escalation document: the seed comes back byte for byte, what a manager filled in
shows instead of TBD, and an export re-imports to the same rows and the same text."""

import re
from datetime import date, time
from io import StringIO

import pytest
from django.core.management import call_command

from escalation.documents.exporter import export_document
from escalation.documents.importer import import_document
from escalation.models import (
    Channel,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    PagingAction,
    PagingRule,
    PartyKind,
    ResponderTier,
    Role,
    Rotation,
    RotationSlot,
    Service,
    Severity,
    SeverityResponder,
    SlotRule,
    Team,
    Via,
    Weekday,
)
from tests import factories
from tests.conftest import SEED_DOCUMENT

pytestmark = pytest.mark.django_db

SEED = SEED_DOCUMENT.read_text(encoding="utf-8")
EXPORT_QUERIES = 12


def structure(text: str) -> list[tuple]:
    """Headings, table rows (cells without emphasis or backticks) and flowcharts, in order."""
    items: list[tuple] = []
    fence: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("```"):
            if fence is None:
                fence = []
            else:
                items.append(("flowchart", tuple(fence)))
                fence = None
        elif fence is not None:
            fence.append(line)
        elif line.startswith("#"):
            items.append(("heading", line))
        elif line.startswith("|") and not re.fullmatch(r"[|\-: ]+", line):
            cells = line.strip().strip("|").split("|")
            items.append(("row", tuple(re.sub(r"[*_`]", "", c).strip() for c in cells)))
    return items


def wipe() -> None:
    """Every escalation row but people, in an order the protecting foreign keys accept."""
    for model in (
        SeverityResponder,
        EscalationStepParty,
        EscalationStep,
        EscalationPath,
        PagingRule,
        Service,
        RotationSlot,
        Rotation,
        Severity,
        Role,
        Channel,
        Team,
    ):
        model.objects.all().delete()


def test_export_of_the_imported_seed_is_the_seed_byte_for_byte(seeded):
    assert export_document() == SEED


def test_export_of_the_imported_seed_has_its_sections_tables_and_flowcharts(seeded):
    exported = structure(export_document())
    assert exported == structure(SEED)
    assert ("row", ("SEV1", "On-call engineer (PagerDuty)", "Backend lead + Frontend lead",
                    "Engineering Manager + VP Eng", "Status page + #incidents")) in exported  # fmt: skip
    assert len([item for item in exported if item[0] == "flowchart"]) == 3


def test_a_filled_in_holder_shows_name_and_phone_and_reimports_cleanly(seeded):
    dana = factories.PersonFactory(display_name="Dana Scully", phone="+442079460018")
    Role.objects.filter(name="DBA Lead").update(holder=dana)
    exported = export_document()
    assert "| DBA Lead | Dana Scully | @dba-lead | @dba-lead | +44 20 7946 0018 |" in exported
    assert "| DevOps Lead | TBD | @devops-lead | @devops-lead | TBD |" in exported
    report = import_document(exported, source="export.md")
    assert not report.changed
    assert Role.objects.get(name="DBA Lead").holder == dana
    assert export_document() == exported


def test_a_holder_without_phone_shows_the_name_and_tbd(seeded):
    Role.objects.filter(name="VP of Engineering").update(
        holder=factories.PersonFactory(display_name="Walter Skinner", phone="")
    )
    assert "| VP of Engineering | Walter Skinner | @vp-eng | @vp-eng | TBD |" in export_document()


def test_the_placeholder_note_goes_once_nothing_in_the_contact_table_is_tbd(seeded):
    assert "_Replace placeholders with actual team contacts._" in export_document()
    for number, role in enumerate(Role.objects.filter(contact_position__isnull=False)):
        role.holder = factories.PersonFactory(phone=f"+4420794600{number:02d}")
        role.save()
    exported = export_document()
    assert "Replace placeholders" not in exported
    assert not import_document(exported, source="export.md").changed


def edit_everything_the_document_can_say() -> None:
    """What a manager might do in the admin: every kind of party, condition and cadence."""
    dana = factories.PersonFactory(display_name="Dana Scully", phone="+442079460018")
    Role.objects.filter(name="DBA Lead").update(holder=dana)
    Role.objects.filter(name="Frontend Tech Lead").update(
        holder=factories.PersonFactory(display_name="Fox Mulder", phone="")
    )
    sev2, sev3, sev4 = (Severity.objects.get(level=level) for level in (2, 3, 4))
    SeverityResponder.objects.create(
        severity=sev2,
        tier=ResponderTier.MANAGEMENT,
        position=1,
        kind=PartyKind.PERSON,
        label="Walter Skinner",
        person=factories.PersonFactory(display_name="Walter Skinner"),
    )
    SeverityResponder.objects.filter(severity=sev3, tier=ResponderTier.SECONDARY).update(
        kind=PartyKind.ROLE,
        label="Backend lead",
        role=Role.objects.get(name="Backend Tech Lead"),
        via=Via.PHONE,
    )
    SeverityResponder.objects.create(
        severity=sev4,
        tier=ResponderTier.MANAGEMENT,
        kind=PartyKind.EXTERNAL,
        label="Vendor hotline",
    )
    last = EscalationStep.objects.get(path__name="Technical Escalation", position=3)
    last.only_severities.add(Severity.objects.get(level=2))
    last.after_minutes = 15
    last.save()
    rotation = Rotation.objects.get()
    rotation.slot_rule = SlotRule.ALTERNATION
    rotation.anchor_date = date(2026, 1, 2)
    rotation.shift_days = 14
    rotation.handoff_weekday = Weekday.FRIDAY
    rotation.handoff_time = time(17, 30)
    rotation.time_zone = "Europe/Berlin"
    rotation.swap_channel = ""
    rotation.save()
    rotation.slots.filter(position=0).update(label="Blue team", week_parity="")
    rotation.slots.filter(position=1).update(label="Green team", week_parity="", secondary=None)
    Channel.objects.filter(name="#engineering").update(purpose="Post-incident summaries | retros")
    Service.objects.filter(name="Redis / Caching").update(primary_contact=None, slack_channel="")
    factories.PagingRuleFactory(
        signal="Disk almost full",
        action=PagingAction.PAGE_IF_SUSTAINED,
        sustained_minutes=10,
        channel=factories.ChannelFactory(name="#ops", slug="ops", position=None),
        alternative_channel=Channel.objects.get(name="PagerDuty"),
        position=7,
    )


def test_everything_a_manager_edits_is_exported_in_the_documents_words(seeded):
    edit_everything_the_document_can_say()
    exported = export_document()
    for text in [
        "| DBA Lead | Dana Scully | @dba-lead | @dba-lead | +44 20 7946 0018 |",
        "| Frontend Tech Lead | Fox Mulder | @frontend-lead | @frontend-lead | TBD |",
        "| **SEV2** | On-call engineer (PagerDuty) | Relevant team lead | "
        "Engineering Manager + Walter Skinner | #incidents |",
        "| **SEV3** | On-call engineer (Slack) | Backend lead (Phone) | _Not required_ |",
        "| **SEV4** | Team responsible for service | _Not required_ | Vendor hotline | Ticket only |",
        "VP of Engineering (SEV1/SEV2 only, if not resolved within 15 minutes)",
        "**Rotation cadence:** Every 2 weeks, handoff on Friday 17:30 Europe/Berlin, "
        "alternating from 2026-01-02",
        "| Blue team | Engineer A | Engineer B |",
        "| Green team | Engineer C | TBD |",
        "| `#engineering` | Post-incident summaries \\| retros | Incident commander |",
        "| Redis / Caching | Platform Team | TBD | TBD |",
        "| Disk almost full | Page if sustained > 10 min | #ops or PagerDuty |",
    ]:
        assert text in exported
    assert "Override requests" not in exported


def test_an_export_reimports_to_the_same_rows_and_exports_the_same_bytes(seeded):
    edit_everything_the_document_can_say()
    exported = export_document()
    report = import_document(exported, source="export.md")
    assert report.changes == []
    assert export_document() == exported


def test_an_export_imported_into_a_database_of_only_people_exports_the_same_bytes(seeded):
    # People stay: a name in the severity matrix that is no role, alias or channel must be a
    # person the directory knows (else it is refused as unknown, like a mistyped alias).
    edit_everything_the_document_can_say()
    exported = export_document()
    wipe()
    assert Role.objects.count() == 0
    import_document(exported, source="export.md")
    assert export_document() == exported
    skinner = SeverityResponder.objects.get(label="Walter Skinner")
    assert skinner.kind == PartyKind.PERSON
    assert SeverityResponder.objects.get(label="Vendor hotline").kind == PartyKind.EXTERNAL
    assert Rotation.objects.get().slot_rule == SlotRule.ALTERNATION


def test_export_takes_a_fixed_number_of_queries_however_much_data(
    seeded, django_assert_num_queries
):
    with django_assert_num_queries(EXPORT_QUERIES):
        export_document()
    team = Team.objects.first()
    for number in range(30):
        role = factories.RoleFactory(contact_position=100 + number)
        factories.ServiceFactory(team=team, primary_contact=role, position=100 + number)
        factories.PagingRuleFactory(channel=Channel.objects.get(name="PagerDuty"))
    for number in range(5):
        path = factories.EscalationPathFactory(position=10 + number)
        for position in range(3):
            step = EscalationStep.objects.create(path=path, position=position)
            step.only_severities.add(Severity.objects.get(level=1))
            EscalationStepParty.objects.create(
                step=step, position=0, kind=PartyKind.ONCALL_PRIMARY, label="On-call"
            )
    with django_assert_num_queries(EXPORT_QUERIES):
        export_document()


def test_export_of_an_empty_database_reimports(db):
    exported = export_document()
    assert exported.startswith("# Escalation Contacts\n\n## Contact Matrix by Severity\n")
    report = import_document(exported, source="empty.md")
    assert not report.changed
    assert export_document() == exported


def test_command_writes_to_stdout_by_default(seeded):
    out = StringIO()
    call_command("export_escalation_doc", stdout=out)
    assert out.getvalue() == SEED


def test_command_writes_to_a_file_with_output(seeded, tmp_path):
    path = tmp_path / "out.md"
    err = StringIO()
    call_command("export_escalation_doc", "--output", str(path), stderr=err)
    assert path.read_bytes() == SEED_DOCUMENT.read_bytes()
    assert str(path) in err.getvalue()
