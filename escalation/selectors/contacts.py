"""The contact table: each rotation's on-call positions at `at`, then the roles, with phone
numbers formatted once per person; for managers, the completeness panel beside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import TypedDict

from django.db.models import (
    F,
    QuerySet,
)

from ..models import (
    Person,
    Role,
    Rotation,
    RotationSlot,
    Team,
)
from ..models.phones import has_number
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

    def rows(self, roles: Sequence[Role], *, team: Team | None = None) -> list[ContactRow]:
        """The on-call rows (those of `team` only, when given), then a row per role."""
        on_call = [
            row
            for row in self.on_call
            if team is None
            or (row.rotation is not None and row.rotation.team_id == team.pk)
            or (row.person is not None and row.person.team_id == team.pk)
        ]
        phones = _PhoneBook()
        rows = [replace(row, **phones.of(row.person)) for row in on_call]
        for role in roles:
            rows.append(
                ContactRow(label=role.name, person=role.holder, role=role, **phones.of(role.holder))
            )
        return rows


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
        if person is None or not has_number(person.phone):
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
