"""Reads for the published pages: severity matrix, services, service sheet, escalation paths,
contacts, channels, paging guide and the managers' completeness panel.

One function per page. Each loads what its page shows with its own select/prefetch, so the
number of queries is fixed whatever the amount of data (the tests pin it). Who is on call comes
from `selectors.oncall.on_call_now` (two queries); `escalation.parties` resolves parties
without further queries. What a page shows about who is on call holds until the next handoff or
override boundary: each read says so in its `validity`, which the pages' cache goes by.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Cast, Power, RowNumber
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from ..cache import ALWAYS, Validity
from ..models import (
    Channel,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    PagingRule,
    PartyKind,
    PathKind,
    Person,
    Role,
    Rotation,
    RotationSlot,
    Service,
    Severity,
    SeverityResponder,
    Team,
    Tier,
)
from ..parties import (
    PartyContext,
    ResolvedParty,
    joined_labels,
    resolve,
    resolve_parties,
    service_team_lead,
)
from ..sheet import StepClock, StepRule, condition_text, step_clocks
from .oncall import RotationOnCall, on_call_now

#: Contacts not confirmed for this long count as stale on the completeness panel.
VERIFICATION_MAX_AGE = timedelta(days=90)

SERVICE_NOT_FOUND = "No service with that address."
PATH_NOT_FOUND = "No escalation path with that address."

PARTY_RELATED = ("role__holder", "person", "channel")


# Severity matrix --------------------------------------------------------------------------


@dataclass(frozen=True)
class TierCell:
    tier: str
    tier_label: str
    parties: tuple[ResolvedParty, ...]

    @property
    def not_required(self) -> bool:
        return not self.parties


@dataclass(frozen=True)
class SeverityRow:
    severity: Severity
    cells: tuple[TierCell, ...]

    def cell(self, tier: str) -> TierCell:
        return next(cell for cell in self.cells if cell.tier == tier)


@dataclass(frozen=True)
class SeverityMatrix:
    at: datetime
    tiers: tuple[tuple[str, str], ...]
    rows: tuple[SeverityRow, ...]
    on_call: tuple[RotationOnCall, ...]
    validity: Validity = ALWAYS


def _responders() -> Prefetch:
    return Prefetch(
        "responders",
        queryset=SeverityResponder.objects.select_related(*PARTY_RELATED).order_by(
            "tier", "position"
        ),
    )


def _tier_cells(
    responders: Sequence[SeverityResponder], context: PartyContext
) -> tuple[TierCell, ...]:
    by_tier: dict[str, list[SeverityResponder]] = defaultdict(list)
    for responder in responders:
        by_tier[responder.tier].append(responder)
    return tuple(
        TierCell(
            tier=tier.value,
            tier_label=str(tier.label),
            parties=tuple(resolve_parties(by_tier[tier.value], context)),
        )
        for tier in Tier
    )


def severity_matrix(*, at: datetime) -> SeverityMatrix:
    """Every severity against every tier, each party resolved as of `at`. Two queries, plus
    `on_call_now`'s."""
    now = on_call_now(at=at)
    answers = tuple(now.answers)
    context = PartyContext.build(answers)
    severities = Severity.objects.prefetch_related(_responders()).order_by("level")
    return SeverityMatrix(
        at=at,
        tiers=tuple((tier.value, str(tier.label)) for tier in Tier),
        rows=tuple(
            SeverityRow(
                severity=severity, cells=_tier_cells(list(severity.responders.all()), context)
            )
            for severity in severities
        ),
        on_call=answers,
        validity=now.validity,
    )


# Services ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceList:
    """The services to filter, sort and paginate, and who is on call for them at `at`."""

    services: QuerySet[Service]
    context: PartyContext
    validity: Validity = ALWAYS

    def on_call_for(self, service: Service) -> RotationOnCall | None:
        return self.context.for_service(service).on_call_for()


def service_queryset() -> QuerySet[Service]:
    return Service.objects.select_related(
        "team__lead_role__holder", "primary_contact__holder", "rotation"
    )


def service_list(*, at: datetime) -> ServiceList:
    """The ownership table's rows (lazy: the page filters, sorts and paginates them) and who is
    on call. `on_call_now`'s queries, then the page's count and one page of rows."""
    now = on_call_now(at=at)
    return ServiceList(
        services=service_queryset().order_by("position", "name"),
        context=PartyContext.build(now.answers),
        validity=now.validity,
    )


# Escalation paths -------------------------------------------------------------------------


@dataclass(frozen=True)
class PathStepView:
    step: EscalationStep
    number: int
    parties: tuple[ResolvedParty, ...]
    rule: StepRule

    @property
    def title(self) -> str:
        return joined_labels(self.parties)

    @property
    def condition(self) -> str:
        return condition_text(self.rule)

    @property
    def is_tbd(self) -> bool:
        return any(party.is_tbd for party in self.parties)


@dataclass(frozen=True)
class PathView:
    path: EscalationPath
    steps: tuple[PathStepView, ...]
    validity: Validity = ALWAYS

    @property
    def rules(self) -> list[StepRule]:
        return [step.rule for step in self.steps]


@dataclass(frozen=True)
class PathList:
    paths: list[PathView]
    validity: Validity = ALWAYS


def _steps() -> QuerySet[EscalationStep]:
    """Steps in order with their parties (one more query) and the levels of the severities they
    are limited to, summed as bits (`only_levels`): severity levels are 1 to 9, so the set fits
    in one number, read in the steps' own query instead of a query of its own."""
    return (
        EscalationStep.objects.annotate(only_mask=Sum(Power(2, "only_severities__level")))
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=EscalationStepParty.objects.select_related(*PARTY_RELATED).order_by(
                    "position"
                ),
            ),
        )
    )


def _path_queryset() -> QuerySet[EscalationPath]:
    return EscalationPath.objects.prefetch_related(Prefetch("steps", queryset=_steps())).order_by(
        "position", "name"
    )


def only_levels(step: EscalationStep) -> frozenset[int]:
    """The levels a step is limited to (empty: every severity), from `_steps()`'s `only_mask`."""
    mask = int(getattr(step, "only_mask", None) or 0)
    return frozenset(level for level in range(mask.bit_length()) if mask >> level & 1)


def step_rule(step: EscalationStep) -> StepRule:
    return StepRule(
        position=step.position,
        after_minutes=step.after_minutes,
        only_levels=only_levels(step),
        condition=step.condition,
    )


def _path_view(
    path: EscalationPath,
    context: PartyContext,
    steps: Sequence[EscalationStep] | None = None,
    validity: Validity = ALWAYS,
) -> PathView:
    return PathView(
        path=path,
        steps=tuple(
            PathStepView(
                step=step,
                number=number,
                parties=tuple(resolve_parties(step.parties.all(), context)),
                rule=step_rule(step),
            )
            for number, step in enumerate(path.steps.all() if steps is None else steps)
        ),
        validity=validity,
    )


def escalation_paths(*, at: datetime) -> PathList:
    """Every path with its steps and parties resolved as of `at`. Three queries, plus
    `on_call_now`'s."""
    now = on_call_now(at=at)
    context = PartyContext.build(now.answers)
    return PathList(
        paths=[_path_view(path, context) for path in _path_queryset()], validity=now.validity
    )


def escalation_path(*, slug: str, at: datetime) -> PathView:
    """One path by slug (404 when missing), parties resolved as of `at`. Three queries, plus
    `on_call_now`'s."""
    path = _path_queryset().filter(slug=slug).first()
    if path is None:
        raise Http404(PATH_NOT_FOUND)
    now = on_call_now(at=at)
    return _path_view(path, PartyContext.build(now.answers), validity=now.validity)


def _first_path_of_kind(kind: str) -> tuple[EscalationPath | None, list[EscalationStep]]:
    """The first path of a kind with its steps. Two queries: the steps with their path, and
    their parties (or, for a path without steps, the path alone)."""
    first = EscalationPath.objects.filter(kind=kind).order_by("position", "name").values("pk")
    steps = list(_steps().filter(path=Subquery(first[:1])).select_related("path"))
    if steps:
        return steps[0].path, steps
    return EscalationPath.objects.filter(kind=kind).order_by("position", "name").first(), []


# Service sheet ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetStep:
    view: PathStepView
    clock: StepClock


@dataclass(frozen=True)
class ServiceSheet:
    """“Who do I contact?” for one service, severity and kind of incident."""

    service: Service
    severities: tuple[Severity, ...]
    severity: Severity | None
    path_kind: str
    path: EscalationPath | None
    started_at: datetime
    at: datetime
    on_call: RotationOnCall | None
    validity: Validity = ALWAYS
    reach_first: tuple[ResolvedParty, ...] = ()
    backup: ResolvedParty | None = None
    secondary: tuple[ResolvedParty, ...] = ()
    team_lead: ResolvedParty | None = None
    owner: ResolvedParty | None = None
    management: tuple[ResolvedParty, ...] = ()
    communication: tuple[ResolvedParty, ...] = ()
    steps: tuple[SheetStep, ...] = field(default=())

    @property
    def path_kind_label(self) -> str:
        return str(PathKind(self.path_kind).label) if self.path_kind in PathKind else ""


def service_sheet(
    *,
    service_slug: str,
    severity_level: int | None,
    path_kind: str,
    started_at: datetime,
    at: datetime,
) -> ServiceSheet:
    """The ordered contact sheet for an incident on one service (404 when it is missing).

    An absent or unknown `severity_level` gives the first severity (the page flags an unknown
    one); the sheet's `severity` is None only when there is none at all. Five queries, plus
    `on_call_now`'s. The sheet holds until the next minute (it says “as of” to the minute), the
    next escalation time, or the next change of who is on call, whichever comes first.
    """
    service = service_queryset().filter(slug=service_slug).first()
    if service is None:
        raise Http404(SERVICE_NOT_FOUND)
    severities = tuple(Severity.objects.prefetch_related(_responders()).order_by("level"))
    severity = next(
        (s for s in severities if s.level == severity_level),
        severities[0] if severities else None,
    )
    now = on_call_now(at=at)
    context = PartyContext.build(now.answers, service=service)
    on_call = context.on_call_for()

    lead = service_team_lead(service)
    path, path_steps = _first_path_of_kind(path_kind)
    path_view = _path_view(path, context, path_steps) if path is not None else None
    minute = at.replace(second=0, microsecond=0)
    validity = now.validity & Validity(minute, minute + timedelta(minutes=1))

    sheet = ServiceSheet(
        service=service,
        severities=severities,
        severity=severity,
        path_kind=path_kind,
        path=path_view.path if path_view else None,
        started_at=started_at,
        at=at,
        on_call=on_call,
        validity=validity,
        team_lead=resolve(
            kind=PartyKind.SERVICE_TEAM_LEAD,
            label=lead.name if lead is not None else "Team lead",
            context=context,
        ),
        owner=(
            resolve(
                kind=PartyKind.ROLE,
                label=service.primary_contact.name,
                role=service.primary_contact,
                context=context,
            )
            if service.primary_contact is not None and service.primary_contact != lead
            else None
        ),
    )
    if severity is None:
        return sheet
    cells = {
        cell.tier: cell.parties for cell in _tier_cells(list(severity.responders.all()), context)
    }
    reach_first = cells[Tier.PRIMARY.value]
    backup = None
    if on_call is not None and not any(
        party.kind == PartyKind.ONCALL_SECONDARY for party in reach_first
    ):
        backup = resolve(
            kind=PartyKind.ONCALL_SECONDARY, label="On-call secondary", context=context
        )
    steps: tuple[SheetStep, ...] = ()
    if path_view is not None:
        clocks = step_clocks(
            path_view.rules, severity_level=severity.level, started_at=started_at, at=at
        )
        steps = tuple(
            SheetStep(view=view, clock=clock)
            for view, clock in zip(path_view.steps, clocks, strict=True)
        )
        for clock in clocks:
            if clock.escalate_at is not None:
                # A step falls due at its escalation time.
                if clock.escalate_at <= at:
                    validity = validity & Validity(clock.escalate_at, None)
                else:
                    validity = validity & Validity(None, clock.escalate_at)
    return replace(
        sheet,
        validity=validity,
        reach_first=reach_first,
        backup=backup,
        secondary=cells[Tier.SECONDARY.value],
        management=cells[Tier.MANAGEMENT.value],
        communication=cells[Tier.COMMUNICATION.value],
        steps=steps,
    )


# Contacts ---------------------------------------------------------------------------------


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
        return any(
            row.rotation is not None
            and row.rotation.pk == slot.rotation_id
            and row.slot_label == slot.label
            for row in self.on_call
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


# Channels ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamChannel:
    channel: str
    teams: tuple[Team, ...]
    services: tuple[Service, ...]


@dataclass(frozen=True)
class ChannelDirectory:
    channels: tuple[Channel, ...]
    other_channels: tuple[Channel, ...]
    team_channels: tuple[TeamChannel, ...]
    rotations: tuple[Rotation, ...]


def channels() -> ChannelDirectory:
    """The communication channels in the document's order, the other channels the matrix and
    the paging guide name, each team's Slack channel with its services, and where on-call
    changes are asked for. Four queries."""
    all_channels = list(Channel.objects.order_by(F("position").asc(nulls_last=True), "name"))
    teams = list(Team.objects.order_by("name"))
    services = list(Service.objects.select_related("team").order_by("position", "name"))
    by_channel: dict[str, tuple[list[Team], list[Service]]] = {}
    for team in teams:
        if team.slack_channel:
            by_channel.setdefault(team.slack_channel, ([], []))[0].append(team)
    for service in services:
        name = service.slack_channel or service.team.slack_channel
        if name:
            entry = by_channel.setdefault(name, ([], []))
            entry[1].append(service)
            if service.team not in entry[0]:
                entry[0].append(service.team)
    return ChannelDirectory(
        channels=tuple(channel for channel in all_channels if channel.position is not None),
        other_channels=tuple(channel for channel in all_channels if channel.position is None),
        team_channels=tuple(
            TeamChannel(channel=name, teams=tuple(entry[0]), services=tuple(entry[1]))
            for name, entry in sorted(by_channel.items())
        ),
        rotations=tuple(Rotation.objects.order_by("position", "name")),
    )


# Paging guide -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PagingGuide:
    rules: tuple[PagingRule, ...]
    on_call: RotationOnCall | None
    validity: Validity = ALWAYS


def paging_rules(*, at: datetime) -> PagingGuide:
    """The page-or-Slack rules in order, and who a page reaches now (the first rotation's
    on-call). One query, plus `on_call_now`'s."""
    now = on_call_now(at=at)
    return PagingGuide(
        rules=tuple(
            PagingRule.objects.select_related("channel", "alternative_channel").order_by(
                "position", "signal"
            )
        ),
        on_call=now.answers[0] if now.answers else None,
        validity=now.validity,
    )


# Completeness -----------------------------------------------------------------------------

#: How many items of each problem the panel names; the rest are counted and left to the admin.
COMPLETENESS_PREVIEW = 20
COMPLETENESS_TITLES = {
    "roles_tbd": "Roles without a holder (TBD)",
    "people_missing_contact": "People without phone or Slack",
    "people_unverified": f"Contacts not verified for {VERIFICATION_MAX_AGE.days} days",
    "services_without_owner": "Services without an owner",
    "services_without_channel": "Services without a Slack channel",
    "inactive_people_in_use": "Inactive people still on a rotation or holding a role",
}
#: Where the admin lists each problem (the closest of its filters).
COMPLETENESS_ADMIN_LISTS = {
    "roles_tbd": ("role", "holder__isnull=True"),
    "people_missing_contact": ("person", "missing=any&is_active__exact=1"),
    "people_unverified": ("person", "missing=unverified&is_active__exact=1"),
    "services_without_owner": ("service", "primary_contact__isnull=True"),
    "services_without_channel": ("service", "slack_channel__exact="),
    "inactive_people_in_use": ("person", "is_active__exact=0"),
}
_NEXT_STALE = "next_stale"


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
    def inactive_people_in_use(self) -> tuple[Role | Person | Service, ...]:
        return self.section("inactive_people_in_use").items


def _first_of(
    queryset: QuerySet[Any], key: str, condition: Q, label: str, order: Sequence[str], limit: int
) -> QuerySet[Any]:
    """The first `limit` rows matching `condition`, each with how many match in all."""
    empty_text = Value("", output_field=CharField())
    return (
        queryset.filter(condition)
        .annotate(
            section=Value(key, output_field=CharField()),
            label=F(label),
            total=Window(Count("*")),
            rank=Window(RowNumber(), order_by=[F(name).asc() for name in order]),
        )
        .annotate(
            **{
                f"{field}_value": F(field) if queryset.model is Person else empty_text
                for field in ("phone", "slack_handle")
            },
            # Typed: PostgreSQL reads a bare NULL in a subquery as text, which no union takes.
            verified=(
                F("verified_at")
                if queryset.model is Person
                else Cast(Value(None), output_field=DateTimeField())
            ),
        )
        .filter(rank__lte=limit)
        .order_by()
        .values_list(
            "section",
            "pk",
            "label",
            "total",
            "rank",
            "phone_value",
            "slack_handle_value",
            "verified",
        )
    )


def completeness(*, now: datetime) -> Completeness:
    """Roles TBD, people missing phone or Slack or not verified for 90 days, services without
    owner or channel, inactive people still on a rotation slot or holding a role: how many of
    each, and the first few by name. One query, whatever the data: the first rows of each
    problem, each with the count, and the person whose details turn stale next (the panel holds
    until then).
    """
    stale_before = now - VERIFICATION_MAX_AGE
    in_use = (
        Exists(RotationSlot.objects.filter(primary=OuterRef("pk")))
        | Exists(RotationSlot.objects.filter(secondary=OuterRef("pk")))
        | Exists(Role.objects.filter(holder=OuterRef("pk")))
    )
    people = Person.objects.all()
    services = Service.objects.all()
    limit = COMPLETENESS_PREVIEW
    by_name, by_position = ["display_name", "pk"], ["position", "name", "pk"]
    parts = [
        _first_of(
            Role.objects.all(), "roles_tbd", Q(holder__isnull=True), "name", ["name", "pk"], limit
        ),
        _first_of(
            people,
            "people_missing_contact",
            Q(is_active=True) & (Q(phone="") | Q(slack_handle="")),
            "display_name",
            by_name,
            limit,
        ),
        _first_of(
            people,
            "people_unverified",
            Q(is_active=True) & (Q(verified_at__isnull=True) | Q(verified_at__lt=stale_before)),
            "display_name",
            by_name,
            limit,
        ),
        _first_of(
            services,
            "services_without_owner",
            Q(primary_contact__isnull=True),
            "name",
            by_position,
            limit,
        ),
        _first_of(
            services,
            "services_without_channel",
            Q(slack_channel="", team__slack_channel=""),
            "name",
            by_position,
            limit,
        ),
        _first_of(
            people.alias(in_use=in_use),
            "inactive_people_in_use",
            Q(is_active=False, in_use=True),
            "display_name",
            by_name,
            limit,
        ),
        _first_of(
            people,
            _NEXT_STALE,
            Q(is_active=True, verified_at__gte=stale_before),
            "display_name",
            ["verified_at", "pk"],
            1,
        ),
    ]
    rows = sorted(parts[0].union(*parts[1:], all=True), key=lambda row: (row[0], row[4]))
    items: dict[str, list[Role | Person | Service]] = defaultdict(list)
    counts: dict[str, int] = {}
    validity = ALWAYS
    for key, pk, label, total, _rank, phone, slack_handle, verified_at in rows:
        counts[key] = total
        if key == _NEXT_STALE:
            # Stale once `verified_at < now - VERIFICATION_MAX_AGE`: just after this instant.
            validity = Validity(
                None, verified_at + VERIFICATION_MAX_AGE + timedelta(microseconds=1)
            )
            continue
        model, _query = COMPLETENESS_ADMIN_LISTS[key]
        if model == "person":
            items[key].append(
                Person(
                    pk=pk,
                    display_name=label,
                    phone=phone,
                    slack_handle=slack_handle,
                    verified_at=verified_at,
                )
            )
        elif model == "role":
            items[key].append(Role(pk=pk, name=label))
        else:
            items[key].append(Service(pk=pk, name=label))
    return Completeness(
        now=now,
        sections=tuple(
            CompletenessSection(
                key=key,
                title=title,
                count=counts.get(key, 0),
                items=tuple(items[key]),
                admin_url=_admin_list_url(*COMPLETENESS_ADMIN_LISTS[key]),
            )
            for key, title in COMPLETENESS_TITLES.items()
        ),
        validity=validity,
    )


def _admin_list_url(model: str, query: str) -> str:
    try:
        return f"{reverse(f'admin:escalation_{model}_changelist')}?{query}"
    except NoReverseMatch:
        return ""
