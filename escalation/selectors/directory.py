"""Reads for the published pages: severity matrix, services, service sheet, escalation paths,
contacts, channels, paging guide and the managers' completeness panel.

One function per page. Each loads what its page shows with its own select/prefetch, so the
number of queries is fixed whatever the amount of data (the tests pin it). Who is on call comes
from `selectors.oncall.on_call_at` (a fixed few queries); `escalation.parties` resolves parties
without further queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404

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
from .oncall import RotationOnCall, on_call_at

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
    `on_call_at`'s."""
    answers = tuple(on_call_at(at=at))
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
    )


# Services ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceList:
    """The services to filter, sort and paginate, and who is on call for them at `at`."""

    services: QuerySet[Service]
    context: PartyContext

    def on_call_for(self, service: Service) -> RotationOnCall | None:
        return self.context.for_service(service).on_call_for()


def service_queryset() -> QuerySet[Service]:
    return Service.objects.select_related(
        "team__lead_role__holder", "primary_contact__holder", "rotation"
    )


def service_list(*, at: datetime) -> ServiceList:
    """The ownership table's rows (lazy: the page filters, sorts and paginates them) and who is
    on call. `on_call_at`'s queries, then the page's count and one page of rows."""
    return ServiceList(
        services=service_queryset().order_by("position", "name"),
        context=PartyContext.build(on_call_at(at=at)),
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

    @property
    def rules(self) -> list[StepRule]:
        return [step.rule for step in self.steps]


def _path_queryset() -> QuerySet[EscalationPath]:
    steps = EscalationStep.objects.order_by("position").prefetch_related(
        "only_severities",
        Prefetch(
            "parties",
            queryset=EscalationStepParty.objects.select_related(*PARTY_RELATED).order_by(
                "position"
            ),
        ),
    )
    return EscalationPath.objects.prefetch_related(Prefetch("steps", queryset=steps)).order_by(
        "position", "name"
    )


def step_rule(step: EscalationStep) -> StepRule:
    return StepRule(
        position=step.position,
        after_minutes=step.after_minutes,
        only_levels=frozenset(severity.level for severity in step.only_severities.all()),
        condition=step.condition,
    )


def _path_view(path: EscalationPath, context: PartyContext) -> PathView:
    return PathView(
        path=path,
        steps=tuple(
            PathStepView(
                step=step,
                number=number,
                parties=tuple(resolve_parties(step.parties.all(), context)),
                rule=step_rule(step),
            )
            for number, step in enumerate(step for step in path.steps.all())
        ),
    )


def escalation_paths(*, at: datetime) -> list[PathView]:
    """Every path with its steps and parties resolved as of `at`. Four queries, plus
    `on_call_at`'s."""
    context = PartyContext.build(on_call_at(at=at))
    return [_path_view(path, context) for path in _path_queryset()]


def escalation_path(*, slug: str, at: datetime) -> PathView:
    """One path by slug (404 when missing), parties resolved as of `at`. Four queries, plus
    `on_call_at`'s."""
    path = _path_queryset().filter(slug=slug).first()
    if path is None:
        raise Http404(PATH_NOT_FOUND)
    return _path_view(path, PartyContext.build(on_call_at(at=at)))


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
    one); the sheet's `severity` is None only when there is none at all. Seven queries, plus
    `on_call_at`'s.
    """
    service = service_queryset().filter(slug=service_slug).first()
    if service is None:
        raise Http404(SERVICE_NOT_FOUND)
    severities = tuple(Severity.objects.prefetch_related(_responders()).order_by("level"))
    severity = next(
        (s for s in severities if s.level == severity_level),
        severities[0] if severities else None,
    )
    context = PartyContext.build(on_call_at(at=at), service=service)
    on_call = context.on_call_for()

    lead = service_team_lead(service)
    path = _path_queryset().filter(kind=path_kind).first()
    path_view = _path_view(path, context) if path is not None else None

    sheet = ServiceSheet(
        service=service,
        severities=severities,
        severity=severity,
        path_kind=path_kind,
        path=path_view.path if path_view else None,
        started_at=started_at,
        at=at,
        on_call=on_call,
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
    return replace(
        sheet,
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
        return on_call + [
            ContactRow(label=role.name, person=role.holder, role=role) for role in roles
        ]


def contacts(*, at: datetime, for_manager: bool = False) -> ContactDirectory:
    """The contact table: each rotation's on-call positions at `at`, then the roles in the
    document's order (lazy: the page filters them by team), and every rotation's slots; for a
    manager, the completeness panel too. One query plus `on_call_at`'s (the roles are read by
    the page), and three more for a manager."""
    rows = []
    for answer in on_call_at(at=at):
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
    slots = RotationSlot.objects.select_related("rotation", "primary", "secondary").order_by(
        "rotation__position", "rotation__name", "rotation_id", "position"
    )
    return ContactDirectory(
        on_call=tuple(rows),
        roles=roles,
        slots=tuple(slots),
        completeness=completeness(now=at) if for_manager else None,
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


def paging_rules(*, at: datetime) -> PagingGuide:
    """The page-or-Slack rules in order, and who a page reaches now (the first rotation's
    on-call). One query, plus `on_call_at`'s."""
    answers = on_call_at(at=at)
    return PagingGuide(
        rules=tuple(
            PagingRule.objects.select_related("channel", "alternative_channel").order_by(
                "position", "signal"
            )
        ),
        on_call=answers[0] if answers else None,
    )


# Completeness -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Completeness:
    """What keeps the published document from being trustworthy, for managers to fix."""

    now: datetime
    roles_tbd: tuple[Role, ...]
    people_missing_contact: tuple[Person, ...]
    people_unverified: tuple[Person, ...]
    services_without_owner: tuple[Service, ...]
    services_without_channel: tuple[Service, ...]
    inactive_people_in_use: tuple[Person, ...]

    @property
    def problem_count(self) -> int:
        return sum(len(items) for _key, _title, items in self.sections)

    @property
    def sections(self) -> list[tuple[str, str, tuple]]:  # type: ignore[type-arg]
        return [
            ("roles_tbd", "Roles without a holder (TBD)", self.roles_tbd),
            (
                "people_missing_contact",
                "People without phone or Slack",
                self.people_missing_contact,
            ),
            (
                "people_unverified",
                f"Contacts not verified for {VERIFICATION_MAX_AGE.days} days",
                self.people_unverified,
            ),
            ("services_without_owner", "Services without an owner", self.services_without_owner),
            (
                "services_without_channel",
                "Services without a Slack channel",
                self.services_without_channel,
            ),
            (
                "inactive_people_in_use",
                "Inactive people still on a rotation or holding a role",
                self.inactive_people_in_use,
            ),
        ]


def completeness(*, now: datetime) -> Completeness:
    """Roles TBD, people missing phone or Slack or not verified for 90 days, services without
    owner or channel, inactive people still on a rotation slot or holding a role. Three queries."""
    stale_before = now - VERIFICATION_MAX_AGE
    roles_tbd = tuple(Role.objects.filter(holder__isnull=True).only("pk", "name").order_by("name"))
    in_use = (
        Exists(RotationSlot.objects.filter(primary=OuterRef("pk")))
        | Exists(RotationSlot.objects.filter(secondary=OuterRef("pk")))
        | Exists(Role.objects.filter(holder=OuterRef("pk")))
    )
    missing = Q(phone="") | Q(slack_handle="")
    unverified = Q(verified_at__isnull=True) | Q(verified_at__lt=stale_before)
    people = list(
        Person.objects.alias(in_use=in_use)
        .annotate(is_in_use=in_use)
        .filter((Q(is_active=True) & (missing | unverified)) | Q(is_active=False, in_use=True))
        .only("pk", "display_name", "phone", "slack_handle", "verified_at", "is_active")
        .order_by("display_name")
    )
    no_channel = ExpressionWrapper(
        Q(slack_channel="", team__slack_channel=""), output_field=BooleanField()
    )
    services = list(
        Service.objects.annotate(no_channel=no_channel)
        .filter(Q(primary_contact__isnull=True) | Q(no_channel=True))
        .only("pk", "name", "primary_contact")
        .order_by("position", "name")
    )
    return Completeness(
        now=now,
        roles_tbd=roles_tbd,
        people_missing_contact=tuple(
            p for p in people if p.is_active and (not p.phone or not p.slack_handle)
        ),
        people_unverified=tuple(
            p
            for p in people
            if p.is_active and (p.verified_at is None or p.verified_at < stale_before)
        ),
        services_without_owner=tuple(s for s in services if s.primary_contact_id is None),
        services_without_channel=tuple(
            s
            for s in services
            if s.no_channel  # type: ignore[attr-defined]
        ),
        inactive_people_in_use=tuple(
            p
            for p in people
            if not p.is_active and p.is_in_use  # type: ignore[attr-defined]
        ),
    )
