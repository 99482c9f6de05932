""" "Page via PagerDuty": what the confirmation form offers, and a page's status.

`page_form_options` reads the person paged, the services linked to PagerDuty (slug and name
only: a service without a PagerDuty service id cannot carry an incident) and the severities:
three queries, four when the service asked about is not linked. `page_status`: one query.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import PagerDutyIncident, Person, Service, Severity


@dataclass(frozen=True)
class ServiceChoice:
    slug: str
    name: str
    linked: bool = True


@dataclass(frozen=True)
class PageFormOptions:
    person: Person
    #: The services an incident may open on: those with a PagerDuty service id.
    services: list[ServiceChoice]
    severities: list[Severity]
    #: The service the page was asked from (`?service=`), linked or not; None when not given
    #: or unknown.
    asked_service: ServiceChoice | None
    asked_severity: Severity | None


def page_form_options(
    *, person_id: int, service_slug: str = "", severity_level: int | None = None
) -> PageFormOptions | None:
    """What the form paging `person_id` offers; None when there is no such active person."""
    person = Person.objects.active().filter(pk=person_id).first()
    if person is None:
        return None
    services = [
        ServiceChoice(slug, name)
        for slug, name in Service.objects.exclude(pagerduty_service_id="")
        .order_by("position", "name")
        .values_list("slug", "name")
    ]
    asked = next((choice for choice in services if choice.slug == service_slug), None)
    if asked is None and service_slug:
        row = Service.objects.filter(slug=service_slug).values_list("slug", "name").first()
        asked = ServiceChoice(row[0], row[1], linked=False) if row else None
    severities = list(Severity.objects.order_by("level"))
    asked_severity = next((s for s in severities if s.level == severity_level), None)
    return PageFormOptions(person, services, severities, asked, asked_severity)


def page_status(*, page_id: int) -> PagerDutyIncident | None:
    return PagerDutyIncident.objects.filter(pk=page_id).first()
