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
from .markup import escape
from .models import Person, Service, Severity

PAGE = "page"
LINK = "link"
OFF = "off"

#: How a page shows the action: a small link in a line of contacts, or an icon alone (a
#: one-line list of people).
LINE = "line"
ICON = "icon"


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


#: `_pagerduty_action.html`'s markup in a contact line and as an icon, for rows written in
#: Python (`party_cells`, `oncall_lines`); `{url}` and `{name}` are escaped when filled in.
_ACTION_HTML = {
    (LINE, PAGE): (
        '<a class="contact-line-item pagerduty-action pagerduty-page" href="{url}"><i class="bi '
        'bi-bell-fill" aria-hidden="true"></i> Page <span class="visually-hidden">{name} '
        "</span>via PagerDuty</a>"
    ),
    (LINE, LINK): (
        '<a class="contact-line-item pagerduty-action pagerduty-link" href="{url}" '
        'rel="noopener"><i class="bi bi-box-arrow-up-right" aria-hidden="true"></i> <span '
        'class="visually-hidden">{name}\'s </span>PagerDuty profile</a>'
    ),
    (ICON, PAGE): (
        '<a class="pagerduty-action pagerduty-page" href="{url}" title="Page {name} via '
        'PagerDuty"><i class="bi bi-bell-fill" aria-hidden="true"></i><span '
        'class="visually-hidden">Page {name} via PagerDuty</span></a>'
    ),
    (ICON, LINK): (
        '<a class="pagerduty-action pagerduty-link" href="{url}" rel="noopener" '
        'title="{name}\'s PagerDuty profile"><i class="bi bi-box-arrow-up-right" '
        'aria-hidden="true"></i><span class="visually-hidden">{name}\'s PagerDuty '
        "profile</span></a>"
    ),
}


def action_html(action: PagerDutyAction | None, style: str) -> str:
    """The action as HTML in `style` (`LINE` or `ICON`); "" when there is none or paging from
    the portal is off (the managers' notice belongs to the page, not to each row)."""
    markup = _ACTION_HTML.get((style, action.kind)) if action is not None else None
    if markup is None or action is None:
        return ""
    return markup.format(url=escape(action.url), name=escape(action.person.display_name))
