"""`{% pagerduty_action person as action %}`: "Page via PagerDuty" for a person a page names
(`escalation.pagerduty_actions`). A page about one service and severity (the service sheet)
sets `page_service` and `page_severity` around its parties, and the form opens pre-filled."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import Person
from ..pagerduty_actions import PagerDutyAction, action_for

register = template.Library()


@register.simple_tag(takes_context=True)
def pagerduty_action(context: Any, person: Person | None) -> PagerDutyAction | None:
    return action_for(
        person, service=context.get("page_service"), severity=context.get("page_severity")
    )
