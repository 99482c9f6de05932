"""The 3 a.m. path: “Incident? Start here” (service, then severity, then the sheet) and the
general sheet for a service that is not listed. Thin: parse, call one selector, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..cache import render_cached
from ..forms.questions import ServiceSheetForm
from ..selectors.incident import incident_start
from ..selectors.services import general_sheet
from ..validity import ALWAYS, Validity
from ..viewer import PortalRequest


@require_safe
def incident_start_view(request: PortalRequest) -> HttpResponse:
    start = incident_start(
        find=request.GET.get("q", ""),
        service_slug=request.GET.get("service", ""),
        not_listed=request.GET.get("not_listed") == "1",
    )
    return render(
        request,
        "escalation/incident.html",
        {"start": start, "nav_section": "escalation:incident"},
    )


@require_safe
def general_sheet_view(request: PortalRequest) -> HttpResponse:
    now = timezone.now()

    def build() -> tuple[dict[str, Any], Validity]:
        form = ServiceSheetForm(request.GET or None)
        # A time typed in is a wall-clock time in the viewer's zone, like the times it shows.
        started_at = form.started_at(now=now, time_zone=timezone.get_current_timezone_name())
        sheet = general_sheet(severity_level=form.severity_level(), started_at=started_at, at=now)
        if sheet is None:
            return {"sheet": None, "form": form}, ALWAYS
        form.check_severity([severity.level for severity in sheet.severities])
        return {"sheet": sheet, "form": form}, sheet.validity

    return render_cached(
        request,
        "escalation/incident_general.html",
        build,
        at=now,
        context={"nav_section": "escalation:incident"},
    )


urlpatterns = [
    path("incident/", incident_start_view, name="incident"),
    path("incident/general/", general_sheet_view, name="incident_general"),
]
