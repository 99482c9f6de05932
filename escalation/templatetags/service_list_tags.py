"""The services page's search form pieces written at once (`escalation.service_cells`)."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from .. import service_cells

register = template.Library()


@register.simple_tag
def team_select(field: BoundField) -> SafeString:
    return mark_safe(service_cells.team_select(field))  # noqa: S308 - escaped there
