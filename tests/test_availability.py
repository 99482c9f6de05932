"""Time-off clashes and suggested cover, on plain values (no database, no clock)."""

from datetime import UTC, datetime, time, timedelta

from escalation.availability import (
    COVER_MARGIN,
    Away,
    clashes,
    overlaps,
    say_distance,
    suggest_cover,
)
from escalation.rotation import (
    OverrideIndex,
    OverrideSpec,
    Schedule,
    Slot,
    SlotRule,
    Tier,
    WeekParity,
    shifts_between,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Monday 09:00 UTC handoffs. ISO week 11 of 2026 (odd: A, B) starts Monday 9 March 09:00.
SCHEDULE = Schedule(
    0,
    time(9, 0),
    "UTC",
    7,
    SlotRule.ISO_WEEK_PARITY,
    (
        Slot("Odd weeks", "A", "B", WeekParity.ODD),
        Slot("Even weeks", "C", "D", WeekParity.EVEN),
    ),
)
WEEK_11 = shifts_between(SCHEDULE, utc(2026, 3, 9, 9), utc(2026, 3, 16, 9))


def test_week_11_is_a_and_b():
    assert [(s.start, s.slot.primary) for s in WEEK_11] == [(utc(2026, 3, 9, 9), "A")]


def test_holiday_ending_at_the_handoff_does_not_clash():
    away = Away("A", utc(2026, 3, 2), utc(2026, 3, 9, 9))
    assert clashes(WEEK_11, OverrideIndex(()), [away]) == []


def test_holiday_ending_one_second_after_the_handoff_clashes_for_that_second():
    away = Away("A", utc(2026, 3, 2), utc(2026, 3, 9, 9, 0, 1))
    [clash] = clashes(WEEK_11, OverrideIndex(()), [away])
    assert (clash.person, clash.tier) == ("A", Tier.PRIMARY)
    assert (clash.start, clash.end) == (utc(2026, 3, 9, 9), utc(2026, 3, 9, 9, 0, 1))


def test_holiday_starting_at_the_next_handoff_does_not_clash():
    away = Away("B", utc(2026, 3, 16, 9), utc(2026, 3, 20))
    assert clashes(WEEK_11, OverrideIndex(()), [away]) == []
    one_second_earlier = Away("B", utc(2026, 3, 16, 8, 59, 59), utc(2026, 3, 20))
    [clash] = clashes(WEEK_11, OverrideIndex(()), [one_second_earlier])
    assert (clash.tier, clash.start, clash.end) == (
        Tier.SECONDARY,
        utc(2026, 3, 16, 8, 59, 59),
        utc(2026, 3, 16, 9),
    )


def test_clash_window_is_the_overlap_with_the_holders_own_stretch():
    # E covers A's primary Wednesday to Friday; A is away Tuesday to Thursday: A clashes only on
    # Tuesday 00:00 to Wednesday 00:00, and E, who holds Wednesday, does not clash at all.
    cover = OverrideSpec(Tier.PRIMARY, "E", utc(2026, 3, 11), utc(2026, 3, 13), key=1)
    away = Away("A", utc(2026, 3, 10), utc(2026, 3, 12))
    [clash] = clashes(WEEK_11, OverrideIndex([cover]), [away])
    assert (clash.person, clash.start, clash.end) == ("A", utc(2026, 3, 10), utc(2026, 3, 11))
    assert (clash.stretch.start, clash.stretch.end) == (utc(2026, 3, 9, 9), utc(2026, 3, 11))


def test_someone_elses_time_off_is_no_clash():
    away = Away("C", utc(2026, 3, 10), utc(2026, 3, 12))
    assert clashes(WEEK_11, OverrideIndex(()), [away]) == []


def test_overlaps_is_half_open():
    assert not overlaps(utc(2026, 1, 1), utc(2026, 1, 2), utc(2026, 1, 2), utc(2026, 1, 3))
    assert overlaps(utc(2026, 1, 1), utc(2026, 1, 2, 0, 0, 1), utc(2026, 1, 2), utc(2026, 1, 3))


START, END = utc(2026, 3, 9, 9), utc(2026, 3, 16, 9)


def test_cover_suggests_the_least_recently_on_call_first_and_says_why():
    on_call = {
        "C": [(utc(2026, 3, 23, 9), utc(2026, 3, 30, 9))],  # a week after: 7 days, still fine
        "D": [(utc(2026, 2, 2, 9), utc(2026, 2, 9, 9))],  # ended 4 weeks before
        "F": [],
    }
    suggestions = suggest_cover(
        candidates=["C", "D", "F"], start=START, end=END, on_call=on_call, away=[]
    )
    assert [s.person for s in suggestions] == ["F", "D", "C"]
    f, d, c = suggestions
    assert f.reason() == "Free then; not on call within 12 weeks either side."
    assert d.reason("Mon 9 Feb") == "Free then; last on call 4 weeks before (ended Mon 9 Feb)."
    assert c.reason("Mon 23 Mar") == "Free then; next on call 7 days after (starts Mon 23 Mar)."


def test_cover_leaves_out_the_away_and_those_on_call_close_by():
    on_call = {
        "C": [(END + COVER_MARGIN - timedelta(seconds=1), END + timedelta(days=14))],
        "D": [(END + COVER_MARGIN, END + timedelta(days=14))],
    }
    away = [Away("F", END - timedelta(seconds=1), END + timedelta(days=1))]
    suggestions = suggest_cover(
        candidates=["C", "D", "F"], start=START, end=END, on_call=on_call, away=away
    )
    assert [s.person for s in suggestions] == ["D"]


def test_distance_words():
    assert say_distance(timedelta(days=21)) == "3 weeks"
    assert say_distance(timedelta(days=10)) == "10 days"
    assert say_distance(timedelta(days=1)) == "1 day"
    assert say_distance(timedelta(hours=3)) == "less than a day"
