"""The contact table: each rotation's on-call positions at `at`, then the roles, with phone
numbers formatted once per person; for managers, the completeness panel beside it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import TypedDict, overload

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
    RotationSlot,
    Team,
)
from ..validity import ALWAYS, Validity
from .completeness import Completeness, completeness
from .oncall import on_call_now


@dataclass(frozen=True)
class ContactRow:
    """A row of the contact table: an on-call position of a rotation, or a role."""

    label: str
    person: Person | None
    role: Role | None = None
    rotation: Rotation | None = None
    slot_label: str = ""
    overridden: bool = False
    #: The person's phone number formatted for reading and for `tel:` links ("" without one).
    phone: str = ""
    phone_link: str = ""

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


@dataclass(frozen=True)
class ContactDirectory:
    on_call: tuple[ContactRow, ...]
    roles: QuerySet[Role]
    slots: tuple[RotationSlot, ...] = ()
    completeness: Completeness | None = None
    validity: Validity = ALWAYS

    def is_current(self, slot: RotationSlot) -> bool:
        return (slot.rotation_id, slot.label) in self._current_slots

    @cached_property
    def _current_slots(self) -> frozenset[tuple[int, str]]:
        """(rotation, slot label) of the on-call rows: read once for all the slots."""
        return frozenset(
            (row.rotation.pk, row.slot_label) for row in self.on_call if row.rotation is not None
        )

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
        self._phones = _PhoneBook()
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
        phones = self._phones
        rows = [replace(row, **phones.of(row.person)) for row in self._on_call[start:stop]]
        first, last = self._role_range(start, stop)
        if any(position not in self._read for position in range(first, last)):
            self._read_roles(first, last)
        for position in range(first, last):
            role = self._read[position]
            rows.append(
                ContactRow(label=role.name, person=role.holder, role=role, **phones.of(role.holder))
            )
        return rows

    def __iter__(self) -> Iterator[ContactRow]:
        return iter(self[:])


class _PhoneFields(TypedDict, total=False):
    phone: str
    phone_link: str


class _PhoneBook:
    """Phone numbers formatted once per person: formatting one is slow, and the table names
    the same people many times (on call in several rotations, holding several roles)."""

    def __init__(self) -> None:
        self._known: dict[int, _PhoneFields] = {}

    def of(self, person: Person | None) -> _PhoneFields:
        """A `ContactRow`'s `phone` and `phone_link` for `person` (none without a number)."""
        if person is None or not person.phone:
            return {}
        if person.pk not in self._known:
            self._known[person.pk] = {
                "phone": person.phone.as_international,
                "phone_link": person.phone.as_e164,
            }
        return self._known[person.pk]


def contacts(*, at: datetime, for_manager: bool = False) -> ContactDirectory:
    """The contact table: each rotation's on-call positions at `at`, then the roles in the
    document's order (lazy: the page filters them by team), and every rotation's slots; for a
    manager, the completeness panel too. `on_call_now`'s queries (which bring the slots too),
    then the page's read of the roles, and one more for a manager."""
    now = on_call_now(at=at)
    rows = []
    for answer in now.answers:
        for tier_label, person, assignment in (
            ("primary", answer.primary, answer.on_call.primary),
            ("secondary", answer.secondary, answer.on_call.secondary),
        ):
            rows.append(
                ContactRow(
                    label=f"On-call ({tier_label})",
                    person=person,
                    rotation=answer.rotation,
                    slot_label=answer.shift.label,
                    overridden=assignment.overridden,
                )
            )
    roles = Role.objects.select_related("holder", "team").order_by(
        F("contact_position").asc(nulls_last=True), "name"
    )
    report = completeness(now=at) if for_manager else None
    return ContactDirectory(
        on_call=tuple(rows),
        roles=roles,
        slots=tuple(now.slots),
        completeness=report,
        validity=now.validity & (report.validity if report else ALWAYS),
    )
