"""The dashboard says when its answer stops being true, for its script to fetch it again then."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from escalation.templatetags.oncall_tags import REFRESHED_AT, REFRESHED_AT_HANDOFF
from tests import factories
from tests.oncall_data import LAST_SECOND_OF_EVEN_WEEK, THURSDAY_EVEN_WEEK, seed_rotation

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("escalation:dashboard")


def refresh_marker(response) -> dict[str, str]:
    found = re.search(
        r'data-refresh-at="([^"]+)" data-refresh-notice="([^"]+)"', response.content.decode()
    )
    assert found, "the dashboard carries no refresh instant"
    return {"at": found[1], "notice": found[2]}


def test_the_dashboard_carries_its_next_handoff_for_the_refresh(viewer_client):
    seed_rotation()
    with time_machine.travel(LAST_SECOND_OF_EVEN_WEEK, tick=False):
        response = viewer_client.get(DASHBOARD)
    assert refresh_marker(response) == {
        "at": "2026-11-30T09:00:00Z",
        "notice": REFRESHED_AT_HANDOFF.format(time="09:00"),
    }
    assert 'id="oncall-live"' in response.content.decode()
    assert "js/oncall-refresh.js" in response.content.decode()


def test_the_handoff_is_said_in_the_viewers_time_zone(client):
    seed_rotation()
    person = factories.PersonFactory(time_zone="America/New_York", user=factories.UserFactory())
    client.force_login(person.user)
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = client.get(DASHBOARD)
    assert refresh_marker(response)["notice"] == REFRESHED_AT_HANDOFF.format(time="04:00")


def test_a_cover_ending_before_the_handoff_is_when_the_page_refreshes(viewer_client):
    seed = seed_rotation()
    end = THURSDAY_EVEN_WEEK + timedelta(hours=2, seconds=30)
    factories.OverrideFactory(
        rotation=seed.rotation, person=seed.a, start=THURSDAY_EVEN_WEEK, end=end
    )
    with time_machine.travel(THURSDAY_EVEN_WEEK + timedelta(hours=1), tick=False):
        first = viewer_client.get(DASHBOARD)
    assert refresh_marker(first) == {
        "at": "2026-11-26T14:00:30Z",
        "notice": REFRESHED_AT.format(time="14:00:30"),
    }


def test_without_a_rotation_nothing_is_refreshed(viewer_client):
    with time_machine.travel(datetime(2026, 11, 26, tzinfo=UTC), tick=False):
        response = viewer_client.get(DASHBOARD)
    assert "data-refresh-at" not in response.content.decode()
