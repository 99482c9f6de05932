"""Time off as the pages read it: one query for the people and window shown."""

from collections.abc import Iterable
from datetime import datetime

from ..availability import Away
from ..models import Person, TimeOff


def away_between(*, person_ids: Iterable[object], start: datetime, end: datetime) -> list[Away]:
    """The time off of `person_ids` touching `[start, end)`, as the pure engine's values.

    One query.
    """
    ids = {pk for pk in person_ids if pk is not None}
    if not ids:
        return []
    rows = (
        TimeOff.objects.filter(person_id__in=ids)
        .overlapping(start, end)
        .values_list("pk", "person_id", "start", "end", "kind")
    )
    return [
        Away(person=person_id, start=s, end=e, kind=kind, key=pk)
        for pk, person_id, s, e, kind in rows
    ]


def own_time_off(*, person: Person, at: datetime) -> list[TimeOff]:
    """`person`'s time off not over by `at`, soonest first: what their profile lists. One query."""
    return list(TimeOff.objects.filter(person=person, end__gt=at).order_by("start", "pk"))
