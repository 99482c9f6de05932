"""The engine's fast paths give the values the plain way of writing them gives.

`shifts_between`, `segments` and `on_call_at` work dates out once and build their frozen values
without the dataclass `__init__` (`rotation.built`); these compare them, over the schedules and
instants of the engine's property tests, with the straightforward code they replace.
"""

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escalation import rotation
from escalation.rotation import (
    Assignment,
    OverrideIndex,
    OverrideSpec,
    Schedule,
    Shift,
    Tier,
    on_call_at,
    repeat_around,
    same_slot_again,
    segments,
    shift_at,
    shifts_between,
)
from tests.test_rotation import PROPERTY, instants, schedules, weekly_parity


def plain_shifts_between(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    shifts = []
    shift = shift_at(schedule, start)
    while shift.start < end:
        shifts.append(shift)
        shift = shift_at(schedule, shift.end)
    return shifts


def plain_repeat_around(schedule: Schedule, shift: Shift) -> rotation.ParityRepeat | None:
    before = shift_at(schedule, shift.start - timedelta(microseconds=1))
    if (repeat := same_slot_again(schedule, before, shift)) is not None:
        return repeat
    return same_slot_again(schedule, shift, shift_at(schedule, shift.end))


def plain_segments(shift: Shift, tier: Tier, index: OverrideIndex) -> list[Assignment]:
    person = shift.slot.person_for(tier)
    assignments = []
    cursor = shift.start
    for start, end, spec in index.pieces(tier, shift.start, shift.end):
        if cursor < start:
            assignments.append(Assignment(Tier(tier), person, cursor, start))
        assignments.append(Assignment(Tier(tier), spec.person, start, end, override=spec))
        cursor = end
    if cursor < shift.end:
        assignments.append(Assignment(Tier(tier), person, cursor, shift.end))
    return assignments


@st.composite
def overrides_around(draw: st.DrawFn, at: datetime) -> list[OverrideSpec]:
    specs = []
    for key in range(draw(st.integers(0, 6))):
        start = at + timedelta(
            hours=draw(st.integers(-24 * 20, 24 * 20)), microseconds=draw(st.integers(0, 999))
        )
        length = timedelta(minutes=draw(st.integers(1, 60 * 24 * 10)))
        tier = draw(st.sampled_from(Tier))
        specs.append(OverrideSpec(tier, f"cover-{key}", start, start + length, key=key))
    return specs


@PROPERTY
@given(schedules(), instants, st.integers(0, 24 * 60))
def test_shifts_between_gives_what_stepping_from_shift_to_shift_gives(schedule, at, hours):
    end = at + timedelta(hours=hours, microseconds=1)

    assert shifts_between(schedule, at, end) == plain_shifts_between(schedule, at, end)


@PROPERTY
@given(schedules(), instants, st.data())
def test_segments_and_on_call_at_give_what_the_plain_cut_gives(schedule, at, data):
    specs = data.draw(overrides_around(at))
    index = OverrideIndex(specs)
    shifts = shifts_between(schedule, at - timedelta(days=10), at + timedelta(days=10))

    for shift in shifts:
        for tier in Tier:
            expected = plain_segments(shift, tier, index)
            assert segments(shift, tier, index) == expected
            assert segments(shift, tier.value, specs) == expected
    on_call = on_call_at(schedule, at, index)
    for tier, assignment in ((Tier.PRIMARY, on_call.primary), (Tier.SECONDARY, on_call.secondary)):
        [expected] = [
            piece
            for piece in plain_segments(shift_at(schedule, at), tier, index)
            if piece.contains(at)
        ]
        assert assignment == expected
    assert on_call == on_call_at(schedule, at, specs)
    # The pages pass the shift they have worked out already.
    assert on_call == on_call_at(schedule, at, index, shift=shift_at(schedule, at))


@PROPERTY
@given(schedules(), instants, st.booleans())
def test_repeat_around_gives_what_comparing_both_neighbours_gives(schedule, at, near_new_year):
    if near_new_year:
        # Around the turn of a year, where the 53-week repeats are.
        at = at.replace(month=12, day=20) + timedelta(days=at.day)
    for shift in shifts_between(schedule, at, at + timedelta(days=15)):
        assert repeat_around(schedule, shift) == plain_repeat_around(schedule, shift)


@pytest.mark.parametrize("weekday", range(7))
def test_repeat_around_the_week_samoa_skipped_a_day_repeats_nothing(weekday):
    # Pacific/Apia skipped 30 December 2011 (a Friday): a Friday handoff that day happens the
    # gap's length later (on the 31st), so no week is left out and week 52 still comes between.
    schedule = weekly_parity("Pacific/Apia", weekday, time(9, 0))
    start = datetime(2011, 11, 20, tzinfo=UTC)
    shifts = shifts_between(schedule, start, start + timedelta(days=70))
    repeats = [repeat_around(schedule, shift) for shift in shifts]

    assert repeats == [plain_repeat_around(schedule, shift) for shift in shifts]
    assert not any(repeats)


def plain_in_effect(specs: list[OverrideSpec], tier: Tier, at: datetime) -> OverrideSpec | None:
    """The override that started latest (listed later at an equal start) of those holding."""
    holding = [
        (spec.start, position, spec)
        for position, spec in enumerate(specs)
        if spec.tier is tier and spec.contains(at)
    ]
    return max(holding, key=lambda item: item[:2])[2] if holding else None


@PROPERTY
@given(instants, st.data())
def test_the_index_gives_the_override_that_started_latest_overlapping_or_not(at, data):
    specs = data.draw(overrides_around(at))
    if data.draw(st.booleans()):
        # As the database keeps them: none of a tier overlaps another.
        specs = [
            spec
            for spec in specs
            if not any(
                other.tier is spec.tier and other.start < spec.end and spec.start < other.end
                for other in specs[: specs.index(spec)]
            )
        ]
    index = OverrideIndex(specs)

    for instant in {at} | {spec.start for spec in specs} | {spec.end for spec in specs}:
        for moment in (instant - timedelta(microseconds=1), instant):
            for tier in Tier:
                assert index.in_effect(tier, moment) is plain_in_effect(specs, tier, moment)


def test_built_values_equal_hash_and_stay_frozen_like_constructed_ones():
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    assignment = Assignment(Tier.PRIMARY, "a", start, end)
    shift = Shift(start, end, 0, rotation.Slot("A", "a", None), 2026, 1)
    made = rotation.OnCall(start, shift, assignment, assignment)
    built = rotation.built(
        rotation.OnCall, at=start, shift=shift, primary=assignment, secondary=assignment
    )

    assert built == made
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert {made: 1}[built] == 1
    with pytest.raises(FrozenInstanceError):
        built.at = end  # type: ignore[misc]
