"""The viewer on the request (`escalation.viewer`): read once, and only when used; their time zone
active while the request is answered, and only then; the admin stays in UTC."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalation import models
from escalation.time_zones import zone_or_utc
from tests import factories
from tests.swaps_data import NOW, build_team, file_request
from tests.test_admin import admin_url

pytestmark = pytest.mark.django_db

# The one query `_read_viewer` runs for a signed-in user.
VIEWER_SQL = "(SELECT 1 AS one) viewer"


def viewer_reads(queries: CaptureQueriesContext) -> int:
    return sum(VIEWER_SQL in query["sql"] for query in queries.captured_queries)


@pytest.fixture
def new_yorker(client, user):
    factories.PersonFactory(display_name="Nia York", user=user, time_zone="America/New_York")
    client.force_login(user)
    return client


def test_a_page_reads_the_viewer_once(new_yorker):
    with CaptureQueriesContext(connection) as queries:
        response = new_yorker.get(reverse("escalation:profile"))

    assert response.status_code == 200
    assert viewer_reads(queries) == 1


def test_a_step_answered_with_a_redirect_never_reads_the_viewer(client):
    with time_machine.travel(NOW, tick=False):
        team = build_team()
        swap = file_request(team)
        client.force_login(team.casey.user)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("escalation:swap_accept", args=[swap.pk]))

    assert response.status_code == 302
    assert viewer_reads(queries) == 0


def test_the_viewers_zone_is_active_for_their_request_only(new_yorker):
    html = new_yorker.get(reverse("escalation:profile")).content.decode()

    assert "times shown in America/New_York" in html
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_visitor_not_signed_in_reads_times_in_utc(client):
    html = client.get(reverse("login")).content.decode()

    assert "times shown in UTC" in html


def test_an_unknown_zone_in_the_directory_shows_times_in_utc(client, user):
    person = factories.PersonFactory(user=user)
    # Written around the model's validation, as a bulk write could.
    models.Person.objects.filter(pk=person.pk).update(time_zone="Mars/Olympus")
    client.force_login(user)
    feed_token = factories.FeedTokenFactory(user=user)
    models.FeedToken.objects.filter(pk=feed_token.pk).update(
        created_at=datetime(2026, 11, 30, 9, tzinfo=UTC)
    )

    html = client.get(reverse("escalation:profile")).content.decode()

    assert "made Mon 30 Nov 2026, 09:00 UTC" in html
    assert "times shown in UTC" in html


def test_the_admin_keeps_utc_whatever_the_managers_zone(client, manager):
    factories.PersonFactory(user=manager, time_zone="America/New_York")
    override = factories.OverrideFactory(start=datetime(2026, 12, 1, 9, tzinfo=UTC))
    client.force_login(manager)

    html = client.get(admin_url(models.Override, "change", override.pk)).content.decode()

    assert 'name="start_1" value="09:00:00"' in html


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("", "UTC"),
        (None, "UTC"),
        ("Mars/Olympus", "UTC"),
        ("../../etc/passwd", "UTC"),
        ("America", "UTC"),
    ],
)
def test_zone_or_utc(name, key):
    assert zone_or_utc(name).key == key
