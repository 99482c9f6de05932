"""The contact matrix by severity: every party resolved, TBD visible, “Not required” muted."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from tests import factories
from tests.directory_fixtures import SEED_INSTANT, build_directory
from tests.helpers import page_text, tables

URL = "/severity/"


@pytest.fixture
def directory(db):
    with time_machine.travel(SEED_INSTANT, tick=False):
        yield build_directory()


def matrix(client):
    html = client.get(URL).content.decode()
    table = next(t for t in tables(html) if "severity-matrix" in t.attrs.get("class", ""))
    return html, table


def test_url_name_is_the_one_the_navigation_uses():
    assert reverse("escalation:severity") == URL


def test_matrix_has_the_four_severities_against_the_four_tiers(viewer_client, directory):
    _html, table = matrix(viewer_client)

    assert table.texts[0] == [
        "Severity",
        "Primary contact",
        "Secondary contact",
        "Management",
        "Communication",
    ]
    assert [row[0].text for row in table.rows[1:]] == ["SEV1", "SEV2", "SEV3", "SEV4"]


def test_sev1_row_resolves_every_party(viewer_client, directory):
    _html, table = matrix(viewer_client)

    sev1 = table.row("SEV1")
    assert sev1[1].text.startswith("On-call engineer via PagerDuty On call now: Engineer C")
    assert sev1[2].text == (
        "Backend lead Backend Tech Lead TBD @backend-lead + Frontend lead Frontend Tech Lead TBD "
        "@frontend-lead"
    )
    assert sev1[3].text == (
        "Engineering Manager TBD @eng-manager + VP Eng VP of Engineering TBD @vp-eng"
    )
    assert sev1[4].text == "Status page + #incidents"


def test_other_rows_match_the_document(viewer_client, directory):
    _html, table = matrix(viewer_client)

    sev2, sev3, sev4 = table.row("SEV2"), table.row("SEV3"), table.row("SEV4")
    assert sev2[1].text.startswith("On-call engineer via PagerDuty On call now: Engineer C")
    assert sev2[2].text == "Relevant team lead Depends on the service"
    assert sev2[3].text == "Engineering Manager TBD @eng-manager"
    assert sev2[4].text == "#incidents"
    assert sev3[1].text.startswith("On-call engineer via Slack On call now: Engineer C")
    assert sev3[3].text == "Not required"
    assert sev3[4].text == "#incidents-low"
    assert [cell.text for cell in sev4[1:]] == [
        "Team responsible for service Depends on the service",
        "Not required",
        "Not required",
        "Ticket only Ticket queue",
    ]


def test_not_required_is_shown_muted_not_hidden(viewer_client, directory):
    html, table = matrix(viewer_client)

    muted = [cell for row in table.rows for cell in row if "cell-not-required" in cell.classes]
    assert len(muted) == 3
    assert html.count('<span class="not-required">Not required</span>') == 3


def test_roles_without_holder_carry_a_visible_tbd_badge(viewer_client, directory):
    html, _table = matrix(viewer_client)

    table_html = html[html.index("<table") : html.index("</table>")]
    assert table_html.count('<span class="badge badge-tbd">TBD</span>') == 5


def test_a_role_with_a_holder_shows_the_holder_with_contact_links(viewer_client, directory):
    role = directory["roles"]["VP of Engineering"]
    role.holder = factories.PersonFactory(display_name="Vera Vice", phone="+442079460999")
    role.save()

    html, table = matrix(viewer_client)

    assert "VP Eng VP of Engineering Vera Vice" in table.row("SEV1")[3].text
    assert 'href="tel:+442079460999"' in html


def test_on_call_engineer_is_whoever_is_on_call_now(viewer_client, directory):
    with time_machine.travel(datetime(2026, 11, 30, 8, 59, 59, tzinfo=UTC), tick=False):
        before = matrix(viewer_client)[1].row("SEV1")[1].text
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False):
        after = matrix(viewer_client)[1].row("SEV1")[1].text

    assert "On call now: Engineer C" in before
    assert "On call now: Engineer A" in after


def test_relevant_team_lead_links_to_the_services_page(viewer_client, directory):
    html, _table = matrix(viewer_client)

    assert html.count(f'href="{reverse("escalation:services")}">Depends on the service') >= 3


def test_channels_link_to_slack(viewer_client, directory, settings):
    settings.PORTAL_SLACK_WORKSPACE_URL = "https://acme.slack.com"

    html, _table = matrix(viewer_client)

    assert 'href="https://acme.slack.com/app_redirect?channel=incidents"' in html
    assert 'href="https://acme.slack.com/app_redirect?channel=incidents-low"' in html


def test_the_page_says_who_is_on_call_now(viewer_client, directory):
    text = page_text(viewer_client.get(URL).content.decode())

    assert "On-call engineer now: Engineer C (primary), Engineer D (secondary)" in text
