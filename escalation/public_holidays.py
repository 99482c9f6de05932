"""Public holidays of a place (a country and an optional region), from the `holidays` package.

The one home of the rule "this time falls on a public holiday": the calendar, the iCal feed and
the fairness report all ask here. Pure: no ORM and no clock.

Rules
- A place is an ISO 3166-1 alpha-2 country the `holidays` package supports, and optionally one
  of that country's subdivisions (`holidays.country_holidays("DE", subdiv="BY")`).
- A holiday is a whole local day in the holder's own time zone: from 00:00 to the next 00:00
  there (23 or 25 hours across a change of the clocks).
- Time `[start, end)` includes a holiday when it overlaps that day (half-open intervals: a shift
  starting at midnight after the holiday does not include it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from .time_zones import zone_or_utc

COUNTRY_UNKNOWN = "Enter a country code the holiday calendar knows, such as DE, GB or US."
REGION_UNKNOWN = "{country} has no region “{region}”. Known regions: {known}."
REGION_WITHOUT_COUNTRY = "Choose the country of this region too."


@dataclass(frozen=True)
class Place:
    country: str
    region: str = ""


@dataclass(frozen=True)
class PublicHoliday:
    day: date
    name: str
    start: datetime  # local 00:00, in UTC
    end: datetime  # the next local 00:00, in UTC

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@cache
def _supported() -> dict[str, tuple[str, ...]]:
    return {
        code: tuple(regions)
        for code, regions in holidays.list_supported_countries().items()
        if len(code) == 2 and code.isalpha() and code.isupper()
    }


def country_choices() -> list[tuple[str, str]]:
    """Every supported country code, sorted, for a choice list."""
    return [(code, code) for code in sorted(_supported())]


def is_country(code: str) -> bool:
    return code in _supported()


def regions_of(country: str) -> tuple[str, ...]:
    return _supported().get(country, ())


def place_problem(country: str, region: str) -> str | None:
    """What is wrong with a country and region typed in, or None."""
    if not country:
        return REGION_WITHOUT_COUNTRY if region else None
    if not is_country(country):
        return COUNTRY_UNKNOWN
    if region and region not in regions_of(country):
        known = ", ".join(regions_of(country)) or "none"
        return REGION_UNKNOWN.format(country=country, region=region, known=known)
    return None


@cache
def _days(country: str, region: str, year: int) -> tuple[tuple[date, str], ...]:
    calendar = holidays.country_holidays(country, subdiv=region or None, years=year)
    return tuple(sorted(calendar.items()))


def holidays_between(
    place: Place, time_zone: str, start: datetime, end: datetime
) -> list[PublicHoliday]:
    """The public holidays of `place` whose local day (in `time_zone`) overlaps `[start, end)`."""
    if end <= start or not is_country(place.country):
        return []
    zone = zone_or_utc(time_zone)
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    found = []
    for year in range(first.year, last.year + 1):
        for day, name in _days(place.country, place.region, year):
            if not first <= day <= last:
                continue
            holiday = PublicHoliday(
                day=day,
                name=name,
                start=_midnight(day, zone),
                end=_midnight(day + timedelta(days=1), zone),
            )
            if holiday.overlaps(start, end):
                found.append(holiday)
    return found


def holiday_time(holidays_: list[PublicHoliday], start: datetime, end: datetime) -> timedelta:
    """How much of `[start, end)` falls on the given holidays."""
    total = timedelta(0)
    for holiday in holidays_:
        low, high = max(start, holiday.start), min(end, holiday.end)
        if low < high:
            total += high - low
    return total


def describe(holidays_: list[PublicHoliday]) -> str:
    """`Public holiday: Christmas Day (Fri 25 Dec), Boxing Day (Sat 26 Dec)`; empty for none."""
    if not holidays_:
        return ""
    names = ", ".join(f"{h.name} ({h.day:%a} {h.day.day} {h.day:%b})" for h in holidays_)
    return f"Public holiday{'s' if len(holidays_) > 1 else ''}: {names}"


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
