"""The contact table: each rotation's on-call positions at `at`, then the roles; under it the
rotation table, every rotation's slots with who holds them; for managers, the completeness panel
beside it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, overload

from django.db.models import (
    Count,
    F,
    QuerySet,
    Window,
)

from ..models import (
    Person,
    Role,
    Rotation,
    Team,
)
from ..validity import ALWAYS, Validity
from .completeness import Completeness, completeness
from .oncall import OnCallNow, on_call_now


class ContactRow(NamedTuple):
    """A row of the contact table: an on-call position of a rotation, or a role.

    A tuple: the page makes one for each rotation's tiers and each role it shows."""

    label: str
    person: Person | None
    role: Role | None = None
    rotation: Rotation | None = None
    slot_label: str = ""
    overridden: bool = False

    @property
    def is_on_call(self) -> bool:
        return self.rotation is not None

    @property
    def is_tbd(self) -> bool:
        return self.person is None

    @property
    def slack(self) -> str:
        return (self.person.slack_handle if self.person else "") or (
            self.role.slack_alias if self.role else ""
        )

    @property
    def slack_is_group(self) -> bool:
        return not (self.person and self.person.slack_handle) and bool(self.slack)

    @property
    def pagerduty(self) -> str:
        return (self.person.pagerduty_handle if self.person else "") or (
            self.role.pagerduty_alias if self.role else ""
        )

    @property
    def pagerduty_is_group(self) -> bool:
        return not (self.person and self.person.pagerduty_handle) and bool(self.pagerduty)

    @property
    def edit_object(self) -> Role | Rotation | None:
        return self.role or self.rotation


class RotationTableRow(NamedTuple):
    """A row of the rotation table under the contacts: a slot of a rotation, who holds each tier
    (their names; "" for no secondary), and whether the slot is on call now."""

    label: str
    rotation_name: str
    primary: str
    secondary: str
    current: bool


@dataclass(frozen=True)
class ContactDirectory:
    on_call: tuple[ContactRow, ...]
    roles: QuerySet[Role]
    rotation_table: tuple[RotationTableRow, ...] = ()
    completeness: Completeness | None = None
    validity: Validity = ALWAYS

    @property
    def rotations(self) -> list[Rotation]:
        """The rotations of the on-call rows, once each, in order."""
        seen: dict[int, Rotation] = {}
        for row in self.on_call:
            if row.rotation is not None:
                seen.setdefault(row.rotation.pk, row.rotation)
        return list(seen.values())

    def rows(
        self, roles: QuerySet[Role], *, team: Team | None = None, shown: slice = slice(None)
    ) -> ContactRows:
        """The on-call rows (those of `team` only, when given), then a row per role of `roles`,
        read only for the rows asked for: those `shown` (a page of the table) in one query,
        with how many there are."""
        on_call = [
            row
            for row in self.on_call
            if team is None
            or (row.rotation is not None and row.rotation.team_id == team.pk)
            or (row.person is not None and row.person.team_id == team.pk)
        ]
        return ContactRows(on_call, roles, shown=shown)


class ContactRows(Sequence[ContactRow]):
    """The contact table's rows: the on-call rows, then one per role.

    A page of the table reads the roles it shows, not every role of the company: the rows
    `shown` are read with the number of roles in one query (only the count when no role is
    shown); rows outside them, in one more query each time they are asked for.
    """

    def __init__(
        self, on_call: Sequence[ContactRow], roles: QuerySet[Role], *, shown: slice
    ) -> None:
        self._on_call = on_call
        # Ties broken by key, so that separate reads agree on the order.
        self._roles = roles.order_by(*roles.query.order_by, "pk")
        self._shown = shown
        self._read: dict[int, Role] = {}
        self._role_count: int | None = None

    def __len__(self) -> int:
        if self._role_count is None:
            start, stop, _ = self._shown.indices(len(self._on_call) + 10**9)
            first, last = self._role_range(start, stop)
            if last > first:
                self._read_roles(first, last, with_count=True)
            if self._role_count is None:
                self._role_count = self._roles.count()
        return len(self._on_call) + self._role_count

    def _role_range(self, start: int, stop: int) -> tuple[int, int]:
        return max(start - len(self._on_call), 0), max(stop - len(self._on_call), 0)

    def _read_roles(self, first: int, last: int, *, with_count: bool = False) -> None:
        roles = self._roles
        if with_count:
            roles = roles.annotate(role_count=Window(Count("*")))
        for position, role in enumerate(roles[first:last], start=first):
            self._read[position] = role
            if with_count:
                self._role_count = role.role_count  # type: ignore[attr-defined]

    @overload
    def __getitem__(self, key: int) -> ContactRow: ...

    @overload
    def __getitem__(self, key: slice) -> list[ContactRow]: ...

    def __getitem__(self, key: int | slice) -> ContactRow | list[ContactRow]:
        if isinstance(key, int):
            index = key + len(self) if key < 0 else key
            found = self[index : index + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        start, stop, step = key.indices(len(self))
        if step != 1:
            return list(self)[key]
        rows = list(self._on_call[start:stop])
        first, last = self._role_range(start, stop)
        if any(position not in self._read for position in range(first, last)):
            self._read_roles(first, last)
        for position in range(first, last):
            role = self._read[position]
            rows.append(ContactRow(role.name, role.holder, role))
        return rows

    def __iter__(self) -> Iterator[ContactRow]:
        return iter(self[:])


def contacts(*, at: datetime, for_manager: bool = False) -> ContactDirectory:
    """The contact table: each rotation's on-call positions at `at`, then the roles in the
    document's order (lazy: the page filters them by team), and the rotation table; for a
    manager, the completeness panel too. `on_call_now`'s queries (which bring the slots too),
    then the page's read of the roles, and one more for a manager."""
    now = on_call_now(at=at)
    rows = []
    for answer in now.answers:
        rotation, label = answer.rotation, answer.shift.label
        rows.append(
            ContactRow(
                "On-call (primary)",
                answer.primary,
                None,
                rotation,
                label,
                answer.on_call.primary.overridden,
            )
        )
        rows.append(
            ContactRow(
                "On-call (secondary)",
                answer.secondary,
                None,
                rotation,
                label,
                answer.on_call.secondary.overridden,
            )
        )
    roles = Role.objects.select_related("holder", "team").order_by(
        F("contact_position").asc(nulls_last=True), "name"
    )
    report = completeness(now=at) if for_manager else None
    return ContactDirectory(
        on_call=tuple(rows),
        roles=roles,
        rotation_table=_rotation_table(now),
        completeness=report,
        validity=now.validity & (report.validity if report else ALWAYS),
    )


def _rotation_table(now: OnCallNow) -> tuple[RotationTableRow, ...]:
    """Every rotation's slots, in display order, from the values the on-call read brought: the
    table shows their labels and people's names, so no RotationSlot is built, and a Person only
    for someone not on call now (`now.loaded.people` builds each once)."""
    loaded = now.loaded
    if loaded is None:
        return ()
    names = {rotation.pk: rotation.name for rotation, _ in loaded.rotations}
    names.update((problem.rotation.pk, problem.rotation.name) for problem in loaded.problems)
    current = {(answer.rotation.pk, answer.shift.label) for answer in now.answers}
    people = loaded.people
    table = []
    for key, slots in loaded.slot_values.items():
        if now.slots_of is not None and key not in now.slots_of:
            continue
        name = names[key]
        for slot in slots:
            secondary = slot.secondary_id
            table.append(
                RotationTableRow(
                    slot.label,
                    name,
                    people[slot.primary_id].display_name,
                    "" if secondary is None else people[secondary].display_name,
                    (key, slot.label) in current,
                )
            )
    return tuple(table)
