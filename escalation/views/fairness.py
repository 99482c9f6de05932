"""The fairness report: who carried how much of a rotation over a period, as a chart, a table
and a CSV download of the table (`?format=csv`)."""

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from ..fairness_chart import Bar, render_fairness_chart
from ..forms.fairness import ROTATION_UNKNOWN, FairnessForm
from ..selectors.fairness import FairnessPage, fairness_page
from ..viewer import PortalRequest

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
CSV_HEADER = [
    "Person",
    "On-call hours",
    "Shifts",
    "Weekend hours",
    "Overrides taken",
    "Overrides given",
    "Swaps asked for",
    "Above the mean",
]
# A cell starting with one of these is a formula to a spreadsheet: a quote makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _hours(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _csv(page: FairnessPage) -> HttpResponse:
    assert page.rotation is not None
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in page.rows:
        figures = row.figures
        writer.writerow(
            [
                csv_text(row.name),
                _hours(figures.hours),
                figures.shifts,
                _hours(figures.weekend_hours),
                figures.overrides_taken,
                figures.overrides_given,
                figures.swaps_asked,
                "yes" if figures.above_mean else "no",
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type=CSV_CONTENT_TYPE)
    name = (
        f"fairness-{slugify(page.rotation.slug)}-{page.first_day:%Y-%m-%d}-{page.last_day:%Y-%m-%d}"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@require_safe
def fairness_view(request: PortalRequest) -> HttpResponse:
    today = timezone.localdate()
    form = FairnessForm(request.GET, today=today)
    valid = form.is_valid()
    asked = form.cleaned_data.get("rotation", "") if valid else ""
    page = fairness_page(rotation_slug=asked, days=form.days() if valid else None)
    if asked and page.rotation is None:
        form.add_error("rotation", ROTATION_UNKNOWN.format(value=asked))
    if page.report is not None and request.GET.get("format") == "csv":
        return _csv(page)
    chart = None
    if page.report is not None and page.rotation is not None:
        chart = render_fairness_chart(
            [
                Bar(row.name, row.figures.hours, row.figures.weekend_hours, row.figures.above_mean)
                for row in page.rows
            ],
            mean_hours=page.report.mean_hours,
            chart_id="fairness-chart",
            title=f"On-call hours per person, {page.rotation.name}",
        )
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "escalation/fairness.html",
        {
            "form": form,
            "page": page,
            "chart": chart,
            "csv_query": query.urlencode(),
            # A page of the Calendar section: the navigation has no room for a tenth section.
            "nav_section": "escalation:calendar",
        },
        status=200 if not form.errors else 400,
    )


urlpatterns = [path("oncall/fairness/", fairness_view, name="fairness")]
