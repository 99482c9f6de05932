"""How evenly a rotation spreads its on-call time: pure figures per person over a period.

No ORM and no clock: the schedule, the overrides' index and the period come in as values, so
the figures are checked by hand in the tests.

Rules
- The period is `[start, end)`; only the on-call time inside it counts. A shift that straddles
  an edge counts its inside part, and counts as one shift for whoever holds some of that part.
- On-call time is the engine's own `segments`, for both tiers: where an override applies, its
  person holds that time and the slot's person does not. A person on both tiers at once (an
  override onto the other tier) counts the time twice, as they answer both pages.
- Hours are real elapsed hours: a weekly shift across a change to summer time holds 167 hours,
  across the change back 169.
- Weekend hours: the part of a person's on-call time on a local Saturday or Sunday in the
  rotation's time zone (from Saturday 00:00 to Monday 00:00 local, 47 or 49 hours across DST).
- Public-holiday hours: the part of a person's on-call time on a public holiday of their own
  place (country and region, theirs or their team's), as `escalation.public_holidays` says:
  the holiday's whole local day in their own time zone. Without a place, none.
- Overrides taken: the overrides, touching the period, in which the person covers. Given: those
  that took time from them (the slot's person of the tier, while the override applied; an
  override of someone by themselves is neither).
- Balance: the mean, over every pair of people, of the smaller on-call total divided by the
  larger (1.0 when even; a pair where both have none counts as even). Fewer than two people:
  no score.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import combinations
from zoneinfo import ZoneInfo

from .public_holidays import PublicHoliday, holiday_time
from .rotation import OverrideIndex, Schedule, Tier, segments, shifts_between

PERIOD_END_NOT_AFTER_START = "The period must end after it starts."

_SATURDAY = 5
_HOUR = timedelta(hours=1)


@dataclass
class PersonFigures:
    """One person's figures over the period. `person` is the engine's key (a Person's id)."""

    person: Hashable
    on_call: timedelta = timedelta(0)
    weekend: timedelta = timedelta(0)
    public_holiday: timedelta = timedelta(0)
    shifts: int = 0
    overrides_taken: int = 0
    overrides_given: int = 0
    swaps_asked: int = 0
    above_mean: bool = False

    @property
    def hours(self) -> float:
        return self.on_call / _HOUR

    @property
    def weekend_hours(self) -> float:
        return self.weekend / _HOUR

    @property
    def public_holiday_hours(self) -> float:
        return self.public_holiday / _HOUR


@dataclass(frozen=True)
class Fairness:
    start: datetime
    end: datetime
    people: tuple[PersonFigures, ...]
    shift_count: int
    balance: float | None
    mean_hours: float = field(default=0.0)


def fairness(
    schedule: Schedule,
    start: datetime,
    end: datetime,
    overrides: OverrideIndex,
    swaps_asked: Mapping[Hashable, int] | None = None,
    public_holidays: Mapping[Hashable, list[PublicHoliday]] | None = None,
) -> Fairness:
    """Per-person figures of `schedule` over `[start, end)`.

    Everyone on a slot appears, in slot order, even with nothing in the period; then anyone
    else who covered, or asked for a swap, in the order first met. `public_holidays` holds
    each person's public holidays over the period (`public_holidays.holidays_between`).
    """
    holidays_of = public_holidays or {}
    if end <= start:
        raise ValueError(PERIOD_END_NOT_AFTER_START)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    figures: dict[Hashable, PersonFigures] = {}

    def of(person: Hashable) -> PersonFigures:
        if person not in figures:
            figures[person] = PersonFigures(person=person)
        return figures[person]

    for slot in schedule.slots:
        for person in (slot.primary, slot.secondary):
            if person is not None:
                of(person)

    weekends = _weekends(schedule.time_zone, start, end)
    taken: set[tuple[Hashable, Hashable]] = set()
    given: set[tuple[Hashable, Hashable]] = set()
    shifts = shifts_between(schedule, start, end)
    for shift in shifts:
        holders: set[Hashable] = set()
        for tier in Tier:
            slot_person = shift.slot.person_for(tier)
            for piece in segments(shift, tier, overrides):
                piece_start, piece_end = max(piece.start, start), min(piece.end, end)
                if piece_start >= piece_end:
                    continue
                if piece.override is not None:
                    key = piece.override.key if piece.override.key is not None else id(piece)
                    taken.add((piece.person, key))
                    if slot_person is not None and slot_person != piece.person:
                        given.add((slot_person, key))
                if piece.person is None:
                    continue
                person = of(piece.person)
                person.on_call += piece_end - piece_start
                person.weekend += _overlap(piece_start, piece_end, weekends)
                person.public_holiday += holiday_time(
                    holidays_of.get(piece.person, []), piece_start, piece_end
                )
                holders.add(piece.person)
        for holder in holders:
            of(holder).shifts += 1
    for person, _ in taken:
        of(person).overrides_taken += 1
    for person, _ in given:
        of(person).overrides_given += 1
    for person, count in (swaps_asked or {}).items():
        of(person).swaps_asked += count

    people = tuple(figures.values())
    mean = sum((p.on_call for p in people), timedelta(0)) / len(people) if people else None
    for person_figures in people:
        person_figures.above_mean = mean is not None and person_figures.on_call > mean
    return Fairness(
        start=start,
        end=end,
        people=people,
        shift_count=len(shifts),
        balance=balance([p.on_call for p in people]),
        mean_hours=mean / _HOUR if mean is not None else 0.0,
    )


def balance(totals: Iterable[timedelta]) -> float | None:
    """The mean over pairs of the smaller total divided by the larger; None under two people."""
    ratios = [
        1.0 if high == timedelta(0) else low / high
        for low, high in (sorted(pair) for pair in combinations(totals, 2))
    ]
    return sum(ratios) / len(ratios) if ratios else None


def _weekends(time_zone: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Each local Saturday 00:00 to Monday 00:00 touching `[start, end)`, as UTC instants."""
    zone = ZoneInfo(time_zone)
    first = start.astimezone(zone).date()
    saturday = first - timedelta(days=(first.weekday() - _SATURDAY) % 7)
    last = end.astimezone(zone).date()
    windows = []
    while saturday <= last:
        windows.append(
            (_local_midnight(saturday, zone), _local_midnight(saturday + timedelta(2), zone))
        )
        saturday += timedelta(days=7)
    return windows


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _overlap(start: datetime, end: datetime, windows: list[tuple[datetime, datetime]]) -> timedelta:
    total = timedelta(0)
    for window_start, window_end in windows:
        low, high = max(start, window_start), min(end, window_end)
        if low < high:
            total += high - low
    return total


class Period(StrEnum):
    """The report's periods, counted in whole local days."""

    THIS_QUARTER = "this_quarter"
    LAST_QUARTER = "last_quarter"
    THIS_YEAR = "this_year"
    LAST_YEAR = "last_year"
    CUSTOM = "custom"


def period_dates(period: Period, today: date) -> tuple[date, date]:
    """The first and last day (both included) of a named period around `today`."""
    period = Period(period)
    if period is Period.THIS_YEAR:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if period is Period.LAST_YEAR:
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if period is Period.CUSTOM:
        raise ValueError("A custom period has no dates of its own.")
    quarter = (today.month - 1) // 3 + (-1 if period is Period.LAST_QUARTER else 0)
    year = today.year + quarter // 4
    first_month = (quarter % 4) * 3 + 1
    first = date(year, first_month, 1)
    following = date(year + 1, 1, 1) if first_month == 10 else date(year, first_month + 3, 1)
    return first, following - timedelta(days=1)


def local_period(time_zone: str, first: date, last: date) -> tuple[datetime, datetime]:
    """`[first 00:00, the day after last 00:00)` in `time_zone`, as UTC instants."""
    zone = ZoneInfo(time_zone)
    return _local_midnight(first, zone), _local_midnight(last + timedelta(days=1), zone)
