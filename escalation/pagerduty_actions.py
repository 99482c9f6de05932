""" "Page via PagerDuty" beside a person the portal names: what the action is, from the Person
a page already has (no query) and the settings.

- With `PAGERDUTY_API_KEY`: the portal's confirmation form, pre-filled with the service and
  severity the page was about (`kind` "page").
- Without it, with `PAGERDUTY_SUBDOMAIN`: a link to the person in PagerDuty (`kind` "link").
- With neither: nothing to do (`kind` "off"; managers are told PagerDuty is not connected).
A person without a PagerDuty user id has no action at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings

from .integrations import pagerduty as pd
from .links import reverse
from .models import Person, Service, Severity

PAGE = "page"
LINK = "link"
OFF = "off"


def mode() -> str:
    """How people are paged from the portal under the current settings."""
    if pd.is_configured():
        return PAGE
    if settings.PAGERDUTY_SUBDOMAIN:
        return LINK
    return OFF


@dataclass(frozen=True)
class PagerDutyAction:
    kind: str
    url: str
    person: Person


def page_url(
    person: Person, *, service: Service | None = None, severity: Severity | None = None
) -> str:
    """The confirmation form for paging `person`, pre-filled from where it was asked."""
    url = reverse("escalation:pagerduty_page_new", args=[person.pk])
    query = {}
    if service is not None:
        query["service"] = service.slug
    if severity is not None:
        query["severity"] = str(severity.level)
    return f"{url}?{urlencode(query)}" if query else url


def action_for(
    person: Person | None,
    *,
    service: Service | None = None,
    severity: Severity | None = None,
) -> PagerDutyAction | None:
    if person is None or not person.pagerduty_user_id:
        return None
    kind = mode()
    if kind == PAGE:
        return PagerDutyAction(PAGE, page_url(person, service=service, severity=severity), person)
    if kind == LINK:
        return PagerDutyAction(LINK, pd.user_url(person.pagerduty_user_id), person)
    return PagerDutyAction(OFF, "", person)
