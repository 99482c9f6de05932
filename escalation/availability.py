"""Who is away when: clashes between shifts and time off, and who could cover instead. Pure.

Rules
- Time off and on-call time are half-open intervals `[start, end)`: they clash when they share
  an instant, so time off ending at 09:00 does not clash with a shift starting at 09:00.
- A clash is one holder's stretch of one tier (the engine's `segments`, overrides applied: whoever
  holds the time is the one who must be there) overlapping that holder's time off. Its window is
  the overlap: exactly what a cover request has to hand over.
- A colleague is free to cover `[start, end)` when they have no time off touching it and hold no
  on-call time within `COVER_MARGIN` either side of it (nobody goes from one week on call straight
  into another). The free are suggested least recently on call first: the furthest nearest
  stretch of on-call time first, those with none in the searched window before everyone.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .rotation import Assignment, OverrideIndex, Shift, Tier, segments

#: On call this close before or after, a colleague is not suggested.
COVER_MARGIN = timedelta(days=7)
#: How far either side the suggestions look for each colleague's nearest on-call time.
COVER_SEARCH = timedelta(weeks=12)

SUGGESTION_NONE_NEAR = "Free then; not on call within {weeks} weeks either side."
SUGGESTION_BEFORE = "Free then; last on call {distance} before (ended {when})."
SUGGESTION_AFTER = "Free then; next on call {distance} after (starts {when})."


@dataclass(frozen=True)
class Away:
    """A person's time off as values. `key` is the stored row's id."""

    person: Hashable
    start: datetime
    end: datetime
    kind: str = ""
    key: Hashable = None


def overlaps(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> bool:
    """Two half-open intervals share an instant."""
    return start < other_end and other_start < end


@dataclass(frozen=True)
class Clash:
    shift: Shift
    stretch: Assignment  # the holder's stretch of one tier: what the swap form offers
    away: Away
    start: datetime  # the overlap
    end: datetime

    @property
    def tier(self) -> Tier:
        return self.stretch.tier

    @property
    def person(self) -> Hashable:
        return self.stretch.person


def clashes(shifts: Iterable[Shift], overrides: OverrideIndex, away: Iterable[Away]) -> list[Clash]:
    """Every stretch of on-call time in `shifts` that its holder is away for, in time order."""
    by_person: dict[Hashable, list[Away]] = {}
    for entry in away:
        by_person.setdefault(entry.person, []).append(entry)
    found = []
    for shift in shifts:
        for tier in Tier:
            for stretch in segments(shift, tier, overrides):
                for entry in by_person.get(stretch.person, ()):
                    if overlaps(stretch.start, stretch.end, entry.start, entry.end):
                        found.append(
                            Clash(
                                shift=shift,
                                stretch=stretch,
                                away=entry,
                                start=max(stretch.start, entry.start),
                                end=min(stretch.end, entry.end),
                            )
                        )
    return sorted(found, key=lambda clash: (clash.start, clash.tier != Tier.PRIMARY))


@dataclass(frozen=True)
class Suggestion:
    person: Hashable
    #: The nearest stretch of on-call time within `COVER_SEARCH`, None when there is none.
    nearest: tuple[datetime, datetime] | None
    distance: timedelta | None
    after: bool  # the nearest stretch comes after the time to cover

    def reason(self, when: str = "") -> str:
        """Why they are suggested; `when` is the nearest stretch's edge, as the reader says it."""
        if self.distance is None or self.nearest is None:
            return SUGGESTION_NONE_NEAR.format(weeks=COVER_SEARCH.days // 7)
        template = SUGGESTION_AFTER if self.after else SUGGESTION_BEFORE
        return template.format(distance=say_distance(self.distance), when=when)


def say_distance(distance: timedelta) -> str:
    """`3 weeks`, `1 week`, `10 days`: whole weeks from two weeks on, else days."""
    days = distance.days
    if days >= 14:
        return f"{days // 7} weeks"
    if days == 1:
        return "1 day"
    return f"{days} days" if days else "less than a day"


def suggest_cover(
    *,
    candidates: Sequence[Hashable],
    start: datetime,
    end: datetime,
    on_call: Mapping[Hashable, Sequence[tuple[datetime, datetime]]],
    away: Iterable[Away],
) -> list[Suggestion]:
    """The `candidates` free to cover `[start, end)`, least recently on call first.

    `on_call` holds each candidate's on-call stretches around the time (any rotation they are
    on, overrides applied); ties keep the candidates' order.
    """
    busy = {entry.person for entry in away if overlaps(entry.start, entry.end, start, end)}
    suggestions = []
    for person in candidates:
        if person in busy:
            continue
        stretches = on_call.get(person, ())
        if any(overlaps(s, e, start - COVER_MARGIN, end + COVER_MARGIN) for s, e in stretches):
            continue
        nearest: tuple[datetime, datetime] | None = None
        distance: timedelta | None = None
        after = False
        for s, e in stretches:
            gap, later = (s - end, True) if s >= end else (start - e, False)
            if gap > COVER_SEARCH:
                continue
            if distance is None or gap < distance:
                nearest, distance, after = (s, e), gap, later
        suggestions.append(Suggestion(person, nearest, distance, after))
    return sorted(
        suggestions,
        key=lambda s: (s.distance is not None, -(s.distance or timedelta(0))),
    )
