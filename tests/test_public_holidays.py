"""Public holidays of a place, from the `holidays` package, as local days (no database)."""

from datetime import UTC, datetime, timedelta

from escalation.public_holidays import (
    COUNTRY_UNKNOWN,
    REGION_WITHOUT_COUNTRY,
    Place,
    describe,
    holiday_time,
    holidays_between,
    place_problem,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_bavaria_has_epiphany_berlin_does_not():
    week = (utc(2026, 1, 5, 9), utc(2026, 1, 12, 9))
    bavaria = holidays_between(Place("DE", "BY"), "Europe/Berlin", *week)
    berlin = holidays_between(Place("DE", "BE"), "Europe/Berlin", *week)
    assert [(h.day.isoformat(), h.name) for h in bavaria] == [("2026-01-06", "Epiphany")]
    assert berlin == []


def test_holiday_is_the_local_day_in_the_holders_zone():
    [epiphany] = holidays_between(
        Place("DE", "BY"), "Europe/Berlin", utc(2026, 1, 5, 9), utc(2026, 1, 12, 9)
    )
    assert (epiphany.start, epiphany.end) == (utc(2026, 1, 5, 23), utc(2026, 1, 6, 23))


def test_united_states_independence_day_and_uk_boxing_day():
    us = holidays_between(Place("US"), "America/New_York", utc(2026, 6, 29, 9), utc(2026, 7, 6, 9))
    assert [(h.day.isoformat(), h.name) for h in us] == [
        ("2026-07-03", "Independence Day (observed)"),
        ("2026-07-04", "Independence Day"),
    ]
    # The shift ends Monday 28 December 09:00: the day off in lieu of Boxing Day is included.
    gb = holidays_between(Place("GB"), "Europe/London", utc(2026, 12, 21, 9), utc(2026, 12, 28, 9))
    assert [h.day.isoformat() for h in gb] == ["2026-12-25", "2026-12-26", "2026-12-28"]
    assert describe(gb[:2]) == (
        "Public holidays: Christmas Day (Fri 25 Dec), Boxing Day (Sat 26 Dec)"
    )


def test_a_shift_starting_at_midnight_after_the_holiday_does_not_include_it():
    after = holidays_between(Place("GB"), "UTC", utc(2026, 12, 27), utc(2026, 12, 28))
    assert after == []
    touching = holidays_between(
        Place("GB"), "UTC", utc(2026, 12, 26, 23, 59, 59), utc(2026, 12, 28)
    )
    assert [h.day.isoformat() for h in touching] == ["2026-12-26"]


def test_holiday_time_counts_only_the_part_inside():
    gb = holidays_between(Place("GB"), "UTC", utc(2026, 12, 21, 9), utc(2026, 12, 28, 9))
    # 12 hours of Christmas Day, all of Boxing Day, 9 hours of the Monday in lieu.
    assert holiday_time(gb, utc(2026, 12, 25, 12), utc(2026, 12, 28, 9)) == timedelta(hours=45)


def test_place_problems():
    assert place_problem("DE", "BY") is None
    assert place_problem("", "") is None
    assert place_problem("XX", "") == COUNTRY_UNKNOWN
    assert place_problem("", "BY") == REGION_WITHOUT_COUNTRY
    assert "DE has no region “ZZ”" in (place_problem("DE", "ZZ") or "")
