"""The contact table's rows and the rotation table's rows as HTML, each row written at once.

A page of the contact table has up to a hundred rows of five or six cells, and the rotation
table a row per slot of every rotation: a template per cell, then a `format_html` per piece of a
cell, were most of the page's time at the large organisation. The markup is the one the cell
templates rendered, whitespace included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import Model
from django.utils.safestring import SafeString

from .markup import escape
from .models import RotationSlot
from .party_cells import slack_name_html
from .selectors.contacts import ContactRow, RotationTableRow

VIA_PAGERDUTY = '<span class="text-body-secondary">Via PagerDuty</span>'
OR_VIA_PAGERDUTY = '<div class="small text-body-secondary">or via PagerDuty</div>'
GROUP = ' <span class="small text-body-secondary">group</span>'
AUTO_PAGED = '<span class="fw-semibold">Auto-paged</span>'
OVERRIDE = ' <span class="badge override-badge">override</span>'
SMALL = ' class="small"'
TABLE_ACTIVE = ' class="table-active"'
NOW = ' <span class="badge text-bg-success">now</span>'


class ContactRowWriter:
    """Writes the contact table's rows: role, name, Slack, PagerDuty, phone, and for managers
    an edit link. A way to reach the row's holder that is missing is TBD, highlighted (an
    on-call position is paged anyway: PagerDuty reaches it)."""

    def __init__(
        self, *, calendar_url: str, edit_url: Callable[[Model | None], str] | None = None
    ) -> None:
        """`calendar_url`: the calendar's address; `edit_url`: the admin page of a row's role
        or rotation, for a manager (None: no edit cell)."""
        self._calendar_url = escape(calendar_url)
        self._edit_url = edit_url

    def rows(self, records: Sequence[ContactRow]) -> SafeString:
        """Each record's `<tr>`, marked "even" and "odd" in turn as django-tables2 marks them."""
        row = self.row
        return SafeString(
            "\n".join(row(record, "odd" if n % 2 else "even") for n, record in enumerate(records))
        )

    def row(self, record: ContactRow, parity: str) -> str:
        label, person, role, rotation, slot_label, overridden = record
        on_call = rotation is not None
        parts = [
            f'<tr class="{parity}"><td data-label="Role"><div class="fw-semibold">{escape(label)}'
            "</div>\n"
        ]
        if rotation is not None:
            parts.append(f'<div class="small text-body-secondary">{escape(rotation.name)}</div>\n')
        elif role is not None and role.team:
            parts.append(f'<div class="small text-body-secondary">{escape(role.team.name)}</div>')

        # Name
        if person is None:
            parts.append('\n</td><td data-label="Name" class="tbd">')
            if rotation is not None:
                parts.append(f"\nTBD: nobody on call · {self._see_rotation(rotation.slug)}\n\n")
            else:
                parts.append("TBD\n")
            slack = role.slack_alias if role is not None else ""
            slack_is_group = bool(slack)
            pagerduty = role.pagerduty_alias if role is not None else ""
            pagerduty_is_group = bool(pagerduty)
            phone = None
        else:
            name = escape(person.display_name)
            parts.append(
                f'\n</td><td data-label="Name" class="">\n<span class="fw-semibold">{name}</span>'
            )
            if person.email:
                parts.append(
                    f' <a class="small" href="mailto:{escape(person.email)}" title="Email {name}">'
                    '<i class="bi bi-envelope" aria-hidden="true"></i> Email'
                    f'<span class="visually-hidden"> {name}</span></a>'
                )
            parts.append("\n")
            if rotation is not None:
                parts.append(
                    '<div class="small">\n  <span class="badge text-bg-light border">'
                    f"{escape(slot_label)}</span>{OVERRIDE if overridden else ''}\n  "
                    f"{self._see_rotation(rotation.slug)}\n</div>"
                )
            parts.append("\n\n")
            slack = person.slack_handle
            slack_is_group = False
            if not slack:
                slack = role.slack_alias if role is not None else ""
                slack_is_group = bool(slack)
            pagerduty = person.pagerduty_handle
            pagerduty_is_group = False
            if not pagerduty:
                pagerduty = role.pagerduty_alias if role is not None else ""
                pagerduty_is_group = bool(pagerduty)
            phone = person.phone or None

        # Slack
        if slack:
            reach = OR_VIA_PAGERDUTY if on_call else ""
            parts.append(
                f'</td><td data-label="Slack" class="">\n\n  {slack_name_html(slack)}'
                f"{GROUP if slack_is_group else ''}\n  {reach}\n\n"
            )
        elif on_call:
            parts.append(f'</td><td data-label="Slack" class="">\n\n  \n  {VIA_PAGERDUTY}\n\n')
        else:
            parts.append('</td><td data-label="Slack" class="tbd">\n\n  \n  TBD\n\n')

        # PagerDuty
        if pagerduty:
            parts.append(
                f'</td><td data-label="PagerDuty" class="">\n\n  {AUTO_PAGED if on_call else ""}'
                f'\n  <div{SMALL if on_call else ""}><i class="bi bi-bell" '
                f'aria-hidden="true"></i> {escape(pagerduty)}{GROUP if pagerduty_is_group else ""}'
                "</div>\n\n"
            )
        elif on_call:
            parts.append(f'</td><td data-label="PagerDuty" class="">\n\n  {AUTO_PAGED}\n  \n\n')
        else:
            parts.append('</td><td data-label="PagerDuty" class="tbd">\n\n  \n  TBD\n\n')

        # Phone
        if phone is not None:
            parts.append(
                '</td><td data-label="Phone (emergency)" class=""><a class="text-nowrap" '
                f'href="tel:{escape(phone.as_e164)}"><i class="bi bi-telephone" '
                f'aria-hidden="true"></i> {escape(phone.as_international)}</a>'
                f"{OR_VIA_PAGERDUTY if on_call else ''}\n\n"
            )
        elif on_call:
            parts.append(f'</td><td data-label="Phone (emergency)" class="">{VIA_PAGERDUTY}\n\n')
        else:
            parts.append('</td><td data-label="Phone (emergency)" class="tbd">TBD\n')

        if self._edit_url is not None:
            parts.append('</td><td data-label="Edit" class="no-print">')
            url = self._edit_url(role or rotation)
            if url:
                parts.append(
                    f'<a class="btn btn-sm btn-outline-secondary" href="{escape(url)}">'
                    '<i class="bi bi-pencil" aria-hidden="true"></i> Edit'
                    f'<span class="visually-hidden"> {escape(label)}</span></a>'
                )
        parts.append("</td></tr>")
        return "".join(parts)

    def _see_rotation(self, slug: str) -> str:
        return (
            f'<a class="no-print-url" href="{self._calendar_url}#calendar-{escape(slug)}">'
            "See rotation</a>"
        )


def rotation_table_rows(rows: Sequence[RotationTableRow], *, with_rotation: bool) -> SafeString:
    """The rows of the rotation table under the contacts: each slot (with its rotation's name,
    when there are several rotations), who holds each tier, and whether it is on call now."""
    written = []
    for label, rotation_name, primary, secondary, current in rows:
        rotation = (
            f'<div class="small text-body-secondary">{escape(rotation_name)}</div>'
            if with_rotation
            else ""
        )
        written.append(
            f"<tr{TABLE_ACTIVE if current else ''}>\n"
            f'        <td data-label="Week"><span class="fw-semibold">{escape(label)}</span>'
            f"{NOW if current else ''}{rotation}"
            "</td>\n"
            f'        <td data-label="Primary">{escape(primary)}</td>\n'
            f'        <td data-label="Secondary">{escape(secondary or "—")}</td>\n'
            "      </tr>"
        )
    return SafeString("\n      ".join(written))


def rotation_slot_rows(
    slots: Sequence[tuple[RotationSlot, bool]], *, with_rotation: bool
) -> SafeString:
    """`rotation_table_rows` for slots as models, each with whether it is on call now."""
    return rotation_table_rows(
        [
            RotationTableRow(
                slot.label,
                slot.rotation.name,
                slot.primary.display_name,
                slot.secondary.display_name if slot.secondary is not None else "",
                current,
            )
            for slot, current in slots
        ],
        with_rotation=with_rotation,
    )
