"""The fairness report page: its figures from the database, the form, the CSV and its cost."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from escalation import models
from escalation.forms import fairness as messages
from escalation.views.fairness import CSV_HEADER
from tests import factories
from tests.oncall_data import many_overrides, seed_rotation

pytestmark = pytest.mark.django_db

FAIRNESS = reverse("escalation:fairness")
# Session, user, viewer; then rotations, slots, overrides, swap requests, people.
REQUEST_QUERIES = 3
FAIRNESS_QUERIES = REQUEST_QUERIES + 5
# Two weeks of March 2026 in whole UTC days: [2 March 00:00, 16 March 00:00).
MARCH = {"period": "custom", "start": "2026-03-02", "end": "2026-03-15"}


@pytest.fixture
def seed():
    return seed_rotation()


@pytest.fixture
def march(seed):
    """Rosa covers Engineer A's primary from Saturday 14 March 09:00 to Sunday 09:00; A asked
    for one swap in the period and one after it; a reverted override counts for nothing."""
    rosa = factories.PersonFactory(display_name="Rosa Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=rosa,
        start=datetime(2026, 3, 14, 9, tzinfo=UTC),
        end=datetime(2026, 3, 15, 9, tzinfo=UTC),
    )
    factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.SECONDARY,
        person=rosa,
        start=datetime(2026, 3, 4, 9, tzinfo=UTC),
        end=datetime(2026, 3, 5, 9, tzinfo=UTC),
        reverted_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    for start in (datetime(2026, 3, 10, 9, tzinfo=UTC), datetime(2026, 4, 7, 9, tzinfo=UTC)):
        factories.SwapRequestFactory(
            rotation=seed.rotation, requester=seed.a, colleague=seed.c, start=start
        )
    return seed


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def table_row(html, name):
    """The figures of one person's table row, as text."""
    match = re.search(
        rf'<th scope="row">{re.escape(name)}(?: <span[^>]*>above the mean</span>)?</th>(.*?)</tr>',
        html,
        re.S,
    )
    assert match, name
    return re.findall(r'<td class="text-end" data-label="[^"]+">([^<]*)</td>', match[1])


# --- Access -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(FAIRNESS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anyone_logged_in_sees_the_report(viewer_client, march):
    response = viewer_client.get(FAIRNESS, MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Fairness report</h1>" in html
    assert "2 March 2026 to 15 March 2026" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="fairness-chart"' in html


def test_the_calendar_links_to_the_report_which_belongs_to_its_section(viewer_client, seed):
    calendar = reverse("escalation:calendar")
    html = viewer_client.get(calendar).content.decode()
    assert (
        f'href="{FAIRNESS}"><i class="bi bi-bar-chart-line" aria-hidden="true"></i> Fairness report'
        in html
    )
    report = viewer_client.get(FAIRNESS).content.decode()
    assert f'<a class="nav-link active" href="{calendar}" aria-current="page">' in report
    assert (
        f'href="{calendar}"><i class="bi bi-calendar-week" aria-hidden="true"></i> On-call calendar'
        in report
    )


# --- Figures ------------------------------------------------------------------------------


def test_the_table_shows_the_figures_computed_by_hand(viewer_client, march):
    html = viewer_client.get(FAIRNESS, MARCH).content.decode()
    # Columns: hours, shifts, weekend hours, overrides taken, given, swaps asked for.
    # A: 9 h of week 9 and 159 h of week 11, less Rosa's 24 h (Saturday 09:00 to Sunday 09:00).
    assert table_row(html, "Engineer A") == ["144", "2", "24", "0", "1", "1"]
    assert table_row(html, "Engineer B") == ["168", "2", "48", "0", "0", "0"]
    assert table_row(html, "Engineer C") == ["168", "1", "48", "0", "0", "0"]
    assert table_row(html, "Engineer D") == ["168", "1", "48", "0", "0", "0"]
    assert table_row(html, "Rosa Cover") == ["24", "1", "24", "1", "0", "0"]
    # (3 × 6/7 + 1/6 + 3 + 3 × 1/7) / 10 = 37/60.
    assert "<strong>0.62</strong>" in html
    assert "134.4 hours on call per person over 3 shifts" in html
    assert html.count("above the mean</span>") == 4  # A, B, C and D; not Rosa


def test_the_chart_draws_a_bar_per_person_with_the_same_hours(viewer_client, march):
    html = viewer_client.get(FAIRNESS, MARCH).content.decode()
    titles = re.findall(r"<g class=\"fairness-row[^\"]*\"><title>([^<]+)</title>", html)
    assert titles == [
        "Engineer A: 144 h on call, 24 h at weekends",
        "Engineer B: 168 h on call, 48 h at weekends",
        "Engineer C: 168 h on call, 48 h at weekends",
        "Engineer D: 168 h on call, 48 h at weekends",
        "Rosa Cover: 24 h on call, 24 h at weekends",
    ]
    assert html.count('<g class="fairness-row fairness-above">') == 4
    assert "mean 134.4 h" in html


def test_a_berlin_rotation_counts_167_hours_across_the_change_to_summer_time(viewer_client):
    seed = seed_rotation(time_zone="Europe/Berlin")
    response = viewer_client.get(
        FAIRNESS,
        {
            "rotation": seed.rotation.slug,
            "period": "custom",
            "start": "2026-03-30",
            "end": "2026-03-30",
        },
    )
    html = response.content.decode()
    # 30 March local day: 00:00 to 09:00 CEST is the end of week 13 (odd, A and B), from 09:00
    # to midnight week 14 (even, C and D). The local day holds 24 hours, not 23.
    assert table_row(html, "Engineer A")[0] == "9"
    assert table_row(html, "Engineer C")[0] == "15"
    week = viewer_client.get(
        FAIRNESS,
        {
            "rotation": seed.rotation.slug,
            "period": "custom",
            "start": "2026-03-23",
            "end": "2026-03-29",
        },
    )
    # Monday 23 March 00:00 CET to Monday 30 March 00:00 CEST: 167 hours in all.
    rows = {
        name: table_row(week.content.decode(), name)[0] for name in ("Engineer A", "Engineer C")
    }
    assert rows == {"Engineer A": "158", "Engineer C": "9"}


def test_week_53_and_week_1_both_fall_to_the_odd_weeks(viewer_client, seed):
    response = viewer_client.get(
        FAIRNESS, {"period": "custom", "start": "2026-12-21", "end": "2027-01-10"}
    )
    rows = csv_rows(
        viewer_client.get(
            FAIRNESS,
            {"period": "custom", "start": "2026-12-21", "end": "2027-01-10", "format": "csv"},
        )
    )
    html = response.content.decode()
    # From Monday 21 December 00:00 to Monday 11 January 00:00: 9 h of week 51 (odd), week 52
    # (even), week 53 (odd) and 159 h of 2027's week 1 (odd again: a repeat).
    assert table_row(html, "Engineer A")[:2] == [str(9 + 168 + 159), "3"]
    assert table_row(html, "Engineer C")[:2] == ["168", "1"]
    assert rows[1][:3] == ["Engineer A", "336", "3"]


@time_machine.travel(datetime(2026, 11, 30, 12, tzinfo=UTC), tick=False)
def test_the_default_period_is_this_quarter(viewer_client, seed):
    html = viewer_client.get(FAIRNESS).content.decode()
    assert "1 October 2026 to 31 December 2026" in html
    assert '<option value="this_quarter" selected>This quarter</option>' in html
    last_year = viewer_client.get(FAIRNESS, {"period": "last_year"}).content.decode()
    assert "1 January 2025 to 31 December 2025" in last_year


# --- The question -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"period": "custom", "end": "2026-03-15"}, "start", messages.CUSTOM_NEEDS_DATE),
        ({"period": "custom", "start": "2026-03-15"}, "end", messages.CUSTOM_NEEDS_DATE),
        (
            {"period": "custom", "start": "2026-03-15", "end": "2026-03-14"},
            "end",
            messages.END_BEFORE_START,
        ),
        (
            {"period": "custom", "start": "2020-01-01", "end": "2026-01-01"},
            "end",
            messages.PERIOD_TOO_LONG,
        ),
        (
            {"period": "custom", "start": "15/03/2026", "end": "2026-03-14"},
            "start",
            messages.DATE_INVALID,
        ),
        (
            {"period": "custom", "start": "1900-01-01", "end": "1900-01-02"},
            "start",
            messages.DATE_OUT_OF_RANGE,
        ),
        ({"period": "fortnight"}, "period", messages.PERIOD_INVALID),
    ],
)
def test_a_question_that_cannot_be_answered_says_why_beside_its_field(
    viewer_client, seed, query, field, message
):
    response = viewer_client.get(FAIRNESS, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<div class="invalid-feedback" id="fairness-{field}-error">{message}</div>' in html
    assert "fairness-chart" not in html.split("</form>")[1]
    # The form still offers the rotations; a CSV asked for the same question is not made.
    assert '<option value="on-call" selected>On-call rotation</option>' in html
    assert viewer_client.get(FAIRNESS, {**query, "format": "csv"})["Content-Type"].startswith(
        "text/html"
    )


def test_an_unknown_rotation_is_a_field_error(viewer_client, seed):
    response = viewer_client.get(FAIRNESS, {"rotation": "no-such"})
    assert response.status_code == 400
    expected = messages.ROTATION_UNKNOWN.format(value="no-such")
    assert (
        f'<div class="invalid-feedback" id="fairness-rotation-error">{expected}</div>'
        in response.content.decode()
    )


def test_without_rotations_the_page_says_so(viewer_client):
    response = viewer_client.get(FAIRNESS)
    assert response.status_code == 200
    assert "No on-call rotation yet." in response.content.decode()


# --- CSV and hostile names ----------------------------------------------------------------


def test_the_csv_has_the_table_and_neutralises_formulas(viewer_client, march):
    models.Person.objects.filter(display_name="Rosa Cover").update(
        display_name='=HYPERLINK("x"), "q"'
    )
    response = viewer_client.get(FAIRNESS, {**MARCH, "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="fairness-on-call-2026-03-02-2026-03-15.csv"'
    )
    assert (
        response.content.decode().splitlines()[-1]
        == '"\'=HYPERLINK(""x""), ""q""",24,1,24,1,0,0,no'
    )
    rows = csv_rows(response)
    assert rows[0] == CSV_HEADER
    assert rows[1] == ["Engineer A", "144", "2", "24", "0", "1", "1", "yes"]
    assert [row[0][0] for row in rows[1:]] == ["E", "E", "E", "E", "'"]


@pytest.mark.parametrize("start", ["+", "-", "@", "="])
def test_every_formula_start_is_quoted(viewer_client, seed, start):
    seed.a.display_name = f"{start}cmd"
    seed.a.save()
    rows = csv_rows(viewer_client.get(FAIRNESS, {**MARCH, "format": "csv"}))
    assert rows[1][0] == f"'{start}cmd"


def test_a_hostile_name_is_escaped_in_the_chart_and_the_table(viewer_client, seed):
    seed.a.display_name = '<script>alert(1)</script>"&\x07'
    seed.a.save()
    html = viewer_client.get(FAIRNESS, MARCH).content.decode()
    assert "<script>alert" not in html
    assert "\x07" not in html.split("<svg")[1].split("</svg>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;" in html.split("<svg")[1]
    assert '<th scope="row">&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;' in html


# --- Cost ---------------------------------------------------------------------------------


def test_the_query_count_is_the_same_at_the_seed_size_and_at_scale(
    viewer_client, seed, django_assert_num_queries
):
    year = {"period": "custom", "start": "2026-01-01", "end": "2026-12-31"}
    with django_assert_num_queries(FAIRNESS_QUERIES):
        small = viewer_client.get(FAIRNESS, year)
    many_overrides(seed.rotation, count=600, start=datetime(2026, 1, 5, tzinfo=UTC))
    for n in range(60):
        factories.SwapRequestFactory(
            rotation=seed.rotation,
            requester=seed.b,
            colleague=seed.d,
            start=datetime(2026, 2, 1, 9, tzinfo=UTC) + timedelta(days=3 * n),
        )
    for _ in range(20):
        seed_rotation(people_suffix=f" {_}", name=f"Other {_}", slug=f"other-{_}")
    with django_assert_num_queries(FAIRNESS_QUERIES):
        large = viewer_client.get(FAIRNESS, year)
    with django_assert_num_queries(FAIRNESS_QUERIES):
        viewer_client.get(FAIRNESS, {**year, "format": "csv"})
    assert small.status_code == large.status_code == 200
    assert table_row(large.content.decode(), "Engineer B")[5] == "60"
    assert "Busy Coverer of On-call rotation" in large.content.decode()
