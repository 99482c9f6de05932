"""Service ownership: the services table and the “who do I contact?” sheet of one service,
which combines the severity matrix with the service's owners and its escalation path."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model, QuerySet
from django.http import Http404

from ..escalation_clock import StepClock, step_clocks
from ..model_rows import attnames, from_row
from ..models import (
    EscalationPath,
    PartyKind,
    PathKind,
    Person,
    ResponderTier,
    Role,
    Service,
    Severity,
    Team,
)
from ..parties import (
    PartyContext,
    ResolvedParty,
    resolve,
    service_team_lead,
)
from ..validity import ALWAYS, Validity
from .oncall import RotationOnCall, on_call_named
from .paths import PathStepView, first_path_of_kind
from .prepared import TEXT, PreparedQuery
from .severity import load_severities, tier_cells

SERVICE_NOT_FOUND = "No service with that address."


@dataclass
class ServiceList:
    """The services to filter, sort and paginate, and who is on call for those shown at `at`
    (`show`, once the page knows which they are)."""

    services: QuerySet[Service]
    at: datetime
    context: PartyContext = field(default_factory=PartyContext)
    validity: Validity = ALWAYS

    def show(self, services: Iterable[Service]) -> Validity:
        """Resolve who is on call for `services` (the page's rows): their rotations and the
        first one, `on_call_named`'s queries. Returns how long that holds."""
        now = on_call_named(at=self.at, rotation_ids=[service.rotation_id for service in services])
        self.context = PartyContext.build(now.answers)
        self.validity = now.validity
        return self.validity

    def on_call_for(self, service: Service) -> RotationOnCall | None:
        return self.context.for_service(service).on_call_for()


def service_queryset() -> QuerySet[Service]:
    return Service.objects.select_related(
        "team__lead_role__holder", "primary_contact__holder", "rotation"
    )


def service_list(*, at: datetime) -> ServiceList:
    """The ownership table's rows (lazy: the page filters, sorts and paginates them); who is on
    call for the rows shown comes with `ServiceList.show`. The page's count and one page of
    rows, then `on_call_named`'s queries."""
    return ServiceList(services=service_queryset().order_by("position", "name"), at=at)


#: What the sheet reads of a service, each a model and the lookup that reaches it (in order).
_SHEET_SERVICE_PARTS: tuple[tuple[type[Model], str], ...] = (
    (Service, ""),
    (Team, "team__"),
    (Role, "team__lead_role__"),
    (Person, "team__lead_role__holder__"),
    (Role, "primary_contact__"),
    (Person, "primary_contact__holder__"),
)


def _sheet_service_rows(slug: str) -> QuerySet[Service, tuple[Any, ...]]:
    """The service of `slug` joined to its team, the team's lead role, the primary contact
    role and their holders, as one plain row."""
    return Service.objects.filter(slug=slug).values_list(
        *(f"{prefix}{name}" for model, prefix in _SHEET_SERVICE_PARTS for name in attnames(model))
    )


_SHEET_SERVICE_ROWS = PreparedQuery(_sheet_service_rows, TEXT)


def _sheet_service(slug: str) -> Service | None:
    """The service of `slug` with what its sheet shows of its team and contacts. One query."""
    rows = _SHEET_SERVICE_ROWS.rows(slug, using=DEFAULT_DB_ALIAS)
    if not rows:
        return None
    row = rows[0]
    built: list[Model | None] = []
    start = 0
    for model, _ in _SHEET_SERVICE_PARTS:
        fields = attnames(model)
        values = row[start : start + len(fields)]
        start += len(fields)
        built.append(from_row(model, fields, values) if values[0] is not None else None)
    service, team, lead_role, lead, contact, contact_holder = built
    for instance, name, related in (
        (service, "team", team),
        (team, "lead_role", lead_role),
        (lead_role, "holder", lead),
        (service, "primary_contact", contact),
        (contact, "holder", contact_holder),
    ):
        if instance is not None:
            instance._meta.get_field(name).set_cached_value(instance, related)  # type: ignore[union-attr]
    assert isinstance(service, Service)
    return service


@dataclass(frozen=True)
class SheetStep:
    view: PathStepView
    clock: StepClock


@dataclass(frozen=True)
class ServiceSheet:
    """“Who do I contact?” for one service, severity and kind of incident; `service` is None
    on the general sheet (a service not listed, or not known yet)."""

    service: Service | None
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
    one); the sheet's `severity` is None only when there is none at all. Three queries (the
    service with its team and contacts, the severities with the responders of the one shown,
    the path with its steps and their parties), plus `on_call_named`'s (for the rotations the
    sheet names). The sheet holds until the next minute (it says “as of” to the minute), the
    next escalation time, or the next change of who is on call, whichever comes first.
    """
    service = _sheet_service(service_slug)
    if service is None:
        raise Http404(SERVICE_NOT_FOUND)
    return _sheet(
        service=service,
        severity_level=severity_level,
        path_kind=path_kind,
        started_at=started_at,
        at=at,
    )


def general_sheet(
    *, severity_level: int | None, started_at: datetime, at: datetime
) -> ServiceSheet:
    """The sheet for an incident whose service is not listed or not known yet: the severity's
    responders and the technical escalation path, with whoever is on call on the first
    rotation. Parties that name the service's team say it depends on the service. Two
    queries (the severities with the responders of the one shown, the path with its steps
    and their parties), plus `on_call_named`'s."""
    return _sheet(
        service=None,
        severity_level=severity_level,
        path_kind=PathKind.TECHNICAL,
        started_at=started_at,
        at=at,
    )


def _sheet(
    *,
    service: Service | None,
    severity_level: int | None,
    path_kind: str,
    started_at: datetime,
    at: datetime,
) -> ServiceSheet:
    def shown(severities: Sequence[Severity]) -> Severity | None:
        return next(
            (s for s in severities if s.level == severity_level),
            severities[0] if severities else None,
        )

    # The responders of the severity shown only.
    with_responders = load_severities(shown)
    severities = tuple(severity for severity, _ in with_responders)
    severity = shown(severities)
    responders = next((r for s, r in with_responders if s is severity), [])
    paths = first_path_of_kind(path_kind)
    named = (
        {service.rotation_id if service is not None else None}
        | {responder.rotation_id for responder in responders}
        | paths.rotations_named()
    )
    now = on_call_named(at=at, rotation_ids=named)
    context = PartyContext.build(now.answers, service=service)
    on_call = context.on_call_for()

    path_view = next(iter(paths.views(context)), None)
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
    )
    if service is not None:
        lead = service_team_lead(service)
        sheet = replace(
            sheet,
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
    cells = {cell.tier: cell.parties for cell in tier_cells(responders, context)}
    reach_first = cells[ResponderTier.PRIMARY.value]
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
        secondary=cells[ResponderTier.SECONDARY.value],
        management=cells[ResponderTier.MANAGEMENT.value],
        communication=cells[ResponderTier.COMMUNICATION.value],
        steps=steps,
    )
