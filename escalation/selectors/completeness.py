"""What keeps the published contacts from being trustworthy, for managers to fix: the panel
on the dashboard and the contacts page, and the admin's "Needs attention" counts. Which people
miss a contact detail or are unverified is the `Person` model's rule (`models.people`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    DEFERRED,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import Cast, RowNumber
from django.urls import NoReverseMatch, reverse

from ..models import (
    Person,
    Role,
    RotationSlot,
    Service,
)
from ..models.people import VERIFICATION_MAX_AGE, missing_contact_q, unverified_q
from ..models.phones import stored_number
from ..validity import ALWAYS, Validity
from .pagerduty import PagerDutyStatus, pagerduty_status
from .prepared import INSTANT, PreparedQuery

_Item = TypeVar("_Item", Person, Role, Service)

#: How many items of each problem the panel names; the rest are counted and left to the admin.
COMPLETENESS_PREVIEW = 20
COMPLETENESS_TITLES = {
    "roles_tbd": "Roles without a holder (TBD)",
    "people_missing_contact": "People without phone, Slack or PagerDuty",
    "people_unverified": f"Contacts not verified for {VERIFICATION_MAX_AGE.days} days",
    "services_without_owner": "Services without an owner",
    "services_without_channel": "Services without a Slack channel",
    "inactive_people_in_use": "Inactive people still on a rotation or holding a role",
    "people_without_pagerduty_user": "People on a rotation linked to PagerDuty without a PagerDuty user",
}
#: Where the admin lists each problem (the closest of its filters).
COMPLETENESS_ADMIN_LISTS = {
    "roles_tbd": ("role", "holder__isnull=True"),
    "people_missing_contact": ("person", "missing=any&is_active__exact=1"),
    "people_unverified": ("person", "missing=unverified&is_active__exact=1"),
    "services_without_owner": ("service", "primary_contact__isnull=True"),
    "services_without_channel": ("service", "slack_channel__exact="),
    "inactive_people_in_use": ("person", "is_active__exact=0"),
    "people_without_pagerduty_user": ("person", "pagerduty_user_id__exact=&is_active__exact=1"),
}
_NEXT_STALE = "next_stale"
_COLUMNS = (
    "section",
    "pk",
    "label",
    "total",
    "rank",
    "phone_value",
    "slack_handle_value",
    "pagerduty_handle_value",
    "verified",
)


@dataclass(frozen=True)
class CompletenessSection:
    key: str
    title: str
    count: int
    #: The first `COMPLETENESS_PREVIEW` (Role, Person or Service with the fields the panel shows).
    items: tuple[Role | Person | Service, ...]
    admin_url: str = ""

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass(frozen=True)
class Completeness:
    """What keeps the published document from being trustworthy, for managers to fix."""

    now: datetime
    sections: tuple[CompletenessSection, ...]
    #: Until the next person's details turn stale (older than `VERIFICATION_MAX_AGE`).
    validity: Validity = ALWAYS
    pagerduty: PagerDutyStatus = PagerDutyStatus(connected=False)

    @property
    def problem_count(self) -> int:
        return sum(section.count for section in self.sections)

    def section(self, key: str) -> CompletenessSection:
        return next(section for section in self.sections if section.key == key)

    @property
    def roles_tbd(self) -> tuple[Role | Person | Service, ...]:
        return self.section("roles_tbd").items

    @property
    def people_missing_contact(self) -> tuple[Role | Person | Service, ...]:
        return self.section("people_missing_contact").items

    @property
    def people_unverified(self) -> tuple[Role | Person | Service, ...]:
        return self.section("people_unverified").items

    @property
    def services_without_owner(self) -> tuple[Role | Person | Service, ...]:
        return self.section("services_without_owner").items

    @property
    def services_without_channel(self) -> tuple[Role | Person | Service, ...]:
        return self.section("services_without_channel").items

    @property
    def people_without_pagerduty_user(self) -> tuple[Role | Person | Service, ...]:
        return self.section("people_without_pagerduty_user").items

    @property
    def inactive_people_in_use(self) -> tuple[Role | Person | Service, ...]:
        return self.section("inactive_people_in_use").items


def _first_of(
    queryset: QuerySet[Any],
    key: str,
    label: str,
    order: Sequence[str],
    limit: int,
    *,
    counted: bool = True,
) -> QuerySet[Any]:
    """The first `limit` rows of `queryset`, each with how many there are in all (`counted`;
    otherwise 1: counting makes the database read every matching row past the first few)."""
    empty_text = Value("", output_field=CharField())
    is_person = queryset.model is Person
    return (
        queryset.annotate(
            section=Value(key, output_field=CharField()),
            label=F(label),
            total=Window(Count("*")) if counted else Value(1, output_field=IntegerField()),
            rank=Window(RowNumber(), order_by=[F(name).asc() for name in order]),
            **{
                f"{field}_value": F(field) if is_person else empty_text
                for field in ("phone", "slack_handle", "pagerduty_handle")
            },
            # Typed: PostgreSQL reads a bare NULL in a subquery as text, which no union takes.
            verified=(
                F("verified_at") if is_person else Cast(Value(None), output_field=DateTimeField())
            ),
        )
        .filter(rank__lte=limit)
        .order_by()
        .values_list(*_COLUMNS)
    )


def _problems(stale_before: datetime) -> QuerySet[Any]:
    """The first rows of each problem, each with the count, and the person whose details turn
    stale next: one query, whatever the data."""
    # Keys in a list rather than a lookup per person: PostgreSQL reads each list once and
    # sorts the few people it matches, where `EXISTS` had it walk every person by name.
    slots = RotationSlot.objects.all()
    in_use = (
        Q(pk__in=slots.values("primary"))
        | Q(pk__in=slots.values("secondary"))
        | Q(pk__in=Role.objects.values("holder"))
    )
    on_linked_tier = Q(
        pk__in=slots.exclude(rotation__pagerduty_primary_schedule_id="").values("primary")
    ) | Q(pk__in=slots.exclude(rotation__pagerduty_secondary_schedule_id="").values("secondary"))
    people = Person.objects.all()
    by_name, by_position = ["display_name", "pk"], ["position", "name", "pk"]
    problems = [
        (Role.objects.tbd(), "roles_tbd", "name", ["name", "pk"]),
        (people.active().missing_contact(), "people_missing_contact", "display_name", by_name),
        (
            people.active().unverified(at=stale_before + VERIFICATION_MAX_AGE),
            "people_unverified",
            "display_name",
            by_name,
        ),
        (
            Service.objects.filter(primary_contact__isnull=True),
            "services_without_owner",
            "name",
            by_position,
        ),
        (Service.objects.without_channel(), "services_without_channel", "name", by_position),
        (
            people.filter(in_use, is_active=False),
            "inactive_people_in_use",
            "display_name",
            by_name,
        ),
        (
            people.filter(on_linked_tier, is_active=True, pagerduty_user_id=""),
            "people_without_pagerduty_user",
            "display_name",
            by_name,
        ),
    ]
    parts = [
        _first_of(queryset, key, label, order, COMPLETENESS_PREVIEW)
        for queryset, key, label, order in problems
    ]
    next_stale = people.active().filter(verified_at__gte=stale_before)
    parts.append(
        _first_of(next_stale, _NEXT_STALE, "display_name", ["verified_at", "pk"], 1, counted=False)
    )
    return parts[0].union(*parts[1:], all=True)


#: Compiled once per process: building and compiling the union of eight windowed parts cost
#: the ORM several times what the database takes to answer it.
_PROBLEMS = PreparedQuery(_problems, INSTANT)


def completeness(*, now: datetime) -> Completeness:
    """Roles TBD, people missing a contact detail or not verified for 90 days, services without
    owner or channel, inactive people still on a rotation slot or holding a role: how many of
    each, and the first few by name. One query, whatever the data: the first rows of each
    problem, each with the count, and the person whose details turn stale next (the panel holds
    until then). With PagerDuty connected, one more: the sync's status.
    """
    rows = sorted(_PROBLEMS.rows(now - VERIFICATION_MAX_AGE), key=lambda row: (row[0], row[4]))
    items: dict[str, list[Role | Person | Service]] = defaultdict(list)
    counts: dict[str, int] = {}
    validity = ALWAYS
    for key, pk, label, total, _rank, phone, slack_handle, pagerduty_handle, verified_at in rows:
        counts[key] = total
        if key == _NEXT_STALE:
            # Stale once `verified_at < now - VERIFICATION_MAX_AGE`: just after this instant.
            validity = Validity(
                None, verified_at + VERIFICATION_MAX_AGE + timedelta(microseconds=1)
            )
            continue
        model, _query = COMPLETENESS_ADMIN_LISTS[key]
        if model == "person":
            # As read from the database: parsed once per process (`stored_number`).
            number = stored_number(phone) if phone else phone
            items[key].append(
                _read(Person, pk, label, number, slack_handle, pagerduty_handle, verified_at)
            )
        elif model == "role":
            items[key].append(_read(Role, pk, label))
        else:
            items[key].append(_read(Service, pk, label))
    list_urls: dict[str, str] = {}
    return Completeness(
        now=now,
        sections=tuple(
            CompletenessSection(
                key=key,
                title=title,
                count=counts.get(key, 0),
                items=tuple(items[key]),
                admin_url=_admin_list_url(*COMPLETENESS_ADMIN_LISTS[key], list_urls),
            )
            for key, title in COMPLETENESS_TITLES.items()
        ),
        validity=validity,
        pagerduty=pagerduty_status(),
    )


def _admin_list_url(model: str, query: str, known: dict[str, str]) -> str:
    """The admin's list of `model` filtered by `query`; `known`: the lists reversed so far."""
    if model not in known:
        try:
            known[model] = reverse(f"admin:escalation_{model}_changelist")
        except NoReverseMatch:
            known[model] = ""
    return f"{known[model]}?{query}" if known[model] else ""


#: The fields each item is read with, in the order `_problems` selects them.
_ITEM_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Person: (
        "id",
        "display_name",
        "phone",
        "slack_handle",
        "pagerduty_handle",
        "verified_at",
    ),
    Role: ("id", "name"),
    Service: ("id", "name"),
}


def _read(model: type[_Item], *values: Any) -> _Item:
    """An item as the ORM builds a row read with only these fields (`_ITEM_FIELDS`): any other
    field is deferred, read if asked for, never a default standing in for the stored value."""
    given = dict(zip(_ITEM_FIELDS[model], values, strict=True))
    row = [given.get(field.attname, DEFERRED) for field in model._meta.concrete_fields]
    return model.from_db(DEFAULT_DB_ALIAS, list(given), row)


def attention_counts(*, at: datetime) -> dict[str, int]:
    """What the admin index and changelists flag: roles (`roles`), TBD roles (`tbd_roles`),
    active people (`people`) and those missing a contact detail or unverified at `at`
    (`people_missing`). Two queries."""
    roles = Role.objects.aggregate(
        roles=Count("pk"), tbd_roles=Count("pk", filter=Q(holder__isnull=True))
    )
    people = Person.objects.active().aggregate(
        people=Count("pk"),
        people_missing=Count("pk", filter=missing_contact_q() | unverified_q(at=at)),
    )
    return {**roles, **people}
