"""The contact table's rows and the rotation table's rows as HTML, each row written at once.

A page of the contact table has up to a hundred rows of five or six cells, and the rotation
table a row per slot of every rotation: a template per cell, then a `format_html` per piece of a
cell, were most of the page's time at the large organisation. The markup is the one the cell
templates rendered, whitespace included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple, cast

from django.utils.safestring import SafeString
from phonenumber_field.phonenumber import PhoneNumber

from .markup import escape
from .models import Rotation
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


class EditPages(NamedTuple):
    """The admin page of a role, and of a rotation, by its key ("" where there is none)."""

    role: Callable[[int], str]
    rotation: Callable[[int], str]


class ContactRowWriter:
    """Writes the contact table's rows: role, name, Slack, PagerDuty, phone, and for managers
    an edit link. A way to reach the row's holder that is missing is TBD, highlighted (an
    on-call position is paged anyway: PagerDuty reaches it).

    What an on-call row shares with the other tier's (its label, its rotation and shift, the
    rotation's edit link) is written once for both."""

    def __init__(
        self,
        *,
        calendar_url: str,
        edit: EditPages | None = None,
    ) -> None:
        """`calendar_url`: the calendar's address; `edit`: where a manager edits a row's role or
        rotation (None: no edit cell)."""
        self._calendar_url = escape(calendar_url)
        self._edit = edit
        self._labels: dict[str, str] = {}
        self._positions: dict[tuple[int, str], _Position] = {}

    def rows(self, records: Sequence[ContactRow]) -> SafeString:
        """Each record's `<tr>`, marked "even" and "odd" in turn as django-tables2 marks them."""
        row = self.row
        return SafeString(
            "\n".join(row(record, "odd" if n % 2 else "even") for n, record in enumerate(records))
        )

    def row(self, record: ContactRow, parity: str) -> str:
        label, person, role, rotation, slot_label, overridden = record
        position = None
        if rotation is not None:
            label_html = self._labels.get(label)
            if label_html is None:
                label_html = self._labels[label] = escape(label)
            position = self._positions.get((rotation.pk, slot_label))
            if position is None:
                position = self._position(rotation, slot_label)
            under = position.rotation
            edit_href = position.edit_href
        else:
            label_html = escape(label)
            team = role.team_name if role is not None else None
            under = ""
            if team is not None:
                under = f'<div class="small text-body-secondary">{escape(team)}</div>'
            edit_href = ""
            if self._edit is not None and role is not None:
                edit_href = escape(self._edit.role(role.pk))

        if person is None:
            name_cell = '<td data-label="Name" class="tbd">' + (
                f"\nTBD: nobody on call · {position.see}\n\n" if position else "TBD\n"
            )
            slack = role.slack_alias if role is not None else ""
            slack_is_group = bool(slack)
            pagerduty = role.pagerduty_alias if role is not None else ""
            pagerduty_is_group = bool(pagerduty)
            phone = None
        else:
            name = escape(person.display_name)
            email = person.email
            if email:
                email = (
                    f' <a class="small" href="mailto:{escape(email)}" title="Email {name}">'
                    '<i class="bi bi-envelope" aria-hidden="true"></i> Email'
                    f'<span class="visually-hidden"> {name}</span></a>'
                )
            shift = ""
            if position is not None:
                shift = (
                    f"{position.shift}{OVERRIDE if overridden else ''}\n  {position.see}\n</div>"
                )
            name_cell = (
                f'<td data-label="Name" class="">\n<span class="fw-semibold">{name}</span>{email}'
                f"\n{shift}\n\n"
            )
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
            # Read from the database: a number, or "" without one.
            phone = cast("PhoneNumber | None", person.phone or None)

        if slack:
            slack_cell = (
                f'<td data-label="Slack" class="">\n\n  {slack_name_html(slack)}'
                f"{GROUP if slack_is_group else ''}\n  {OR_VIA_PAGERDUTY if position else ''}\n\n"
            )
        elif position is not None:
            slack_cell = f'<td data-label="Slack" class="">\n\n  \n  {VIA_PAGERDUTY}\n\n'
        else:
            slack_cell = '<td data-label="Slack" class="tbd">\n\n  \n  TBD\n\n'

        if pagerduty:
            pagerduty_cell = (
                f'<td data-label="PagerDuty" class="">\n\n  {AUTO_PAGED if position else ""}'
                f'\n  <div{SMALL if position else ""}><i class="bi bi-bell" aria-hidden="true">'
                f"</i> {escape(pagerduty)}{GROUP if pagerduty_is_group else ''}</div>\n\n"
            )
        elif position is not None:
            pagerduty_cell = f'<td data-label="PagerDuty" class="">\n\n  {AUTO_PAGED}\n  \n\n'
        else:
            pagerduty_cell = '<td data-label="PagerDuty" class="tbd">\n\n  \n  TBD\n\n'

        if phone is not None:
            phone_cell = (
                '<td data-label="Phone (emergency)" class=""><a class="text-nowrap" '
                f'href="tel:{escape(phone.as_e164)}"><i class="bi bi-telephone" '
                f'aria-hidden="true"></i> {escape(phone.as_international)}</a>'
                f"{OR_VIA_PAGERDUTY if position else ''}\n\n"
            )
        elif position is not None:
            phone_cell = f'<td data-label="Phone (emergency)" class="">{VIA_PAGERDUTY}\n\n'
        else:
            phone_cell = '<td data-label="Phone (emergency)" class="tbd">TBD\n'

        edit_cell = ""
        if self._edit is not None:
            edit_cell = '</td><td data-label="Edit" class="no-print">'
            if edit_href:
                edit_cell += (
                    f'<a class="btn btn-sm btn-outline-secondary" href="{edit_href}">'
                    '<i class="bi bi-pencil" aria-hidden="true"></i> Edit'
                    f'<span class="visually-hidden"> {label_html}</span></a>'
                )
        return (
            f'<tr class="{parity}"><td data-label="Role"><div class="fw-semibold">{label_html}'
            f"</div>\n{under}\n</td>{name_cell}</td>{slack_cell}</td>{pagerduty_cell}</td>"
            f"{phone_cell}{edit_cell}</td></tr>"
        )

    def _position(self, rotation: Rotation, slot_label: str) -> _Position:
        """The pieces of an on-call row that are its rotation's and shift's."""
        edit_href = ""
        if self._edit is not None:
            edit_href = escape(self._edit.rotation(rotation.pk))
        position = self._positions[rotation.pk, slot_label] = _Position(
            rotation=f'<div class="small text-body-secondary">{escape(rotation.name)}</div>\n',
            shift=(
                '<div class="small">\n  <span class="badge text-bg-light border">'
                f"{escape(slot_label)}</span>"
            ),
            see=(
                f'<a class="no-print-url" href="{self._calendar_url}#calendar-'
                f'{escape(rotation.slug)}">See rotation</a>'
            ),
            edit_href=edit_href,
        )
        return position


class _Position(NamedTuple):
    """An on-call row's pieces that are its rotation's and shift's, as HTML: the rotation's
    name, the shift's badge (its `<div>` left open), the link to the rotation in the calendar,
    and the rotation's admin page ("" without)."""

    rotation: str
    shift: str
    see: str
    edit_href: str


def rotation_table_rows(rows: Sequence[RotationTableRow], *, with_rotation: bool) -> SafeString:
    """The rows of the rotation table under the contacts: each slot (with its rotation's name,
    when there are several rotations), who holds each tier, and whether it is on call now.

    Labels ("Odd weeks") and people recur from slot to slot: each is escaped once."""
    escaped: dict[str, str] = {}

    def html(text: str) -> str:
        known = escaped.get(text)
        if known is None:
            known = escaped[text] = escape(text)
        return known

    written = []
    rotation, named = "", None
    for label, rotation_name, primary, secondary, current in rows:
        if with_rotation and rotation_name != named:
            named = rotation_name
            rotation = f'<div class="small text-body-secondary">{escape(rotation_name)}</div>'
        written.append(
            f"<tr{TABLE_ACTIVE if current else ''}>\n"
            f'        <td data-label="Week"><span class="fw-semibold">{html(label)}</span>'
            f"{NOW if current else ''}{rotation}</td>\n"
            f'        <td data-label="Primary">{html(primary)}</td>\n'
            f'        <td data-label="Secondary">{html(secondary) if secondary else "—"}</td>\n'
            "      </tr>"
        )
    return SafeString("\n      ".join(written))
