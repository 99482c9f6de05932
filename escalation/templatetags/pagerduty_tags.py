"""`{% pagerduty_action person as action %}`: "Page via PagerDuty" for a person a page names
(`escalation.pagerduty_actions`). A page about one service and severity (the service sheet)
sets `page_service` and `page_severity` around its parties, and the form opens pre-filled."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from ..contact_buttons import contact_buttons as buttons
from ..models import Person
from ..pagerduty_actions import PagerDutyAction, action_for

register = template.Library()


@register.simple_tag(takes_context=True)
def pagerduty_action(context: Any, person: Person | None) -> PagerDutyAction | None:
    return action_for(
        person, service=context.get("page_service"), severity=context.get("page_severity")
    )


@register.simple_tag(takes_context=True)
def contact_buttons(
    context: Any,
    person: Person | None,
    compact: bool = False,
    paged: bool = False,
    without_paging: bool = False,
) -> SafeString:
    """`{% include "includes/_person_contact.html" with person=... %}` written in Python
    (`escalation.contact_buttons`), for pages that show it for several people."""
    return buttons(
        person,
        compact=compact,
        paged=paged,
        without_paging=without_paging,
        manager=bool(context.get("viewer_is_manager")),
        service=context.get("page_service"),
        severity=context.get("page_severity"),
    )
