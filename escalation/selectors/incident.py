"""“Incident? Start here”: which service (or none known), then which severity, then the sheet.
Each step is a page of links, so it works on a phone in a hurry and without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from ..models import ResponderTier, Service, Severity, SeverityResponder, Via

#: How many services the first step lists at once; a search narrows the rest down.
SERVICES_SHOWN = 40


@dataclass(frozen=True)
class SeverityChoice:
    """A severity to pick, with what picking it sets in motion: who is reached first, and
    which managers are told (the matrix's words)."""

    severity: Severity
    reach: str
    management: str


@dataclass(frozen=True)
class IncidentStart:
    """The step the viewer is at: choosing a service (`services`, those matching `find`), or,
    once one is chosen (`service`, or `general`), choosing the severity (`severities`)."""

    find: str
    services: tuple[Service, ...] = ()
    more: bool = False
    service: Service | None = None
    general: bool = False
    unknown: bool = False
    severities: tuple[SeverityChoice, ...] = ()

    @property
    def chosen(self) -> bool:
        return self.general or self.service is not None


def incident_start(*, find: str, service_slug: str, not_listed: bool = False) -> IncidentStart:
    """One query to list the services (those matching `find`, name and team only), or three
    once a service is chosen: that service, the severities and their responders. An unknown
    slug goes back to the list, flagged. `not_listed`: “not listed / I don't know” was chosen,
    which leads to the general sheet (a flag of its own: any slug may name a service)."""
    find = find.strip()[:100]
    if not_listed:
        return IncidentStart(find=find, general=True, severities=_severities())
    if service_slug:
        service = (
            Service.objects.select_related("team")
            .only("name", "slug", "aliases", "team__name")
            .filter(slug=service_slug)
            .first()
        )
        if service is not None:
            return IncidentStart(find=find, service=service, severities=_severities())
    services = list(
        Service.objects.matching(find)
        .select_related("team")
        .only("name", "slug", "aliases", "team__name")
        .order_by("position", "name")[: SERVICES_SHOWN + 1]
    )
    return IncidentStart(
        find=find,
        services=tuple(services[:SERVICES_SHOWN]),
        more=len(services) > SERVICES_SHOWN,
        unknown=bool(service_slug),
    )


def _severities() -> tuple[SeverityChoice, ...]:
    # Their words only: no role, person or channel rows behind them.
    responders = SeverityResponder.objects.only(
        "severity_id", "tier", "position", "label", "via"
    ).order_by("tier", "position")
    severities = Severity.objects.prefetch_related(
        Prefetch("responders", queryset=responders)
    ).order_by("level")
    return tuple(_choice(severity) for severity in severities)


def _choice(severity: Severity) -> SeverityChoice:
    responders = list(severity.responders.all())

    def labels(tier: ResponderTier) -> str:
        return " + ".join(
            f"{party.label} ({Via(party.via).label})" if party.via else party.label
            for party in responders
            if party.tier == tier
        )

    return SeverityChoice(
        severity=severity,
        reach=labels(ResponderTier.PRIMARY),
        management=labels(ResponderTier.MANAGEMENT),
    )
