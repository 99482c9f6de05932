"""The contact table's rows as HTML, written in Python.

The table has five cells a row and up to a hundred rows a page: a template per cell, then a
`format_html` per cell and per part, were most of the page's time at the large organisation.
Each value is escaped once (`markup.escape`) and the markup around it is plain text. The markup
is the one the cell templates rendered, whitespace included.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from .markup import escape
from .models import RotationSlot
from .party_cells import slack_name_html
from .selectors.contacts import ContactRow

VIA_PAGERDUTY = '<span class="text-body-secondary">Via PagerDuty</span>'
OR_VIA_PAGERDUTY = '<div class="small text-body-secondary">or via PagerDuty</div>'
GROUP = ' <span class="small text-body-secondary">group</span>'


def role_cell(row: ContactRow) -> str:
    under = ""
    if row.is_on_call and row.rotation is not None:
        under = f'<div class="small text-body-secondary">{escape(row.rotation.name)}</div>\n'
    elif row.role is not None and row.role.team:
        under = f'<div class="small text-body-secondary">{escape(row.role.team.name)}</div>'
    return f'<div class="fw-semibold">{escape(row.label)}</div>\n{under}\n'


def _see_rotation(row: ContactRow, calendar_url: str) -> str:
    slug = row.rotation.slug if row.rotation is not None else ""
    return (
        f'<a class="no-print-url" href="{escape(calendar_url)}#calendar-{escape(slug)}">'
        "See rotation</a>"
    )


def name_cell(row: ContactRow, *, calendar_url: str) -> str:
    """`calendar_url`: the calendar's address (`reverse` once per table, not per row)."""
    person = row.person
    if person is None:
        if row.is_on_call:
            return f"\nTBD: nobody on call · {_see_rotation(row, calendar_url)}\n\n"
        return "TBD\n"
    name = escape(person.display_name)
    email = ""
    if person.email:
        email = (
            f' <a class="small" href="mailto:{escape(person.email)}" title="Email {name}">'
            '<i class="bi bi-envelope" aria-hidden="true"></i> Email'
            f'<span class="visually-hidden"> {name}</span></a>'
        )
    shift = ""
    if row.is_on_call:
        override = ' <span class="badge override-badge">override</span>' if row.overridden else ""
        shift = (
            '<div class="small">\n'
            f'  <span class="badge text-bg-light border">{escape(row.slot_label)}</span>'
            f"{override}\n  {_see_rotation(row, calendar_url)}\n</div>"
        )
    return f'\n<span class="fw-semibold">{name}</span>{email}\n{shift}\n\n'


def slack_cell(row: ContactRow) -> str:
    slack = row.slack
    name = ""
    if slack:
        name = slack_name_html(slack) + (GROUP if row.slack_is_group else "")
    if row.is_on_call:
        reach = OR_VIA_PAGERDUTY if slack else VIA_PAGERDUTY
    else:
        reach = "" if slack else "TBD"
    return f"\n\n  {name}\n  {reach}\n\n"


def pagerduty_cell(row: ContactRow) -> str:
    paged = '<span class="fw-semibold">Auto-paged</span>' if row.is_on_call else ""
    pagerduty = row.pagerduty
    if pagerduty:
        small = ' class="small"' if row.is_on_call else ""
        group = GROUP if row.pagerduty_is_group else ""
        handle = (
            f'<div{small}><i class="bi bi-bell" aria-hidden="true"></i> {escape(pagerduty)}'
            f"{group}</div>"
        )
    else:
        handle = "" if row.is_on_call else "TBD"
    return f"\n\n  {paged}\n  {handle}\n\n"


def phone_cell(row: ContactRow) -> str:
    if row.phone:
        return (
            f'<a class="text-nowrap" href="tel:{escape(row.phone_link)}">'
            f'<i class="bi bi-telephone" aria-hidden="true"></i> {escape(row.phone)}</a>'
            f"{OR_VIA_PAGERDUTY if row.is_on_call else ''}\n\n"
        )
    if row.is_on_call:
        return f"{VIA_PAGERDUTY}\n\n"
    return "TBD\n"


def edit_cell(row: ContactRow, edit_url: str) -> str:
    """The link to the row's role or rotation in the admin (`edit_url`; none without one)."""
    if not edit_url:
        return ""
    return (
        f'<a class="btn btn-sm btn-outline-secondary" href="{escape(edit_url)}">'
        '<i class="bi bi-pencil" aria-hidden="true"></i> Edit'
        f'<span class="visually-hidden"> {escape(row.label)}</span></a>'
    )


def _tbd(row: ContactRow, value: str) -> str:
    """The class of a cell whose way to reach the holder is missing (an on-call position is
    paged anyway): highlighted."""
    return "tbd" if not value and not row.is_on_call else ""


def contact_row(
    row: ContactRow, *, odd: bool, calendar_url: str, edit_url: str | None = None
) -> str:
    """The row's `<tr>` (django-tables2's even and odd classes); with an edit cell unless
    `edit_url` is None. TBD cells are highlighted."""
    edit = ""
    if edit_url is not None:
        edit = f'<td data-label="Edit" class="no-print">{edit_cell(row, edit_url)}</td>'
    return (
        f'<tr class="{"odd" if odd else "even"}">'
        f'<td data-label="Role">{role_cell(row)}</td>'
        f'<td data-label="Name" class="{"tbd" if row.person is None else ""}">'
        f"{name_cell(row, calendar_url=calendar_url)}</td>"
        f'<td data-label="Slack" class="{_tbd(row, row.slack)}">{slack_cell(row)}</td>'
        f'<td data-label="PagerDuty" class="{_tbd(row, row.pagerduty)}">'
        f"{pagerduty_cell(row)}</td>"
        f'<td data-label="Phone (emergency)" class="{_tbd(row, row.phone)}">'
        f"{phone_cell(row)}</td>{edit}</tr>"
    )


def rotation_slot_row(slot: RotationSlot, *, current: bool, with_rotation: bool) -> str:
    """A row of the rotation table under the contacts: the slot, who holds each tier, and
    whether it is on call now (`current`); with the rotation's name when there are several."""
    rotation = _rotation_name(slot) if with_rotation else ""
    return _slot_row(slot, current=current, rotation=rotation)


def _rotation_name(slot: RotationSlot) -> str:
    return f'<div class="small text-body-secondary">{escape(slot.rotation.name)}</div>'


def _slot_row(slot: RotationSlot, *, current: bool, rotation: str) -> str:
    """`rotation_slot_row`, the rotation's name written already (`rotation`, or "")."""
    now = ' <span class="badge text-bg-success">now</span>' if current else ""
    secondary = (slot.secondary.display_name if slot.secondary is not None else "") or "—"
    active = ' class="table-active"' if current else ""
    return (
        f"<tr{active}>\n"
        f'        <td data-label="Week"><span class="fw-semibold">{escape(slot.label)}</span>'
        f"{now}{rotation}</td>\n"
        f'        <td data-label="Primary">{escape(slot.primary.display_name)}</td>\n'
        f'        <td data-label="Secondary">{escape(secondary)}</td>\n'
        "      </tr>"
    )


def rotation_slot_rows(
    slots: Sequence[tuple[RotationSlot, bool]], *, with_rotation: bool
) -> SafeString:
    """The rows of the rotation table: each slot, and whether it is on call now; a rotation's
    name written once for all its slots."""
    names: dict[int, str] = {}
    rows = []
    for slot, current in slots:
        rotation = ""
        if with_rotation:
            if slot.rotation_id not in names:
                names[slot.rotation_id] = _rotation_name(slot)
            rotation = names[slot.rotation_id]
        rows.append(_slot_row(slot, current=current, rotation=rotation))
    return SafeString("\n      ".join(rows))
