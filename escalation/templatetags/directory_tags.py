"""Template helpers of the published pages: admin links and the escalation flowcharts."""

from __future__ import annotations

from collections.abc import Sequence, Sized
from typing import TYPE_CHECKING

from django import template
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString
from django_tables2.rows import BoundRow

from .. import contact_cells
from ..contact_links import channel_link
from ..flowchart import FlowParty, FlowStep, render_flowchart
from ..models import Channel, RotationSlot
from ..parties import ResolvedParty

if TYPE_CHECKING:
    from ..selectors.completeness import CompletenessSection

register = template.Library()

FLOWCHART_DESCRIPTION = "The same steps are listed as text beside the drawing."


@register.filter
def admin_change_url(obj: Model | None) -> str:
    """The admin page where a manager fixes `obj`; empty when the admin does not offer one."""
    if obj is None or obj.pk is None:
        return ""
    return admin_change_url_for(type(obj), obj.pk)


def admin_change_url_for(model: type[Model], pk: object) -> str:
    """`admin_change_url` of the `model` row whose key is `pk`."""
    meta = model._meta
    try:
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk])
    except NoReverseMatch:
        return ""


class AdminChangeUrls:
    """`admin_change_url` for the many rows of a table or a list, reversing once per model: the
    pages of a model's rows differ by their key alone."""

    #: A key no row has, standing for each row's own in its model's address.
    _KEY = "987654321987654321"

    def __init__(self) -> None:
        self._patterns: dict[type[Model], str] = {}

    def __call__(self, obj: Model | None) -> str:
        if obj is None or not isinstance(obj.pk, int):
            return admin_change_url(obj)
        model = type(obj)
        if model not in self._patterns:
            self._patterns[model] = admin_change_url_for(model, int(self._KEY))
        pattern = self._patterns[model]
        if not pattern:  # no admin page for the model
            return ""
        if self._KEY not in pattern:
            return admin_change_url(obj)
        return pattern.replace(self._KEY, str(obj.pk))


@register.filter
def channel_url(channel: Channel | None) -> str:
    """Where a channel lives: its URL, or Slack for a Slack channel."""
    return channel_link(channel)


def flow_party(party: ResolvedParty) -> FlowParty:
    detail = party.answer
    if party.role_name_differs and party.role is not None and not party.depends_on_service:
        detail = f"{party.role.name}: {detail}" if detail else party.role.name
    return FlowParty(label=party.label, detail=detail, tbd=party.is_tbd, oncall=party.is_on_call)


@register.simple_tag
def path_flowchart(path_view: object, chart_id: str = "") -> SafeString:
    """The inline SVG of a `selectors.paths.PathView`."""
    steps = [
        FlowStep(
            parties=tuple(flow_party(party) for party in step.parties),
            condition=step.condition,
            note=step.step.note,
        )
        for step in path_view.steps  # type: ignore[attr-defined]
    ]
    path = path_view.path  # type: ignore[attr-defined]
    return render_flowchart(
        steps,
        chart_id=chart_id or f"flowchart-{path.slug}",
        title=f"{path.name}: flowchart",
        description=FLOWCHART_DESCRIPTION,
    )


@register.filter
def contact_row(row: BoundRow) -> SafeString:
    """A row of the contact table (`tables.ContactTable.row_html`)."""
    html: SafeString = row.table.row_html(row)
    return html


@register.filter
def completeness_items(section: CompletenessSection) -> SafeString:
    """The items a completeness section names, as HTML (`escalation.completeness_items`)."""
    from ..completeness_items import section_items  # the items use this module's filters

    return section_items(section)


@register.simple_tag
def rotation_slot_rows(slots: Sequence[tuple[RotationSlot, bool]], rotations: Sized) -> SafeString:
    """The rotation table's rows under the contacts (`contact_cells.rotation_slot_rows`), with
    each slot's rotation named when `rotations` are several."""
    return contact_cells.rotation_slot_rows(slots, with_rotation=len(rotations) > 1)
