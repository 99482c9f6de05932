"""The document parser: Markdown text to plain dataclasses with line numbers, no database."""

from datetime import date, time

import pytest

from escalation.documents import errors
from escalation.documents.blocks import split_row
from escalation.documents.errors import DocumentError
from escalation.documents.format import SEVERITY_TABLE, plain
from escalation.documents.parser import parse_document
from escalation.documents.section_readers import party_kind_from_words, path_kind_from_title
from escalation.models import (
    PagingAction,
    PartyKind,
    PathKind,
    ResponderTier,
    Via,
    Weekday,
    WeekParity,
)
from tests.conftest import SEED_DOCUMENT

SEED = SEED_DOCUMENT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed():
    return parse_document(SEED, source="seed.md")


def parse_section(body: str):
    return parse_document(body, source="doc.md")


def test_seed_has_every_section_and_no_warnings(seed):
    assert seed.title == "Escalation Contacts"
    assert seed.warnings == []
    assert len(seed.severities) == 4
    assert len(seed.rotation.rows) == 2
    assert len(seed.services) == 8
    assert [p.title for p in seed.paths] == [
        "Technical Escalation",
        "Data / Security Incidents",
        "Third-Party / Vendor Issues",
    ]
    assert len(seed.channels) == 5
    assert [row.role for row in seed.contacts][:2] == ["Backend Tech Lead", "Frontend Tech Lead"]
    assert len(seed.paging) == 7


def test_seed_rows_remember_their_lines(seed):
    assert [row.line for row in seed.severities] == [7, 8, 9, 10]
    assert seed.rotation.cadence.line == 20
    assert seed.services[2].line == 29
    assert [step.line for step in seed.paths[0].steps] == [41, 44, 47, 50]
    assert seed.contacts[2].line == 97
    assert seed.paging[-1].line == 112


def test_seed_sev1_cells_split_into_parties_with_how_to_reach_them(seed):
    sev1 = seed.severities[0]
    assert sev1.level == 1
    (oncall,) = sev1.tiers[ResponderTier.PRIMARY]
    assert (oncall.label, oncall.kind, oncall.via) == (
        "On-call engineer",
        PartyKind.ONCALL_PRIMARY,
        Via.PAGERDUTY,
    )
    assert [p.label for p in sev1.tiers[ResponderTier.SECONDARY]] == [
        "Backend lead",
        "Frontend lead",
    ]
    assert [p.kind for p in sev1.tiers[ResponderTier.SECONDARY]] == [None, None]
    assert [(p.label, p.kind) for p in sev1.tiers[ResponderTier.COMMUNICATION]] == [
        ("Status page", None),
        ("#incidents", PartyKind.CHANNEL),
    ]


def test_not_required_is_an_empty_tier(seed):
    sev4 = seed.severities[3]
    assert sev4.tiers[ResponderTier.SECONDARY] == ()
    assert sev4.tiers[ResponderTier.MANAGEMENT] == ()
    assert [(p.label, p.kind) for p in sev4.tiers[ResponderTier.PRIMARY]] == [
        ("Team responsible for service", PartyKind.SERVICE_TEAM)
    ]


def test_seed_rotation_and_its_cadence(seed):
    rotation = seed.rotation
    assert [(r.label, r.week_parity, r.primary, r.secondary) for r in rotation.rows] == [
        ("Odd weeks", WeekParity.ODD, "Engineer A", "Engineer B"),
        ("Even weeks", WeekParity.EVEN, "Engineer C", "Engineer D"),
    ]
    cadence = rotation.cadence
    assert (cadence.shift_days, cadence.handoff_weekday, cadence.handoff_time) == (
        7,
        Weekday.MONDAY,
        time(9, 0),
    )
    assert (cadence.time_zone, cadence.anchor_date) == ("UTC", None)
    assert rotation.schedule_note == "Managed in PagerDuty"
    assert rotation.swap_channel == "#on-call-swap"


def test_flowchart_conditions_become_data(seed):
    technical, security, vendor = seed.paths
    assert technical.kind == PathKind.TECHNICAL
    lead = technical.steps[1]
    assert ([p.label for p in lead.parties], lead.note) == (["Team Lead"], "for affected service")
    assert lead.parties[0].kind == PartyKind.SERVICE_TEAM_LEAD
    vp = technical.steps[3]
    assert (vp.only_severities, vp.after_minutes, vp.condition, vp.note) == ((1,), 30, "", "")
    last = security.steps[2]
    assert [p.label for p in last.parties] == ["CTO", "Legal"]
    assert last.condition == "data breach confirmed"
    assert vendor.steps[2].note == "using premium support channel"


def test_paging_actions_and_alternative_channel(seed):
    slow = seed.paging[3]
    assert (slow.signal, slow.action, slow.sustained_minutes) == (
        "Performance degradation > 2x",
        PagingAction.PAGE_IF_SUSTAINED,
        5,
    )
    assert seed.paging[5].channels == ("PagerDuty", "#incidents")
    assert seed.paging[4].action == PagingAction.INVESTIGATE


def test_contact_rows_read_tbd_as_unknown(seed):
    dba = seed.contacts[2]
    assert (dba.role, dba.holder, dba.slack_alias, dba.pagerduty_alias, dba.phone) == (
        "DBA Lead",
        None,
        "@dba-lead",
        "@dba-lead",
        None,
    )


def test_emphasis_and_backticks_around_a_cell_are_not_part_of_its_text():
    assert plain("**SEV1**") == "SEV1"
    assert plain("_Not required_") == "Not required"
    assert plain("`#incidents`") == "#incidents"
    assert plain("#team_backend") == "#team_backend"
    assert plain("*") == "*"


def test_row_cells_split_on_pipes_but_not_on_escaped_ones():
    assert split_row("| a | b \\| c | d |") == ["a", "b | c", "d"]
    assert split_row("| a | b") == ["a", "b"]


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("On-call engineer", PartyKind.ONCALL_PRIMARY),
        ("On-call Engineer", PartyKind.ONCALL_PRIMARY),
        ("Secondary on-call", PartyKind.ONCALL_SECONDARY),
        ("Relevant team lead", PartyKind.SERVICE_TEAM_LEAD),
        ("Team responsible for service", PartyKind.SERVICE_TEAM),
        ("#incidents", PartyKind.CHANNEL),
        ("On-call manager", None),
        ("Backend lead", None),
    ],
)
def test_words_that_say_what_a_party_is(words, kind):
    assert party_kind_from_words(words) == kind


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Technical Escalation", PathKind.TECHNICAL),
        ("Data / Security Incidents", PathKind.SECURITY),
        ("Third-Party / Vendor Issues", PathKind.VENDOR),
        ("Customer complaints", PathKind.OTHER),
    ],
)
def test_path_kind_comes_from_its_title(title, kind):
    assert path_kind_from_title(title) == kind


def test_other_cadences_and_an_alternating_rotation():
    document = parse_section(
        "## On-Call Rotation\n\n| Week | Primary | Secondary |\n|---|---|---|\n"
        "| Blue week | Ann | TBD |\n| Green week | Bob | Cy |\n\n"
        "**Rotation cadence:** Every 2 weeks, handoff on Friday 17:30 Europe/Berlin, "
        "alternating from 2026-01-02\n"
    )
    rotation = document.rotation
    assert rotation.cadence.shift_days == 14
    assert rotation.cadence.handoff_weekday == Weekday.FRIDAY
    assert rotation.cadence.handoff_time == time(17, 30)
    assert rotation.cadence.time_zone == "Europe/Berlin"
    assert rotation.cadence.anchor_date == date(2026, 1, 2)
    assert [(r.label, r.week_parity, r.secondary) for r in rotation.rows] == [
        ("Blue week", "", None),
        ("Green week", "", "Cy"),
    ]
    assert rotation.swap_channel == ""


def test_flowchart_clauses_in_any_order_with_several_severities():
    document = parse_section(
        "## Escalation Paths\n\n### Customer complaints\n\n```\nSupport desk\n  |\n  |\n  v\n"
        "Head of Support + Jane Doe (if not resolved within 1 minute, if the customer is big, "
        "SEV1/SEV2 only, by phone)\n```\n"
    )
    (path,) = document.paths
    assert path.kind == PathKind.OTHER
    first, second = path.steps
    assert first.line == 6
    assert [p.label for p in second.parties] == ["Head of Support", "Jane Doe"]
    assert second.only_severities == (1, 2)
    assert second.after_minutes == 1
    assert second.condition == "the customer is big"
    assert second.note == "by phone"


def test_missing_sections_are_warned_of_and_left_as_none():
    document = parse_section(
        "# Escalation Contacts\n\n## Communication Channels\n\n| Channel | Purpose | Who Posts |\n"
        "|---|---|---|\n| `#ops` | Ops | Everyone |\n"
    )
    assert document.severities is None
    assert document.channels[0].name == "#ops"
    assert f"doc.md:1: warning: {errors.MISSING_SECTION.format(title='Service Ownership')}" in [
        str(w) for w in document.warnings
    ]


def test_section_titles_match_whatever_their_case():
    document = parse_section(
        "## communication CHANNELS\n\n| channel | purpose | who posts |\n|---|---|---|\n"
        "| #ops | Ops | Everyone |\n"
    )
    assert document.channels[0].name == "#ops"


def test_a_header_that_is_not_the_expected_one_is_an_error():
    with pytest.raises(DocumentError) as caught:
        parse_section("## Contact Matrix by Severity\n\n| Level | Who |\n|---|---|\n")
    assert str(caught.value) == "doc.md:3: " + errors.TABLE_HEADER_MISMATCH.format(
        expected=SEVERITY_TABLE.header, found="| Level | Who |"
    )


def test_a_section_without_its_table_is_an_error():
    with pytest.raises(DocumentError) as caught:
        parse_section("## Contact Matrix by Severity\n\nAsk around.\n")
    assert str(caught.value) == "doc.md:1: " + errors.TABLE_MISSING.format(
        section="Contact Matrix by Severity", header=SEVERITY_TABLE.header
    )


def test_a_header_without_separator_is_an_error():
    with pytest.raises(DocumentError) as caught:
        parse_section(
            "## Communication Channels\n\n| Channel | Purpose | Who Posts |\n| #ops | Ops | All |\n"
        )
    assert str(caught.value) == f"doc.md:4: {errors.TABLE_SEPARATOR_MISSING}"


@pytest.mark.parametrize(
    ("chart", "line", "message"),
    [
        ("A\n|\nv\n", 7, errors.FLOWCHART_DANGLING_ARROW),
        ("|\nv\nA\n", 6, errors.FLOWCHART_ARROW_WITHOUT_SOURCE),
        ("A\nB\n", 7, errors.FLOWCHART_MISSING_ARROW),
        ("A\n|\nB\n", 7, errors.FLOWCHART_ARROWHEAD_MISSING),
        ("A\n|\nv\n|\nv\nB\n", 7, errors.FLOWCHART_DANGLING_ARROW),
        ("\n", 5, errors.FLOWCHART_EMPTY),
        ("A + \n", 6, errors.EMPTY_PARTY.format(column="Flowchart")),
    ],
)
def test_broken_flowcharts(chart, line, message):
    with pytest.raises(DocumentError) as caught:
        parse_section(f"## Escalation Paths\n\n### Path\n\n```\n{chart}```\n")
    assert (caught.value.line, caught.value.message) == (line, message)


def test_a_path_without_flowchart_is_an_error():
    with pytest.raises(DocumentError) as caught:
        parse_section("## Escalation Paths\n\n### Path\n\nCall someone.\n")
    assert str(caught.value) == "doc.md:3: " + errors.FLOWCHART_MISSING.format(title="Path")


def test_page_if_sustained_reads_its_minutes():
    document = parse_section(
        "## When to Page vs. When to Slack\n\n| Signal | Action | Channel |\n|---|---|---|\n"
        "| Disk full | Page if sustained > 10 minutes | PagerDuty |\n"
    )
    assert document.paging[0].sustained_minutes == 10


def test_crlf_line_endings_and_a_byte_order_mark_are_fine():
    document = parse_document("\ufeff" + SEED.replace("\n", "\r\n"), source="win.md")
    assert document.warnings == []
    assert document.paging[-1].line == 112


def test_unknown_rotation_line_is_warned_of():
    document = parse_section(
        "## On-Call Rotation\n\n| Week | Primary | Secondary |\n|---|---|---|\n"
        "| Odd weeks | A | B |\n\n**Rotation cadence:** Daily, handoff on Monday 09:00\n"
        "**Pager battery:** Charge it\n"
    )
    assert document.rotation.cadence.shift_days == 1
    assert [str(w) for w in document.warnings if w.line == 8] == [
        "doc.md:8: warning: " + errors.UNKNOWN_ROTATION_LINE.format(label="Pager battery")
    ]


def test_on_call_rows_of_the_contact_table_with_other_text_are_warned_of():
    document = parse_section(
        "## Contact Information\n\n| Role | Name | Slack | PagerDuty | Phone (emergency) |\n"
        "|---|---|---|---|---|\n| On-call (primary) | Ann | @ann | @ann | +44 20 7946 0000 |\n"
    )
    assert document.contacts == ()
    expected = "See rotation | Via PagerDuty | Auto-paged | Via PagerDuty"
    assert [str(w) for w in document.warnings if w.line == 5] == [
        "doc.md:5: warning: " + errors.ONCALL_ROW_IGNORED.format(expected=expected)
    ]
