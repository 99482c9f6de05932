"""On-call rotation engine: pure time math on plain values.

No ORM and no clock: every function takes the instant `at` (or a range) as an argument, so the
rules below are tested with no database and no clock tricks.

Rules
- A shift runs from one handoff to the next: `[start, end)`, the end being the next shift's
  start, so shifts never overlap and never leave a gap.
- Handoffs happen at `handoff_time`, a wall-clock time in `time_zone`, on local dates
  `base + k * shift_days` (k any integer). `base` is the anchor for ALTERNATION (whose
  `handoff_weekday` only matters as a check when `shift_days` is a multiple of 7) and any date
  on `handoff_weekday` for ISO_WEEK_PARITY (which ignores the anchor). Dates are counted
  locally, so a Berlin 09:00 handoff stays 09:00 local across daylight saving time and such a
  weekly shift lasts 167 or 169 hours near a change. A handoff on a local date that a zone
  skipped entirely (Samoa, 2011-12-30) coincides with the next one: that shift is left out.
- DST rule (PEP 495, `fold=0`): a handoff time that does not exist on its date (spring-forward
  gap) happens the gap's length later, e.g. 02:30 in a 02:00→03:00 gap is 03:30 local; a time
  that happens twice (fall-back) happens at its first occurrence.
- ISO_WEEK_PARITY: weekly shifts; a shift belongs to the slot whose parity matches the ISO week
  number of its handoff's local date. ISO years with 53 weeks (2020, 2026, 2032, ...) make week
  53 and week 1 both odd: the same slot holds two shifts in a row (`parity_repeats`).
- ALTERNATION: the shift that starts at `handoff_at(anchor)` is slot 0, each next shift the next
  slot modulo the number of slots, and before the anchor likewise backwards. A daily shift left
  out because its zone skipped the day keeps its number: with two slots, the one after it falls
  to the same slot as the one before (`parity_repeats`, with the skipped dates).
- Overrides replace the slot's person for one tier over their interval, clipped to the shift.
  If overrides of a tier overlap (the database forbids it; the engine stays defensive), at any
  instant the one that started latest wins (equal starts: the later in the sequence), and an
  earlier one shows again once a later one ends.
- Every datetime returned is aware and in UTC; naive datetimes are rejected with `ValueError`.

`shift_at` is arithmetic on the local date, not a walk from an epoch. To cut many shifts by the
same overrides, build an `OverrideIndex` once and pass it instead of the sequence.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import NamedTuple, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: PEP 495 fold used for every handoff wall-clock time. With fold=0, a nonexistent time takes
#: the offset from before the transition (so it lands the gap's length later) and an ambiguous
#: time takes its first occurrence.
HANDOFF_FOLD = 0
DST_GAP_RULE = "A handoff time skipped by a clock change happens the length of the skip later."
DST_REPEAT_RULE = "A handoff time that happens twice because of a clock change uses the first."

SHIFT_DAYS_TOO_SMALL = "A shift lasts at least one day."
HANDOFF_WEEKDAY_INVALID = "The handoff weekday must be 0 (Monday) to 6 (Sunday)."
HANDOFF_TIME_NOT_WALL_CLOCK = "The handoff time is a wall-clock time; give its zone as time_zone."
UNKNOWN_TIME_ZONE = "Unknown time zone: {name!r}."
NO_SLOTS = "A rotation needs at least one slot."
PARITY_NEEDS_WEEKLY_SHIFTS = "ISO week parity needs weekly shifts (7 days)."
PARITY_NEEDS_ODD_AND_EVEN_SLOT = (
    "ISO week parity needs exactly two slots: one for odd weeks and one for even weeks."
)
ALTERNATION_NEEDS_ANCHOR = (
    "Alternation needs an anchor: the local date of a handoff at which the first slot starts."
)
ANCHOR_NOT_ON_HANDOFF_WEEKDAY = "The anchor date must fall on the handoff weekday."
NAIVE_DATETIME = "{name} must be timezone-aware."
OVERRIDE_END_NOT_AFTER_START = "An override must end after it starts."
RANGE_END_BEFORE_START = "The range must not end before it starts."
NEGATIVE_COUNT = "The count of handoffs must not be negative."

_T = TypeVar("_T")

# date(1, 1, 1) is a Monday, so this ordinal plus a weekday is a date on that weekday.
_MONDAY_ORDINAL = date(1, 1, 1).toordinal()


class Tier(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


_TIERS = tuple(Tier)


class SlotRule(StrEnum):
    ISO_WEEK_PARITY = "iso_week_parity"
    ALTERNATION = "alternation"


class WeekParity(StrEnum):
    ODD = "odd"
    EVEN = "even"


@dataclass(frozen=True)
class Slot:
    label: str
    primary: Hashable
    secondary: Hashable | None
    week_parity: WeekParity | None = None

    def __post_init__(self) -> None:
        if self.week_parity is not None:
            object.__setattr__(self, "week_parity", WeekParity(self.week_parity))

    def person_for(self, tier: Tier) -> Hashable | None:
        return self.primary if Tier(tier) is Tier.PRIMARY else self.secondary


@dataclass(frozen=True)
class Schedule:
    handoff_weekday: int
    handoff_time: time
    time_zone: str
    shift_days: int
    rule: SlotRule
    slots: tuple[Slot, ...]
    anchor: date | None = None
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _base_ordinal: int = field(init=False, repr=False, compare=False)
    # Slot index for an ISO week number, looked up as `_parity_slots[week % 2]`.
    _parity_slots: tuple[int, int] = field(init=False, repr=False, compare=False)
    # `handoff_time` with the PEP 495 fold of the DST rule, ready for `datetime.combine`.
    _handoff_wall: time = field(init=False, repr=False, compare=False)
    # `rule is SlotRule.ISO_WEEK_PARITY`, asked for every shift.
    _by_parity: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rule", SlotRule(self.rule))
        if self.shift_days < 1:
            raise ValueError(SHIFT_DAYS_TOO_SMALL)
        if not 0 <= self.handoff_weekday <= 6:
            raise ValueError(HANDOFF_WEEKDAY_INVALID)
        if self.handoff_time.tzinfo is not None:
            raise ValueError(HANDOFF_TIME_NOT_WALL_CLOCK)
        if not self.slots:
            raise ValueError(NO_SLOTS)
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(UNKNOWN_TIME_ZONE.format(name=self.time_zone)) from None
        object.__setattr__(self, "_zone", zone)

        parity_slots = (0, 0)
        if self.rule is SlotRule.ISO_WEEK_PARITY:
            if self.shift_days != 7:
                raise ValueError(PARITY_NEEDS_WEEKLY_SHIFTS)
            parities = [slot.week_parity for slot in self.slots]
            if len(parities) != 2 or set(parities) != {WeekParity.EVEN, WeekParity.ODD}:
                raise ValueError(PARITY_NEEDS_ODD_AND_EVEN_SLOT)
            parity_slots = (parities.index(WeekParity.EVEN), parities.index(WeekParity.ODD))
            base = _MONDAY_ORDINAL + self.handoff_weekday
        else:
            if self.anchor is None:
                raise ValueError(ALTERNATION_NEEDS_ANCHOR)
            if self.shift_days % 7 == 0 and self.anchor.weekday() != self.handoff_weekday:
                raise ValueError(ANCHOR_NOT_ON_HANDOFF_WEEKDAY)
            base = self.anchor.toordinal()
        object.__setattr__(self, "_base_ordinal", base)
        object.__setattr__(self, "_parity_slots", parity_slots)
        object.__setattr__(self, "_handoff_wall", self.handoff_time.replace(fold=HANDOFF_FOLD))
        object.__setattr__(self, "_by_parity", self.rule is SlotRule.ISO_WEEK_PARITY)


# Shifts and assignments are named tuples: immutable, compared by value, with no instance
# dictionary for the garbage collector to walk, and built in one step. A year's feed or a
# 104-week calendar of every rotation builds tens of thousands of each, and a frozen dataclass
# costs several times as much to build (each field set through `object.__setattr__`).
class Shift(NamedTuple):
    start: datetime
    end: datetime
    slot_index: int
    slot: Slot
    iso_year: int
    iso_week: int

    @property
    def label(self) -> str:
        return self.slot.label

    def contains(self, at: datetime) -> bool:
        _require_aware(at, "at")
        return self.start <= at < self.end


@dataclass(frozen=True)
class OverrideSpec:
    """One person covering one tier over `[start, end)`; start and end are stored in UTC."""

    tier: Tier
    person: Hashable
    start: datetime
    end: datetime
    key: Hashable = None

    def __post_init__(self) -> None:
        _require_aware(self.start, "Override start")
        _require_aware(self.end, "Override end")
        if self.end <= self.start:
            raise ValueError(OVERRIDE_END_NOT_AFTER_START)
        # Each only when not so already: an index of a year's overrides builds hundreds.
        if self.tier.__class__ is not Tier:
            object.__setattr__(self, "tier", Tier(self.tier))
        if self.start.tzinfo is not UTC:
            object.__setattr__(self, "start", self.start.astimezone(UTC))
        if self.end.tzinfo is not UTC:
            object.__setattr__(self, "end", self.end.astimezone(UTC))

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end


class Assignment(NamedTuple):
    tier: Tier
    person: Hashable | None
    start: datetime
    end: datetime
    override: OverrideSpec | None = None

    @property
    def overridden(self) -> bool:
        return self.override is not None

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class OnCall:
    at: datetime
    shift: Shift
    primary: Assignment
    secondary: Assignment

    def for_tier(self, tier: Tier) -> Assignment:
        return self.primary if Tier(tier) is Tier.PRIMARY else self.secondary


@dataclass(frozen=True)
class ParityRepeat:
    """The same slot on call two shifts in a row: after a 53-week ISO year under ISO week
    parity, or under strict alternation when a zone skipped a whole day (Samoa, 30 December
    2011), so the daily shift of that day never happened. `skipped`: those local dates."""

    previous: Shift
    following: Shift
    skipped: tuple[date, ...] = ()
    #: The zone that skipped them (empty for a week-53 repeat).
    time_zone: str = ""


class _Timeline:
    """Non-overlapping intervals of the override in effect, sorted, for bisect lookups."""

    __slots__ = ("ends", "specs", "starts")

    def __init__(self, specs: Sequence[OverrideSpec]) -> None:
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        self.specs: list[OverrideSpec] = []
        # A stable sort makes the rank "started later, or listed later at an equal start": the
        # top of the max-heap by rank is the override that wins.
        ordered = sorted(specs, key=_start) if len(specs) > 1 else list(specs)
        if len(ordered) < 2 or all(
            before.end <= after.start for before, after in pairwise(ordered)
        ):
            # None overlaps (the database's rule): each holds over its own interval.
            self.starts = [spec.start for spec in ordered]
            self.ends = [spec.end for spec in ordered]
            self.specs = ordered
            return
        points = sorted({spec.start for spec in ordered} | {spec.end for spec in ordered})
        heap: list[tuple[int, OverrideSpec]] = []
        rank = 0
        for left, right in pairwise(points):
            while rank < len(ordered) and ordered[rank].start <= left:
                heapq.heappush(heap, (-rank, ordered[rank]))
                rank += 1
            while heap and heap[0][1].end <= left:
                heapq.heappop(heap)
            if not heap:
                continue
            winner = heap[0][1]
            if self.specs and self.specs[-1] is winner and self.ends[-1] == left:
                self.ends[-1] = right
            else:
                self.starts.append(left)
                self.ends.append(right)
                self.specs.append(winner)

    def clipped(
        self, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime, OverrideSpec]]:
        pieces = []
        i = bisect_right(self.ends, start)
        while i < len(self.starts) and self.starts[i] < end:
            pieces.append((max(self.starts[i], start), min(self.ends[i], end), self.specs[i]))
            i += 1
        return pieces


def _start(spec: OverrideSpec) -> datetime:
    return spec.start


class OverrideIndex:
    """Overrides indexed once, to look up many shifts in O(log n) each.

    Pass it wherever a sequence of `OverrideSpec` is accepted; build it once per request when
    more than one shift is looked up.
    """

    __slots__ = ("_timelines",)

    def __init__(self, overrides: Iterable[OverrideSpec]) -> None:
        by_tier: dict[Tier, list[OverrideSpec]] = {tier: [] for tier in _TIERS}
        for spec in overrides:
            by_tier[spec.tier].append(spec)
        self._timelines = {tier: _Timeline(specs) for tier, specs in by_tier.items()}

    def pieces(
        self, tier: Tier, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime, OverrideSpec]]:
        """The overrides in effect within `[start, end)` as (start, end, override), clipped."""
        return self._timelines[Tier(tier)].clipped(start, end)

    def in_effect(self, tier: Tier, at: datetime) -> OverrideSpec | None:
        _require_aware(at, "at")
        timeline = self._timelines[Tier(tier)]
        i = bisect_right(timeline.ends, at)
        if i < len(timeline.starts) and timeline.starts[i] <= at:
            return timeline.specs[i]
        return None


Overrides = Sequence[OverrideSpec] | OverrideIndex


def handoff_at(schedule: Schedule, local_date: date) -> datetime:
    """The UTC instant of the handoff wall-clock time on `local_date` (DST rule applied)."""
    return datetime.combine(local_date, schedule._handoff_wall, schedule._zone).astimezone(UTC)


def shift_at(schedule: Schedule, at: datetime) -> Shift:
    _require_aware(at, "at")
    number, start, end = _shift_number_at(schedule, at)
    return _shift(schedule, number, start, end)


def shifts_between(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """Every shift overlapping `[start, end)`, in order."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end < start:
        raise ValueError(RANGE_END_BEFORE_START)
    shifts: list[Shift] = []
    if end == start:
        return shifts
    number, shift_start, shift_end = _shift_number_at(schedule, start)
    # `_handoff` inlined, each local date worked out once: a feed's year of daily shifts for
    # every rotation runs this loop tens of thousands of times.
    zone, wall, days = schedule._zone, schedule._handoff_wall, schedule.shift_days
    ordinal = schedule._base_ordinal + number * days
    day, next_day = date.fromordinal(ordinal), date.fromordinal(ordinal + days)
    while shift_start < end:
        if shift_start < shift_end:
            shifts.append(_shift_on(schedule, number, day, shift_start, shift_end))
        number += 1
        ordinal += days
        day, next_day = next_day, date.fromordinal(ordinal + days)
        shift_start, shift_end = shift_end, datetime.combine(next_day, wall, zone).astimezone(UTC)
    return shifts


def next_handoffs(schedule: Schedule, at: datetime, count: int) -> list[datetime]:
    """The next `count` handoffs strictly after `at`."""
    _require_aware(at, "at")
    if count < 0:
        raise ValueError(NEGATIVE_COUNT)
    handoffs: list[datetime] = []
    if count == 0:
        return handoffs
    number, _, handoff = _shift_number_at(schedule, at)
    while True:
        if not handoffs or handoffs[-1] < handoff:
            handoffs.append(handoff)
            if len(handoffs) == count:
                return handoffs
        number += 1
        handoff = _handoff(schedule, number + 1)


def segments(shift: Shift, tier: Tier, overrides: Overrides) -> list[Assignment]:
    """The shift's interval for `tier` cut into consecutive assignments.

    The slot's person where no override applies, the override's person where one does (clipped
    to the shift). They cover `[shift.start, shift.end)` exactly, with no gap and no overlap.
    """
    if tier.__class__ is not Tier:
        tier = Tier(tier)
    # The pages pass one index for every shift of a rotation: no call to find it.
    index = (
        overrides if overrides.__class__ is OverrideIndex else _index_for(shift, overrides, tier)
    )
    timeline = index._timelines[tier]  # type: ignore[union-attr]
    person = shift.slot.primary if tier is Tier.PRIMARY else shift.slot.secondary
    shift_start, shift_end = shift.start, shift.end
    # Most shifts have no override: one assignment, without cutting anything.
    first = bisect_right(timeline.ends, shift_start)
    if first == len(timeline.starts) or timeline.starts[first] >= shift_end:
        return [Assignment(tier, person, shift_start, shift_end, None)]
    assignments: list[Assignment] = []
    cursor = shift_start
    for start, end, spec in timeline.clipped(shift_start, shift_end):
        if cursor < start:
            assignments.append(_assignment(tier, person, cursor, start, None))
        assignments.append(_assignment(tier, spec.person, start, end, spec))
        cursor = end
    if cursor < shift_end:
        assignments.append(_assignment(tier, person, cursor, shift_end, None))
    return assignments


def on_call_at(
    schedule: Schedule, at: datetime, overrides: Overrides = (), *, shift: Shift | None = None
) -> OnCall:
    """Who holds each tier at `at`, with the interval (clipped to shift and override) around it.

    `shift`: the shift at `at` (`shift_at(schedule, at)`), when the caller has worked it out
    already; it is not worked out again.
    """
    if shift is None:
        shift = shift_at(schedule, at)
    else:
        _require_aware(at, "at")
    index = _index_for(shift, overrides)
    return OnCall(
        at=at.astimezone(UTC),
        shift=shift,
        primary=_assignment_at(segments(shift, Tier.PRIMARY, index), at),
        secondary=_assignment_at(segments(shift, Tier.SECONDARY, index), at),
    )


def parity_repeats(schedule: Schedule, start: datetime, end: datetime) -> list[ParityRepeat]:
    """Consecutive shifts overlapping `[start, end)` that fall to the same slot.

    ISO week parity produces them after a 53-week ISO year; strict alternation between slots
    only where a daily shift was left out because its zone skipped that day. (With a single
    slot every shift is that slot, which is not a repeat worth reporting.)
    """
    if not is_parity_repeat_possible(schedule):
        _require_aware(start, "start")
        _require_aware(end, "end")
        return []
    shifts = shifts_between(schedule, start, end)
    return [
        repeat
        for previous, following in pairwise(shifts)
        if (repeat := same_slot_again(schedule, previous, following)) is not None
    ]


def repeat_around(schedule: Schedule, shift: Shift) -> ParityRepeat | None:
    """The parity repeat `shift` is part of, with the shift before it or the one after it."""
    if not is_parity_repeat_possible(schedule):
        return None
    if schedule._by_parity and not _parity_neighbour_may_match(schedule, shift):
        return None
    before = shift_at(schedule, shift.start - timedelta(microseconds=1))
    if (repeat := same_slot_again(schedule, before, shift)) is not None:
        return repeat
    return same_slot_again(schedule, shift, shift_at(schedule, shift.end))


def same_slot_again(schedule: Schedule, previous: Shift, following: Shift) -> ParityRepeat | None:
    """The repeat when `following` (the shift after `previous`) falls to the same slot."""
    if not is_parity_repeat_possible(schedule) or previous.slot_index != following.slot_index:
        return None
    skipped: tuple[date, ...] = ()
    time_zone = ""
    if schedule.rule is SlotRule.ALTERNATION:
        time_zone = schedule.time_zone
        first, last = (
            _shift_number_at(schedule, shift.start)[0] for shift in (previous, following)
        )
        skipped = tuple(
            date.fromordinal(schedule._base_ordinal + number * schedule.shift_days)
            for number in range(first + 1, last)
        )
    return ParityRepeat(
        previous=previous, following=following, skipped=skipped, time_zone=time_zone
    )


def is_parity_repeat_possible(schedule: Schedule) -> bool:
    """Whether the schedule can ever give a slot two shifts in a row: ISO week parity (after a
    53-week ISO year), or daily alternation between slots (a skipped day leaves a shift out;
    a longer shift still has a day of its own left, and so stays)."""
    if schedule.rule is SlotRule.ISO_WEEK_PARITY:
        return True
    return schedule.shift_days == 1 and len(schedule.slots) > 1


def _parity_neighbour_may_match(schedule: Schedule, shift: Shift) -> bool:
    """Under ISO week parity, whether the shift before or after `shift` may fall to its slot.

    No, without working either shift out, when both are the weeks right next to it (no handoff
    date around it was skipped by its zone) and their ISO week numbers' parities differ from
    its own: every week but those around a 53-week year's end.
    """
    day = date.fromisocalendar(shift.iso_year, shift.iso_week, schedule.handoff_weekday + 1)
    before, after = day - _WEEK, day + _WEEK
    if not (
        handoff_at(schedule, before) < shift.start
        and handoff_at(schedule, after + _WEEK) > shift.end
    ):
        return True
    parity = shift.iso_week % 2
    return before.isocalendar()[1] % 2 == parity or after.isocalendar()[1] % 2 == parity


_WEEK = timedelta(days=7)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(NAIVE_DATETIME.format(name=name))


def _handoff(schedule: Schedule, number: int) -> datetime:
    day = date.fromordinal(schedule._base_ordinal + number * schedule.shift_days)
    return datetime.combine(day, schedule._handoff_wall, schedule._zone).astimezone(UTC)


def _shift_number_at(schedule: Schedule, at: datetime) -> tuple[int, datetime, datetime]:
    """The number of the shift containing `at` (counted from the schedule's base), start, end."""
    local_ordinal = at.astimezone(schedule._zone).toordinal()
    number = (local_ordinal - schedule._base_ordinal) // schedule.shift_days
    # The handoff on the same local date may still be ahead (earlier wall-clock time), and a
    # DST gap can push one past midnight; stepping settles both in one or two moves.
    start = _handoff(schedule, number)
    while start > at:
        number -= 1
        start = _handoff(schedule, number)
    end = _handoff(schedule, number + 1)
    while end <= at:
        number += 1
        start, end = end, _handoff(schedule, number + 1)
    return number, start, end


def _shift(schedule: Schedule, number: int, start: datetime, end: datetime) -> Shift:
    day = date.fromordinal(schedule._base_ordinal + number * schedule.shift_days)
    return _shift_on(schedule, number, day, start, end)


def _shift_on(schedule: Schedule, number: int, day: date, start: datetime, end: datetime) -> Shift:
    """Shift `number`, handed over on the local date `day`."""
    iso_year, iso_week, _ = day.isocalendar()
    if schedule._by_parity:
        slot_index = schedule._parity_slots[iso_week % 2]
    else:
        slot_index = number % len(schedule.slots)
    return Shift(start, end, slot_index, schedule.slots[slot_index], iso_year, iso_week)


def _assignment(
    tier: Tier,
    person: Hashable | None,
    start: datetime,
    end: datetime,
    override: OverrideSpec | None,
) -> Assignment:
    return Assignment(tier, person, start, end, override)


def built(cls: type[_T], **fields: object) -> _T:
    """`cls(**fields)` for a frozen dataclass with no `__post_init__` and no `slots`, every
    field given.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__`, which costs
    several times as much as filling the instance's dictionary; the pages build thousands of
    holders for one feed. The result is the same value: equal, same hash, still frozen. (The
    engine's own shifts and assignments have `slots`, no dictionary to fill: built by their
    `__init__`.)
    """
    instance = object.__new__(cls)
    instance.__dict__.update(fields)
    return instance


def _assignment_at(assignments: list[Assignment], at: datetime) -> Assignment:
    for assignment in assignments:
        if assignment.start <= at < assignment.end:
            return assignment
    raise LookupError("The segments of the shift at `at` tile it: one contains `at`.")


def _index_for(shift: Shift, overrides: Overrides, tier: Tier | None = None) -> OverrideIndex:
    if isinstance(overrides, OverrideIndex):
        return overrides
    # Without an index, one linear pass keeps only what touches this shift.
    return OverrideIndex(
        spec
        for spec in overrides
        if spec.start < shift.end and spec.end > shift.start and (tier is None or spec.tier is tier)
    )
