"""Public holidays on the shifts pages show: each holder's own (`escalation.public_holidays`).
No query: the people come loaded with their places (`PersonQuerySet.with_holiday_place`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..models import Person
from ..public_holidays import PublicHoliday, describe, holidays_between
from .oncall import Holder


@dataclass(frozen=True)
class HolidayMark:
    """The public holidays of `person`'s place in their stretch of a shift."""

    person: Person
    holidays: list[PublicHoliday]

    @property
    def text(self) -> str:
        """`Public holiday for Jan: Epiphany (Tue 6 Jan)`."""
        return describe(self.holidays).replace(":", f" for {self.person.display_name}:", 1)


def holiday_marks(holders: Iterable[Holder]) -> list[HolidayMark]:
    marks = []
    for holder in holders:
        person = holder.person
        place = person.holiday_place if person is not None else None
        if person is None or place is None:
            continue
        found = holidays_between(place, person.time_zone, holder.start, holder.end)
        if found:
            marks.append(HolidayMark(person, found))
    return marks
