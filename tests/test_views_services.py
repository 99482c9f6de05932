"""Service ownership (sortable, searchable, paginated) and the “who do I contact?” sheet."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from escalation.forms.questions import (
    KIND_INVALID,
    SEVERITY_INVALID,
    SEVERITY_UNKNOWN,
    STARTED_INVALID,
)
from escalation.views.published import SERVICES_PER_PAGE
from tests import factories
from tests.directory_fixtures import SEED_INSTANT, build_directory
from tests.helpers import page_text, tables

LIST = "/services/"
SHEET = "/services/backend-api/"
NOW = datetime(2026, 11, 26, 10, 20, tzinfo=UTC)  # Thursday, even ISO week: Engineers C and D


@pytest.fixture
def directory(db):
    with time_machine.travel(SEED_INSTANT, tick=False):
        yield build_directory()


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def services_table(client, query=""):
    html = client.get(LIST + query).content.decode()
    return html, tables(html)[0]


def sheet(client, query=""):
    response = client.get(SHEET + query)
    assert response.status_code == 200
    html = response.content.decode()
    return html, page_text(html)


def test_url_names_are_the_ones_the_navigation_uses():
    assert reverse("escalation:services") == LIST
    assert reverse("escalation:service_detail", args=["backend-api"]) == SHEET


# The ownership table ----------------------------------------------------------------------


def test_ownership_table_has_the_documents_rows(viewer_client, directory):
    _html, table = services_table(viewer_client)

    assert [cell.text for cell in table.rows[0]] == [
        "Service",
        "Team",
        "Primary contact",
        "Slack channel",
        "On call now",
    ]
    rows = {row[0].text.removesuffix(" Who do I contact?"): row for row in table.rows[1:]}
    assert list(rows) == [
        "Backend API (FastAPI)",
        "Frontend (React)",
        "Database (PostgreSQL)",
        "Redis / Caching",
        "CI/CD Pipeline",
        "Authentication",
        "Infrastructure / Cloud",
        "Third-party integrations",
    ]
    database = rows["Database (PostgreSQL)"]
    assert [cell.text for cell in database[1:4]] == [
        "Platform Team",
        "DBA Lead TBD",
        "#team-platform",
    ]
    assert database[4].text == "Engineer C primary Engineer D secondary Engineering on-call"


def test_each_row_links_to_the_sheet_and_the_teams_on_call(viewer_client, directory):
    html, _table = services_table(viewer_client)

    assert f'href="{SHEET}"' in html
    assert f'href="{reverse("escalation:calendar")}#calendar-engineering"' in html


def test_cells_carry_labels_for_the_phone_layout(viewer_client, directory):
    _html, table = services_table(viewer_client)

    assert [cell.attrs.get("data-label") for cell in table.rows[1]] == [
        "Service",
        "Team",
        "Primary contact",
        "Slack channel",
        "On call now",
    ]
    assert "table-stack" in table.attrs["class"]


def test_sorting_by_team_orders_rows_by_team_name(viewer_client, directory):
    _html, table = services_table(viewer_client, "?sort=team")

    teams = [row[1].text for row in table.rows[1:]]
    assert teams == sorted(teams)
    assert teams[0] == "Backend Team"


def test_sorting_by_primary_contact_descending(viewer_client, directory):
    _html, table = services_table(viewer_client, "?sort=-primary_contact")

    assert table.rows[1][2].text == "Platform Engineer TBD"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dba", ["Database (PostgreSQL)"]),
        ("platform redis", ["Redis / Caching"]),
        ("integration", ["Third-party integrations"]),
        ("nothing-like-this", []),
    ],
)
def test_search_matches_name_team_and_contact(viewer_client, directory, query, expected):
    _html, table = services_table(viewer_client, f"?q={query}")

    names = [row[0].text.removesuffix(" Who do I contact?") for row in table.rows[1:]]
    assert names == (expected or ["No service matches."])


def test_search_finds_a_service_by_its_contacts_holder(viewer_client, directory):
    role = directory["roles"]["DevOps Lead"]
    role.holder = factories.PersonFactory(display_name="Priya Patel")
    role.save()

    _html, table = services_table(viewer_client, "?q=priya")

    assert [row[0].text for row in table.rows[1:]] == ["CI/CD Pipeline Who do I contact?"]


def test_filter_by_team(viewer_client, directory):
    team = directory["teams"]["frontend"]

    _html, table = services_table(viewer_client, f"?team={team.pk}")

    assert [row[0].text for row in table.rows[1:]] == ["Frontend (React) Who do I contact?"]


def test_an_unknown_team_is_a_form_error_not_a_crash(viewer_client, directory):
    response = viewer_client.get(LIST + "?team=999999")

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_table_is_paginated(viewer_client, directory):
    for n in range(SERVICES_PER_PAGE):
        factories.ServiceFactory(name=f"Extra {n:02d}", position=100 + n)

    _html, first = services_table(viewer_client)
    html, second = services_table(viewer_client, "?page=2")

    assert len(first.rows) - 1 == SERVICES_PER_PAGE
    assert len(second.rows) - 1 == 8 + SERVICES_PER_PAGE - SERVICES_PER_PAGE
    assert "33 services" in page_text(html)


# The sheet --------------------------------------------------------------------------------


def test_sheet_defaults_to_sev1_technical_started_now(viewer_client, directory, now):
    html, text = sheet(viewer_client)

    assert "SEV1 Technical incident on Backend API (FastAPI)" in text
    assert "Started 10:20 Thu 26 Nov 2026 (UTC)" in text
    assert "Escalate to VP of Engineering at 10:50 if still unresolved" in text
    assert '<option value="1" selected>SEV1</option>' in html


def test_sheet_computes_the_escalation_time_from_the_start(viewer_client, directory, now):
    html, text = sheet(viewer_client, "?severity=1&kind=technical&started=10:12")

    assert (
        "Escalate to VP of Engineering at 10:42 if still unresolved (SEV1 only · after 30 min)."
    ) in text
    assert '<time datetime="2026-11-26T10:42:00+00:00">10:42</time>' in html


def test_a_passed_escalation_time_is_marked_due(viewer_client, directory, now):
    html, text = sheet(viewer_client, "?severity=1&started=09:40")

    assert "10:10 due" in text
    assert 'class="sheet-clock urgent"' in html


def test_steps_not_for_the_chosen_severity_are_muted(viewer_client, directory, now):
    html, text = sheet(viewer_client, "?severity=2&started=10:12")

    assert "not for SEV2 VP of Engineering (SEV1 only · after 30 min)" in text
    assert "10:42" not in text
    assert 'class="sheet-step sheet-step-not_applicable not-required"' in html


def test_sheet_orders_who_to_reach(viewer_client, directory, now):
    html, text = sheet(viewer_client, "?severity=1")

    order = [
        "1 Reach first",
        "On call now: Engineer C",
        "No answer? Then the backup: On-call secondary On call now: Engineer D",
        "2 Service owner and team",
        "Team lead Backend Tech Lead TBD @backend-lead",
        "Team Backend Team #team-backend",
        "SEV1 secondary Backend lead Backend Tech Lead TBD @backend-lead + Frontend lead",
        "3 Inform management Engineering Manager TBD @eng-manager + VP Eng VP of Engineering TBD",
        "4 Communicate Status page + #incidents",
        "5 Escalate if unresolved: Technical Escalation",
    ]
    positions = [text.index(fragment) for fragment in order]
    assert positions == sorted(positions)
    engineer_c = directory["engineers"]["C"]
    assert f'href="tel:{engineer_c.phone.as_e164}"' in html


def test_sev3_needs_no_management(viewer_client, directory, now):
    _html, text = sheet(viewer_client, "?severity=3")

    assert "3 Inform management Not required for SEV3" in text
    assert "4 Communicate #incidents-low" in text
    assert "SEV3 secondary Relevant team lead Backend Tech Lead TBD" in text


def test_sev4_reaches_the_team_responsible_for_the_service(viewer_client, directory, now):
    _html, text = sheet(viewer_client, "?severity=4")

    assert "1 Reach first Team responsible for service Backend Team #team-backend" in text
    assert "4 Communicate Ticket only Ticket queue" in text


def test_security_incidents_follow_the_security_path(viewer_client, directory, now):
    _html, text = sheet(viewer_client, "?severity=2&kind=security")

    assert "5 Escalate if unresolved: Data / Security Incidents" in text
    assert "Only if data breach confirmed CTO TBD + Legal" in text
    assert "Security Lead TBD" in text


def test_vendor_issues_follow_the_vendor_path(viewer_client, directory, now):
    _html, text = sheet(viewer_client, "?severity=2&kind=vendor")

    assert "Integration Lead TBD" in text
    assert "Vendor support using premium support channel" in text


def test_a_kind_without_path_says_so(viewer_client, directory, now):
    _html, text = sheet(viewer_client, "?kind=other")

    assert "No escalation path for other incidents yet" in text


def test_the_teams_lead_role_answers_for_team_lead(viewer_client, directory, now):
    lead = factories.RoleFactory(name="Head of Backend", holder__display_name="Hana Head")
    team = directory["teams"]["backend"]
    team.lead_role = lead
    team.save()

    _html, text = sheet(viewer_client, "?severity=2")

    assert "Team lead Head of Backend Hana Head" in text
    assert "Primary contact Backend Tech Lead TBD" in text
    assert "SEV2 secondary Relevant team lead Head of Backend Hana Head" in text
    assert "Next Team Lead Head of Backend Hana Head" in text
    assert "not resolved" not in text


def test_started_is_read_in_the_viewers_time_zone(client, user, directory, now):
    factories.PersonFactory(user=user, time_zone="Europe/Berlin")
    client.force_login(user)

    html, text = sheet(client, "?severity=1&started=11:12")

    assert "Started 11:12 Thu 26 Nov 2026 (Europe/Berlin)" in text
    assert "at 11:42 if still unresolved" in text
    assert '<time datetime="2026-11-26T11:42:00+01:00">11:42</time>' in html


def test_a_start_later_than_now_is_yesterdays(viewer_client, directory, now):
    _html, text = sheet(viewer_client, "?started=23:50")

    assert "Started 23:50 Wed 25 Nov 2026 (UTC)" in text
    assert "at 00:20 if still unresolved" in text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?started=25:99", "started", STARTED_INVALID),
        ("?started=<script>", "started", STARTED_INVALID),
        ("?severity=abc", "severity", SEVERITY_INVALID),
        ("?severity=7", "severity", SEVERITY_UNKNOWN.format(severity="SEV7")),
        ("?kind=nope", "kind", KIND_INVALID),
    ],
)
def test_bad_input_is_a_field_error_and_the_sheet_uses_defaults(
    viewer_client, directory, now, query, field, message
):
    response = viewer_client.get(SHEET + query)
    html = response.content.decode()

    assert response.status_code == 200
    assert f'id="sheet-{field}-errors">{message}</div>' in html.replace("&#x27;", "'")
    assert "SEV1 Technical incident on Backend API (FastAPI)" in page_text(html)
    assert "<script>" not in html.split("<main", 1)[1]


def test_severity_may_be_given_as_its_name(viewer_client, directory, now):
    _html, text = sheet(viewer_client, "?severity=SEV3")

    assert "SEV3 Technical incident" in text


def test_the_sheet_prints(viewer_client, directory, now):
    html, _text = sheet(viewer_client)

    assert 'class="page-sheet"' in html
    assert 'class="card card-body sheet-form no-print mb-3"' in html
    assert "css/directory.css" in html
