"""`{% shift_rows calendar %}`: a rotation's rows on the calendar page, written in Python
(`escalation.calendar_cells`) rather than by a template per cell."""

from django import template
from django.template.context import Context
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from ..calendar_cells import CellTexts, shift_rows_html
from ..selectors.calendar import RotationCalendar

register = template.Library()

_TEXTS = "calendar_rows.texts"
_COVER_URL = "calendar_rows.cover_url"


@register.simple_tag(takes_context=True)
def shift_rows(context: Context, calendar: RotationCalendar) -> SafeString:
    # Each instant and name written once for the whole page: rotations share their handoffs.
    texts = context.render_context.get(_TEXTS)
    if texts is None:
        texts = context.render_context[_TEXTS] = CellTexts(timezone.get_current_timezone())
        context.render_context[_COVER_URL] = reverse("escalation:swap_new")
    request = context.get("request")
    viewer = getattr(request, "viewer", None)
    person = viewer.person if viewer is not None else None
    return shift_rows_html(
        calendar.rows,
        texts,
        viewer_is_manager=bool(context.get("viewer_is_manager")),
        viewer_pk=person.pk if person is not None else None,
        cover_url=context.render_context[_COVER_URL],
    )
