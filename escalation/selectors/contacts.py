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
from phonenumber_field.phonenumber import PhoneNumber

from ..models import (
    Person,
    Role,
    Rotation,
    Team,
)
from ..validity import ALWAYS, Validity
from .completeness import Completeness, completeness
from .oncall import OnCallNow, People, on_call_now


class RoleValues(NamedTuple):
    """A role as the contact table shows it, read as plain values: its team's name (None
    without a team) and the group aliases that still reach the team while nobody holds it."""

    pk: int
    name: str
    slack_alias: str
    pagerduty_alias: str
    team_name: str | None


class HolderValues(NamedTuple):
    """How to reach a role's holder, read as plain values (the columns of `Person` the table
    shows)."""

    display_name: str
    email: str
    slack_handle: str
    pagerduty_handle: str
    phone: PhoneNumber | str | None  # "" or None without a number


class ContactRow(NamedTuple):
    """A row of the contact table: an on-call position of a rotation (who holds it, as the
    on-call read built them), or a role (read as plain values: a page shows a hundred)."""

    label: str
    person: Person | HolderValues | None
    role: RoleValues | None = None
    rotation: Rotation | None = None
    slot_label: str = ""
    overridden: bool = False


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
            or (isinstance(row.person, Person) and row.person.team_id == team.pk)
        ]
        return ContactRows(on_call, roles, shown=shown)


#: A role's columns as the table reads them: `RoleValues`, whether it has a holder, `HolderValues`.
_ROLE_COLUMNS = [
    "pk",
    "name",
    "slack_alias",
    "pagerduty_alias",
    "team__name",
    "holder_id",
    "holder__display_name",
    "holder__email",
    "holder__slack_handle",
    "holder__pagerduty_handle",
    "holder__phone",
]
_ROLE_END = len(RoleValues._fields)
_HOLDER_END = _ROLE_END + 1 + len(HolderValues._fields)


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
        self._read: dict[int, ContactRow] = {}
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
        columns = [*_ROLE_COLUMNS, "role_count"] if with_count else _ROLE_COLUMNS
        for position, values in enumerate(roles.values_list(*columns)[first:last], start=first):
            role = RoleValues._make(values[:_ROLE_END])
            holder = None
            if values[_ROLE_END] is not None:
                holder = HolderValues._make(values[_ROLE_END + 1 : _HOLDER_END])
            self._read[position] = ContactRow(role.name, holder, role)
            if with_count:
                self._role_count = values[_HOLDER_END]

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
        rows.extend(self._read[position] for position in range(first, last))
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
    roles = Role.objects.order_by(F("contact_position").asc(nulls_last=True), "name")
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
    table shows their labels and people's names, so no RotationSlot is built, and no Person for
    it: the names are read from the loaded rows (`People.display_name`)."""
    loaded = now.loaded
    if loaded is None:
        return ()
    names = {rotation.pk: rotation.name for rotation, _ in loaded.rotations}
    names.update((problem.rotation.pk, problem.rotation.name) for problem in loaded.problems)
    current = {(answer.rotation.pk, answer.shift.label) for answer in now.answers}
    people = loaded.people
    assert isinstance(people, People), "on_call_now reads people as rows"
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
                    people.display_name(slot.primary_id),
                    "" if secondary is None else people.display_name(secondary),
                    (key, slot.label) in current,
                )
            )
    return tuple(table)
