"""The fairness figures, checked against values computed by hand (no database, no clock)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from escalation.fairness import (
    PERIOD_END_NOT_AFTER_START,
    Period,
    balance,
    fairness,
    local_period,
    period_dates,
)
from escalation.rotation import (
    OverrideIndex,
    OverrideSpec,
    Schedule,
    Slot,
    SlotRule,
    Tier,
    WeekParity,
)

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parity(odd: tuple[str, str | None], even: tuple[str, str | None]) -> Schedule:
    return Schedule(
        0,
        time(9, 0),
        "UTC",
        7,
        SlotRule.ISO_WEEK_PARITY,
        (
            Slot("Odd weeks", odd[0], odd[1], WeekParity.ODD),
            Slot("Even weeks", even[0], even[1], WeekParity.EVEN),
        ),
    )


def by_person(report):
    return {figures.person: figures for figures in report.people}


# Two weeks: ISO week 10 (even: C and D), week 11 (odd: A and B). E covers A's primary from
# Saturday 14 March 09:00 to Sunday 09:00.
SMALL = parity(odd=("A", "B"), even=("C", "D"))
SMALL_OVERRIDE = OverrideSpec(Tier.PRIMARY, "E", utc(2026, 3, 14, 9), utc(2026, 3, 15, 9), key=7)


def small_report():
    return fairness(
        SMALL,
        utc(2026, 3, 2, 9),
        utc(2026, 3, 16, 9),
        OverrideIndex([SMALL_OVERRIDE]),
        swaps_asked={"A": 2},
    )


def test_hours_shifts_and_weekend_hours_with_an_override():
    people = by_person(small_report())
    assert list(people) == ["A", "B", "C", "D", "E"]
    assert [people[p].hours for p in "ABCDE"] == [144, 168, 168, 168, 24]
    assert [people[p].shifts for p in "ABCDE"] == [1, 1, 1, 1, 1]
    # Weekend of 14-15 March: 48 hours; E holds Saturday 09:00 to Sunday 09:00 of A's.
    assert [people[p].weekend_hours for p in "ABCDE"] == [24, 48, 48, 48, 24]


def test_overrides_taken_and_given_and_swaps_asked():
    people = by_person(small_report())
    assert (people["E"].overrides_taken, people["E"].overrides_given) == (1, 0)
    assert (people["A"].overrides_taken, people["A"].overrides_given) == (0, 1)
    assert people["B"].overrides_given == 0
    assert [people[p].swaps_asked for p in "ABCDE"] == [2, 0, 0, 0, 0]


def test_balance_is_the_mean_over_pairs_of_smaller_over_larger():
    report = small_report()
    # Pairs: A with B, C, D 144/168 = 6/7 each; A-E 24/144 = 1/6; B, C, D among them 1 each;
    # E with B, C, D 1/7 each. (18/7 + 1/6 + 3 + 3/7) / 10 = 37/60.
    assert report.balance == pytest.approx(37 / 60)
    assert report.mean_hours == pytest.approx(672 / 5)
    assert [f.person for f in report.people if f.above_mean] == ["A", "B", "C", "D"]
    assert report.shift_count == 2


def test_a_period_edge_inside_a_shift_counts_only_the_inside_part():
    # From Friday 13 March 09:00 to the handoff: 72 hours of week 11, E's 24 among them.
    report = fairness(
        SMALL, utc(2026, 3, 13, 9), utc(2026, 3, 16, 9), OverrideIndex([SMALL_OVERRIDE])
    )
    people = by_person(report)
    assert (people["A"].hours, people["B"].hours, people["E"].hours) == (48, 72, 24)
    assert (people["C"].hours, people["C"].shifts, people["A"].shifts) == (0, 0, 1)
    # One second before the handoff is still A's and B's.
    report = fairness(
        SMALL, utc(2026, 3, 16, 8, 59, 59), utc(2026, 3, 16, 9, 0, 1), OverrideIndex([])
    )
    people = by_person(report)
    assert people["A"].on_call == people["C"].on_call == timedelta(seconds=1)


def berlin_alternation() -> Schedule:
    return Schedule(
        0,
        time(9, 0),
        "Europe/Berlin",
        7,
        SlotRule.ALTERNATION,
        (Slot("X", "X", None), Slot("Y", "Y", None)),
        anchor=date(2026, 3, 23),
    )


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_the_shift_across_the_change_to_summer_time_holds_167_hours():
    report = fairness(
        berlin_alternation(), berlin(2026, 3, 23, 9), berlin(2026, 4, 6, 9), OverrideIndex([])
    )
    people = by_person(report)
    assert (people["X"].hours, people["Y"].hours) == (167, 168)
    # Saturday 28 March 00:00 CET to Monday 30 March 00:00 CEST: 47 hours.
    assert (people["X"].weekend_hours, people["Y"].weekend_hours) == (47, 48)
    assert report.balance == pytest.approx(167 / 168)


def test_the_shift_across_the_change_back_holds_169_hours():
    report = fairness(
        berlin_alternation(), berlin(2026, 10, 19, 9), berlin(2026, 10, 26, 9), OverrideIndex([])
    )
    people = by_person(report)
    assert (people["X"].hours, people["X"].weekend_hours, people["X"].shifts) == (169, 49, 1)
    assert (people["Y"].hours, people["Y"].shifts) == (0, 0)
    assert report.balance == 0.0
    assert [f.person for f in report.people if f.above_mean] == ["X"]


def test_week_53_gives_the_odd_weeks_two_shifts_in_a_row():
    # Weeks 52 (even), 53 and then week 1 of 2027 (both odd).
    report = fairness(
        parity(odd=("A", None), even=("B", None)),
        utc(2026, 12, 21, 9),
        utc(2027, 1, 11, 9),
        OverrideIndex([]),
    )
    people = by_person(report)
    assert (people["A"].hours, people["A"].shifts) == (336, 2)
    assert (people["B"].hours, people["B"].shifts) == (168, 1)
    assert (people["A"].weekend_hours, people["B"].weekend_hours) == (96, 48)
    assert report.balance == 0.5
    assert [f.person for f in report.people if f.above_mean] == ["A"]


def test_an_override_across_a_handoff_is_given_by_both_people_it_displaces():
    override = OverrideSpec(Tier.PRIMARY, "E", utc(2026, 3, 15, 9), utc(2026, 3, 17, 9), key=1)
    people = by_person(
        fairness(SMALL, utc(2026, 3, 9, 9), utc(2026, 3, 23, 9), OverrideIndex([override]))
    )
    assert (people["E"].overrides_taken, people["E"].hours, people["E"].shifts) == (1, 48, 2)
    assert (people["A"].overrides_given, people["C"].overrides_given) == (1, 1)
    assert (people["A"].hours, people["C"].hours) == (144, 144)


def test_balance_of_few_or_idle_people():
    assert balance([]) is None
    assert balance([timedelta(hours=5)]) is None
    assert balance([timedelta(0), timedelta(0)]) == 1.0
    assert balance([timedelta(hours=1), timedelta(hours=3)]) == pytest.approx(1 / 3)


def test_a_period_must_end_after_it_starts():
    with pytest.raises(ValueError, match=PERIOD_END_NOT_AFTER_START):
        fairness(SMALL, utc(2026, 3, 2), utc(2026, 3, 2), OverrideIndex([]))


@pytest.mark.parametrize(
    ("period", "today", "first", "last"),
    [
        (Period.THIS_QUARTER, date(2026, 11, 30), date(2026, 10, 1), date(2026, 12, 31)),
        (Period.LAST_QUARTER, date(2026, 11, 30), date(2026, 7, 1), date(2026, 9, 30)),
        (Period.LAST_QUARTER, date(2026, 2, 14), date(2025, 10, 1), date(2025, 12, 31)),
        (Period.THIS_QUARTER, date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31)),
        (Period.THIS_YEAR, date(2026, 11, 30), date(2026, 1, 1), date(2026, 12, 31)),
        (Period.LAST_YEAR, date(2026, 1, 1), date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_named_periods_are_whole_quarters_and_years(period, today, first, last):
    assert period_dates(period, today) == (first, last)


def test_a_local_period_runs_from_midnight_to_midnight_in_the_rotation_zone():
    start, end = local_period("Europe/Berlin", date(2026, 3, 1), date(2026, 3, 31))
    assert start == utc(2026, 2, 28, 23)  # CET
    assert end == utc(2026, 3, 31, 22)  # CEST
