"""Template helpers of the published pages: admin links and the escalation flowcharts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django import template
from django.db.models import Model
from django.urls import NoReverseMatch
from django.utils.safestring import SafeString, mark_safe
from django_tables2.rows import BoundRow

from ..contact_buttons import contact_buttons
from ..contact_links import channel_link
from ..flowchart import FlowParty, FlowStep, render_flowchart
from ..links import reverse
from ..markup import escape, format_html
from ..models import Channel, Rotation, Weekday
from ..parties import ResolvedParty
from ..party_cells import parties_html, party_html
from ..selectors.channels import RotationNote
from ..sheet_cells import choice_options, severity_options, sheet_when, step_items

if TYPE_CHECKING:
    from ..selectors.completeness import CompletenessSection
    from ..selectors.services import ServiceSheet

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


#: A channel's icon by kind: (when it links somewhere, when it does not).
_CHANNEL_ICONS = {
    "slack": ("bi-slack", "bi-chat-square-text"),
    "pagerduty": ("bi-bell", "bi-bell"),
    "status_page": ("bi-box-arrow-up-right", "bi-broadcast-pin"),
    "ticket": ("bi-box-arrow-up-right", "bi-ticket-perforated"),
}
_DEFAULT_CHANNEL_ICONS = ("bi-box-arrow-up-right", "bi-chat-square-text")


@register.simple_tag
def channel_name(channel: Channel) -> SafeString:
    """A channel's name, as a link to where it lives when known, with its kind's icon."""
    link = channel_link(channel)
    linked, unlinked = _CHANNEL_ICONS.get(channel.kind, _DEFAULT_CHANNEL_ICONS)
    if link:
        return format_html(
            '<a class="fw-semibold channel-name" href="{}">'
            '<i class="bi {}" aria-hidden="true"></i> {}</a>',
            link,
            linked,
            channel.name,
        )
    return format_html(
        '<span class="fw-semibold channel-name"><i class="bi {}" aria-hidden="true"></i> {}</span>',
        unlinked,
        channel.name,
    )


#: `Rotation.get_handoff_weekday_display`, read once: "Monday" for 0.
_WEEKDAYS: dict[int, str] = dict(Weekday.choices)


@register.simple_tag
def rotation_notes(rotations: Sequence[Rotation | RotationNote]) -> SafeString:
    """How on-call changes are asked for, rotation by rotation: the schedule note, the shift and
    handoff, and the swap form that replaces posting in the swap channel."""
    swaps_url = escape(reverse("escalation:swaps"))
    named = len(rotations) > 1
    notes = []
    for rotation in rotations:
        if not (rotation.schedule_note or rotation.swap_channel):
            continue
        parts = [
            '<p class="swap-note mb-1"><i class="bi bi-arrow-left-right" aria-hidden="true"></i> '
        ]
        if named:
            parts.append(f"<strong>{escape(rotation.name)}</strong>: ")
        if rotation.schedule_note:
            parts.append(f"On-call schedule: <strong>{escape(rotation.schedule_note)}</strong>. ")
        every = "week" if rotation.shift_days == 7 else f"{rotation.shift_days} days"
        weekday = _WEEKDAYS.get(rotation.handoff_weekday, rotation.handoff_weekday)
        parts.append(
            f"Rotation: every {every}, handoff on {escape(weekday)} "
            f"{rotation.handoff_time:%H:%M} {escape(rotation.time_zone)}."
        )
        if rotation.swap_channel:
            parts.append(
                f' Override requests: <a href="{swaps_url}">request a swap or cover here</a> (it '
                f"replaces posting in <strong>{escape(rotation.swap_channel)}</strong>, which "
                "still gets the news)."
            )
        parts.append("</p>")
        notes.append("".join(parts))
    return mark_safe("\n".join(notes))  # noqa: S308 - every value escaped above


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
def table_row(row: BoundRow) -> SafeString:
    """A table's row written at once by the table (`row_html`: the contacts and services
    tables)."""
    html: SafeString = row.table.row_html(row)
    return html


def _buttons(context: template.Context) -> Callable[[ResolvedParty], str]:
    """The sheet's one-tap contact buttons for a party's person (`contact_buttons`, the
    markup of `_person_contact.html`), paging pre-filled for the page's service
    and severity."""
    service = context.get("page_service")
    severity = context.get("page_severity")
    viewer_is_manager = bool(context.get("viewer_is_manager"))

    def draw(party: ResolvedParty) -> str:
        return contact_buttons(
            party.person,
            paged=party.is_on_call,
            service=service,
            severity=severity,
            viewer_is_manager=viewer_is_manager,
        )

    return draw


@register.simple_tag(takes_context=True)
def parties(
    context: template.Context, parties: Iterable[ResolvedParty], contacts: str = ""
) -> SafeString:
    """A tier's parties joined by “+” (or “Not required”), each with who answers and, with
    `contacts` ("line" or "buttons"), how to reach them (`escalation.party_cells`)."""
    return parties_html(
        parties,
        contacts=contacts,
        service=context.get("page_service"),
        severity=context.get("page_severity"),
        buttons=_buttons(context) if contacts == "buttons" else None,
    )


@register.simple_tag(takes_context=True)
def party(context: template.Context, party: ResolvedParty, contacts: str = "") -> SafeString:
    """One party, as `parties` draws each."""
    return mark_safe(  # noqa: S308 - party_html escapes every value
        party_html(
            party,
            contacts=contacts,
            service=context.get("page_service"),
            severity=context.get("page_severity"),
            buttons=_buttons(context) if contacts == "buttons" else None,
        )
    )


@register.simple_tag(takes_context=True)
def sheet_steps(context: template.Context, sheet: ServiceSheet) -> SafeString:
    """The sheet's escalation steps, as the items of its list (`escalation.sheet_cells`)."""
    return step_items(
        sheet.steps,
        severity_name=sheet.severity.name if sheet.severity is not None else "",
        service=context.get("page_service"),
        severity=context.get("page_severity"),
    )


@register.simple_tag(name="sheet_when")
def sheet_when_tag(sheet: ServiceSheet) -> SafeString:
    """When the incident started and the minute the sheet is as of (`escalation.sheet_cells`)."""
    return sheet_when(sheet.started_at, sheet.at)


@register.simple_tag
def sheet_severity_options(sheet: ServiceSheet | None) -> SafeString:
    """The sheet form's severity choices (`escalation.sheet_cells`)."""
    if sheet is None:
        return SafeString()
    return severity_options(sheet.severities, sheet.severity)


@register.simple_tag
def sheet_choice_options(choices: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """A sheet form field's choices, `selected` picked (`escalation.sheet_cells`)."""
    return choice_options(choices, selected)


@register.filter
def completeness_items(section: CompletenessSection) -> SafeString:
    """The items a completeness section names, as HTML (`escalation.completeness_items`)."""
    from ..completeness_items import section_items  # the items use this module's filters

    return section_items(section)
