"""The services table's cells as HTML, written at once (every value escaped as Django's
templates escape, `markup.escape`): a page has 25 rows of five cells, and a template per cell was
most of its time. `tables.ServiceTable.row_html` puts them in a row. Line breaks stand where the
templates had them, so that the cells' text reads the same."""

from __future__ import annotations

from .markup import escape
from .models import Role
from .party_cells import slack_name_html
from .selectors.oncall import RotationOnCall


def name_cell(name: str, sheet_url: str) -> str:
    """The service's name and a link to its “who do I contact?” sheet."""
    url = escape(sheet_url)
    return (
        f'<a class="fw-semibold" href="{url}">{escape(name)}</a>\n'
        f'<div class="small no-print"><a class="sheet-link" href="{url}"><i class="bi '
        'bi-card-checklist" aria-hidden="true"></i> Who do I contact?</a></div>'
    )


def role_cell(role: Role | None) -> str:
    """The role that owns the service and who holds it (TBD when nobody does)."""
    if role is None:
        return '<span class="badge badge-tbd">No owner</span>'
    holder = role.holder
    held = (
        f'<div class="small"><strong>{escape(holder.display_name)}</strong></div>'
        if holder is not None
        else '<span class="badge badge-tbd">TBD</span>'
    )
    return f"<div>{escape(role.name)}</div>\n{held}"


def slack_cell(channel: str) -> str:
    """Where to talk about the service."""
    if not channel:
        return '<span class="badge badge-tbd">No channel</span>'
    return slack_name_html(channel)


def on_call_cell(answer: RotationOnCall | None, calendar_url: str) -> str:
    """Who is on call for the service now, and its rotation in the calendar."""
    if answer is None:
        return '<span class="text-body-secondary">No rotation</span>'
    primary = answer.primary.display_name if answer.primary is not None else ""
    html = (
        f"<div><strong>{escape(primary or 'Nobody')}</strong> "
        '<span class="small text-body-secondary">primary</span></div>'
    )
    if answer.secondary is not None:
        html += (
            f'\n<div class="small">{escape(answer.secondary.display_name)} '
            '<span class="text-body-secondary">secondary</span></div>'
        )
    rotation = answer.rotation
    return html + (
        f'\n<a class="small" href="{escape(calendar_url)}#calendar-{escape(rotation.slug)}">'
        f'<i class="bi bi-calendar-week" aria-hidden="true"></i> {escape(rotation.name)}</a>'
    )
