"""The same slot on call two shifts in a row, as the pages warn of it: after an ISO year of 53
weeks, week 53 and week 1 have the same parity; under strict alternation, a day the rotation's
zone skipped (Samoa, 30 December 2011) leaves its daily shift out.

The engine (`escalation.rotation`) finds the repeats; this module says who of the pair is really
on call twice in a row once overrides apply, and why, for the dashboard, the calendar and the
iCalendar feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .. import rotation as engine
from ..models import Person, Rotation
from .oncall import Loaded, slot_person

# How far ahead the calendar looks for the next time ISO week parity repeats a pair. ISO years
# with 53 weeks come every five or six years (at most seven apart), so this always finds one.
REPEAT_YEARS = 7


#: Why ISO week parity gives the same slot twice in a row (pages and the iCalendar feed say it).
REPEAT_WHY = (
    "ISO year {year} has 53 weeks, so week {week} of {year} and week {next_week} of "
    "{next_year} are both {parity}"
)


#: Why strict alternation gives the same slot twice in a row (a daily shift left out).
SKIPPED_DAY_WHY = (
    "the shift of {days} never happened: {zone} skipped that day (its clocks jumped a whole "
    "day ahead), and strict alternation gives the slot after it to the next shift"
)
#: How far ahead the calendar looks for the next skipped day of a daily alternation.
SKIPPED_DAY_LOOKAHEAD = timedelta(days=366)


@dataclass(frozen=True)
class RepeatWarning:
    """ISO week parity giving the same slot two shifts in a row (after a 53-week ISO year), and
    who of its pair is really on call twice in a row, overrides applied (None for a tier someone
    else covers; a warning is made only when at least one tier repeats)."""

    repeat: engine.ParityRepeat
    primary: Person | None
    secondary: Person | None

    @property
    def long_year(self) -> int:
        return self.repeat.previous.iso_year

    @property
    def people(self) -> list[Person]:
        return [person for person in (self.primary, self.secondary) if person is not None]

    @property
    def skipped_day(self) -> bool:
        """The repeat comes from a day the zone skipped, not from a 53-week ISO year."""
        return bool(self.repeat.skipped)

    @property
    def why(self) -> str:
        previous, following = self.repeat.previous, self.repeat.following
        if self.repeat.skipped:
            return SKIPPED_DAY_WHY.format(
                days=" and ".join(f"{day.day} {day:%b %Y}" for day in self.repeat.skipped),
                zone=self.repeat.time_zone,
            )
        return REPEAT_WHY.format(
            year=previous.iso_year,
            week=previous.iso_week,
            next_week=following.iso_week,
            next_year=following.iso_year,
            parity="odd" if previous.iso_week % 2 else "even",
        )


def next_repeat(schedule: engine.Schedule, at: datetime) -> engine.ParityRepeat | None:
    """The first parity repeat after `at`, looked for only around the ends of 53-week ISO years.

    Only those year ends can repeat a slot, so the engine checks a few weeks per long year
    instead of six years of shifts.
    """
    if not engine.is_parity_repeat_possible(schedule):
        return None
    if schedule.rule is engine.SlotRule.ALTERNATION:
        # Only a skipped day repeats a slot, and zones skip days almost never: a year of
        # daily shifts is looked through.
        repeats = engine.parity_repeats(schedule, at, at + SKIPPED_DAY_LOOKAHEAD)
        return next((repeat for repeat in repeats if repeat.following.start > at), None)
    for year in range(at.year - 1, at.year + REPEAT_YEARS + 1):
        if date(year, 12, 28).isocalendar().week != 53:
            continue
        around_year_end = datetime(year, 12, 14, tzinfo=UTC), datetime(year + 1, 1, 21, tzinfo=UTC)
        for repeat in engine.parity_repeats(schedule, *around_year_end):
            if repeat.following.start > at:
                return repeat
    return None


def repeat_warning(
    loaded: Loaded, rotation: Rotation, repeat: engine.ParityRepeat
) -> RepeatWarning | None:
    """The warning for a repeat, naming per tier the slot's person when they are on call in both
    shifts (overrides applied); None when someone else covers it in every tier."""
    repeated = []
    for tier in (engine.Tier.PRIMARY, engine.Tier.SECONDARY):
        scheduled = slot_person(repeat.following.slot, tier)
        on_call_in = [
            {holder.assignment.person for holder in loaded.holders(shift, tier, rotation)}
            for shift in (repeat.previous, repeat.following)
        ]
        both = scheduled is not None and all(scheduled in people for people in on_call_in)
        repeated.append(loaded.person(scheduled) if both else None)
    return warning_if_repeated(repeat, *repeated)


def warning_if_repeated(
    repeat: engine.ParityRepeat, primary: Person | None, secondary: Person | None
) -> RepeatWarning | None:
    if primary is None and secondary is None:
        return None
    return RepeatWarning(repeat=repeat, primary=primary, secondary=secondary)
