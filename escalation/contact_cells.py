"""The contact table's cells as HTML, written once per cell with `format_html`.

The table has five cells a row and up to a hundred rows a page: a template per cell was most of
the page's time at the large organisation. The markup is the one the cell templates rendered,
whitespace included.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from .markup import format_html
from .models import RotationSlot
from .selectors.contacts import ContactRow
from .templatetags.portal import slack_name

VIA_PAGERDUTY = '<span class="text-body-secondary">Via PagerDuty</span>'
OR_VIA_PAGERDUTY = '<div class="small text-body-secondary">or via PagerDuty</div>'
GROUP = ' <span class="small text-body-secondary">group</span>'


def _html(*parts: str) -> SafeString:
    """Parts already escaped (`format_html`) or literal markup, joined."""
    # `SafeString` rather than `mark_safe`, whose lazy-text wrapper costs more than the join.
    return SafeString("".join(parts))


def role_cell(row: ContactRow) -> SafeString:
    under = ""
    if row.is_on_call and row.rotation is not None:
        under = format_html('<div class="small text-body-secondary">{}</div>\n', row.rotation.name)
    elif row.role is not None and row.role.team:
        under = format_html('<div class="small text-body-secondary">{}</div>', row.role.team.name)
    return _html(format_html('<div class="fw-semibold">{}</div>\n', row.label), under, "\n")


def _see_rotation(row: ContactRow, calendar_url: str) -> str:
    slug = row.rotation.slug if row.rotation is not None else ""
    return format_html(
        '<a class="no-print-url" href="{}#calendar-{}">See rotation</a>', calendar_url, slug
    )


def name_cell(row: ContactRow, *, calendar_url: str) -> SafeString:
    """`calendar_url`: the calendar's address (`reverse` once per table, not per row)."""
    person = row.person
    if person is None:
        if row.is_on_call:
            return _html("\nTBD: nobody on call · ", _see_rotation(row, calendar_url), "\n\n")
        return _html("TBD\n")
    email = ""
    if person.email:
        email = format_html(
            ' <a class="small" href="mailto:{}" title="Email {}">'
            '<i class="bi bi-envelope" aria-hidden="true"></i> Email'
            '<span class="visually-hidden"> {}</span></a>',
            person.email,
            person.display_name,
            person.display_name,
        )
    shift = ""
    if row.is_on_call:
        shift = _html(
            format_html(
                '<div class="small">\n  <span class="badge text-bg-light border">{}</span>',
                row.slot_label,
            ),
            ' <span class="badge override-badge">override</span>' if row.overridden else "",
            "\n  ",
            _see_rotation(row, calendar_url),
            "\n</div>",
        )
    return _html(
        format_html('\n<span class="fw-semibold">{}</span>', person.display_name),
        email,
        "\n",
        shift,
        "\n\n",
    )


def slack_cell(row: ContactRow) -> SafeString:
    name = ""
    if row.slack:
        name = _html(slack_name(row.slack), GROUP if row.slack_is_group else "")
    if row.is_on_call:
        reach = OR_VIA_PAGERDUTY if row.slack else VIA_PAGERDUTY
    else:
        reach = "" if row.slack else "TBD"
    return _html("\n\n  ", name, "\n  ", reach, "\n\n")


def pagerduty_cell(row: ContactRow) -> SafeString:
    paged = '<span class="fw-semibold">Auto-paged</span>' if row.is_on_call else ""
    handle: str
    if row.pagerduty:
        handle = _html(
            "<div",
            ' class="small"' if row.is_on_call else "",
            format_html('><i class="bi bi-bell" aria-hidden="true"></i> {}', row.pagerduty),
            GROUP if row.pagerduty_is_group else "",
            "</div>",
        )
    else:
        handle = "" if row.is_on_call else "TBD"
    return _html("\n\n  ", paged, "\n  ", handle, "\n\n")


def phone_cell(row: ContactRow) -> SafeString:
    if row.phone:
        return _html(
            format_html(
                '<a class="text-nowrap" href="tel:{}">'
                '<i class="bi bi-telephone" aria-hidden="true"></i> {}</a>',
                row.phone_link,
                row.phone,
            ),
            OR_VIA_PAGERDUTY if row.is_on_call else "",
            "\n\n",
        )
    if row.is_on_call:
        return _html(VIA_PAGERDUTY, "\n\n")
    return _html("TBD\n")


def rotation_slot_row(slot: RotationSlot, *, current: bool, with_rotation: bool) -> str:
    """A row of the rotation table under the contacts: the slot, who holds each tier, and
    whether it is on call now (`current`); with the rotation's name when there are several."""
    now = ' <span class="badge text-bg-success">now</span>' if current else ""
    rotation = (
        format_html('<div class="small text-body-secondary">{}</div>', slot.rotation.name)
        if with_rotation
        else ""
    )
    secondary = (slot.secondary.display_name if slot.secondary is not None else "") or "—"
    return _html(
        "<tr",
        ' class="table-active"' if current else "",
        '>\n        <td data-label="Week">',
        format_html('<span class="fw-semibold">{}</span>', slot.label),
        now,
        rotation,
        "</td>\n",
        format_html('        <td data-label="Primary">{}</td>\n', slot.primary.display_name),
        format_html('        <td data-label="Secondary">{}</td>\n', secondary),
        "      </tr>",
    )


def rotation_slot_rows(
    slots: Sequence[tuple[RotationSlot, bool]], *, with_rotation: bool
) -> SafeString:
    """The rows of the rotation table: each slot, and whether it is on call now."""
    indent = "\n      "
    return _html(
        indent.join(
            rotation_slot_row(slot, current=current, with_rotation=with_rotation)
            for slot, current in slots
        )
    )
