"""Strict daily alternation over the day Samoa skipped (Pacific/Apia, 30 December 2011): the
slot before the skipped day comes again after it, and the pages say so, as they say the
week-53 repeat."""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from escalation import models
from escalation.selectors.repeats import SKIPPED_DAY_WHY
from tests.oncall_data import seed_rotation

pytestmark = pytest.mark.django_db

WHY = SKIPPED_DAY_WHY.format(days="30 Dec 2011", zone="Pacific/Apia")
# Local 29 Dec 2011 09:00 (-10:00) to 31 Dec 09:00 (+14:00): Engineers A and B, then again.
BEFORE_THE_SKIP = datetime(2011, 12, 30, 12, tzinfo=UTC)


@pytest.fixture
def apia():
    return seed_rotation(
        slot_rule=models.SlotRule.ALTERNATION,
        anchor_date=date(2011, 12, 1),
        handoff_weekday=date(2011, 12, 1).weekday(),
        shift_days=1,
        time_zone="Pacific/Apia",
    )


def test_the_dashboard_says_the_same_pair_comes_again_and_why(viewer_client, apia):
    with time_machine.travel(BEFORE_THE_SKIP, tick=False):
        html = viewer_client.get(reverse("escalation:dashboard")).content.decode()

    assert "The same pair again in the next shift</strong>" in html
    assert f"Why: {WHY}." in html
    assert "odd and even ISO week" not in html


def test_the_calendar_marks_the_repeat_and_explains_it(viewer_client, apia, manager_client):
    with time_machine.travel(datetime(2011, 12, 27, tzinfo=UTC), tick=False):
        html = viewer_client.get(
            reverse("escalation:calendar"), {"start": "2011-12-27", "weeks": "1"}
        ).content.decode()
        managers = manager_client.get(
            reverse("escalation:calendar"), {"start": "2011-12-27", "weeks": "1"}
        ).content.decode()

    assert "The same pair is on call twice in a row" in html
    assert WHY in html
    assert html.count('title="The same slot as the shift before">repeat</span>') == 1
    assert "switching the rotation to strict alternation" not in managers


def test_the_calendar_announces_the_skipped_day_ahead(viewer_client, apia):
    with time_machine.travel(datetime(2011, 11, 1, tzinfo=UTC), tick=False):
        html = viewer_client.get(reverse("escalation:calendar"), {"weeks": "1"}).content.decode()

    assert "Coming up: the same pair twice in a row" in html
    assert WHY in html


def test_the_api_flags_both_shifts_as_a_repeat(viewer_client, apia):
    def repeat_at(at: str) -> bool:
        answer = json.loads(viewer_client.get(reverse("escalation:api_oncall"), {"at": at}).content)
        return answer["rotations"][0]["shift"]["repeat"]

    assert repeat_at("2011-12-30T12:00:00Z") and repeat_at("2011-12-30T20:00:00Z")
    assert not repeat_at("2011-12-28T12:00:00Z")


def test_the_feed_says_it_in_both_shifts_descriptions(viewer_client, apia):
    from tests.test_feeds import event_at

    with time_machine.travel(datetime(2011, 12, 20, tzinfo=UTC), tick=False):
        response = viewer_client.get(reverse("escalation:calendar_ics"))
    calendar = Calendar.from_ical(response.content)

    before = event_at(calendar, BEFORE_THE_SKIP, "Primary")
    after = event_at(calendar, datetime(2011, 12, 31, 12, tzinfo=UTC), "Primary")
    assert f"the same slot is on call the next shift too ({WHY})." in str(before["description"])
    assert f"the same slot is on call the previous shift too ({WHY})." in str(after["description"])
