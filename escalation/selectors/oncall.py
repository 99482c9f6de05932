"""Who is on call: the core read every page builds on, and the loaders the page reads share.

Every read costs the same few queries whatever the data: the rotation slots with their
rotations, the overrides in effect that overlap the instants or the window shown, and the
people either names (joined to the slots and overrides for the reads of one instant, in a query
of their own for the windows, where the same people cover many times). Time math is the pure
engine's (`escalation.rotation`); the selectors only load rows, hand the engine plain values and
map its person keys back to Person rows.

Reads that depend on the current time also say for how long their answer holds (`validity`:
from the latest handoff or override boundary at or before `at` to the next one), which is what
lets pages cache them exactly (`escalation.cache`).

A rotation whose settings the engine refuses (say, ISO week parity with three slots) is not an
error for the page: it is reported as a `RotationProblem` and the other rotations still show.

The pages' own reads live beside this module: `dashboard`, `calendar` (with the iCalendar
feed) and `profile`; the parity repeat warnings they share are in `repeats`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cached_property, partial, reduce
from operator import or_
from typing import Any, NamedTuple, cast

from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    CharField,
    DateTimeField,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
)

from .. import rotation as engine
from ..model_rows import attnames, from_row
from ..models import Override, Person, Rotation, RotationSlot
from ..models.rotations import OVERRIDE_INDEX_COLUMNS, override_index
from ..validity import ALWAYS, Validity
from .prepared import IDS, WINDOWS, PreparedQuery

RotationKey = int


# --- What the reads answer ----------------------------------------------------------------


@dataclass(frozen=True)
class RotationProblem:
    """A rotation the engine cannot compute, with the reason in words."""

    rotation: Rotation
    message: str


class Holder(NamedTuple):
    """One stretch of one tier: who holds it, from when to when, and whom they cover for.

    A named tuple, immutable and compared by value like the engine's assignments: the feed and
    the every-rotation calendar build one per shift and tier (tens of thousands), and a tuple
    is built in one step, with no instance dictionary for the garbage collector to walk.
    """

    assignment: engine.Assignment
    person: Person | None
    covering_for: Person | None = None

    @classmethod
    def all_shift(cls, shift: engine.Shift, tier: engine.Tier, person: Person | None) -> Holder:
        """The slot's `person` holding `tier` all `shift` long: the one holder of a shift no
        override touches (`engine.segments`)."""
        key = slot_person(shift.slot, tier)
        return cls(engine.Assignment(tier, key, shift.start, shift.end, None), person, None)

    @property
    def tier(self) -> engine.Tier:
        return self.assignment.tier

    @property
    def start(self) -> datetime:
        return self.assignment.start

    @property
    def end(self) -> datetime:
        return self.assignment.end

    @property
    def overridden(self) -> bool:
        return self.assignment.overridden


@dataclass(frozen=True)
class RotationOnCall:
    """One rotation's answer at one instant, with Person rows resolved."""

    rotation: Rotation
    schedule: engine.Schedule
    on_call: engine.OnCall
    primary: Person | None
    secondary: Person | None

    @property
    def shift(self) -> engine.Shift:
        return self.on_call.shift

    @property
    def is_repeat(self) -> bool:
        """The slot is on call in the shift before or after this one too (ISO week 53, 1)."""
        return engine.repeat_around(self.schedule, self.shift) is not None


@dataclass(frozen=True)
class OnCallNow:
    """Who holds each tier of each rotation at `at`, and the stretch of time that stays true."""

    at: datetime
    answers: list[RotationOnCall]
    problems: list[RotationProblem]
    validity: Validity
    #: What `slots` are read from, and the rotations whose slots they are (None: all read).
    loaded: Loaded | None = field(default=None, repr=False, compare=False)
    slots_of: frozenset[RotationKey] | None = None

    @cached_property
    def slots(self) -> list[RotationSlot]:
        """Every rotation's slots, in display order, with their people. Built when read: of
        the pages about one instant, only the contact table shows the slots."""
        if self.loaded is None:
            return []
        slots = [
            slot
            for key, slots in self.loaded.slots.items()
            if self.slots_of is None or key in self.slots_of
            for slot in slots
        ]
        people = self.loaded.people
        if isinstance(people, People):
            # Read with only the people on call: the others' rows now (one query).
            people.read(
                key for slot in slots for key in (slot.primary_id, slot.secondary_id) if key
            )
        return staffed(slots, people)


# --- Loading, shared by the pages' reads -------------------------------------------------


class People(Mapping[int, Person]):
    """Everyone the loaded rows name, by primary key, each Person built from its row the first
    time it is read (and only once). A company's slots and overrides name hundreds of people;
    a page about one instant shows the two of each rotation on call."""

    def __init__(self) -> None:
        self._rows: dict[int, Sequence[Any]] = {}
        self._built: dict[int, Person] = {}

    def add(self, key: int, row: Sequence[Any]) -> None:
        """Person `key`'s columns (`Person`'s concrete fields, in order), unless already read."""
        if key not in self._rows:
            self._rows[key] = row

    def read(self, keys: Iterable[int]) -> None:
        """Read the rows of those of `keys` not read yet (one query, when there are any)."""
        missing = {key for key in keys if key not in self._rows}
        if missing:
            for row in Person.objects.filter(pk__in=missing).values_list(*_PERSON_FIELDS):
                self._rows[row[0]] = row

    def __getitem__(self, key: int) -> Person:
        person = self._built.get(key)
        if person is None:
            person = self._built[key] = from_row(Person, _PERSON_FIELDS, self._rows[key])
        return person

    def display_name(self, key: int) -> str:
        """Person `key`'s name, without building the Person: a table of every rotation's slots
        names a few hundred people and shows only that."""
        person = self._built.get(key)
        if person is not None:
            return person.display_name
        return self._rows[key][_DISPLAY_NAME]

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def staffed(slots: Iterable[RotationSlot], people: Mapping[int, Person]) -> list[RotationSlot]:
    """`slots` with their primary and secondary Person from `people` (no query)."""
    staffed = []
    for slot in slots:
        _SLOT_PRIMARY.set_cached_value(slot, people[slot.primary_id])
        secondary = slot.secondary_id
        _SLOT_SECONDARY.set_cached_value(slot, None if secondary is None else people[secondary])
        staffed.append(slot)
    return staffed


@dataclass
class Loaded:
    """Rotations with their engine schedules, and every Person they or their overrides name."""

    rotations: list[tuple[Rotation, engine.Schedule]]
    problems: list[RotationProblem]
    person_ids: set[int]
    people: Mapping[int, Person] = field(default_factory=dict)
    overrides: dict[RotationKey, engine.OverrideIndex] = field(default_factory=dict)
    #: Each rotation's slots as read, in display order: `slots` builds them.
    slot_values: dict[RotationKey, list[SlotValues]] = field(default_factory=dict)

    @cached_property
    def slots(self) -> dict[RotationKey, list[RotationSlot]]:
        """Each rotation's slots (the engine's refusals' too), in display order, each with its
        Rotation. Built when first read: the engine's schedules need only their values."""
        rotations = {rotation.pk: rotation for rotation, _ in self.rotations}
        rotations.update((problem.rotation.pk, problem.rotation) for problem in self.problems)
        slots: dict[RotationKey, list[RotationSlot]] = {}
        for key, values in self.slot_values.items():
            rotation = rotations[key]
            built = slots[key] = []
            for value in values:
                slot = from_row(RotationSlot, _SLOT_FIELDS, value)
                _SLOT_ROTATION.set_cached_value(slot, rotation)
                built.append(slot)
        return slots

    def index(self, rotation: Rotation) -> engine.OverrideIndex:
        return self.overrides.get(rotation.id) or _NO_OVERRIDES

    def holders(self, shift: engine.Shift, tier: engine.Tier, rotation: Rotation) -> list[Holder]:
        """Who holds `tier` over `shift`, stretch by stretch (`engine.segments`)."""
        index = self.overrides.get(rotation.id)
        if index is None:
            # No override of the rotation in the window read: the slot's person all shift long.
            if tier.__class__ is not engine.Tier:
                tier = engine.Tier(tier)
            return [Holder.all_shift(shift, tier, self.person(slot_person(shift.slot, tier)))]
        # `holder` inlined: the feed and the long calendars call this for every shift and tier.
        people = self.people
        holders = []
        for assignment in engine.segments(shift, tier, index):
            key = assignment.person
            covering_for = None
            if assignment.override is not None:
                slot = shift.slot
                covered = slot.primary if assignment.tier is engine.Tier.PRIMARY else slot.secondary
                covering_for = people.get(covered) if isinstance(covered, int) else None
            holders.append(
                Holder(assignment, people.get(key) if isinstance(key, int) else None, covering_for)
            )
        return holders

    def holder(self, shift: engine.Shift, assignment: engine.Assignment) -> Holder:
        covering_for = None
        if assignment.overridden:
            covering_for = self.person(slot_person(shift.slot, assignment.tier))
        return Holder(assignment, self.person(assignment.person), covering_for)

    def person(self, key: object) -> Person | None:
        return self.people.get(key) if isinstance(key, int) else None


_NO_OVERRIDES = engine.OverrideIndex(())


class SlotValues(NamedTuple):
    """A rotation slot's columns as read (`RotationSlot`'s concrete fields, in order): all
    `Rotation.schedule` reads of a slot."""

    id: int
    rotation_id: int
    position: int
    label: str
    week_parity: str
    primary_id: int
    secondary_id: int | None


def slot_person(slot: engine.Slot, tier: engine.Tier) -> object:
    return slot.primary if tier == engine.Tier.PRIMARY else slot.secondary


_ROTATION_ORDER = ("rotation__position", "rotation__name", "rotation_id")


def load_rotations(
    rotation_ids: Iterable[int] | None = None,
    *,
    with_people: bool = False,
    and_first: bool = False,
) -> Loaded:
    """Rotations that have slots, in display order, with their slots (and the people they
    name, when `with_people`: `Loaded.people`, and `staffed` gives slots theirs): all of them,
    or those of `rotation_ids` (and the first rotation, when `and_first`). One query.

    The query reads the slots joined to their rotations (and people) as plain rows, and each
    Rotation is built once, however many slots name it: `select_related` would build one per
    slot (159 rotations for 60 in a large company) and cost more to compile. Slots and people
    are built when first read (`Loaded.slots`, `People`): the engine needs only the slots'
    values, and at one instant most of the people slots name are not on call.
    """
    if rotation_ids is None:
        rows = _ALL_SLOT_ROWS[with_people].rows(using=DEFAULT_DB_ALIAS)
    else:
        named = [key for key in rotation_ids if key is not None]
        rows = _NAMED_SLOT_ROWS[with_people, and_first].rows(named, using=DEFAULT_DB_ALIAS)
    by_rotation: dict[RotationKey, list[SlotValues]] = defaultdict(list)
    rotations: dict[RotationKey, Rotation] = {}
    person_ids: set[int] = set()
    people = People()
    db = DEFAULT_DB_ALIAS
    slot_end = len(_SLOT_COLUMNS)
    rotation_end = slot_end + len(_ROTATION_COLUMNS)
    primary_end = rotation_end + len(_PRIMARY_COLUMNS)
    for row in rows:
        slot = SlotValues._make(row[:slot_end])
        if slot.rotation_id not in rotations:
            rotations[slot.rotation_id] = from_row(
                Rotation, _ROTATION_FIELDS, row[slot_end:rotation_end], db
            )
        by_rotation[slot.rotation_id].append(slot)
        person_ids.add(slot.primary_id)
        if slot.secondary_id is not None:
            person_ids.add(slot.secondary_id)
        if with_people:
            people.add(slot.primary_id, row[rotation_end:primary_end])
            if slot.secondary_id is not None:
                people.add(slot.secondary_id, row[primary_end:])
    loaded = Loaded(rotations=[], problems=[], person_ids=person_ids, people=people)
    loaded.slot_values = by_rotation
    for key, rotation in rotations.items():
        try:
            # The slots' values stand in for RotationSlot rows: the schedule reads only those.
            schedule = rotation.schedule(cast(list[RotationSlot], by_rotation[key]))
        except ValueError as error:
            loaded.problems.append(RotationProblem(rotation, str(error)))
            continue
        loaded.rotations.append((rotation, schedule))
    return loaded


def _slot_rows(with_people: bool) -> QuerySet[RotationSlot, tuple[Any, ...]]:
    """Every rotation's slots joined to their rotation (and people, when `with_people`), in
    display order, as plain rows."""
    columns = [*_SLOT_COLUMNS, *_ROTATION_COLUMNS]
    if with_people:
        columns += [*_PRIMARY_COLUMNS, *_SECONDARY_COLUMNS]
    return RotationSlot.objects.order_by(*_ROTATION_ORDER, "position").values_list(*columns)


def _named_slot_rows(
    with_people: bool, and_first: bool
) -> Callable[[list[int]], QuerySet[RotationSlot, tuple[Any, ...]]]:
    def build(rotation_ids: list[int]) -> QuerySet[RotationSlot, tuple[Any, ...]]:
        named = Q(rotation_id__in=rotation_ids)
        if and_first:
            first = RotationSlot.objects.order_by(*_ROTATION_ORDER).values("rotation_id")[:1]
            named |= Q(rotation_id=Subquery(first))
        return _slot_rows(with_people).filter(named)

    return build


_SLOT_FIELDS = attnames(RotationSlot)
_ROTATION_FIELDS = attnames(Rotation)
_PERSON_FIELDS = attnames(Person)
_DISPLAY_NAME = _PERSON_FIELDS.index("display_name")
_SLOT_COLUMNS = _SLOT_FIELDS
assert SlotValues._fields == _SLOT_FIELDS, "SlotValues names RotationSlot's columns"
_ROTATION_COLUMNS = [f"rotation__{name}" for name in _ROTATION_FIELDS]
_PRIMARY_COLUMNS = [f"primary__{name}" for name in _PERSON_FIELDS]
_SECONDARY_COLUMNS = [f"secondary__{name}" for name in _PERSON_FIELDS]
_SLOT_ROTATION = RotationSlot._meta.get_field("rotation")
_SLOT_PRIMARY = RotationSlot._meta.get_field("primary")
_SLOT_SECONDARY = RotationSlot._meta.get_field("secondary")

#: The slot queries `load_rotations` reads, compiled once per process: naming 50 columns through
#: three joins cost the ORM more than the database takes to read a few rotations.
_ALL_SLOT_ROWS = {
    with_people: PreparedQuery(partial(_slot_rows, with_people)) for with_people in (False, True)
}
_NAMED_SLOT_ROWS = {
    (with_people, and_first): PreparedQuery(_named_slot_rows(with_people, and_first), IDS)
    for with_people in (False, True)
    for and_first in (False, True)
}


def load_overrides(
    loaded: Loaded,
    windows: Sequence[tuple[datetime, datetime]],
    *,
    with_people: bool = False,
    and_people: Collection[int] = (),
) -> None:
    """The overrides in effect that overlap any of `windows` (with their people, when
    `with_people`, and the people of `and_people` too). One query, whatever the windows.

    Read as plain rows: the engine needs only their times and people, so no Override is built,
    and a person who covers many times (or holds a slot too) is built once, when first read.
    """
    rotation_ids = [rotation.pk for rotation, _ in loaded.rotations]
    if and_people:
        assert with_people, "people are read with the overrides' own"
        rows = _OVERRIDE_AND_PEOPLE_ROWS.rows(
            rotation_ids, windows, list(and_people), using=DEFAULT_DB_ALIAS
        )
    else:
        rows = _OVERRIDE_ROWS[with_people].rows(rotation_ids, windows, using=DEFAULT_DB_ALIAS)
    people: People | None = None
    if with_people:
        # As `load_rotations` reads them: people's rows, each built when first read.
        if not isinstance(loaded.people, People):
            assert not loaded.people, "load_rotations(with_people=True) reads people"
            loaded.people = People()
        people = loaded.people
    by_rotation: dict[RotationKey, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        if row[0] is None:
            # One of `and_people`, with no override.
            people.add(row[2], row[_OVERRIDE_END:])  # type: ignore[union-attr]
            continue
        by_rotation[row[0]].append(row[1:_OVERRIDE_END])
        person_id = row[2]
        loaded.person_ids.add(person_id)
        if people is not None:
            people.add(person_id, row[_OVERRIDE_END:])
    loaded.overrides = {key: override_index(specs) for key, specs in by_rotation.items()}


#: Where an override's row ends and its person's columns begin, after its rotation.
_OVERRIDE_END = 1 + len(OVERRIDE_INDEX_COLUMNS)


def _override_rows(
    with_people: bool,
    rotation_ids: list[int],
    windows: Sequence[tuple[datetime, datetime]],
) -> QuerySet[Override, tuple[Any, ...]]:
    """The overrides in effect of `rotation_ids` that overlap any of `windows` (all of their
    overrides, for no windows), as plain rows (with their people, when `with_people`)."""
    columns = ["rotation_id", *OVERRIDE_INDEX_COLUMNS]
    if with_people:
        columns += [f"person__{name}" for name in _PERSON_FIELDS]
    overlapping = reduce(or_, (Q(start__lt=end, end__gt=start) for start, end in windows), Q())
    return (
        Override.objects.in_effect()
        .filter(overlapping, rotation_id__in=rotation_ids)
        .order_by("start", "pk")
        .values_list(*columns)
    )


def _override_and_people_rows(
    rotation_ids: list[int],
    windows: Sequence[tuple[datetime, datetime]],
    person_ids: list[int],
) -> QuerySet[Override, tuple[Any, ...]]:
    """`_override_rows` with their people, then the people of `person_ids` in rows of their
    own: no rotation, no override (None in those columns), the person's key where an override's
    person is."""
    overrides = _override_rows(True, rotation_ids, windows).order_by()
    people = (
        Person.objects.filter(pk__in=person_ids)
        .order_by()
        .annotate(
            no_rotation=Value(None, output_field=IntegerField()),
            no_tier=Value(None, output_field=CharField()),
            no_start=Value(None, output_field=DateTimeField()),
            no_end=Value(None, output_field=DateTimeField()),
            no_override=Value(None, output_field=IntegerField()),
        )
        .values_list(
            "no_rotation", "no_tier", "pk", "no_start", "no_end", "no_override", *_PERSON_FIELDS
        )
    )
    return overrides.union(people, all=True).order_by("start", "id")


#: Compiled once per process and number of windows (`load_overrides`).
_OVERRIDE_ROWS = {
    with_people: PreparedQuery(partial(_override_rows, with_people), IDS, WINDOWS)
    for with_people in (False, True)
}
_OVERRIDE_AND_PEOPLE_ROWS = PreparedQuery(_override_and_people_rows, IDS, WINDOWS, IDS)


def load_overrides_and_people(
    loaded: Loaded,
    windows: Sequence[tuple[datetime, datetime]],
    extra_people: Iterable[int] = (),
) -> None:
    """The overrides in effect that overlap any of `windows`, then everyone named. Two queries.

    People come in a query of their own rather than joined to each override: over a long window
    a person who covers often would otherwise be built (and their phone number parsed) once per
    override.
    """
    load_overrides(loaded, windows)
    loaded.person_ids.update(extra_people)
    loaded.people = {
        row[0]: from_row(Person, _PLACED_PERSON_COLUMNS, row)
        for row in _PLACED_PEOPLE.rows(list(loaded.person_ids), using=DEFAULT_DB_ALIAS)
    }


#: People with their team's place (`PersonQuerySet.with_holiday_place`), as plain rows.
_PLACED_PERSON_COLUMNS = [*_PERSON_FIELDS, "team_country", "team_region"]
_PLACED_PEOPLE = PreparedQuery(
    lambda ids: (
        Person.objects.filter(pk__in=ids)
        .with_holiday_place()
        .order_by()
        .values_list(*_PLACED_PERSON_COLUMNS)
    ),
    IDS,
)


def instant(at: datetime) -> tuple[datetime, datetime]:
    return (at, at + timedelta(microseconds=1))


# --- Reads, one per page ------------------------------------------------------------------


def load_current_shifts(
    at: datetime,
    rotation_ids: Iterable[int] | None = None,
    *,
    and_next_handoff: bool = False,
    and_next_shift: bool = False,
    and_first: bool = False,
    only_on_call: bool = False,
) -> tuple[Loaded, list[tuple[Rotation, engine.Schedule, engine.Shift]]]:
    """Each rotation's shift at `at`, with every override touching it (up to and including the
    next handoff instant, when `and_next_handoff`; through the whole next shift, when
    `and_next_shift`) and everyone either names (`Loaded.people`; with `only_on_call`, of the
    slots only the people of the current shifts', and of the next ones with `and_next_shift`).
    Two queries.

    All of the shift's overrides, not only those in effect at `at`: the stretch `at` falls in
    ends where the next override starts, and the answer's `validity` must know it.

    With `only_on_call`, the people are read with the overrides, by key, rather than joined to
    every slot: a slot names two people, and a page about one instant shows the two of each
    rotation's current shift.
    """
    loaded = load_rotations(rotation_ids, with_people=not only_on_call, and_first=and_first)
    current = [
        (rotation, schedule, engine.shift_at(schedule, at))
        for rotation, schedule in loaded.rotations
    ]
    window = []
    # The shifts whose slots' people a page names: the current ones, and the next ones.
    named = [shift for _, _, shift in current]
    if current:
        end = max(shift.end for _, _, shift in current)
        if and_next_handoff:
            end += timedelta(microseconds=1)
        if and_next_shift:
            following = [engine.shift_at(schedule, shift.end) for _, schedule, shift in current]
            named += following
            end = max(end, *(shift.end for shift in following))
        window.append((min(shift.start for _, _, shift in current), end))
    on_call: set[int] = set()
    if only_on_call:
        on_call = {
            key
            for shift in named
            for key in (shift.slot.primary, shift.slot.secondary)
            if isinstance(key, int)
        }
    load_overrides(loaded, window, with_people=True, and_people=on_call)
    return loaded, current


def holding(stretches: Iterable[engine.Assignment | engine.Shift]) -> Validity:
    """The stretch of time over which all these assignments (or shifts) hold at once."""
    starts = []
    ends = []
    for stretch in stretches:
        starts.append(stretch.start)
        ends.append(stretch.end)
    if not starts:
        return ALWAYS
    return Validity(max(starts), min(ends))


# --- Who is on call at one instant --------------------------------------------------------


def on_call_now(
    *, at: datetime, rotation_ids: Iterable[int] | None = None, only_on_call: bool = False
) -> OnCallNow:
    """Who holds each tier of each rotation at `at` (or of the rotations of `rotation_ids`),
    overrides applied, and until when that stays true. Two queries.

    Rotations the engine cannot compute are left out of the answers (listed in `problems`).
    With `only_on_call`, of the people the slots name only those on call are read: reading
    `slots` then reads the others (one more query).
    """
    return _on_call(at, rotation_ids, only_on_call=only_on_call)


def on_call_named(*, at: datetime, rotation_ids: Iterable[int | None]) -> OnCallNow:
    """`on_call_now` for the rotations a page names (None: none), and the first rotation whose
    shifts the engine can compute, which answers for parties that name no rotation (the first
    of `answers`, as with `on_call_now`). Two queries, whatever the number of rotations in the
    company; two more only when the first rotation is one the engine refuses. Of the people the
    slots name, only those on call are read (`on_call_now(only_on_call=True)`).
    """
    named = {key for key in rotation_ids if key is not None}
    now = _on_call(at, named, and_first=True, only_on_call=True)
    refused = [display_order(problem.rotation) for problem in now.problems]
    if not refused or (now.answers and display_order(now.answers[0].rotation) < min(refused)):
        return now
    # The first rotation is one the engine refuses: the default is the next one, maybe unread.
    everything = _on_call(at, None, only_on_call=True)
    default = everything.answers[:1]
    keep = named | {answer.rotation.pk for answer in default}
    before = display_order(default[0].rotation) if default else None
    return replace(
        everything,
        answers=[answer for answer in everything.answers if answer.rotation.pk in keep],
        problems=[
            problem
            for problem in everything.problems
            if problem.rotation.pk in keep
            or before is None
            or display_order(problem.rotation) < before
        ],
        slots_of=frozenset(keep),
        validity=holding(
            assignment
            for answer in everything.answers
            if answer.rotation.pk in keep
            for assignment in (answer.on_call.primary, answer.on_call.secondary)
        ),
    )


def display_order(rotation: Rotation) -> tuple[int, str, int]:
    return (rotation.position, rotation.name, rotation.pk)


def _on_call(
    at: datetime,
    rotation_ids: Iterable[int] | None,
    *,
    and_first: bool = False,
    only_on_call: bool = False,
) -> OnCallNow:
    loaded, current = load_current_shifts(
        at, rotation_ids, and_first=and_first, only_on_call=only_on_call
    )
    answers = []
    for rotation, schedule, shift in current:
        on_call = engine.on_call_at(schedule, at, loaded.index(rotation), shift=shift)
        answers.append(
            RotationOnCall(
                rotation=rotation,
                schedule=schedule,
                on_call=on_call,
                primary=loaded.person(on_call.primary.person),
                secondary=loaded.person(on_call.secondary.person),
            )
        )
    return OnCallNow(
        at=at,
        answers=answers,
        problems=loaded.problems,
        loaded=loaded,
        validity=holding(
            assignment
            for answer in answers
            for assignment in (answer.on_call.primary, answer.on_call.secondary)
        ),
    )
