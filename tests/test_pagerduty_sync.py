"""`pagerduty_sync`: whom PagerDuty will page, compared with the portal; drift on the dashboard,
the calendar and in the API, against a fake PagerDuty driven by the real client."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from escalation.models import PagerDutyCheck, PagerDutyDrift
from escalation.services.pagerduty_sync import pagerduty_sync
from tests import factories
from tests.pagerduty_data import PRIMARY, USER_IDS, linked_team, mirror_rotation
from tests.swaps_data import NOW, WEEK_3

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(pagerduty_fake):
    with time_machine.travel(NOW, tick=False):
        team = linked_team(pagerduty_fake)
        mirror_rotation(pagerduty_fake, team, NOW, NOW + timedelta(weeks=9))
        yield team


def _change_in_pagerduty_only(fake):
    """Someone gives Drew Alex's primary week 3 in PagerDuty, not in the portal."""
    fake.overrides[PRIMARY]["PMANUAL"] = {
        "id": "PMANUAL",
        "start": "2026-01-12T09:00:00Z",
        "end": "2026-01-19T09:00:00Z",
        "user": {"id": USER_IDS["drew"], "type": "user_reference", "summary": "Drew Doe"},
    }


def test_in_step_schedules_show_no_drift(team, pagerduty_fake, viewer_client):
    report = pagerduty_sync(now=NOW)
    assert (report.checked, report.failed, report.drifts) == (2, 0, 0)
    assert not PagerDutyDrift.objects.exists()
    page = viewer_client.get("/").content.decode()
    assert "PagerDuty disagrees" not in page


def test_a_change_made_only_in_pagerduty_shows_as_drift_after_one_sync(
    team, pagerduty_fake, viewer_client
):
    _change_in_pagerduty_only(pagerduty_fake)
    out = call_command_output("pagerduty_sync")
    assert "2 schedules read, 0 failed, 1 differences, 2 calls to PagerDuty." in out
    drift = PagerDutyDrift.objects.get()
    assert (drift.start, drift.end) == WEEK_3
    assert (drift.pagerduty_person, drift.portal_person) == (team.drew, team.alex)

    page = viewer_client.get("/").content.decode()
    assert (
        "Platform, primary: PagerDuty will page Drew Doe from "
        '<time datetime="2026-01-12T09:00:00+00:00">Mon 12 Jan 09:00 UTC</time>; the portal says Alex Doe'
    ) in page
    calendar = viewer_client.get(reverse("escalation:calendar")).content.decode()
    assert "PagerDuty will page Drew Doe" in calendar


def call_command_output(*args):
    from io import StringIO

    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_the_api_says_whom_pagerduty_will_page(team, pagerduty_fake, viewer_client):
    _change_in_pagerduty_only(pagerduty_fake)
    pagerduty_sync(now=NOW)
    answer = json.loads(
        viewer_client.get(reverse("escalation:api_oncall"), {"at": "2026-01-13T10:00:00Z"}).content
    )
    rotation = answer["rotations"][0]
    assert rotation["primary"]["name"] == "Alex Doe"
    assert rotation["primary"]["pagerduty"] is None or isinstance(
        rotation["primary"]["pagerduty"], str
    )
    assert rotation["pagerduty"] == {
        "primary": {"person": "Drew Doe", "agrees": False, "checked_at": "2026-01-07T12:00:00Z"},
        "secondary": {"person": "Blair Doe", "agrees": True, "checked_at": "2026-01-07T12:00:00Z"},
    }
    later = json.loads(
        viewer_client.get(reverse("escalation:api_oncall"), {"at": "2026-06-01T10:00:00Z"}).content
    )
    assert later["rotations"][0]["pagerduty"]["primary"]["agrees"] is None  # beyond the window


def test_the_api_has_no_pagerduty_object_without_settings(team, settings, viewer_client):
    settings.PAGERDUTY_API_KEY = ""
    answer = json.loads(viewer_client.get(reverse("escalation:api_oncall")).content)
    assert "pagerduty" not in answer["rotations"][0]


def test_pagerduty_down_keeps_the_previous_drift_and_says_so(team, pagerduty_fake, manager_client):
    _change_in_pagerduty_only(pagerduty_fake)
    pagerduty_sync(now=NOW)
    pagerduty_fake.down_with = 503
    report = pagerduty_sync(now=NOW + timedelta(minutes=5))
    assert (report.checked, report.failed) == (0, 2)
    assert PagerDutyDrift.objects.count() == 1
    assert PagerDutyCheck.objects.filter(error__contains="503").count() == 2
    page = manager_client.get("/").content.decode()
    assert "last good sync" in page and "2 schedules failed at the last attempt" in page
    assert "PagerDuty will page Drew Doe" in page


def test_a_sync_of_60_linked_schedules_over_8_weeks_stays_within_the_rate_limit(
    team, pagerduty_fake
):
    people = [team.alex, team.blair, team.casey, team.drew]
    ids = {person.pk: person.pagerduty_user_id for person in people}
    for number in range(29):  # with the team's rotation: 30 rotations, 60 schedules
        rotation = factories.RotationFactory(
            pairs=[(team.alex, team.blair), (team.casey, team.drew)],
            pagerduty_primary_schedule_id=f"PP{number:04d}",
            pagerduty_secondary_schedule_id=f"PS{number:04d}",
        )
        twin = type(team)(
            rotation=rotation,
            **{
                n: getattr(team, n)
                for n in ("alex", "blair", "casey", "drew", "manager", "stranger")
            },
        )
        mirror_rotation(
            pagerduty_fake,
            twin,
            NOW,
            NOW + timedelta(weeks=9),
            ids=ids,
            schedules=(f"PP{number:04d}", f"PS{number:04d}"),
        )
    pagerduty_fake.calls.clear()
    report = pagerduty_sync(now=NOW, weeks=8)
    assert (report.checked, report.failed, report.drifts) == (60, 0, 0)
    assert len(pagerduty_fake.calls) == report.calls == 60  # one call per schedule
    assert report.calls <= 960  # PagerDuty's limit per minute and key
    first = pagerduty_fake.calls[0]
    assert first.query["since"] == ["2026-01-07T12:00:00Z"]
    assert first.query["until"] == ["2026-03-04T12:00:00Z"]


def test_pages_read_drift_in_a_fixed_number_of_queries(
    team, pagerduty_fake, user, manager, django_assert_num_queries
):
    from django.test import Client

    from tests.test_views_oncall import (
        CALENDAR_QUERIES,
        DASHBOARD_QUERIES,
        MANAGER_DASHBOARD_QUERIES,
    )

    _change_in_pagerduty_only(pagerduty_fake)
    pagerduty_sync(now=NOW)
    calls = len(pagerduty_fake.calls)
    viewer_client, manager_client = Client(), Client()
    viewer_client.force_login(user)
    manager_client.force_login(manager)
    # Connected: one more query for the drift; managers one more for the sync's status.
    with django_assert_num_queries(DASHBOARD_QUERIES + 1):
        viewer_client.get("/")
    with django_assert_num_queries(MANAGER_DASHBOARD_QUERIES + 2):
        manager_client.get("/")
    with django_assert_num_queries(CALENDAR_QUERIES + 1):
        viewer_client.get(reverse("escalation:calendar"), {"weeks": 8})
    rows = [
        PagerDutyDrift(
            rotation=team.rotation,
            tier="secondary",
            start=NOW + timedelta(hours=hour),
            end=NOW + timedelta(hours=hour, minutes=30),
            pagerduty_name=f"Someone {hour}",
            found_at=NOW,
        )
        for hour in range(1, 200)
    ]
    PagerDutyDrift.objects.bulk_create(rows)
    from escalation.cache import bump_data_version

    bump_data_version()
    with django_assert_num_queries(DASHBOARD_QUERIES + 1):
        page = viewer_client.get("/").content.decode()
    assert "Someone 199" in page
    assert len(pagerduty_fake.calls) == calls  # pages never call PagerDuty


def test_unlinking_a_tier_clears_its_drift_at_the_next_sync(team, pagerduty_fake, viewer_client):
    _change_in_pagerduty_only(pagerduty_fake)
    pagerduty_sync(now=NOW)
    assert PagerDutyDrift.objects.count() == 1
    team.rotation.pagerduty_primary_schedule_id = ""
    team.rotation.save()
    report = pagerduty_sync(now=NOW + timedelta(minutes=5))
    assert report.checked == 1
    assert not PagerDutyDrift.objects.exists()
    assert list(PagerDutyCheck.objects.values_list("tier", flat=True)) == ["secondary"]
    assert "PagerDuty disagrees" not in viewer_client.get("/").content.decode()
