"""The pure rotation engine: no database, no clock. Expected instants are written out by hand."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalation import rotation
from escalation.rotation import (
    Assignment,
    OverrideIndex,
    OverrideSpec,
    Schedule,
    Shift,
    Slot,
    SlotRule,
    Tier,
    WeekParity,
    handoff_at,
    is_parity_repeat_possible,
    next_handoffs,
    on_call_at,
    parity_repeats,
    segments,
    shift_at,
    shifts_between,
)

HOUR = timedelta(hours=1)
MICROSECOND = timedelta(microseconds=1)

ODD_WEEKS = Slot("Odd weeks", "A", "B", WeekParity.ODD)
EVEN_WEEKS = Slot("Even weeks", "C", "D", WeekParity.EVEN)
SEED = Schedule(
    handoff_weekday=0,
    handoff_time=time(9, 0),
    time_zone="UTC",
    shift_days=7,
    rule=SlotRule.ISO_WEEK_PARITY,
    slots=(ODD_WEEKS, EVEN_WEEKS),
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def weekly_parity(time_zone: str, weekday: int, at: time) -> Schedule:
    return Schedule(weekday, at, time_zone, 7, SlotRule.ISO_WEEK_PARITY, (ODD_WEEKS, EVEN_WEEKS))


def alternation(count: int, anchor: date, shift_days: int = 7, **kwargs: object) -> Schedule:
    options: dict = {"handoff_weekday": anchor.weekday(), "handoff_time": time(9, 0)}
    options |= {"time_zone": "UTC"} | kwargs
    slots = tuple(Slot(f"Slot {i}", f"P{i}", f"S{i}") for i in range(count))
    return Schedule(
        shift_days=shift_days, rule=SlotRule.ALTERNATION, slots=slots, anchor=anchor, **options
    )


def override(tier: Tier, person: str, start: datetime, end: datetime, key: int = 0) -> OverrideSpec:
    return OverrideSpec(tier=tier, person=person, start=start, end=end, key=key)


def people(assignments: list[Assignment]) -> list[tuple[object, datetime, datetime, bool]]:
    return [(a.person, a.start, a.end, a.overridden) for a in assignments]


# --- The seed rotation, to the second ---------------------------------------------------------


def test_thursday_2026_11_26_is_iso_week_48_so_even_weeks_c_and_d():
    shift = shift_at(SEED, utc(2026, 11, 26, 12))

    assert (shift.iso_year, shift.iso_week) == (2026, 48)
    assert shift.label == "Even weeks"
    assert (shift.slot.primary, shift.slot.secondary) == ("C", "D")
    assert (shift.start, shift.end) == (utc(2026, 11, 23, 9), utc(2026, 11, 30, 9))


@pytest.mark.parametrize(
    "at",
    [utc(2026, 11, 30, 8, 59, 59), utc(2026, 11, 30, 8, 59, 59, 999999)],
    ids=["0859:59", "0859:59.999999"],
)
def test_handoff_monday_0859_utc_is_still_previous_week(at):
    shift = shift_at(SEED, at)

    assert shift.start == utc(2026, 11, 23, 9)
    assert shift.iso_week == 48
    assert shift.slot.primary == "C"


def test_handoff_monday_0900_utc_exactly_starts_odd_week_49_with_a_and_b():
    shift = shift_at(SEED, utc(2026, 11, 30, 9))

    assert (shift.start, shift.end) == (utc(2026, 11, 30, 9), utc(2026, 12, 7, 9))
    assert (shift.iso_year, shift.iso_week, shift.slot_index) == (2026, 49, 0)
    assert (shift.slot.primary, shift.slot.secondary) == ("A", "B")


def test_shift_contains_its_start_but_not_its_end():
    shift = shift_at(SEED, utc(2026, 12, 1))

    assert shift.contains(utc(2026, 11, 30, 9))
    assert shift.contains(utc(2026, 12, 7, 8, 59, 59, 999999))
    assert not shift.contains(utc(2026, 12, 7, 9))
    assert not shift.contains(utc(2026, 11, 30, 8, 59, 59, 999999))


def test_non_utc_instant_gets_the_same_shift_in_utc():
    shift = shift_at(SEED, datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")))

    assert shift.start == utc(2026, 11, 30, 9)
    assert shift.start.tzinfo is UTC
    assert shift.end.tzinfo is UTC


# --- Year ends and ISO weeks ------------------------------------------------------------------


def test_53_week_2026_gives_odd_weeks_twice_across_new_year():
    shifts = shifts_between(SEED, utc(2026, 12, 21, 9), utc(2027, 1, 18, 9))

    assert [(s.start, s.iso_year, s.iso_week, s.slot.primary) for s in shifts] == [
        (utc(2026, 12, 21, 9), 2026, 52, "C"),
        (utc(2026, 12, 28, 9), 2026, 53, "A"),
        (utc(2027, 1, 4, 9), 2027, 1, "A"),
        (utc(2027, 1, 11, 9), 2027, 2, "C"),
    ]
    [repeat] = parity_repeats(SEED, utc(2026, 12, 1), utc(2027, 2, 1))
    assert (repeat.previous.start, repeat.previous.iso_week) == (utc(2026, 12, 28, 9), 53)
    assert (repeat.following.start, repeat.following.iso_week) == (utc(2027, 1, 4, 9), 1)
    assert repeat.previous.label == repeat.following.label == "Odd weeks"


def test_53_week_2020_repeats_odd_weeks_into_2021():
    [repeat] = parity_repeats(SEED, utc(2020, 12, 1), utc(2021, 2, 1))

    assert (repeat.previous.start, repeat.previous.iso_year, repeat.previous.iso_week) == (
        utc(2020, 12, 28, 9),
        2020,
        53,
    )
    assert (repeat.following.start, repeat.following.iso_year, repeat.following.iso_week) == (
        utc(2021, 1, 4, 9),
        2021,
        1,
    )


def test_normal_year_end_2024_goes_from_even_week_52_to_odd_week_1_without_repeat():
    shifts = shifts_between(SEED, utc(2024, 12, 23, 9), utc(2025, 1, 6, 9))

    assert [(s.iso_year, s.iso_week, s.label) for s in shifts] == [
        (2024, 52, "Even weeks"),
        (2025, 1, "Odd weeks"),
    ]
    assert parity_repeats(SEED, utc(2024, 11, 1), utc(2025, 3, 1)) == []


@pytest.mark.parametrize(
    ("at", "monday", "iso_year"),
    [
        (utc(2025, 12, 29, 12), utc(2025, 12, 29, 9), 2026),
        (utc(2014, 12, 29, 12), utc(2014, 12, 29, 9), 2015),
        (utc(2025, 12, 31, 23, 59), utc(2025, 12, 29, 9), 2026),
    ],
)
def test_december_29_can_belong_to_iso_week_1_of_next_year(at, monday, iso_year):
    shift = shift_at(SEED, at)

    assert (shift.start, shift.iso_year, shift.iso_week, shift.label) == (
        monday,
        iso_year,
        1,
        "Odd weeks",
    )


def test_parity_repeats_2015_to_2035_happen_only_in_53_week_years():
    repeats = parity_repeats(SEED, utc(2015, 1, 1), utc(2036, 1, 1))

    assert [(r.previous.iso_year, r.previous.iso_week) for r in repeats] == [
        (2015, 53),
        (2020, 53),
        (2026, 53),
        (2032, 53),
    ]
    assert all(r.following.iso_week == 1 and r.following.start == r.previous.end for r in repeats)


def test_parity_repeat_possible_for_iso_week_parity_and_daily_alternation_only():
    assert is_parity_repeat_possible(SEED)
    single = alternation(1, date(2026, 1, 5))
    assert not is_parity_repeat_possible(single)
    assert parity_repeats(single, utc(2026, 1, 1), utc(2027, 1, 1)) == []
    assert not is_parity_repeat_possible(alternation(2, date(2026, 1, 5)))  # weekly
    assert is_parity_repeat_possible(alternation(2, date(2026, 1, 5), shift_days=1))


def test_two_slot_daily_alternation_repeats_a_slot_over_the_day_samoa_skipped():
    schedule = alternation(2, date(2011, 12, 1), shift_days=1, time_zone="Pacific/Apia")

    [repeat] = parity_repeats(schedule, utc(2011, 12, 20), utc(2012, 1, 10))

    # Local 29 Dec 09:00 (-10:00) to 31 Dec 09:00 (+14:00), then to 1 Jan: slot 0 both times.
    assert (repeat.previous.start, repeat.previous.end) == (
        utc(2011, 12, 29, 19),
        utc(2011, 12, 30, 19),
    )
    assert (repeat.following.start, repeat.following.end) == (
        utc(2011, 12, 30, 19),
        utc(2011, 12, 31, 19),
    )
    assert repeat.previous.slot_index == repeat.following.slot_index == 0
    assert repeat.skipped == (date(2011, 12, 30),)
    assert rotation.repeat_around(schedule, repeat.previous) == repeat
    assert rotation.repeat_around(schedule, repeat.following) == repeat


def test_daily_alternation_repeats_nothing_where_no_day_is_skipped():
    schedule = alternation(2, date(2026, 1, 1), shift_days=1, time_zone="Europe/Berlin")

    assert parity_repeats(schedule, utc(2026, 1, 1), utc(2027, 1, 1)) == []


def test_three_slots_over_the_skipped_day_skip_a_slot_but_repeat_none():
    schedule = alternation(3, date(2011, 12, 28), shift_days=1, time_zone="Pacific/Apia")

    assert parity_repeats(schedule, utc(2011, 12, 20), utc(2012, 1, 10)) == []


def test_the_week_53_repeat_skips_no_day():
    [repeat] = parity_repeats(SEED, utc(2026, 12, 1), utc(2027, 2, 1))

    assert repeat.skipped == ()


def test_iso_parity_with_sunday_handoff_uses_the_sunday_week():
    schedule = weekly_parity("UTC", 6, time(18, 0))

    shift = shift_at(schedule, utc(2027, 1, 4, 12))

    # Sunday 2027-01-03 closes ISO week 53 of 2026.
    assert (shift.start, shift.iso_year, shift.iso_week) == (utc(2027, 1, 3, 18), 2026, 53)


# --- Daylight saving time ---------------------------------------------------------------------

DST_CASES = [
    pytest.param(
        "Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30), 168, 167,
        id="berlin-spring-0230-nonexistent",
    ),
    pytest.param(
        "Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30), 168, 169,
        id="berlin-autumn-0230-ambiguous",
    ),
    pytest.param(
        "America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 30), 168, 167,
        id="new-york-spring-0230-nonexistent",
    ),
    pytest.param(
        "America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), 168, 169,
        id="new-york-autumn-0130-ambiguous",
    ),
    pytest.param(
        "Australia/Sydney", date(2026, 4, 5), time(2, 30), utc(2026, 4, 4, 15, 30), 168, 169,
        id="sydney-april-0230-ambiguous",
    ),
    pytest.param(
        "Australia/Sydney", date(2026, 10, 4), time(2, 30), utc(2026, 10, 3, 16, 30), 168, 167,
        id="sydney-october-0230-nonexistent",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "sunday", "wall", "expected", "hours_before", "hours_after"), DST_CASES
)
def test_sunday_handoff_on_dst_transition_day(
    zone, sunday, wall, expected, hours_before, hours_after
):
    schedule = weekly_parity(zone, 6, wall)

    assert handoff_at(schedule, sunday) == expected
    before = shift_at(schedule, expected - MICROSECOND)
    during = shift_at(schedule, expected)
    assert before.end == during.start == expected
    assert before.end - before.start == hours_before * HOUR
    assert during.end - during.start == hours_after * HOUR
    assert shifts_between(schedule, expected - HOUR, expected + HOUR) == [before, during]


def test_nonexistent_handoff_happens_gap_length_later_in_local_time():
    schedule = weekly_parity("Europe/Berlin", 6, time(2, 30))

    start = handoff_at(schedule, date(2026, 3, 29)).astimezone(ZoneInfo("Europe/Berlin"))

    assert (start.hour, start.minute, start.utcoffset()) == (3, 30, 2 * HOUR)


def test_ambiguous_handoff_uses_first_occurrence_and_second_falls_inside_the_shift():
    schedule = weekly_parity("America/New_York", 6, time(1, 30))
    second_0130 = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York"))

    shift = shift_at(schedule, second_0130)

    assert second_0130.astimezone(UTC) == utc(2026, 11, 1, 6, 30)
    assert shift.start == utc(2026, 11, 1, 5, 30)


def test_berlin_monday_0900_weekly_keeps_0900_local_across_both_changes():
    schedule = weekly_parity("Europe/Berlin", 0, time(9, 0))
    berlin = ZoneInfo("Europe/Berlin")

    shifts = shifts_between(schedule, utc(2026, 1, 1), utc(2027, 1, 1))

    assert {
        (s.start.astimezone(berlin).time(), s.start.astimezone(berlin).weekday()) for s in shifts
    } == {(time(9, 0), 0)}
    by_start = {s.start: s for s in shifts}
    assert by_start[utc(2026, 3, 23, 8)].end == utc(2026, 3, 30, 7)  # 167 hours
    assert by_start[utc(2026, 10, 19, 7)].end == utc(2026, 10, 26, 8)  # 169 hours
    assert all(a.end == b.start for a, b in pairwise(shifts))


# --- Alternation ------------------------------------------------------------------------------


def test_two_slot_alternation_from_a_past_anchor_and_before_it():
    schedule = alternation(2, date(2026, 1, 5))

    assert shift_at(schedule, utc(2026, 1, 5, 9)).slot_index == 0
    assert shift_at(schedule, utc(2026, 1, 12, 9)).slot_index == 1
    assert shift_at(schedule, utc(2030, 6, 3, 9)).slot_index == (
        (date(2030, 6, 3) - date(2026, 1, 5)).days // 7 % 2
    )
    assert shift_at(schedule, utc(2026, 1, 5, 8, 59)).slot_index == 1


def test_three_slot_fortnightly_alternation_counts_back_from_a_future_anchor():
    schedule = alternation(3, date(2027, 3, 1), shift_days=14)

    shifts = shifts_between(schedule, utc(2027, 1, 18, 9), utc(2027, 3, 29, 9))

    assert [(s.start, s.slot_index, s.label) for s in shifts] == [
        (utc(2027, 1, 18, 9), 0, "Slot 0"),
        (utc(2027, 2, 1, 9), 1, "Slot 1"),
        (utc(2027, 2, 15, 9), 2, "Slot 2"),
        (utc(2027, 3, 1, 9), 0, "Slot 0"),
        (utc(2027, 3, 15, 9), 1, "Slot 1"),
    ]
    assert all(s.end - s.start == timedelta(days=14) for s in shifts)


def test_five_slot_daily_alternation_in_berlin_ignores_weekday_and_keeps_local_time():
    schedule = alternation(
        5, date(2026, 3, 27), shift_days=1, handoff_weekday=2, time_zone="Europe/Berlin"
    )

    shifts = shifts_between(schedule, utc(2026, 3, 26, 8), utc(2026, 4, 1, 7))

    assert [(s.start, s.slot_index) for s in shifts] == [
        (utc(2026, 3, 26, 8), 4),
        (utc(2026, 3, 27, 8), 0),
        (utc(2026, 3, 28, 8), 1),
        (utc(2026, 3, 29, 7), 2),
        (utc(2026, 3, 30, 7), 3),
        (utc(2026, 3, 31, 7), 4),
    ]
    assert shifts[2].end - shifts[2].start == 23 * HOUR
    berlin = ZoneInfo("Europe/Berlin")
    assert {s.start.astimezone(berlin).time() for s in shifts} == {time(9, 0)}


def test_daily_handoff_on_the_date_samoa_skipped_gives_no_shift():
    schedule = alternation(3, date(2011, 12, 28), shift_days=1, time_zone="Pacific/Apia")

    shifts = shifts_between(schedule, utc(2011, 12, 28, 19), utc(2011, 12, 31, 19))

    # Local 2011-12-29 09:00 (-10:00) is followed by 2011-12-31 09:00 (+14:00): slot 2 is skipped.
    assert [(s.start, s.end, s.slot_index) for s in shifts] == [
        (utc(2011, 12, 28, 19), utc(2011, 12, 29, 19), 0),
        (utc(2011, 12, 29, 19), utc(2011, 12, 30, 19), 1),
        (utc(2011, 12, 30, 19), utc(2011, 12, 31, 19), 0),
    ]


def test_five_slot_alternation_cycles_through_every_slot_in_order():
    schedule = alternation(5, date(2026, 6, 1))

    shifts = shifts_between(schedule, utc(2026, 5, 18, 9), utc(2026, 8, 10, 9))

    assert [s.slot_index for s in shifts] == [3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]


def test_alternation_every_three_days_accepts_any_anchor_weekday():
    schedule = alternation(2, date(2026, 1, 1), shift_days=3, handoff_weekday=0)

    shift = shift_at(schedule, utc(2026, 1, 7, 10))

    assert (shift.start, shift.end, shift.slot_index) == (
        utc(2026, 1, 7, 9),
        utc(2026, 1, 10, 9),
        0,
    )


# --- Overrides --------------------------------------------------------------------------------

WEEK_49 = shift_at(SEED, utc(2026, 12, 1))
WEEK_50 = shift_at(SEED, utc(2026, 12, 8))


def test_override_inside_a_shift_cuts_it_in_three():
    cover = override(Tier.PRIMARY, "E", utc(2026, 12, 2, 9), utc(2026, 12, 3, 9), key=7)

    result = segments(WEEK_49, Tier.PRIMARY, [cover])

    assert people(result) == [
        ("A", utc(2026, 11, 30, 9), utc(2026, 12, 2, 9), False),
        ("E", utc(2026, 12, 2, 9), utc(2026, 12, 3, 9), True),
        ("A", utc(2026, 12, 3, 9), utc(2026, 12, 7, 9), False),
    ]
    assert result[1].override is cover
    assert result[1].override.key == 7


def test_override_spanning_a_handoff_covers_end_of_one_shift_and_start_of_next():
    cover = override(Tier.PRIMARY, "E", utc(2026, 12, 6, 18), utc(2026, 12, 8, 9))

    assert people(segments(WEEK_49, Tier.PRIMARY, [cover])) == [
        ("A", utc(2026, 11, 30, 9), utc(2026, 12, 6, 18), False),
        ("E", utc(2026, 12, 6, 18), utc(2026, 12, 7, 9), True),
    ]
    assert people(segments(WEEK_50, Tier.PRIMARY, [cover])) == [
        ("E", utc(2026, 12, 7, 9), utc(2026, 12, 8, 9), True),
        ("C", utc(2026, 12, 8, 9), utc(2026, 12, 14, 9), False),
    ]


def test_override_equal_to_a_shift_replaces_it_whole():
    cover = override(Tier.SECONDARY, "F", WEEK_49.start, WEEK_49.end)

    assert people(segments(WEEK_49, Tier.SECONDARY, [cover])) == [
        ("F", WEEK_49.start, WEEK_49.end, True)
    ]
    assert people(segments(WEEK_50, Tier.SECONDARY, [cover])) == [
        ("D", WEEK_50.start, WEEK_50.end, False)
    ]


def test_override_ending_at_the_instant_is_not_in_effect_and_starting_at_it_is():
    ended = override(Tier.PRIMARY, "E", utc(2026, 12, 1), utc(2026, 12, 2))
    starting = override(Tier.PRIMARY, "G", utc(2026, 12, 3), utc(2026, 12, 4))

    assert on_call_at(SEED, utc(2026, 12, 2), [ended, starting]).primary.person == "A"
    assert on_call_at(SEED, utc(2026, 12, 2) - MICROSECOND, [ended]).primary.person == "E"
    now = on_call_at(SEED, utc(2026, 12, 3), [ended, starting])
    assert (now.primary.person, now.primary.start, now.primary.end) == (
        "G",
        utc(2026, 12, 3),
        utc(2026, 12, 4),
    )


def test_override_tiers_are_independent():
    primary_cover = override(Tier.PRIMARY, "E", utc(2026, 12, 1), utc(2026, 12, 3))
    secondary_cover = override(Tier.SECONDARY, "F", utc(2026, 12, 2), utc(2026, 12, 5))

    now = on_call_at(SEED, utc(2026, 12, 1, 12), [primary_cover, secondary_cover])

    assert (now.primary.person, now.primary.overridden) == ("E", True)
    assert (now.secondary.person, now.secondary.overridden) == ("B", False)
    assert (now.secondary.start, now.secondary.end) == (utc(2026, 11, 30, 9), utc(2026, 12, 2))
    assert now.for_tier(Tier.SECONDARY) is now.secondary
    assert now.for_tier(Tier.PRIMARY) is now.primary


def test_on_call_without_overrides_holds_the_whole_shift():
    now = on_call_at(SEED, datetime(2026, 11, 26, 13, tzinfo=ZoneInfo("Asia/Kolkata")))

    assert now.at == utc(2026, 11, 26, 7, 30)
    assert now.at.tzinfo is UTC
    assert (now.primary.person, now.secondary.person) == ("C", "D")
    assert (now.primary.start, now.primary.end) == (now.shift.start, now.shift.end)
    assert not now.primary.overridden


def test_overlapping_overrides_later_start_wins_and_earlier_resumes_after_it():
    long_cover = override(Tier.PRIMARY, "E", utc(2026, 12, 1), utc(2026, 12, 5), key=1)
    short_cover = override(Tier.PRIMARY, "G", utc(2026, 12, 2), utc(2026, 12, 3), key=2)

    assert people(segments(WEEK_49, Tier.PRIMARY, [short_cover, long_cover])) == [
        ("A", utc(2026, 11, 30, 9), utc(2026, 12, 1), False),
        ("E", utc(2026, 12, 1), utc(2026, 12, 2), True),
        ("G", utc(2026, 12, 2), utc(2026, 12, 3), True),
        ("E", utc(2026, 12, 3), utc(2026, 12, 5), True),
        ("A", utc(2026, 12, 5), utc(2026, 12, 7, 9), False),
    ]


def test_overlapping_overrides_with_equal_starts_the_later_listed_wins():
    first = override(Tier.PRIMARY, "E", utc(2026, 12, 1), utc(2026, 12, 3))
    second = override(Tier.PRIMARY, "G", utc(2026, 12, 1), utc(2026, 12, 2))

    assert [a.person for a in segments(WEEK_49, Tier.PRIMARY, [first, second])] == [
        "A",
        "G",
        "E",
        "A",
    ]


def test_override_in_another_zone_is_reported_in_utc():
    berlin = ZoneInfo("Europe/Berlin")
    cover = override(
        Tier.PRIMARY,
        "E",
        datetime(2026, 12, 2, 10, tzinfo=berlin),
        datetime(2026, 12, 9, tzinfo=berlin),
    )

    [_, covered] = segments(WEEK_49, Tier.PRIMARY, [cover])

    assert (covered.start, covered.end) == (utc(2026, 12, 2, 9), utc(2026, 12, 7, 9))
    assert covered.start.tzinfo is UTC and covered.end.tzinfo is UTC


def test_override_index_answers_like_the_plain_sequence():
    covers = [
        override(Tier.PRIMARY, "E", utc(2026, 12, 6, 18), utc(2026, 12, 8, 9)),
        override(Tier.SECONDARY, "F", utc(2026, 12, 1), utc(2026, 12, 2)),
        override(Tier.PRIMARY, "G", utc(2027, 1, 1), utc(2027, 1, 2)),
    ]
    index = OverrideIndex(covers)

    for shift in (WEEK_49, WEEK_50):
        for tier in Tier:
            assert segments(shift, tier, index) == segments(shift, tier, covers)
    assert index.in_effect(Tier.PRIMARY, utc(2026, 12, 7)) is covers[0]
    assert index.in_effect(Tier.PRIMARY, utc(2026, 12, 8, 9)) is None
    assert index.in_effect(Tier.SECONDARY, utc(2026, 12, 1)) is covers[1]


# --- Next handoffs ----------------------------------------------------------------------------


def test_next_handoffs_gives_count_handoffs_strictly_after_the_instant():
    assert next_handoffs(SEED, utc(2026, 11, 26, 12), 3) == [
        utc(2026, 11, 30, 9),
        utc(2026, 12, 7, 9),
        utc(2026, 12, 14, 9),
    ]


def test_next_handoffs_at_exactly_a_handoff_skips_that_one():
    assert next_handoffs(SEED, utc(2026, 11, 30, 9), 2) == [
        utc(2026, 12, 7, 9),
        utc(2026, 12, 14, 9),
    ]
    assert next_handoffs(SEED, utc(2026, 11, 30, 8, 59, 59, 999999), 1) == [utc(2026, 11, 30, 9)]


def test_next_handoffs_follow_local_time_across_dst():
    schedule = weekly_parity("Europe/Berlin", 0, time(9, 0))

    assert next_handoffs(schedule, utc(2026, 3, 20), 2) == [
        utc(2026, 3, 23, 8),
        utc(2026, 3, 30, 7),
    ]


def test_next_handoffs_zero_is_empty_and_negative_is_rejected():
    assert next_handoffs(SEED, utc(2026, 1, 1), 0) == []
    with pytest.raises(ValueError, match=rotation.NEGATIVE_COUNT):
        next_handoffs(SEED, utc(2026, 1, 1), -1)


# --- Validation -------------------------------------------------------------------------------

PARITY = SlotRule.ISO_WEEK_PARITY
ALTERNATION = SlotRule.ALTERNATION
NINE = time(9, 0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param((0, NINE, "UTC", 0, ALTERNATION, (ODD_WEEKS,), date(2026, 1, 5)),
                     rotation.SHIFT_DAYS_TOO_SMALL, id="zero-days"),
        pytest.param((7, NINE, "UTC", 7, PARITY, (ODD_WEEKS, EVEN_WEEKS)),
                     rotation.HANDOFF_WEEKDAY_INVALID, id="weekday-7"),
        pytest.param((0, time(9, tzinfo=UTC), "UTC", 7, PARITY, (ODD_WEEKS, EVEN_WEEKS)),
                     rotation.HANDOFF_TIME_NOT_WALL_CLOCK, id="aware-time"),
        pytest.param((0, NINE, "UTC", 7, PARITY, ()), rotation.NO_SLOTS, id="no-slots"),
        pytest.param((0, NINE, "Mars/Olympus", 7, PARITY, (ODD_WEEKS, EVEN_WEEKS)),
                     "Unknown time zone: 'Mars/Olympus'", id="unknown-zone"),
        pytest.param((0, NINE, "", 7, PARITY, (ODD_WEEKS, EVEN_WEEKS)),
                     "Unknown time zone: ''", id="empty-zone"),
        pytest.param((0, NINE, "UTC", 14, PARITY, (ODD_WEEKS, EVEN_WEEKS)),
                     rotation.PARITY_NEEDS_WEEKLY_SHIFTS, id="parity-fortnightly"),
        pytest.param((0, NINE, "UTC", 7, PARITY, (ODD_WEEKS, ODD_WEEKS)),
                     rotation.PARITY_NEEDS_ODD_AND_EVEN_SLOT, id="parity-two-odd"),
        pytest.param((0, NINE, "UTC", 7, PARITY, (ODD_WEEKS, EVEN_WEEKS, ODD_WEEKS)),
                     rotation.PARITY_NEEDS_ODD_AND_EVEN_SLOT, id="parity-three-slots"),
        pytest.param((0, NINE, "UTC", 7, PARITY, (ODD_WEEKS, Slot("x", "P", None))),
                     rotation.PARITY_NEEDS_ODD_AND_EVEN_SLOT, id="parity-missing"),
        pytest.param((0, NINE, "UTC", 7, ALTERNATION, (ODD_WEEKS,)),
                     rotation.ALTERNATION_NEEDS_ANCHOR, id="alternation-no-anchor"),
        pytest.param((0, NINE, "UTC", 14, ALTERNATION, (ODD_WEEKS,), date(2026, 1, 6)),
                     rotation.ANCHOR_NOT_ON_HANDOFF_WEEKDAY, id="anchor-on-tuesday"),
    ],
)  # fmt: skip
def test_invalid_schedule_is_rejected_with_a_clear_message(arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Schedule(*arguments)


def test_schedule_accepts_plain_strings_for_its_enums():
    schedule = Schedule(
        0, NINE, "UTC", 7, "iso_week_parity", (Slot("o", 1, 2, "odd"), Slot("e", 3, 4, "even"))
    )

    assert schedule.rule is SlotRule.ISO_WEEK_PARITY
    assert shift_at(schedule, utc(2026, 11, 26)).slot.primary == 3


NAIVE = datetime(2026, 11, 26, 12)


@pytest.mark.parametrize(
    "call",
    [
        lambda: shift_at(SEED, NAIVE),
        lambda: shifts_between(SEED, NAIVE, utc(2027, 1, 1)),
        lambda: shifts_between(SEED, utc(2026, 1, 1), NAIVE),
        lambda: next_handoffs(SEED, NAIVE, 1),
        lambda: on_call_at(SEED, NAIVE),
        lambda: parity_repeats(SEED, NAIVE, utc(2027, 1, 1)),
        lambda: WEEK_49.contains(NAIVE),
        lambda: override(Tier.PRIMARY, "E", NAIVE, utc(2027, 1, 1)),
        lambda: override(Tier.PRIMARY, "E", utc(2026, 1, 1), NAIVE),
        lambda: OverrideIndex([]).in_effect(Tier.PRIMARY, NAIVE),
    ],
    ids=[
        "shift_at", "between-start", "between-end", "next_handoffs", "on_call_at",
        "parity_repeats", "contains", "override-start", "override-end", "index",
    ],
)  # fmt: skip
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="must be timezone-aware"):
        call()


def test_override_must_end_after_it_starts():
    with pytest.raises(ValueError, match=rotation.OVERRIDE_END_NOT_AFTER_START):
        override(Tier.PRIMARY, "E", utc(2026, 12, 2), utc(2026, 12, 2))


def test_range_ending_before_start_is_rejected_and_empty_range_has_no_shifts():
    with pytest.raises(ValueError, match=rotation.RANGE_END_BEFORE_START):
        shifts_between(SEED, utc(2026, 12, 2), utc(2026, 12, 1))
    assert shifts_between(SEED, utc(2026, 12, 2), utc(2026, 12, 2)) == []


# --- Ten years with a thousand overrides ------------------------------------------------------


def test_ten_years_of_weekly_shifts_with_a_thousand_overrides_tile_exactly():
    first, last = utc(2026, 1, 1), utc(2036, 1, 1)
    step = (last - first) / 1000
    covers = [
        override(
            (Tier.PRIMARY, Tier.SECONDARY)[i % 2],
            f"X{i}",
            first + i * step,
            first + i * step + 24 * HOUR,
            key=i,
        )
        for i in range(1000)
    ]
    index = OverrideIndex(covers)

    shifts = shifts_between(SEED, first, last)

    # Mondays from 2025-12-29 (its shift covers New Year 2026) to 2035-12-31 inclusive.
    assert len(shifts) == (date(2035, 12, 31) - date(2025, 12, 29)).days // 7 + 1 == 523
    covered = {Tier.PRIMARY: timedelta(0), Tier.SECONDARY: timedelta(0)}
    keys = set()
    for shift in shifts:
        for tier in Tier:
            assignments = segments(shift, tier, index)
            assert assignments[0].start == shift.start and assignments[-1].end == shift.end
            assert all(a.end == b.start for a, b in pairwise(assignments))
            for a in assignments:
                if a.overridden:
                    covered[tier] += a.end - a.start
                    keys.add(a.override.key)
    assert covered == {Tier.PRIMARY: 500 * 24 * HOUR, Tier.SECONDARY: 500 * 24 * HOUR}
    assert keys == set(range(1000))
    assert on_call_at(SEED, covers[999].start, index).secondary.person == "X999"


# --- Properties over 2015-2035 and many time zones ---------------------------------------------

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Sao_Paulo",
    "Africa/Casablanca",
    "Pacific/Apia",
]
# Wall-clock times at or near the hours that clocks change in these zones.
TRANSITION_TIMES = [
    time(0, 0),
    time(0, 30),
    time(1, 30),
    time(2, 0),
    time(2, 15),
    time(2, 30),
    time(2, 45),
    time(3, 0),
    time(3, 30),
    time(23, 30),
]

instants = st.datetimes(
    min_value=datetime(2015, 1, 1),
    max_value=datetime(2035, 12, 31),
    timezones=st.sampled_from([UTC, *(ZoneInfo(z) for z in ZONES)]),
)
PROPERTY = settings(max_examples=300, deadline=None)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    zone = draw(st.sampled_from(ZONES))
    wall = draw(st.one_of(st.sampled_from(TRANSITION_TIMES), st.times()))
    weekday = draw(st.integers(0, 6))
    if draw(st.booleans()):
        return weekly_parity(zone, weekday, wall)
    shift_days = draw(st.sampled_from([1, 2, 3, 5, 7, 10, 14, 21, 28]))
    anchor = draw(st.dates(date(2010, 1, 1), date(2040, 12, 31)))
    if shift_days % 7 == 0:
        anchor += timedelta(days=(weekday - anchor.weekday()) % 7)
    return alternation(
        draw(st.integers(1, 5)),
        anchor,
        shift_days=shift_days,
        handoff_weekday=weekday,
        handoff_time=wall,
        time_zone=zone,
    )


def wall_clock_exists(zone: ZoneInfo, wall: datetime) -> bool:
    local = wall.replace(tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


@PROPERTY
@given(schedules(), instants)
def test_every_instant_is_in_exactly_one_shift(schedule, at):
    shift = shift_at(schedule, at)

    assert shift.contains(at)
    assert shift.start < shift.end
    assert shift.start.tzinfo is UTC and shift.end.tzinfo is UTC
    assert not shift_at(schedule, shift.start - MICROSECOND).contains(at)
    assert not shift_at(schedule, shift.end).contains(at)
    assert shift_at(schedule, shift.start - MICROSECOND).end == shift.start
    assert shift_at(schedule, shift.end).start == shift.end


@PROPERTY
@given(schedules(), instants, st.integers(0, 24 * 120))
def test_shifts_between_tile_time_and_agree_with_shift_at(schedule, at, hours):
    end = at + timedelta(hours=hours, microseconds=1)
    zone = ZoneInfo(schedule.time_zone)

    shifts = shifts_between(schedule, at, end)

    assert shifts[0].contains(at)
    assert shifts[-1].start < end <= shifts[-1].end
    for previous, following in pairwise(shifts):
        assert previous.end == following.start
    for shift in shifts:
        assert shift.start < shift.end
        assert shift_at(schedule, shift.start) == shift
        assert shift_at(schedule, shift.end - MICROSECOND) == shift
        local = shift.start.astimezone(zone)
        assert local.date().isocalendar()[:2] == (shift.iso_year, shift.iso_week)
        handoff = datetime.combine(local.date(), schedule.handoff_time)
        if wall_clock_exists(zone, handoff):
            assert local.time() == schedule.handoff_time
        else:
            # In a spring-forward gap: later the same day, by less than the gap (at most 1 h).
            assert handoff < local.replace(tzinfo=None) <= handoff + HOUR
        if schedule.shift_days % 7 == 0:
            assert local.weekday() == schedule.handoff_weekday


@PROPERTY
@given(schedules(), instants, st.integers(1, 40))
def test_slots_follow_the_rule_shift_after_shift(schedule, at, count):
    shifts = shifts_between(schedule, at, at + timedelta(days=schedule.shift_days * count))

    if schedule.rule is SlotRule.ALTERNATION:
        slot_count = len(schedule.slots)
        for previous, following in pairwise(shifts):
            assert following.slot_index == (previous.slot_index + 1) % slot_count
        anchor_shift = shift_at(schedule, handoff_at(schedule, schedule.anchor))
        assert anchor_shift.slot_index == 0
    else:
        for shift in shifts:
            parity = WeekParity.ODD if shift.iso_week % 2 else WeekParity.EVEN
            assert shift.slot.week_parity is parity
        repeats = {
            (r.previous.start, r.following.start)
            for r in parity_repeats(schedule, at, shifts[-1].end)
        }
        for previous, following in pairwise(shifts):
            same = previous.slot_index == following.slot_index
            assert same == (previous.iso_week == 53 and following.iso_week == 1)
            assert same == ((previous.start, following.start) in repeats)


@st.composite
def shift_with_overrides(draw: st.DrawFn) -> tuple[Schedule, Shift, list[OverrideSpec]]:
    schedule = draw(schedules())
    shift = shift_at(schedule, draw(instants))
    span_minutes = int((shift.end - shift.start) / timedelta(minutes=1))
    covers = []
    for key in range(draw(st.integers(0, 6))):
        offset = draw(st.integers(-2 * 24 * 60, span_minutes + 2 * 24 * 60))
        length = draw(st.one_of(st.integers(1, span_minutes + 4 * 24 * 60), st.just(span_minutes)))
        start = shift.start + timedelta(minutes=offset)
        tier = draw(st.sampled_from(Tier))
        covers.append(override(tier, f"O{key}", start, start + timedelta(minutes=length), key=key))
    return schedule, shift, covers


def expected_holder(
    shift: Shift, tier: Tier, covers: list[OverrideSpec], at: datetime
) -> tuple[object, OverrideSpec | None]:
    """Brute force: of the overrides in effect at `at`, the latest started (then latest listed)."""
    in_effect = [
        (cover.start, position, cover)
        for position, cover in enumerate(covers)
        if cover.tier is tier and cover.start <= at < cover.end
    ]
    if not in_effect:
        return shift.slot.person_for(tier), None
    winner = max(in_effect, key=lambda item: item[:2])[2]
    return winner.person, winner


@PROPERTY
@given(shift_with_overrides())
def test_segments_tile_the_shift_with_overrides_applied(case):
    _, shift, covers = case
    for tier in Tier:
        assignments = segments(shift, tier, covers)

        assert assignments == segments(shift, tier, OverrideIndex(covers))
        assert assignments[0].start == shift.start
        assert assignments[-1].end == shift.end
        for previous, following in pairwise(assignments):
            assert previous.end == following.start
        probes = {shift.start, shift.end - MICROSECOND}
        probes |= {c.start for c in covers if shift.contains(c.start)}
        probes |= {c.end - MICROSECOND for c in covers if shift.contains(c.end - MICROSECOND)}
        for assignment in assignments:
            assert assignment.start < assignment.end
            assert assignment.tier is tier
            probes |= {assignment.start, assignment.end - MICROSECOND}
        for probe in probes:
            [holder] = [a for a in assignments if a.contains(probe)]
            assert (holder.person, holder.override) == expected_holder(shift, tier, covers, probe)


@PROPERTY
@given(shift_with_overrides(), st.floats(0, 1, exclude_max=True))
def test_on_call_at_agrees_with_segments(case, fraction):
    schedule, shift, covers = case
    at = min(shift.start + (shift.end - shift.start) * fraction, shift.end - MICROSECOND)

    now = on_call_at(schedule, at, covers)

    assert now.shift == shift
    assert now.at == at
    for tier in Tier:
        [holder] = [a for a in segments(shift, tier, covers) if a.contains(at)]
        assert now.for_tier(tier) == holder
