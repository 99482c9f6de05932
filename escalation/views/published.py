"""The published pages: severity matrix, services and the service sheet, escalation paths,
contacts, channels and the paging guide. Thin: parse, call one selector, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.data import TableListData

from ..cache import render_cached
from ..contact_cells import rotation_table_rows
from ..filters import ContactFilter, ServiceFilter
from ..forms.questions import ServiceSheetForm
from ..selectors.channels import channels, paging_rules
from ..selectors.contacts import contacts
from ..selectors.paths import escalation_path, escalation_paths
from ..selectors.services import service_list, service_sheet
from ..selectors.severity import severity_matrix
from ..tables import ContactTable, ServiceTable
from ..validity import ALWAYS, Validity
from ..viewer import PortalRequest

SERVICES_PER_PAGE = 25
CONTACTS_PER_PAGE = 100
SERVICE_SORTS = [
    ("", "Document order"),
    ("name", "Service"),
    ("team", "Team"),
    ("primary_contact", "Primary contact"),
    ("slack_channel", "Slack channel"),
]


@require_safe
def severity_view(request: PortalRequest) -> HttpResponse:
    at = timezone.now()

    def build() -> tuple[dict[str, Any], Validity]:
        matrix = severity_matrix(at=at)
        return {"matrix": matrix}, matrix.validity

    return render_cached(request, "escalation/severity.html", build, at=at)


class TableView(SingleTableMixin, FilterView):  # type: ignore[misc]
    """A table page: searched, sorted and paginated."""

    http_method_names = ["get", "head"]
    #: The `?sort=` values the page offers; any other (a stale bookmark, a hand-edited address)
    #: means document order, and never reaches the table as an accessor.
    sortable: frozenset[str] = frozenset()

    def get(self, request: PortalRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sort = request.GET.get("sort")
        if sort is not None and sort.removeprefix("-") not in self.sortable:
            query = request.GET.copy()
            query.pop("sort", None)
            query._mutable = False
            request.GET = query  # type: ignore[assignment]
        self.at = timezone.now()

        def build() -> tuple[dict[str, Any], Validity]:
            response = super(TableView, self).get(request, *args, **kwargs)
            return response.context_data, self.validity()

        # Cached whole, like the other published pages; the table's own links and forms are
        # GET (search, sort, pages), so the content holds nothing of the viewer's session.
        return render_cached(request, self.template_name, build, at=self.at)

    def validity(self) -> Validity:
        """How long the page built by `get` holds."""
        raise NotImplementedError


class ServiceListView(TableView):
    template_name = "escalation/services.html"
    table_class = ServiceTable
    filterset_class = ServiceFilter
    table_pagination = {"per_page": SERVICES_PER_PAGE}
    sortable = frozenset(value for value, _ in SERVICE_SORTS if value)

    def get_queryset(self) -> Any:
        self.directory = service_list(at=self.at)
        return self.directory.services

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"directory": self.directory}

    def validity(self) -> Validity:
        return self.directory.validity

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Who is on call, for the rows of the page shown only.
        self.directory.show(row.record for row in context["table"].paginated_rows)
        # Phones hide the sortable table header (the table stacks into cards): a select instead.
        return {**context, "sort_choices": SERVICE_SORTS}


@require_safe
def service_detail_view(request: PortalRequest, slug: str) -> HttpResponse:
    now = timezone.now()

    def build() -> tuple[dict[str, Any], Validity]:
        form = ServiceSheetForm(request.GET or None)
        # A time typed in is a wall-clock time in the viewer's zone, like the times it shows.
        started_at = form.started_at(now=now, time_zone=timezone.get_current_timezone_name())
        sheet = service_sheet(
            service_slug=slug,
            severity_level=form.severity_level(),
            path_kind=form.path_kind(),
            started_at=started_at,
            at=now,
        )
        form.check_severity([severity.level for severity in sheet.severities])
        return {"sheet": sheet, "form": form}, sheet.validity

    return render_cached(
        request,
        "escalation/service_detail.html",
        build,
        at=now,
        context={"nav_section": "escalation:services"},
        title=lambda built: f"{built['sheet'].service.name}: who do I contact?",
    )


@require_safe
def paths_view(request: PortalRequest) -> HttpResponse:
    at = timezone.now()

    def build() -> tuple[dict[str, Any], Validity]:
        page = escalation_paths(at=at)
        return {"paths": page.paths}, page.validity

    return render_cached(request, "escalation/paths.html", build, at=at)


@require_safe
def path_detail_view(request: PortalRequest, slug: str) -> HttpResponse:
    at = timezone.now()

    def build() -> tuple[dict[str, Any], Validity]:
        path_view = escalation_path(slug=slug, at=at)
        return {"path": path_view}, path_view.validity

    return render_cached(
        request,
        "escalation/path_detail.html",
        build,
        at=at,
        context={"nav_section": "escalation:paths"},
        title=lambda built: built["path"].path.name,
    )


class ContactListView(TableView):
    template_name = "escalation/contacts.html"
    table_class = ContactTable
    filterset_class = ContactFilter
    table_pagination = {"per_page": CONTACTS_PER_PAGE}

    def get_queryset(self) -> Any:
        self.directory = contacts(at=self.at, for_manager=self.request.viewer.is_manager)
        return self.directory.roles

    def get_table_data(self) -> Any:
        team = None
        if self.filterset.is_bound and self.filterset.is_valid():
            team = self.filterset.form.cleaned_data.get("team")
        rows = self.directory.rows(self.object_list, team=team, shown=self._page_shown())
        # As it is: django-tables2 would make a list of any other sequence, reading every role.
        return TableListData(rows)

    def _page_shown(self) -> slice:
        """The rows of the page asked for (the first page when the number is not one)."""
        text = self.request.GET.get("page", "1")
        page = int(text) if text.isascii() and text.isdigit() and len(text) < 9 else 1
        page = max(page, 1)
        return slice((page - 1) * CONTACTS_PER_PAGE, page * CONTACTS_PER_PAGE)

    def get_table_kwargs(self) -> dict[str, Any]:
        return {"show_edit": self.request.viewer.is_manager}

    def validity(self) -> Validity:
        return self.directory.validity

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["completeness"] = self.directory.completeness
        rotations = self.directory.rotations
        context["directory_rotations"] = rotations
        context["rotation_table_rows"] = rotation_table_rows(
            self.directory.rotation_table, with_rotation=len(rotations) > 1
        )
        return context


@require_safe
def channels_view(request: PortalRequest) -> HttpResponse:
    # Who posts where changes only with the data: cached until the next write.
    return render_cached(
        request,
        "escalation/channels.html",
        lambda: ({"directory": channels()}, ALWAYS),
        at=timezone.now(),
    )


@require_safe
def paging_view(request: PortalRequest) -> HttpResponse:
    at = timezone.now()

    def build() -> tuple[dict[str, Any], Validity]:
        guide = paging_rules(at=at)
        return {"guide": guide}, guide.validity

    return render_cached(request, "escalation/paging.html", build, at=at)


urlpatterns = [
    path("severity/", severity_view, name="severity"),
    path("services/", ServiceListView.as_view(), name="services"),
    path("services/<slug:slug>/", service_detail_view, name="service_detail"),
    path("escalation/", paths_view, name="paths"),
    path("escalation/<slug:slug>/", path_detail_view, name="path_detail"),
    path("contacts/", ContactListView.as_view(), name="contacts"),
    path("channels/", channels_view, name="channels"),
    path("paging/", paging_view, name="paging"),
]
