"""“Incident? Start here”: which service (or none known), then which severity, then the sheet.
Each step is a page of links, so it works on a phone in a hurry and without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Service, Severity

#: How many services the first step lists at once; a search narrows the rest down.
SERVICES_SHOWN = 40
#: The `?service=` value of “not listed / I don't know”: the general sheet.
GENERAL = "general"


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
    severities: tuple[Severity, ...] = ()

    @property
    def chosen(self) -> bool:
        return self.general or self.service is not None


def incident_start(*, find: str, service_slug: str) -> IncidentStart:
    """One query to list the services (those matching `find`, name and team only), or two once
    a service is chosen: that service and the severities. An unknown slug goes back to the
    list, flagged."""
    find = find.strip()[:100]
    if service_slug == GENERAL:
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


def _severities() -> tuple[Severity, ...]:
    return tuple(Severity.objects.order_by("level"))
