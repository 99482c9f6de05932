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
