"""The ownership and contact tables (django-tables2): sortable, paginated, stacked on phones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_tables2 as tables
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString
from django_tables2.rows import BoundRow

from . import contact_cells, markup, service_cells
from .links import address_of
from .markup import escape
from .models import Role, Rotation, Service
from .selectors.services import ServiceList

TABLE_ATTRS = {
    "class": "table table-stack table-inline-labels align-middle mb-0",
    "thead": {"class": "table-light"},
}


#: django-tables2's responsive Bootstrap table, each row written by the table's `row_html`.
ROW_HTML_TABLE = "escalation/includes/_row_html_table.html"


class ServiceTable(tables.Table):
    """Service, team, primary contact, Slack channel, and who is on call for it now."""

    # Each row is written at once (`row_html`): the cells' attributes are set there.
    name = tables.Column(verbose_name="Service")
    team = tables.Column(verbose_name="Team", order_by=("team__name",))
    primary_contact = tables.Column(
        verbose_name="Primary contact", order_by=("primary_contact__name",), empty_values=()
    )
    slack_channel = tables.Column(verbose_name="Slack channel", empty_values=())
    on_call = tables.Column(verbose_name="On call now", empty_values=(), orderable=False)

    class Meta:
        model = Service
        fields = ("name", "team", "primary_contact", "slack_channel", "on_call")
        attrs = TABLE_ATTRS
        empty_text = "No service matches."
        template_name = ROW_HTML_TABLE

    def __init__(self, *args: Any, directory: ServiceList, **kwargs: Any) -> None:
        self.directory = directory
        self.sheet_url = address_of("escalation:service_detail")
        self.calendar_url = reverse("escalation:calendar")
        super().__init__(*args, **kwargs)

    def row_html(self, row: BoundRow) -> SafeString:
        """The row's `<tr>`, written at once (`escalation.service_cells`)."""
        service: Service = row.record
        cells = (
            ("Service", service_cells.name_cell(service.name, self.sheet_url(service.slug))),
            ("Team", escape(service.team.name)),
            ("Primary contact", service_cells.role_cell(service.primary_contact)),
            ("Slack channel", service_cells.slack_cell(service.channel)),
            (
                "On call now",
                service_cells.on_call_cell(self.directory.on_call_for(service), self.calendar_url),
            ),
        )
        html = "".join(f'<td data-label="{label}">{cell}</td>' for label, cell in cells)
        return markup.format_html("<tr {}>{}</tr>", row.attrs.as_html(), SafeString(html))


def _admin_page(model: type[Model]) -> Callable[[int], str]:
    """The admin page of a `model` row by its key: `admin_change_url`'s, its address found
    once per table."""
    meta = model._meta
    page = address_of(f"admin:{meta.app_label}_{meta.model_name}_change")

    def address(key: int) -> str:
        try:
            return page(key)
        except NoReverseMatch:
            return ""

    return address


#: The contact table's template: django-tables2's responsive Bootstrap table, its body written
#: at once by the table (`ContactTable.body_html`).
CONTACT_TABLE = "escalation/includes/_contact_table.html"


class ContactTable(tables.Table):
    """Role, name, Slack, PagerDuty, phone; TBD cells highlighted; an edit link for managers."""

    # The rows are written at once (`body_html`): the columns give the header alone.
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
        template_name = CONTACT_TABLE

    def __init__(self, *args: Any, show_edit: bool = False, **kwargs: Any) -> None:
        self.show_edit = show_edit
        if not show_edit:
            kwargs["exclude"] = ("edit",)
        super().__init__(*args, **kwargs)

    def body_html(self) -> SafeString:
        """The rows of the page shown, written at once (`contact_cells.ContactRowWriter`): a
        page has up to a hundred rows of six cells, and django-tables2's own way (a row object,
        a template tag, attributes and a call per cell) cost most of the page's time at the
        large organisation. Without rows, the table's empty text."""
        shown = self.page.object_list if hasattr(self, "page") else self.rows
        records = shown.data
        if not len(records):
            return markup.format_html(
                '<tr><td colspan="{}">{}</td></tr>', len(self.columns), self.empty_text
            )
        writer = contact_cells.ContactRowWriter(
            calendar_url=reverse("escalation:calendar"),
            edit=contact_cells.EditPages(_admin_page(Role), _admin_page(Rotation))
            if self.show_edit
            else None,
        )
        return writer.rows(records)
