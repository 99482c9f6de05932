"""The fairness report's read: one rotation's figures per person over a period of local days.

Five queries whatever the data (rotations, the chosen one's slots, its overrides touching the
period, swap requests counted by requester, the people named with their teams' public-holiday
places), one when there is no rotation.
The figures themselves are `escalation.fairness`, pure.
"""

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count

from ..fairness import Fairness, PersonFigures, fairness, local_period
from ..models import Override, Person, Rotation, RotationSlot, SwapRequest
from ..public_holidays import PublicHoliday, holidays_between


@dataclass(frozen=True)
class FairnessRow:
    name: str
    figures: PersonFigures


@dataclass(frozen=True)
class FairnessPage:
    rotation_choices: tuple[tuple[str, str], ...]  # (slug, name)
    rotation: Rotation | None  # None: there is no rotation, or none with the slug asked for
    first_day: date | None = None
    last_day: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    report: Fairness | None = None
    rows: tuple[FairnessRow, ...] = ()

    @property
    def max_hours(self) -> float:
        return max((row.figures.hours for row in self.rows), default=0.0)


def fairness_page(*, rotation_slug: str, days: tuple[date, date] | None) -> FairnessPage:
    """The report for the rotation `rotation_slug` (empty: the first) over `days`, the first
    and the last day included, counted in the rotation's time zone. Without `days` (the
    question could not be read), only the rotations to choose from.

    Swaps asked for: the requests (any state) of this rotation whose shift starts in the period.
    """
    rotations = list(Rotation.objects.order_by("position", "name"))
    choices = tuple((rotation.slug, rotation.name) for rotation in rotations)
    if rotation_slug:
        rotation = next((r for r in rotations if r.slug == rotation_slug), None)
    else:
        rotation = rotations[0] if rotations else None
    if rotation is None or days is None:
        return FairnessPage(choices, rotation)
    first_day, last_day = days

    start, end = local_period(rotation.time_zone, first_day, last_day)
    overrides = list(
        Override.objects.filter(rotation=rotation)
        .in_effect()
        .overlapping(start, end)
        .only("pk", "tier", "person", "start", "end", "reverted_at")
    )
    asked: dict[Hashable, int] = dict(
        SwapRequest.objects.filter(rotation=rotation, start__gte=start, start__lt=end)
        .values_list("requester")
        .annotate(count=Count("pk"))
        .values_list("requester", "count")
        .order_by()
    )
    slots = list(RotationSlot.objects.filter(rotation=rotation))
    schedule = rotation.schedule(slots)
    named: set[Hashable] = {slot.primary_id for slot in slots} | {
        slot.secondary_id for slot in slots
    }
    named |= {override.person_id for override in overrides} | set(asked)
    people: dict[Hashable, Person] = {
        person.pk: person
        for person in Person.objects.filter(pk__in=named - {None})
        .select_related("team")
        .only(
            "pk", "display_name", "country", "region", "time_zone", "team__country", "team__region"
        )
    }
    public: dict[Hashable, list[PublicHoliday]] = {}
    for pk, person in people.items():
        place = person.holiday_place
        if place is not None:
            public[pk] = holidays_between(place, person.time_zone, start, end)
    report = fairness(
        schedule, start, end, Override.index(overrides), swaps_asked=asked, public_holidays=public
    )
    names: dict[Hashable, str] = {pk: person.display_name for pk, person in people.items()}
    rows = tuple(FairnessRow(names.get(f.person, "?"), f) for f in report.people)
    return FairnessPage(choices, rotation, first_day, last_day, start, end, report, rows)
