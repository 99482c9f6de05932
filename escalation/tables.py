"""The ownership and contact tables (django-tables2): sortable, paginated, stacked on phones."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django_tables2.rows import BoundRow

from . import contact_cells, markup
from .models import Service
from .selectors.contacts import ContactRow
from .selectors.services import ServiceList
from .templatetags.directory_tags import AdminChangeUrls

TABLE_ATTRS = {
    "class": "table table-stack table-inline-labels align-middle mb-0",
    "thead": {"class": "table-light"},
}


def _td(label: str, **extra: Any) -> dict[str, Any]:
    return {"td": {"data-label": label, **extra}}


class ServiceTable(tables.Table):
    """Service, team, primary contact, Slack channel, and who is on call for it now."""

    name = tables.Column(verbose_name="Service", attrs=_td("Service"))
    team = tables.Column(verbose_name="Team", order_by=("team__name",), attrs=_td("Team"))
    primary_contact = tables.Column(
        verbose_name="Primary contact",
        order_by=("primary_contact__name",),
        empty_values=(),
        attrs=_td("Primary contact"),
    )
    slack_channel = tables.Column(
        verbose_name="Slack channel", empty_values=(), attrs=_td("Slack channel")
    )
    on_call = tables.Column(
        verbose_name="On call now", empty_values=(), orderable=False, attrs=_td("On call now")
    )

    class Meta:
        model = Service
        fields = ("name", "team", "primary_contact", "slack_channel", "on_call")
        attrs = TABLE_ATTRS
        empty_text = "No service matches."

    def __init__(self, *args: Any, directory: ServiceList, **kwargs: Any) -> None:
        self.directory = directory
        super().__init__(*args, **kwargs)

    def render_name(self, record: Service) -> SafeString:
        return _render("escalation/includes/_service_name_cell.html", {"service": record})

    def render_team(self, record: Service) -> str:
        return record.team.name

    def render_primary_contact(self, record: Service) -> SafeString:
        return _render("escalation/includes/_role_cell.html", {"role": record.primary_contact})

    def render_slack_channel(self, record: Service) -> SafeString:
        return _render(
            "escalation/includes/_slack_channel.html",
            {"channel": record.channel},
        )

    def render_on_call(self, record: Service) -> SafeString:
        return _render(
            "escalation/includes/_on_call_cell.html",
            {"answer": self.directory.on_call_for(record)},
        )


def _missing(record: ContactRow, value: str) -> bool:
    """A way to reach the row's holder is missing (an on-call position is paged anyway)."""
    return not value and not record.is_on_call


def _cell(label: str, tbd: bool, html: SafeString) -> SafeString:
    return markup.format_html(
        '<td data-label="{}" class="{}">{}</td>', label, "tbd" if tbd else "", html
    )


class ContactTable(tables.Table):
    """Role, name, Slack, PagerDuty, phone; TBD cells highlighted; an edit link for managers."""

    # Each row is written at once (`row_html`): the cells' attributes are set there.
    role = tables.Column(verbose_name="Role", empty_values=())
    name = tables.Column(verbose_name="Name", empty_values=())
    slack = tables.Column(verbose_name="Slack", empty_values=())
    pagerduty = tables.Column(verbose_name="PagerDuty", empty_values=())
    phone = tables.Column(verbose_name="Phone (emergency)", empty_values=())
    edit = tables.Column(verbose_name="Edit", empty_values=(), attrs={"th": {"class": "no-print"}})

    class Meta:
        attrs = TABLE_ATTRS
        orderable = False
        empty_text = "No contact matches."
        template_name = "escalation/includes/_contact_table.html"

    def __init__(self, *args: Any, show_edit: bool = False, **kwargs: Any) -> None:
        self.show_edit = show_edit
        self.calendar_url = reverse("escalation:calendar")
        self.admin_change_url = AdminChangeUrls()
        if not show_edit:
            kwargs["exclude"] = ("edit",)
        super().__init__(*args, **kwargs)

    def row_html(self, row: BoundRow) -> SafeString:
        """The row's `<tr>`, written at once: a page has up to a hundred rows of six cells, and
        django-tables2's own way (a template tag, attributes and a call per cell) cost most of
        the page's time at the large organisation. TBD cells are highlighted."""
        record = row.record
        cells = [
            markup.format_html('<td data-label="Role">{}</td>', self.render_role(record)),
            _cell("Name", record.is_tbd, self.render_name(record)),
            _cell("Slack", _missing(record, record.slack), self.render_slack(record)),
            _cell("PagerDuty", _missing(record, record.pagerduty), self.render_pagerduty(record)),
            _cell("Phone (emergency)", _missing(record, record.phone), self.render_phone(record)),
        ]
        if self.show_edit:
            cells.append(
                markup.format_html(
                    '<td data-label="Edit" class="no-print">{}</td>', self.render_edit(record)
                )
            )
        return markup.format_html("<tr {}>{}</tr>", row.attrs.as_html(), SafeString("".join(cells)))

    def render_role(self, record: ContactRow) -> SafeString:
        return contact_cells.role_cell(record)

    def render_name(self, record: ContactRow) -> SafeString:
        return contact_cells.name_cell(record, calendar_url=self.calendar_url)

    def render_slack(self, record: ContactRow) -> SafeString:
        return contact_cells.slack_cell(record)

    def render_pagerduty(self, record: ContactRow) -> SafeString:
        return contact_cells.pagerduty_cell(record)

    def render_phone(self, record: ContactRow) -> SafeString:
        return contact_cells.phone_cell(record)

    def render_edit(self, record: ContactRow) -> SafeString | str:
        url = self.admin_change_url(record.edit_object)
        if not url:
            return ""
        return markup.format_html(
            '<a class="btn btn-sm btn-outline-secondary" href="{}">'
            '<i class="bi bi-pencil" aria-hidden="true"></i> Edit'
            '<span class="visually-hidden"> {}</span></a>',
            url,
            record.label,
        )


def _render(template: str, context: dict[str, Any]) -> SafeString:
    return render_to_string(template, context)  # type: ignore[return-value]
