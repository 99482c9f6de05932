"""Importing the escalation document: every table of the seed lands in the right rows, twice
changes nothing, and a malformed document is refused with `PATH:LINE: message`, leaving the
database exactly as it was."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import IntegrityError

from escalation.documents import change_set, errors
from escalation.documents.errors import DocumentError
from escalation.documents.format import PAGING_ACTION_CHOICES
from escalation.documents.importer import import_document
from escalation.management.commands import import_escalation_doc as command
from escalation.models import (
    Channel,
    ChannelKind,
    EscalationPath,
    PagingAction,
    PagingRule,
    PartyKind,
    PathKind,
    Person,
    ResponderTier,
    Role,
    Rotation,
    Service,
    Severity,
    SeverityResponder,
    SlotRule,
    Team,
    Via,
    Weekday,
    WeekParity,
)
from escalation.models.validators import SLACK_CHANNEL_MESSAGE, SLACK_HANDLE_MESSAGE
from tests.conftest import SEED_DOCUMENT

pytestmark = pytest.mark.django_db

SEED = SEED_DOCUMENT.read_text(encoding="utf-8")
SOURCE = "docs/escalation.md"


def edited(*replacements: tuple[str, str]) -> str:
    """The seed with each `old` text (found exactly once) replaced by `new`."""
    text = SEED
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def database_state() -> dict[str, list[dict]]:
    """Every row of every escalation model (history included), users and groups."""
    models = [*apps.get_app_config("escalation").get_models(), User, Group]
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values()) for model in models
    }


def responders(level: int, tier: str) -> list[SeverityResponder]:
    return list(
        SeverityResponder.objects.filter(severity__level=level, tier=tier)
        .select_related("role", "channel")
        .order_by("position")
    )


def steps(path_kind: str) -> list:
    path = EscalationPath.objects.get(kind=path_kind)
    return list(path.steps.order_by("position").prefetch_related("parties", "only_severities"))


# --- The seed, table by table ---------------------------------------------------------------


def test_seed_severity_matrix_sev1_names_every_party_of_every_tier(seeded):
    (primary,) = responders(1, ResponderTier.PRIMARY)
    assert (primary.kind, primary.label, primary.via) == (
        PartyKind.ONCALL_PRIMARY,
        "On-call engineer",
        Via.PAGERDUTY,
    )
    backend, frontend = responders(1, ResponderTier.SECONDARY)
    assert (backend.label, backend.role.name) == ("Backend lead", "Backend Tech Lead")
    assert (frontend.label, frontend.role.name) == ("Frontend lead", "Frontend Tech Lead")
    manager, vp = responders(1, ResponderTier.MANAGEMENT)
    assert (manager.kind, manager.role.name) == (PartyKind.ROLE, "Engineering Manager")
    assert (vp.label, vp.role.name, vp.role.slack_alias) == (
        "VP Eng",
        "VP of Engineering",
        "@vp-eng",
    )
    status, incidents = responders(1, ResponderTier.COMMUNICATION)
    assert (status.kind, status.channel.name, status.channel.kind) == (
        PartyKind.CHANNEL,
        "Status page",
        ChannelKind.STATUS_PAGE,
    )
    assert status.channel.position is None
    assert incidents.channel.name == "#incidents"


def test_seed_sev2_management_is_the_engineering_manager_role(seeded):
    (management,) = responders(2, ResponderTier.MANAGEMENT)
    assert management.kind == PartyKind.ROLE
    assert management.role == Role.objects.get(name="Engineering Manager")
    (secondary,) = responders(2, ResponderTier.SECONDARY)
    assert (secondary.kind, secondary.label) == (PartyKind.SERVICE_TEAM_LEAD, "Relevant team lead")


def test_seed_sev3_pages_on_call_through_slack_and_needs_no_management(seeded):
    (primary,) = responders(3, ResponderTier.PRIMARY)
    assert (primary.kind, primary.via) == (PartyKind.ONCALL_PRIMARY, Via.SLACK)
    assert responders(3, ResponderTier.MANAGEMENT) == []
    assert [r.channel.name for r in responders(3, ResponderTier.COMMUNICATION)] == [
        "#incidents-low"
    ]


def test_seed_sev4_secondary_and_management_are_not_required(seeded):
    assert responders(4, ResponderTier.SECONDARY) == []
    assert responders(4, ResponderTier.MANAGEMENT) == []
    (primary,) = responders(4, ResponderTier.PRIMARY)
    assert (primary.kind, primary.label) == (PartyKind.SERVICE_TEAM, "Team responsible for service")
    (ticket,) = responders(4, ResponderTier.COMMUNICATION)
    assert (ticket.label, ticket.channel.name, ticket.channel.kind, ticket.via) == (
        "Ticket only",
        "Ticket",
        ChannelKind.TICKET,
        Via.TICKET,
    )


def test_seed_rotation_is_weekly_monday_0900_utc_by_iso_week_parity(seeded):
    rotation = Rotation.objects.get()
    assert rotation.shift_days == 7
    assert rotation.handoff_weekday == Weekday.MONDAY
    assert rotation.handoff_time.isoformat() == "09:00:00"
    assert rotation.time_zone == "UTC"
    assert rotation.slot_rule == SlotRule.ISO_WEEK_PARITY
    assert rotation.schedule_note == "Managed in PagerDuty"
    assert rotation.swap_channel == "#on-call-swap"
    odd, even = rotation.slots.order_by("position").select_related("primary", "secondary")
    assert (odd.label, odd.week_parity, odd.position) == ("Odd weeks", WeekParity.ODD, 0)
    assert (odd.primary.display_name, odd.secondary.display_name) == ("Engineer A", "Engineer B")
    assert (even.label, even.week_parity, even.position) == ("Even weeks", WeekParity.EVEN, 1)
    assert (even.primary.display_name, even.secondary.display_name) == ("Engineer C", "Engineer D")


def test_seed_database_service_belongs_to_platform_team_with_dba_lead(seeded):
    service = Service.objects.select_related("team", "primary_contact").get(
        name="Database (PostgreSQL)"
    )
    assert service.team.name == "Platform Team"
    assert service.team.slack_channel == "#team-platform"
    assert service.primary_contact.name == "DBA Lead"
    assert service.slack_channel == "#team-platform"
    assert list(Service.objects.values_list("name", flat=True)) == [
        "Backend API (FastAPI)",
        "Frontend (React)",
        "Database (PostgreSQL)",
        "Redis / Caching",
        "CI/CD Pipeline",
        "Authentication",
        "Infrastructure / Cloud",
        "Third-party integrations",
    ]
    assert set(Team.objects.values_list("name", "slack_channel")) == {
        ("Backend Team", "#team-backend"),
        ("Frontend Team", "#team-frontend"),
        ("Platform Team", "#team-platform"),
    }


def test_seed_service_contacts_missing_from_contact_table_become_tbd_roles(seeded):
    owner = Role.objects.get(name="Auth Module Owner")
    assert owner.holder is None
    assert owner.slug == "auth-module-owner"
    assert owner.contact_position is None
    assert owner.team.name == "Backend Team"


def test_seed_technical_path_ends_with_vp_only_for_sev1_after_30_minutes(seeded):
    path = EscalationPath.objects.get(name="Technical Escalation")
    assert path.kind == PathKind.TECHNICAL
    first, lead, manager, vp = steps(PathKind.TECHNICAL)
    assert [(p.kind, p.label) for p in first.parties.all()] == [
        (PartyKind.ONCALL_PRIMARY, "On-call Engineer")
    ]
    assert [(p.kind, p.label) for p in lead.parties.all()] == [
        (PartyKind.SERVICE_TEAM_LEAD, "Team Lead")
    ]
    assert lead.note == "for affected service"
    assert [p.role.name for p in manager.parties.all()] == ["Engineering Manager"]
    assert [p.role.name for p in vp.parties.all()] == ["VP of Engineering"]
    assert [s.name for s in vp.only_severities.all()] == ["SEV1"]
    assert vp.after_minutes == 30
    assert first.only_severities.count() == 0


def test_seed_security_path_reaches_cto_and_legal_if_a_breach_is_confirmed(seeded):
    assert EscalationPath.objects.get(kind=PathKind.SECURITY).name == "Data / Security Incidents"
    *_, security, last = steps(PathKind.SECURITY)
    assert [p.role.name for p in security.parties.all()] == ["Security Lead"]
    assert [(p.kind, p.role.name) for p in last.parties.all()] == [
        (PartyKind.ROLE, "CTO"),
        (PartyKind.ROLE, "Legal"),
    ]
    assert last.condition == "data breach confirmed"
    assert Role.objects.get(name="CTO").holder is None


def test_seed_vendor_path_ends_with_vendor_support_outside_the_company(seeded):
    *_, integration, vendor = steps(PathKind.VENDOR)
    assert [p.role.name for p in integration.parties.all()] == ["Integration Lead"]
    (party,) = vendor.parties.all()
    assert (party.kind, party.label) == (PartyKind.EXTERNAL, "Vendor support")
    assert vendor.note == "using premium support channel"


def test_seed_channels_table_keeps_its_order_purpose_and_posters(seeded):
    table = Channel.objects.filter(position__isnull=False).order_by("position")
    assert [(c.name, c.kind) for c in table] == [
        ("#incidents", ChannelKind.SLACK),
        ("#incidents-low", ChannelKind.SLACK),
        ("#engineering", ChannelKind.SLACK),
        ("#status-updates", ChannelKind.SLACK),
        ("PagerDuty", ChannelKind.PAGERDUTY),
    ]
    incidents = Channel.objects.get(name="#incidents")
    assert incidents.purpose == "Active SEV1/SEV2 incident coordination"
    assert incidents.who_posts == "Incident commander, responders"
    assert set(Channel.objects.filter(position__isnull=True).values_list("name", flat=True)) == {
        "Status page",
        "Ticket",
        "#on-call-swap",  # "Override requests: Post in #on-call-swap channel"
    }
    swap = Channel.objects.get(name="#on-call-swap")
    assert (swap.kind, swap.purpose) == (ChannelKind.SLACK, "Override requests")


def test_seed_contact_table_dba_lead_is_tbd_with_its_aliases(seeded):
    dba = Role.objects.get(name="DBA Lead")
    assert dba.holder is None
    assert (dba.slack_alias, dba.pagerduty_alias) == ("@dba-lead", "@dba-lead")
    assert dba.slug == "dba-lead"
    assert list(
        Role.objects.filter(contact_position__isnull=False)
        .order_by("contact_position")
        .values_list("name", flat=True)
    ) == [
        "Backend Tech Lead",
        "Frontend Tech Lead",
        "DBA Lead",
        "DevOps Lead",
        "Engineering Manager",
        "VP of Engineering",
    ]


def test_seed_paging_rules_keep_action_minutes_and_channels(seeded):
    rules = {rule.signal: rule for rule in PagingRule.objects.select_related("channel")}
    assert len(rules) == 7
    slow = rules["Performance degradation > 2x"]
    assert (slow.action, slow.sustained_minutes, slow.channel.name) == (
        PagingAction.PAGE_IF_SUSTAINED,
        5,
        "PagerDuty",
    )
    several = rules["Multiple user reports"]
    assert several.action == PagingAction.EVALUATE
    assert (several.channel.name, several.alternative_channel.name) == ("PagerDuty", "#incidents")
    assert rules["Service completely down"].action == PagingAction.PAGE_NOW
    assert rules["Error rate 1-5%"].action == PagingAction.SLACK
    assert rules["Single user report"].action == PagingAction.INVESTIGATE
    assert rules["Single user report"].channel.name == "#incidents-low"
    assert list(PagingRule.objects.values_list("signal", flat=True))[0] == "Service completely down"


def test_seed_import_creates_the_four_engineers_and_no_one_else(seeded):
    assert sorted(Person.objects.values_list("display_name", flat=True)) == [
        "Engineer A",
        "Engineer B",
        "Engineer C",
        "Engineer D",
    ]
    assert seeded.counts["Service"].created == 8
    assert seeded.warnings == []


# --- Idempotent, in place, atomic ---------------------------------------------------------


def test_importing_twice_changes_nothing_and_records_no_history(seeded):
    before = database_state()
    report = import_document(SEED, source=SOURCE)
    assert not report.changed
    assert report.changes == []
    assert report.counts["SeverityResponder"].unchanged == 16
    assert database_state() == before


def test_history_says_rows_came_from_the_document(seeded):
    record = Role.history.filter(name="DBA Lead").get()
    assert record.history_change_reason == f"Imported from {SEED_DOCUMENT}"


def test_filling_in_a_holder_links_a_new_person_with_a_phone(seeded):
    import_document(
        edited(
            (
                "| DBA Lead | TBD | @dba-lead | @dba-lead | TBD |",
                "| DBA Lead | Dana Scully | @dba-lead | @dba-lead | +44 20 7946 0018 |",
            )
        ),
        source=SOURCE,
    )
    dba = Role.objects.select_related("holder").get(name="DBA Lead")
    assert dba.holder.display_name == "Dana Scully"
    assert dba.holder.phone.as_e164 == "+442079460018"


def test_tbd_in_the_document_frees_the_role_but_keeps_the_person(seeded):
    person = Person.objects.create(display_name="Dana Scully", phone="+442079460018")
    Role.objects.filter(name="DBA Lead").update(holder=person)
    report = import_document(SEED, source=SOURCE)
    assert Role.objects.get(name="DBA Lead").holder is None
    assert Person.objects.filter(pk=person.pk).exists()
    assert 'updated Role "DBA Lead": holder: Dana Scully → —' in report.changes


def test_a_party_dropped_from_a_cell_is_deleted_and_the_other_updated_in_place(seeded):
    kept = responders(1, ResponderTier.SECONDARY)[0]
    report = import_document(
        edited(("Backend lead + Frontend lead", "Frontend lead")), source=SOURCE
    )
    (only,) = responders(1, ResponderTier.SECONDARY)
    assert only.pk == kept.pk
    assert (only.label, only.role.name) == ("Frontend lead", "Frontend Tech Lead")
    assert report.counts["SeverityResponder"].deleted == 1
    assert Role.objects.filter(name="Backend Tech Lead").exists()


def test_people_leaving_the_rotation_are_kept(seeded):
    import_document(
        edited(
            ("| Even weeks | Engineer C | Engineer D |", "| Even weeks | Engineer C | Engineer E |")
        ),
        source=SOURCE,
    )
    even = Rotation.objects.get().slots.get(label="Even weeks")
    assert even.secondary.display_name == "Engineer E"
    assert Person.objects.filter(display_name="Engineer D").exists()


def test_rows_can_trade_places_in_the_contact_table_and_the_rotation(seeded):
    text = edited(
        (
            "| Backend Tech Lead | TBD | @backend-lead | @backend-lead | TBD |\n"
            "| Frontend Tech Lead | TBD | @frontend-lead | @frontend-lead | TBD |",
            "| Frontend Tech Lead | TBD | @frontend-lead | @frontend-lead | TBD |\n"
            "| Backend Tech Lead | TBD | @backend-lead | @backend-lead | TBD |",
        ),
        (
            "| Odd weeks | Engineer A | Engineer B |\n| Even weeks | Engineer C | Engineer D |",
            "| Even weeks | Engineer C | Engineer D |\n| Odd weeks | Engineer A | Engineer B |",
        ),
    )
    import_document(text, source=SOURCE)
    assert Role.objects.get(name="Frontend Tech Lead").contact_position == 0
    assert Role.objects.get(name="Backend Tech Lead").contact_position == 1
    slots = Rotation.objects.get().slots.order_by("position")
    assert [(s.label, s.week_parity) for s in slots] == [
        ("Even weeks", WeekParity.EVEN),
        ("Odd weeks", WeekParity.ODD),
    ]


def test_a_role_dropped_from_the_contact_table_is_kept_out_of_it(seeded):
    import_document(
        edited(("| DevOps Lead | TBD | @devops-lead | @devops-lead | TBD |\n", "")), source=SOURCE
    )
    devops = Role.objects.get(name="DevOps Lead")
    assert devops.contact_position is None
    # The others keep their places (positions that still give the document's order stay).
    listed = Role.objects.filter(contact_position__isnull=False).order_by("contact_position")
    assert [role.name for role in listed] == [
        "Backend Tech Lead",
        "Frontend Tech Lead",
        "DBA Lead",
        "Engineering Manager",
        "VP of Engineering",
    ]
    assert Service.objects.get(name="CI/CD Pipeline").primary_contact == devops


def test_services_missing_from_the_document_are_kept_and_warned_of(seeded):
    report = import_document(
        edited(("| Redis / Caching | Platform Team | Platform Engineer | #team-platform |\n", "")),
        source=SOURCE,
    )
    assert Service.objects.filter(name="Redis / Caching").exists()
    assert [str(w) for w in report.warnings] == [
        f"{SOURCE}:1: warning: "
        + errors.NOT_IN_DOCUMENT.format(model="Service", name="Redis / Caching")
    ]


def test_unknown_section_is_reported_with_its_line_and_the_rest_imported(db):
    text = SEED.replace(
        "## Service Ownership", "## Runbooks\n\nSee the wiki.\n\n## Service Ownership"
    )
    report = import_document(text, source=SOURCE)
    assert [str(w) for w in report.warnings] == [
        f"{SOURCE}:23: warning: " + errors.UNKNOWN_SECTION.format(title="Runbooks")
    ]
    assert Service.objects.count() == 8


def test_text_the_importer_does_not_understand_is_warned_of(db):
    text = SEED.replace(
        "| Severity | Primary Contact |",
        "Page the on-call first.\n\n| Severity | Primary Contact |",
    )
    report = import_document(text, source=SOURCE)
    assert [str(w) for w in report.warnings] == [
        f"{SOURCE}:5: warning: " + errors.TEXT_NOT_IMPORTED.format(text="Page the on-call first.")
    ]


def test_a_document_without_a_section_leaves_that_part_alone(seeded):
    start = SEED.index("## When to Page")
    report = import_document(SEED[:start], source=SOURCE)
    assert PagingRule.objects.count() == 7
    assert f"{SOURCE}:1: warning: " + errors.MISSING_SECTION.format(
        title="When to Page vs. When to Slack"
    ) in [str(w) for w in report.warnings]


def test_dry_run_lists_the_changes_and_writes_nothing(seeded):
    before = database_state()
    report = import_document(
        edited(
            ("| DBA Lead | TBD |", "| DBA Lead | Dana Scully |"),
            ("| Error rate > 5% | Page immediately | PagerDuty |\n", ""),
        ),
        source=SOURCE,
        dry_run=True,
    )
    assert report.dry_run
    assert database_state() == before
    assert 'created Person "Dana Scully"' in report.changes
    assert 'updated Role "DBA Lead": holder: — → Dana Scully' in report.changes
    assert 'deleted PagingRule "Error rate > 5%"' in report.changes
    assert report.counts["PagingRule"].deleted == 1
    assert report.counts["Person"].created == 1


def test_a_database_error_while_writing_rolls_everything_back(db, monkeypatch):
    real = change_set.bulk_create_with_history

    def failing(objs, model, **kwargs):
        if model is PagingRule:
            raise IntegrityError("simulated")
        return real(objs, model, **kwargs)

    monkeypatch.setattr(change_set, "bulk_create_with_history", failing)
    before = database_state()
    with pytest.raises(DocumentError) as caught:
        import_document(SEED, source=SOURCE)
    assert str(caught.value).startswith(f"{SOURCE}:106: Signal")
    assert database_state() == before
    assert Severity.objects.count() == 0


def test_importing_400_services_then_reimporting_them_is_a_fixed_number_of_queries(
    db, django_assert_num_queries
):
    rows = "\n".join(
        f"| Service {n} | Team {n % 7} | Role {n % 13} | #team-{n % 7} |" for n in range(400)
    )
    start = SEED.index("| Backend API (FastAPI)")
    end = SEED.index("## Escalation Paths")
    big = SEED[:start] + rows + "\n\n" + SEED[end:]
    # How long it takes is measured by `make bench` (tests/benchmarks/timings.py), not here.
    report = import_document(big, source=SOURCE)
    assert report.counts["Service"].created == 400
    # Loading what exists is one query per model, whatever the number of rows.
    with django_assert_num_queries(REIMPORT_QUERIES):
        import_document(big, source=SOURCE)


def test_reimporting_the_seed_takes_as_many_queries_as_reimporting_400_services(
    seeded, django_assert_num_queries
):
    with django_assert_num_queries(REIMPORT_QUERIES):
        report = import_document(SEED, source=SOURCE)
    assert not report.changed


REIMPORT_QUERIES = 16

# --- Malformed documents -------------------------------------------------------------------

SEV2_ROW = "| **SEV2** | On-call engineer (PagerDuty) | Relevant team lead | Engineering Manager | #incidents |"

MALFORMED = [
    pytest.param(
        edited(
            (
                "| Severity | Primary Contact | Secondary Contact | Management | Communication |\n",
                "",
            )
        ),
        5,
        errors.TABLE_HEADER_MISSING.format(
            header="| Severity | Primary Contact | Secondary Contact | Management | Communication |"
        ),
        id="missing-severity-table-header",
    ),
    pytest.param(
        edited(("| **SEV4** |", "| **SEV0** |")),
        10,
        errors.UNKNOWN_SEVERITY.format(text="SEV0"),
        id="unknown-severity-level",
    ),
    pytest.param(
        edited(
            (
                SEV2_ROW,
                "| **SEV2** | On-call engineer (PagerDuty) | Relevant team lead | #incidents |",
            )
        ),
        8,
        errors.CELL_COUNT.format(found=4, expected=5),
        id="row-with-wrong-number-of-cells",
    ),
    pytest.param(
        edited(("Backend lead + Frontend lead", "Backend lead + Mobile lead")),
        7,
        errors.UNKNOWN_PARTY.format(column="Secondary Contact", text="Mobile lead"),
        id="unknown-role-alias",
    ),
    pytest.param(
        edited(
            (
                "| DBA Lead | TBD | @dba-lead | @dba-lead | TBD |",
                "| DBA Lead | Dana Scully | @dba-lead | @dba-lead | 12345 |",
            )
        ),
        97,
        errors.BAD_PHONE.format(text="12345"),
        id="bad-phone",
    ),
    pytest.param(
        edited(
            (
                "| Backend Tech Lead | TBD | @backend-lead |",
                "| Backend Tech Lead | TBD | backend-lead |",
            )
        ),
        95,
        errors.INVALID_VALUE.format(
            column="Slack", value="backend-lead", problem=SLACK_HANDLE_MESSAGE
        ),
        id="slack-handle-without-at",
    ),
    pytest.param(
        edited(("handoff on Monday 09:00 UTC", "handoff on Funday 09:00 UTC")),
        20,
        errors.UNKNOWN_WEEKDAY.format(text="Funday"),
        id="cadence-on-funday",
    ),
    pytest.param(
        edited(("Weekly, handoff on Monday 09:00 UTC", "Whenever someone remembers")),
        20,
        errors.CADENCE_UNREADABLE.format(text="Whenever someone remembers"),
        id="cadence-unreadable",
    ),
    pytest.param(
        edited(("handoff on Monday 09:00 UTC", "handoff on Monday 25:00 UTC")),
        20,
        errors.BAD_HANDOFF_TIME.format(text="25:00"),
        id="handoff-time-25-00",
    ),
    pytest.param(
        edited(("handoff on Monday 09:00 UTC", "handoff on Monday 09:00 Mars/Olympus")),
        20,
        errors.BAD_TIME_ZONE.format(text="Mars/Olympus"),
        id="unknown-time-zone",
    ),
    pytest.param(
        edited(("**Rotation cadence:** Weekly, handoff on Monday 09:00 UTC\n", "")),
        12,
        errors.ROTATION_CADENCE_MISSING,
        id="rotation-without-cadence",
    ),
    pytest.param(
        edited(("| Odd weeks |", "| Week 1 |")),
        16,
        errors.UNKNOWN_WEEK_LABEL.format(text="Week 1"),
        id="week-label-not-odd-or-even",
    ),
    pytest.param(
        edited(("Post in #on-call-swap channel", "Ask around")),
        21,
        errors.OVERRIDE_LINE_UNREADABLE.format(text="Ask around"),
        id="override-line-unreadable",
    ),
    pytest.param(
        edited(
            (
                "VP of Engineering (SEV1 only, if not resolved within 30 minutes)\n```",
                "VP of Engineering (SEV1 only, if not resolved within 30 minutes)\n    |\n    v\n```",
            )
        ),
        51,
        errors.FLOWCHART_DANGLING_ARROW,
        id="flowchart-dangling-arrow",
    ),
    pytest.param(
        edited(("Security Lead\n    |\n    v\n", "Security Lead\n")),
        60,
        errors.FLOWCHART_MISSING_ARROW,
        id="flowchart-steps-without-arrow",
    ),
    pytest.param(
        edited(("Integration Lead\n    |\n    v\n", "Integration Lead\n    |\n")),
        72,
        errors.FLOWCHART_ARROWHEAD_MISSING,
        id="flowchart-arrow-without-head",
    ),
    pytest.param(
        edited(("(SEV1 only, if not", "(SEV7 only, if not")),
        50,
        errors.NO_SUCH_SEVERITY.format(name="SEV7"),
        id="flowchart-names-a-severity-that-does-not-exist",
    ),
    pytest.param(
        SEED[: SEED.rindex("```")] + SEED[SEED.rindex("```") + 4 :],
        67,
        errors.UNTERMINATED_FENCE,
        id="unterminated-code-fence",
    ),
    pytest.param(
        edited(
            (
                "| Service completely down | Page immediately |",
                "| Service completely down | Page eventually |",
            )
        ),
        106,
        errors.UNKNOWN_PAGING_ACTION.format(text="Page eventually", choices=PAGING_ACTION_CHOICES),
        id="unknown-paging-action",
    ),
    pytest.param(
        edited(("| PagerDuty or #incidents |", "| PagerDuty or Carrier pigeon |")),
        111,
        errors.UNKNOWN_CHANNEL.format(column="Channel", text="Carrier pigeon"),
        id="unknown-paging-channel",
    ),
    pytest.param(
        edited(("| Frontend (React) |", "| Backend API (FastAPI) |")),
        28,
        errors.DUPLICATE_ROW.format(name="Backend API (FastAPI)", first=27),
        id="duplicate-service-name",
    ),
    pytest.param(
        edited(("| Redis / Caching | Platform Team |", "| Redis / Caching | TBD |")),
        30,
        errors.CELL_EMPTY.format(column="Team"),
        id="service-without-team",
    ),
    pytest.param(
        edited(("| `#engineering` |", "| `#Engineering Room` |")),
        83,
        errors.INVALID_VALUE.format(
            column="Channel", value="#Engineering Room", problem=SLACK_CHANNEL_MESSAGE
        ),
        id="slack-channel-with-capitals-and-space",
    ),
    pytest.param(
        edited(("On-call engineer (Slack)", "On-call engineer (Teams)")),
        9,
        errors.UNKNOWN_CONTACT_METHOD.format(column="Primary Contact", text="Teams"),
        id="unknown-way-to-reach-someone",
    ),
    pytest.param(
        edited(("| **SEV3** | On-call engineer (Slack) |", "| **SEV3** |  |")),
        9,
        errors.NOT_REQUIRED_EMPTY.format(column="Primary Contact"),
        id="empty-severity-cell",
    ),
    pytest.param(
        edited(
            (
                "| VP of Engineering | TBD | @vp-eng | @vp-eng | TBD |",
                "| VP of Engineering | TBD | @vp-eng | @vp-eng | +44 20 7946 0018 |",
            )
        ),
        100,
        errors.PHONE_WITHOUT_HOLDER.format(phone="+44 20 7946 0018"),
        id="phone-without-a-holder",
    ),
    pytest.param(
        SEED + "\n## Service Ownership\n",
        114,
        errors.DUPLICATE_SECTION.format(title="Service Ownership", first=23),
        id="duplicate-section",
    ),
    pytest.param("", 1, errors.EMPTY_DOCUMENT, id="empty-file"),
    pytest.param("\n  \n", 1, errors.EMPTY_DOCUMENT, id="blank-file"),
    pytest.param(
        "# Shopping list\n\n## Groceries\n\n- milk\n",
        3,
        errors.NO_KNOWN_SECTION,
        id="not-an-escalation-document",
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_malformed_document_is_refused_with_its_line_and_changes_nothing(
    seeded, text, line, message
):
    before = database_state()
    with pytest.raises(DocumentError) as caught:
        import_document(text, source=SOURCE)
    assert str(caught.value) == f"{SOURCE}:{line}: {message}"
    assert (caught.value.line, caught.value.message) == (line, message)
    assert database_state() == before


# --- The command ---------------------------------------------------------------------------


def run_import(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_escalation_doc", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_command_imports_the_seed_and_prints_counts_per_model(db):
    code, out, err = run_import(str(SEED_DOCUMENT))
    assert code == 0
    assert command.IMPORTED.format(path=SEED_DOCUMENT) in out
    assert 'created Service "Database (PostgreSQL)"' in out
    assert "Service                    8        0          0        0" in out
    assert err == ""
    assert Service.objects.count() == 8


def test_command_dry_run_says_what_would_change_and_writes_nothing(seeded, tmp_path):
    path = tmp_path / "contacts.md"
    path.write_text(edited(("| DBA Lead | TBD |", "| DBA Lead | Dana Scully |")))
    before = database_state()
    code, out, _ = run_import(str(path), "--dry-run")
    assert code == 0
    assert command.DRY_RUN.format(path=path) in out
    assert 'updated Role "DBA Lead": holder: — → Dana Scully' in out
    assert database_state() == before


def test_command_reimport_says_nothing_changes(seeded):
    code, out, _ = run_import(str(SEED_DOCUMENT))
    assert code == 0
    assert command.NOTHING_TO_CHANGE in out


def test_command_error_exits_1_with_path_line_message_on_stderr(seeded, tmp_path):
    path = tmp_path / "contacts.md"
    path.write_text(edited(("| **SEV4** |", "| **P4** |")))
    before = database_state()
    code, out, err = run_import(str(path))
    assert code == 1
    assert err == f"{path}:10: {errors.UNKNOWN_SEVERITY.format(text='P4')}\n"
    assert database_state() == before


def test_command_refuses_a_file_that_is_not_utf8_with_the_line_of_the_bad_byte(db, tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes(SEED.replace("Backend Team", "Équipe Backend", 1).encode("latin-1"))
    code, _, err = run_import(str(path))
    assert code == 1
    assert err == f"{path}:27: {errors.NOT_UTF8.format(byte=0xC9)}\n"
    assert Severity.objects.count() == 0


def test_command_prints_warnings_on_stderr_and_still_imports(db, tmp_path):
    path = tmp_path / "contacts.md"
    path.write_text(SEED + "\n## Runbooks\n\nSee the wiki.\n")
    code, _, err = run_import(str(path))
    assert code == 0
    assert err == f"{path}:114: warning: {errors.UNKNOWN_SECTION.format(title='Runbooks')}\n"
    assert Severity.objects.count() == 4


def test_command_reports_a_missing_file(db, tmp_path):
    path = tmp_path / "missing.md"
    code, _, err = run_import(str(path))
    assert code == 1
    assert err.startswith(f"{path}: cannot read the file:")


def test_command_run_as_a_program_exits_non_zero_with_only_the_message(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text(edited(("Weekly, handoff on Monday", "Weekly, handoff on Funday")))
    result = subprocess.run(
        # Without the system checks: their warnings (a missing node_modules/, say) are not the
        # command's to print, and this test is about what the command says.
        [sys.executable, "manage.py", "import_escalation_doc", str(path), "--skip-checks"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == f"{path}:20: {errors.UNKNOWN_WEEKDAY.format(text='Funday')}\n"
