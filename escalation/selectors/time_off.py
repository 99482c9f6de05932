"""Time off as the pages read it: one query for the people and window shown."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet

from .. import rotation as engine
from ..availability import Away, Clash, clashes
from ..models import Override, Person, Rotation, RotationSlot, SwapKind, TimeOff, TimeOffKind
from .prepared import IDS, PreparedQuery


def away_between(*, person_ids: Iterable[object], start: datetime, end: datetime) -> list[Away]:
    """The time off of `person_ids` touching `[start, end)`, as the pure engine's values.

    One query.
    """
    ids = list({pk for pk in person_ids if pk is not None})
    if not ids:
        return []
    return [
        Away(person=person_id, start=s, end=e, kind=kind, key=pk)
        for pk, person_id, s, e, kind in _AWAY_BETWEEN.rows(ids, start, end)
    ]


def _away_between(person_ids: list[int], start: datetime, end: datetime) -> QuerySet[Any]:
    return (
        TimeOff.objects.filter(person_id__in=person_ids)
        .overlapping(start, end)
        .values_list("pk", "person_id", "start", "end", "kind")
    )


#: Compiled once per process: the calendar asks it on every request, for other people and weeks.
_AWAY_BETWEEN = PreparedQuery(_away_between, IDS, instants=2)


def _away_of_rotation_people(start: datetime, end: datetime) -> QuerySet[Any]:
    on_rotation = (
        Exists(RotationSlot.objects.filter(primary=OuterRef("person")))
        | Exists(RotationSlot.objects.filter(secondary=OuterRef("person")))
        | Exists(Override.objects.filter(person=OuterRef("person")).overlapping(start, end))
    )
    return (
        TimeOff.objects.overlapping(start, end)
        .filter(Q(on_rotation))
        .values_list("pk", "person_id", "start", "end", "kind")
    )


#: Compiled once per process: the same question on every dashboard, a window apart.
_AWAY_OF_ROTATION_PEOPLE = PreparedQuery(_away_of_rotation_people, instants=2)


def away_of_rotation_people(*, start: datetime, end: datetime) -> list[Away]:
    """The time off touching `[start, end)` of everyone who may hold a shift in it: the people
    of any rotation's slots, and those of overrides touching it. `away_between` for all of
    them, without naming them: the database joins. One query.
    """
    return [
        Away(person=person_id, start=s, end=e, kind=kind, key=pk)
        for pk, person_id, s, e, kind in _AWAY_OF_ROTATION_PEOPLE.rows(start, end)
    ]


def own_time_off(*, person: Person, at: datetime) -> list[TimeOff]:
    """`person`'s time off not over by `at`, soonest first: what their profile lists. One query."""
    return list(TimeOff.objects.filter(person=person, end__gt=at).order_by("start", "pk"))


@dataclass(frozen=True)
class ClashMark:
    """A clash as the pages show it: whose, on which rotation, and the link asking for cover."""

    rotation: Rotation
    clash: Clash
    person: Person | None

    @property
    def kind_label(self) -> str:
        return TimeOffKind(self.clash.away.kind).label if self.clash.away.kind else "Time off"

    @property
    def cover_query(self) -> str:
        """The swap form's question for exactly this clash: the stretch, the part of it the
        person is away for (UTC) and why; whose it is, for a manager asking on their behalf."""
        stretch = self.clash.stretch
        query = {
            "kind": SwapKind.COVER.value,
            "start": _utc(self.clash.start),
            "end": _utc(self.clash.end),
            "reason": f"{self.kind_label}: away from {_utc(self.clash.away.start)} "
            f"until {_utc(self.clash.away.end)}",
        }
        if not stretch.overridden:
            # `selectors.swaps.ShiftOption.value`: the form offers exactly this stretch.
            query["shift"] = (
                f"{self.rotation.pk}:{stretch.tier.value}:{int(stretch.start.timestamp())}:"
                f"{int(stretch.end.timestamp())}"
            )
        if self.person is not None:
            query["requester"] = str(self.person.pk)
        return urlencode(query)


def clash_marks(
    *,
    rotation: Rotation,
    shifts: Iterable[engine.Shift],
    overrides: engine.Overrides,
    away: list[Away],
    people: Mapping[Any, Person],
) -> list[ClashMark]:
    """The clashes of `rotation`'s `shifts` with `away`, with the people named (no query)."""
    if not away:
        return []
    index = (
        overrides
        if isinstance(overrides, engine.OverrideIndex)
        else engine.OverrideIndex(overrides)
    )
    return [
        ClashMark(rotation=rotation, clash=clash, person=people.get(clash.person))
        for clash in clashes(shifts, index, away)
    ]


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
