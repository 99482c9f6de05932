"""The iCalendar feed as a calendar client sees it: parsed back with icalendar."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from escalation import models
from escalation import rotation as engine
from escalation.feeds import build_calendar
from escalation.selectors.calendar import CalendarFeed, FeedEvent
from escalation.selectors.oncall import Holder
from escalation.services.feed_tokens import feed_token_regenerate, feed_token_revoke
from escalation.views import oncall as views
from tests import factories
from tests.oncall_data import (
    HANDOFF_TO_ODD_WEEK,
    LAST_SECOND_OF_EVEN_WEEK,
    THURSDAY_EVEN_WEEK,
    many_overrides,
    seed_rotation,
)

pytestmark = pytest.mark.django_db

ICS = reverse("escalation:calendar_ics")


@pytest.fixture
def seed():
    return seed_rotation()


@pytest.fixture
def token(user):
    return feed_token_regenerate(user=user)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        yield


def parse(response):
    assert response.status_code == 200, response.content
    return Calendar.from_ical(response.content)


def events(calendar):
    return list(calendar.walk("VEVENT"))


def event_at(calendar, at, tier):
    [event] = [
        event
        for event in events(calendar)
        if event.decoded("dtstart") <= at < event.decoded("dtend")
        and f"{tier} on call" in str(event["summary"])
    ]
    return event


# --- Access -------------------------------------------------------------------------------


def test_no_session_and_no_token_is_forbidden_in_plain_text(client, seed):
    response = client.get(ICS)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == views.FEED_LOGIN_REQUIRED


def test_a_wrong_token_is_forbidden(client, seed, token):
    response = client.get(ICS, {"token": "not-" + token})
    assert response.status_code == 403
    assert response.content.decode() == views.FEED_LINK_INVALID


def test_a_valid_token_works_without_a_session_and_records_its_use(client, user, seed, token):
    response = client.get(ICS, {"token": token})
    assert response.status_code == 200
    assert models.FeedToken.objects.get(user=user).last_used_at == THURSDAY_EVEN_WEEK


def test_a_regenerated_token_replaces_the_old_one(client, user, seed, token):
    new_token = feed_token_regenerate(user=user)
    assert client.get(ICS, {"token": token}).status_code == 403
    assert client.get(ICS, {"token": new_token}).status_code == 200


def test_a_revoked_token_stops_working(client, user, seed, token):
    feed_token_revoke(user=user)
    assert client.get(ICS, {"token": token}).status_code == 403


def test_the_token_of_a_deactivated_user_stops_working(client, user, seed, token):
    user.is_active = False
    user.save()
    assert client.get(ICS, {"token": token}).status_code == 403


def test_the_session_is_enough_but_a_bad_token_still_fails(viewer_client, seed):
    assert viewer_client.get(ICS).status_code == 200
    assert viewer_client.get(ICS, {"token": "nope"}).status_code == 403


def test_only_get_is_allowed(client, seed, token):
    assert client.post(f"{ICS}?token={token}").status_code == 405


# --- Content ------------------------------------------------------------------------------


def test_content_type_and_calendar_properties(viewer_client, seed):
    response = viewer_client.get(ICS)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = parse(response)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-calname"]) == "On call"
    assert b"\r\n" in response.content


def test_one_event_per_shift_and_tier_for_the_past_4_and_next_52_weeks(viewer_client, seed):
    calendar = parse(viewer_client.get(ICS))
    starts = sorted({event.decoded("dtstart") for event in events(calendar)})
    assert starts[0] == datetime(2026, 10, 26, 9, tzinfo=UTC)
    assert starts[-1] == datetime(2027, 11, 22, 9, tzinfo=UTC)
    assert len(events(calendar)) == 2 * len(starts) == 2 * 57
    for event in events(calendar):
        assert event.decoded("dtstamp") == THURSDAY_EVEN_WEEK
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(weeks=1)


def test_events_are_right_at_the_seed_boundaries(viewer_client, seed):
    calendar = parse(viewer_client.get(ICS))
    assert str(event_at(calendar, THURSDAY_EVEN_WEEK, "Primary")["summary"]) == (
        "Primary on call: Engineer C"
    )
    last_second = event_at(calendar, LAST_SECOND_OF_EVEN_WEEK, "Secondary")
    assert str(last_second["summary"]) == "Secondary on call: Engineer D"
    assert last_second.decoded("dtend") == HANDOFF_TO_ODD_WEEK
    handoff = event_at(calendar, HANDOFF_TO_ODD_WEEK, "Primary")
    assert str(handoff["summary"]) == "Primary on call: Engineer A"
    assert handoff.decoded("dtstart") == HANDOFF_TO_ODD_WEEK
    assert str(handoff["uid"]) == "on-call-primary-20261130T090000Z@escalation-portal"


def test_description_has_rotation_and_contact_details(viewer_client, seed):
    calendar = parse(viewer_client.get(ICS))
    description = str(event_at(calendar, THURSDAY_EVEN_WEEK, "Primary")["description"])
    assert "Rotation: On-call rotation" in description
    assert "Shift: Even weeks, ISO week 2026-W48" in description
    assert "Phone: +44 20 7946 0007" in description
    assert "Slack: @engineer-c" in description
    assert "PagerDuty: @pd-engineer-c" in description
    assert "Email: engineer.c@example.com" in description


def test_uids_are_stable_and_an_override_gets_its_own_event(viewer_client, seed):
    before = parse(viewer_client.get(ICS))
    cover = factories.PersonFactory(display_name="Rosa Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=cover,
        start=datetime(2026, 12, 1, 9, tzinfo=UTC),
        end=datetime(2026, 12, 2, 9, tzinfo=UTC),
    )
    after = parse(viewer_client.get(ICS))
    before_uids = {str(event["uid"]) for event in events(before)}
    after_uids = {str(event["uid"]) for event in events(after)}
    assert after_uids - before_uids == {
        "on-call-primary-20261201T090000Z@escalation-portal",
        "on-call-primary-20261202T090000Z@escalation-portal",
    }
    assert before_uids <= after_uids
    covered = event_at(after, datetime(2026, 12, 1, 12, tzinfo=UTC), "Primary")
    assert str(covered["summary"]) == "Primary on call: Rosa Cover (covering for Engineer A)"
    assert covered.decoded("dtend") == datetime(2026, 12, 2, 9, tzinfo=UTC)
    assert "Covering for: Engineer A" in str(covered["description"])
    shortened = event_at(after, HANDOFF_TO_ODD_WEEK, "Primary")
    assert str(shortened["uid"]) == "on-call-primary-20261130T090000Z@escalation-portal"
    assert shortened.decoded("dtend") == datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_stretches_within_one_second_keep_unique_uids_and_no_empty_event(viewer_client, seed):
    handoff = datetime(2026, 12, 1, 9, tzinfo=UTC)
    for start, end in (
        (handoff + timedelta(microseconds=250_000), handoff + timedelta(microseconds=750_000)),
        (handoff + timedelta(microseconds=750_000), handoff + timedelta(hours=1)),
    ):
        factories.OverrideFactory(
            rotation=seed.rotation, person=factories.PersonFactory(), start=start, end=end
        )

    uids = [str(event["uid"]) for event in events(parse(viewer_client.get(ICS)))]

    assert len(uids) == len(set(uids))
    assert "on-call-primary-20261201T090000.750000Z@escalation-portal" in uids
    assert "on-call-primary-20261201T090000.250000Z@escalation-portal" not in uids
    assert "on-call-primary-20261201T100000Z@escalation-portal" in uids


def test_the_week_53_repeat_is_said_in_both_shifts_descriptions(viewer_client, seed):
    calendar = parse(viewer_client.get(ICS))
    why = "(ISO year 2026 has 53 weeks, so week 53 of 2026 and week 1 of 2027 are both odd)."

    week_53 = event_at(calendar, datetime(2026, 12, 30, 12, tzinfo=UTC), "Primary")
    week_1 = event_at(calendar, datetime(2027, 1, 5, 12, tzinfo=UTC), "Secondary")
    week_52 = event_at(calendar, datetime(2026, 12, 23, 12, tzinfo=UTC), "Primary")

    assert f"Repeat: the same slot is on call the next week too {why}" in str(
        week_53["description"]
    )
    assert f"Repeat: the same slot is on call the previous week too {why}" in str(
        week_1["description"]
    )
    assert "Repeat" not in str(week_52["description"])


def test_person_feed_has_only_that_persons_events(viewer_client, seed):
    calendar = parse(viewer_client.get(ICS, {"person": seed.a.pk}))
    summaries = {str(event["summary"]) for event in events(calendar)}
    assert summaries == {"Primary on call: Engineer A"}
    assert str(calendar["x-wr-calname"]) == "On call: Engineer A"


def test_person_feed_includes_what_they_cover_for_others(viewer_client, seed):
    factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.SECONDARY,
        person=seed.a,
        start=datetime(2026, 12, 8, 9, tzinfo=UTC),
        end=datetime(2026, 12, 9, 9, tzinfo=UTC),
    )
    calendar = parse(viewer_client.get(ICS, {"person": seed.a.pk}))
    summaries = {str(event["summary"]) for event in events(calendar)}
    assert "Secondary on call: Engineer A (covering for Engineer D)" in summaries


@pytest.mark.parametrize("person", ["abc", "", "-1", "1.5", "99999", "9" * 40])
def test_a_bad_person_is_a_400(viewer_client, seed, person):
    response = viewer_client.get(ICS, {"person": person})
    assert response.status_code == 400
    assert response.content.decode() == views.PERSON_INVALID


HOSTILE_NAMES = [
    "<script>alert('x')</script>",
    'Doe, Jane; "JJ"',
    "Line one\nLine two\r\nLine three",
    "Zoë 🚨 on call 👩‍💻",
    "\u200fمهندس\u200f",
    "back\\slash: colon, ; semi",
    "x" * 10_000,
]


NAME_MAX = models.Person._meta.get_field("display_name").max_length
ROTATION_NAME_MAX = models.Rotation._meta.get_field("name").max_length


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_names_round_trip_through_the_feed(viewer_client, seed, name):
    person_name = name[:NAME_MAX]
    rotation_name = f"Rotation {name}"[:ROTATION_NAME_MAX]
    seed.c.display_name = person_name
    seed.c.save()
    seed.rotation.name = rotation_name
    seed.rotation.save()
    response = viewer_client.get(ICS)
    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75
    calendar = parse(response)
    event = event_at(calendar, THURSDAY_EVEN_WEEK, "Primary")
    # iCalendar TEXT has one line break, "\n": a CRLF inside a value comes back as LF.
    assert str(event["summary"]) == "Primary on call: " + person_name.replace("\r\n", "\n")
    assert f"Rotation: {rotation_name.replace(chr(13) + chr(10), chr(10))}\n" in str(
        event["description"]
    )
    assert len(events(calendar)) == 2 * 57
    own = parse(viewer_client.get(ICS, {"person": seed.c.pk}))
    assert len(events(own)) == 28


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_names_of_any_length_round_trip_through_build_calendar(name):
    """Beyond what the database holds: 10,000 characters, folded and unfolded intact."""
    person = factories.PersonFactory.build(pk=7, display_name=name + " 🚨" * 3000)
    covered = factories.PersonFactory.build(pk=8, display_name=name)
    rotation = factories.RotationFactory.build(name=name * 3, slug="hostile")
    shift = engine.Shift(
        start=HANDOFF_TO_ODD_WEEK,
        end=HANDOFF_TO_ODD_WEEK + timedelta(weeks=1),
        slot_index=0,
        slot=engine.Slot("Odd weeks", 8, None, engine.WeekParity.ODD),
        iso_year=2026,
        iso_week=49,
    )
    spec = engine.OverrideSpec(
        tier=engine.Tier.PRIMARY, person=7, start=shift.start, end=shift.end, key=1
    )
    holder = Holder(
        engine.Assignment(engine.Tier.PRIMARY, 7, shift.start, shift.end, override=spec),
        person,
        covered,
    )
    feed = CalendarFeed(
        at=THURSDAY_EVEN_WEEK,
        start=shift.start,
        end=shift.end,
        person=person,
        events=[FeedEvent(rotation=rotation, shift=shift, holder=holder)],
    )
    raw = build_calendar(feed)
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = Calendar.from_ical(raw)
    assert str(calendar["x-wr-calname"]).startswith("On call: ")
    assert "\n" not in str(calendar["x-wr-calname"])
    [event] = calendar.walk("VEVENT")
    unix = name.replace("\r\n", "\n")
    assert str(event["summary"]) == (
        f"Primary on call: {unix + ' 🚨' * 3000} (covering for {unix})"
    )
    assert str(event["description"]).startswith(f"Rotation: {unix * 3}\nTier: Primary\n")
    assert str(event["uid"]) == "hostile-primary-20261130T090000Z@escalation-portal"


# The token (read, and its last use recorded at most once a minute), the data version, then the
# feed's three reads; once the feed is cached, only the first ones.
FIRST_FEED_QUERIES = 6
FEED_QUERIES = 5
CACHED_FEED_QUERIES = 2


def test_query_count_does_not_grow_with_overrides(client, seed, token, django_assert_num_queries):
    with django_assert_num_queries(FIRST_FEED_QUERIES):
        client.get(ICS, {"token": token})
    many_overrides(seed.rotation, count=500, start=datetime(2026, 11, 1, tzinfo=UTC))
    seed_rotation(name="Second", slug="second", people_suffix="2")
    with django_assert_num_queries(FEED_QUERIES):
        response = client.get(ICS, {"token": token})
    assert len(events(parse(response))) > 2 * 2 * 57 + 500
    with django_assert_num_queries(CACHED_FEED_QUERIES):
        assert client.get(ICS, {"token": token}).content == response.content
    with django_assert_num_queries(FEED_QUERIES):
        client.get(ICS, {"token": token, "person": seed.a.pk})


@pytest.mark.parametrize(
    ("at", "primary", "secondary"),
    [
        (THURSDAY_EVEN_WEEK, "Engineer C", "Engineer D"),
        (LAST_SECOND_OF_EVEN_WEEK, "Engineer C", "Engineer D"),
        (HANDOFF_TO_ODD_WEEK, "Engineer A", "Engineer B"),
    ],
)
def test_seeded_document_events_at_the_boundaries(viewer_client, seeded, at, primary, secondary):
    calendar = parse(viewer_client.get(ICS))
    assert str(event_at(calendar, at, "Primary")["summary"]) == f"Primary on call: {primary}"
    assert str(event_at(calendar, at, "Secondary")["summary"]) == f"Secondary on call: {secondary}"
