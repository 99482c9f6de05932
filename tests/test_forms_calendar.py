"""The calendar's question (`CalendarForm`): what it reads, its defaults, and what it says about
what it cannot read. No database: the form reads the address only."""

from datetime import UTC, date, datetime

import pytest
from django.http import QueryDict
from django.utils import timezone

from escalation.forms.questions import (
    AT_INVALID,
    AT_OUT_OF_RANGE,
    ROTATION_INVALID,
    START_INVALID,
    WEEKS_INVALID,
    CalendarForm,
)
from escalation.selectors.calendar import CalendarPage, RotationChoice
from escalation.templatetags.oncall_tags import format_instant

WEEKS_MESSAGE = WEEKS_INVALID.format(max=104, default=8)


def form(query: str = "") -> CalendarForm:
    return CalendarForm(QueryDict(query))


def test_without_parameters_it_asks_for_the_default_weeks():
    question = form()

    assert question.start_date() is None
    assert question.week_count() == 8
    assert question.focus_at() is None
    assert question.rotation_asked() == ""
    assert question.notices() == []


def test_it_reads_every_parameter():
    question = form("start=2027-03-01&weeks=3&at=2026-11-30T10:00:00%2B01:00&rotation=+ops+")

    assert question.start_date() == date(2027, 3, 1)
    assert question.week_count() == 3
    assert question.focus_at() == datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert question.rotation_asked() == "ops"
    assert question.notices() == []


def test_blank_parameters_are_no_parameters():
    question = form("start=+&weeks=&at=%20&rotation=")

    assert question.week_count() == 8
    assert question.notices() == []


def test_a_time_without_offset_is_read_in_the_active_time_zone():
    with timezone.override("America/New_York"):
        question = form("at=2026-11-30T04:00")

        assert question.focus_at() == datetime(2026, 11, 30, 9, tzinfo=UTC)


def test_what_cannot_be_read_is_reported_in_field_order_and_defaults_are_used():
    question = form("at=yesterday&weeks=%C2%B2&start=2026-13-45")

    assert question.notices() == [
        START_INVALID.format(value="2026-13-45"),
        WEEKS_MESSAGE,
        AT_INVALID.format(value="yesterday"),
    ]
    assert (question.start_date(), question.week_count(), question.focus_at()) == (None, 8, None)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=1969-12-31", START_INVALID.format(value="1969-12-31")),
        ("weeks=105", WEEKS_MESSAGE),
        ("weeks=0104", WEEKS_MESSAGE),
        ("at=2200-01-01T00:00:00Z", AT_OUT_OF_RANGE),
    ],
)
def test_the_limits(query, message):
    assert form(query).notices() == [message]


def test_a_rotation_the_page_does_not_show_is_reported_after_the_rest():
    question = form("weeks=eight&rotation=gone")
    page = CalendarPage(
        at=datetime(2026, 11, 26, 12, tzinfo=UTC),
        start_date=date(2026, 11, 23),
        weeks=8,
        focus_at=None,
        rotations=[],
        problems=[],
        rotation_choices=[RotationChoice("all", "Every rotation"), RotationChoice("ops", "Ops")],
        rotation="ops",
    )

    question.check_rotation(page)

    assert question.notices() == [
        WEEKS_MESSAGE,
        ROTATION_INVALID.format(value="gone", shown="Ops"),
    ]


# --- Wall-clock times around a change of the clocks -----------------------------------------

BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "typed", "instant"),
    [
        # Berlin, autumn 2026: 03:00 CEST became 02:00 CET; 02:00:00–02:59:59 came twice.
        (BERLIN, "2026-10-25T01:59:59", utc(2026, 10, 24, 23, 59, 59)),
        (BERLIN, "2026-10-25T03:00:00", utc(2026, 10, 25, 2, 0, 0)),
        # Berlin, spring 2026: 02:00 CET became 03:00 CEST; 02:00:00–02:59:59 never happened.
        (BERLIN, "2026-03-29T01:59:59", utc(2026, 3, 29, 0, 59, 59)),
        (BERLIN, "2026-03-29T03:00:00", utc(2026, 3, 29, 1, 0, 0)),
        # New York: 01:00:00–01:59:59 came twice on 1 Nov 2026; 02:00–02:59:59 never on 8 Mar.
        (NEW_YORK, "2026-11-01T00:59:59", utc(2026, 11, 1, 4, 59, 59)),
        (NEW_YORK, "2026-11-01T02:00:00", utc(2026, 11, 1, 7, 0, 0)),
        (NEW_YORK, "2026-03-08T01:59:59", utc(2026, 3, 8, 6, 59, 59)),
        (NEW_YORK, "2026-03-08T03:00:00", utc(2026, 3, 8, 7, 0, 0)),
    ],
)
def test_a_wall_clock_time_either_side_of_a_change_names_one_instant(zone, typed, instant):
    with timezone.override(zone):
        question = form(f"at={typed}")

        assert question.focus_at() == instant
        assert question.notices() == []


@pytest.mark.parametrize(
    ("zone", "typed", "first", "second"),
    [
        (BERLIN, "2026-10-25T02:00:00", utc(2026, 10, 25, 0, 0, 0), utc(2026, 10, 25, 1, 0, 0)),
        (BERLIN, "2026-10-25T02:59:59", utc(2026, 10, 25, 0, 59, 59), utc(2026, 10, 25, 1, 59, 59)),
        (NEW_YORK, "2026-11-01T01:00:00", utc(2026, 11, 1, 5, 0, 0), utc(2026, 11, 1, 6, 0, 0)),
        (NEW_YORK, "2026-11-01T01:59:59", utc(2026, 11, 1, 5, 59, 59), utc(2026, 11, 1, 6, 59, 59)),
    ],
)
def test_a_time_of_the_repeated_hour_asks_which_naming_both(zone, typed, first, second):
    with timezone.override(zone):
        question = form(f"at={typed}")

        assert question.focus_at() is None
        assert question.at_choices == (first, second)
        (notice,) = question.notices()
        assert notice.startswith(f"{typed.replace('T', ' ')} came twice in {zone}")
        for choice in (first, second):
            assert format_instant(choice) in notice and format_instant(choice, "UTC") in notice
        assert question.typed_at() == typed


def test_the_two_berlin_readings_say_their_offsets():
    with timezone.override(BERLIN):
        (notice,) = form("at=2026-10-25T02:30:00").notices()

    assert "Sun 25 Oct 2026, 02:30 CEST (Sun 25 Oct 2026, 00:30 UTC)" in notice
    assert "Sun 25 Oct 2026, 02:30 CET (Sun 25 Oct 2026, 01:30 UTC)" in notice


@pytest.mark.parametrize(
    ("zone", "typed", "before", "after"),
    [
        (BERLIN, "2026-03-29T02:00:00", utc(2026, 3, 29, 0, 0, 0), utc(2026, 3, 29, 1, 0, 0)),
        (BERLIN, "2026-03-29T02:59:59", utc(2026, 3, 29, 0, 59, 59), utc(2026, 3, 29, 1, 59, 59)),
        (NEW_YORK, "2026-03-08T02:30:00", utc(2026, 3, 8, 6, 30, 0), utc(2026, 3, 8, 7, 30, 0)),
        ("Pacific/Apia", "2011-12-30T12:00:00", utc(2011, 12, 29, 22), utc(2011, 12, 30, 22)),
    ],
)
def test_a_time_the_clocks_skipped_is_said_not_moved(zone, typed, before, after):
    with timezone.override(zone):
        question = form(f"at={typed}")

        assert question.focus_at() is None
        assert question.at_choices == (before, after)
        (notice,) = question.notices()
        assert notice.startswith(f"{typed.replace('T', ' ')} never happened in {zone}")


@pytest.mark.parametrize(
    ("zone", "shown", "exact"),
    [
        # The second 02:30:00 of Berlin's autumn night, sent back as the page showed it.
        (BERLIN, "2026-10-25T02:30:00", "2026-10-25T01:30:00Z"),
        (BERLIN, "2026-10-25T02:30:00", "2026-10-25T00:30:00Z"),
        (BERLIN, "2026-10-25T02:59:59", "2026-10-25T01:59:59Z"),
        (NEW_YORK, "2026-11-01T01:15:00", "2026-11-01T06:15:00Z"),
        (NEW_YORK, "2026-11-01T01:15:00", "2026-11-01T05:15:00Z"),
    ],
)
def test_sent_back_unchanged_the_form_keeps_the_exact_instant(zone, shown, exact):
    with timezone.override(zone):
        question = form(f"at={shown}&exact={exact}")

        assert question.focus_at() == datetime.fromisoformat(exact)
        assert question.notices() == []


def test_a_new_time_typed_over_the_shown_one_is_read_afresh():
    with timezone.override(BERLIN):
        question = form("at=2026-10-25T04:00:00&exact=2026-10-25T01:30:00Z")

        assert question.focus_at() == utc(2026, 10, 25, 3)
