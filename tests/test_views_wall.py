"""The wall edition (`/print/`): one printed page that stays true, with nothing that is only
true now."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from escalation.selectors.wall import WALL_ROTATIONS
from tests.directory_fixtures import SEED_INSTANT, build_directory
from tests.helpers import instances_built, page_text, tables

WALL = "/print/"
REQUEST = 3
WALL_QUERIES = REQUEST + 8


@pytest.fixture
def directory(db):
    with time_machine.travel(SEED_INSTANT, tick=False):
        yield build_directory()


def wall(client):
    with time_machine.travel(datetime(2026, 11, 30, 8, 5, tzinfo=UTC), tick=False):
        response = client.get(WALL)
    assert response.status_code == 200
    return response.content.decode()


def test_url_name_and_login(client, db):
    assert reverse("escalation:wall") == WALL
    response = client.get(WALL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_every_page_links_to_the_wall_edition(viewer_client, directory):
    assert f'href="{WALL}"' in viewer_client.get("/").content.decode()


def test_the_wall_edition_says_when_it_was_printed_and_where_to_look(viewer_client, directory):
    text = page_text(wall(viewer_client))

    assert "Printed 30 Nov 2026, 08:05 (UTC)" in text
    assert "http://testserver/" in text


def test_the_severity_matrix_names_positions_not_who_is_on_call_now(viewer_client, directory):
    html = wall(viewer_client)
    matrix = tables(html)[0]

    assert [cell.text for cell in matrix.rows[0]][:3] == [
        "Severity",
        "Primary contact",
        "Secondary contact",
    ]
    assert "see rotation" in matrix.rows[1][1].text
    text = page_text(html)
    assert "On call now" not in text
    assert "now:" not in text


def test_the_rotation_table_has_both_pairs_with_their_phones(viewer_client, directory):
    engineers = directory["engineers"]
    engineers["A"].phone = "+15555550101"
    engineers["A"].save()
    engineers["C"].phone = ""
    engineers["C"].save()

    rotation = tables(wall(viewer_client))[1]

    rows = [[cell.text for cell in row] for row in rotation.rows]
    assert rows[0] == ["When", "Primary (call first)", "Secondary"]
    assert rows[1][1].startswith("Engineer A +1 555-555-0101")
    assert rows[2][1].startswith("Engineer C no phone: via PagerDuty")
    assert len(rows) == 3  # both slots, whatever week it is


def test_the_escalation_paths_keep_their_conditions(viewer_client, directory):
    text = page_text(wall(viewer_client))

    assert "Technical Escalation" in text
    assert "SEV1 only · after 30 min: VP of Engineering: TBD" in text
    assert "if data breach confirmed: CTO: TBD + Legal" in text
    assert "next: Vendor support using premium support channel" in text
    assert "next: Team Lead of the service for affected service" in text


def test_the_main_channels_are_listed(viewer_client, directory):
    text = page_text(wall(viewer_client))

    assert "#incidents: Active SEV1/SEV2 incident coordination" in text
    assert "Ticket queue" not in text.split("Channels", 1)[1]


def test_the_wall_edition_has_a_fixed_query_budget(
    viewer_client, directory, django_assert_num_queries
):
    for copy in range(1, 10):
        build_directory(copy)

    with django_assert_num_queries(WALL_QUERIES), instances_built() as built:
        wall(viewer_client)

    rotations = built.by_model.get("Rotation", 0)
    assert rotations <= WALL_ROTATIONS + 1, built.by_model


def test_the_printable_sheets_point_to_the_wall_edition(viewer_client, directory):
    for url in ("/services/backend-api/", "/incident/general/"):
        html = viewer_client.get(url).content.decode()
        assert "To pin up: the wall edition, which stays true." in page_text(html), url
        assert f'<a href="{WALL}">the wall edition</a>' in html, url
