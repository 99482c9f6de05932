"""The calendar's rows, written in Python (`escalation.calendar_cells`): escaped as the template
escaped them, the clash markup the shared include writes, and a page that reads and renders per
rotation shown, not per week or per rotation in the company."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalation import models
from escalation.availability import Away, Clash
from escalation.calendar_cells import CellTexts, clash_html
from escalation.rotation import Assignment, Tier
from escalation.selectors.time_off import ClashMark
from tests import factories
from tests.helpers import instances_built
from tests.oncall_data import THURSDAY_EVEN_WEEK, seed_rotation

pytestmark = pytest.mark.django_db

CALENDAR = reverse("escalation:calendar")
HOSTILE = "</td><script>alert(1)</script>\"&<>' 🚨"
ESCAPED = "&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&lt;&gt;&#x27; 🚨"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False) as traveller:
        yield traveller


def rows_html(html: str) -> str:
    return html[html.index("<tbody>") : html.rindex("</tbody>")]


def test_names_labels_and_time_off_in_the_rows_are_escaped(manager_client):
    seed = seed_rotation(name=f"Ops {HOSTILE}")
    seed.rotation.slots.filter(label="Odd weeks").update(label=f"Odd {HOSTILE}")
    seed.a.display_name = f"A {HOSTILE}"
    seed.a.country = "GB"
    seed.a.save()
    cover = factories.PersonFactory(display_name=f"Cover {HOSTILE}")
    factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.SECONDARY,
        person=cover,
        start=datetime(2026, 12, 1, 9, tzinfo=UTC),
        end=datetime(2026, 12, 2, 9, tzinfo=UTC),
    )
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=cover,
        start=datetime(2026, 12, 14, 9, tzinfo=UTC),
        end=datetime(2026, 12, 21, 9, tzinfo=UTC),
    )
    factories.TimeOffFactory(
        person=seed.a,
        start=datetime(2026, 12, 1, tzinfo=UTC),
        end=datetime(2026, 12, 3, tzinfo=UTC),
    )

    html = manager_client.get(CALENDAR, {"weeks": "8"}).content.decode()
    rows = rows_html(html)

    assert "<script>" not in html
    assert f"<strong>A {ESCAPED}</strong> (primary) is away: vacation" in rows
    assert f'<td data-label="Slot" class="text-nowrap">Odd {ESCAPED}</td>' in rows
    assert f"<strong>Cover {ESCAPED}</strong> covering for Engineer B, " in rows
    assert f'<span class="badge override-badge">Cover {ESCAPED} covers</span>' in rows
    assert f"Public holidays for A {ESCAPED}: Boxing Day (observed)" in rows
    [link] = re.findall(r'class="oncall-ask-cover no-print" href="([^"]+)"', rows)
    assert "&amp;" in link and "&" not in link.replace("&amp;", "")
    assert unescape(link).startswith(reverse("escalation:swap_new") + "?kind=cover&")


@pytest.mark.parametrize(
    ("viewer_is_manager", "viewer_pk", "asks"),
    [(True, None, True), (False, 7, True), (False, 8, False), (False, None, False)],
)
@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Australia/Lord_Howe"])
def test_a_clash_is_written_as_the_shared_clash_include_writes_it(
    viewer_is_manager, viewer_pk, asks, zone
):
    person = factories.PersonFactory.build(pk=7, display_name=f"Ann {HOSTILE}")
    rotation = factories.RotationFactory.build(pk=3, name=f"Ops {HOSTILE}")
    start, end = datetime(2026, 3, 7, 9, tzinfo=UTC), datetime(2026, 3, 14, 9, tzinfo=UTC)
    stretch = Assignment(Tier.SECONDARY, 7, start, end)
    away = Away(person=7, start=start + timedelta(days=1, seconds=30), end=end + timedelta(days=2))
    mark = ClashMark(
        rotation=rotation,
        clash=Clash(shift=None, stretch=stretch, away=away, start=away.start, end=end),
        person=person,
    )
    request = SimpleNamespace(viewer=SimpleNamespace(person=SimpleNamespace(pk=viewer_pk)))
    swap_url = reverse("escalation:swap_new")

    with timezone.override(ZoneInfo(zone)):
        for show_rotation in (False, True):
            template = render_to_string(
                "includes/_clash.html",
                {
                    "mark": mark,
                    "request": request,
                    "viewer_is_manager": viewer_is_manager,
                    "show_rotation": show_rotation,
                },
            )
            written = clash_html(
                mark,
                CellTexts(ZoneInfo(zone)),
                cover_url=swap_url if asks else None,
                show_rotation=show_rotation,
            )
            assert written == template
    assert ("Ask for cover" in written) is asks


def instances_and_queries(client, params):
    cache.clear()
    with instances_built() as built, CaptureQueriesContext(connection) as queries:
        response = client.get(CALENDAR, params)
    assert response.status_code == 200
    return built.by_model, len(queries), response


def test_the_calendar_reads_the_rotations_it_shows_whatever_the_weeks_or_the_company(client, user):
    """More weeks build no more rows (beyond the overrides in them); more rotations, not shown,
    only their names for the rotation chooser: not their slots, people or overrides."""
    seed = seed_rotation()
    seed.a.user = user
    seed.a.save()
    factories.OverrideFactory(
        rotation=seed.rotation,
        start=datetime(2026, 12, 1, 9, tzinfo=UTC),
        end=datetime(2026, 12, 2, 9, tzinfo=UTC),
    )
    client.force_login(user)

    eight, eight_queries, _ = instances_and_queries(client, {"weeks": "8"})
    two_years, two_years_queries, response = instances_and_queries(client, {"weeks": "104"})
    assert two_years == eight
    assert two_years_queries == eight_queries
    assert response.content.decode().count('<th scope="row" data-label="ISO week">') == 104

    others = 6
    for n in range(others):
        other = seed_rotation(people_suffix=f" {n}", name=f"Other {n}", slug=f"other-{n}")
        factories.OverrideFactory(
            rotation=other.rotation,
            start=datetime(2026, 12, 1, 9, tzinfo=UTC),
            end=datetime(2026, 12, 2, 9, tzinfo=UTC),
        )
    grown, grown_queries, response = instances_and_queries(client, {"weeks": "104"})
    html = response.content.decode()
    assert "Other 5</option>" in html  # listed in the chooser, not shown
    assert 'id="calendar-other-5"' not in html
    assert grown_queries == two_years_queries
    for model in ("Person", "Override", "Session", "User", "RotationSlot"):
        assert grown.get(model) == two_years.get(model), model
    assert grown["Rotation"] <= two_years["Rotation"] + 2 * others


def test_the_rows_render_no_template_per_week(viewer_client):
    seed = seed_rotation()
    for start in (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC)):
        factories.TimeOffFactory(person=seed.a, start=start, end=start + timedelta(days=30))

    def page_templates(weeks):
        response = viewer_client.get(CALENDAR, {"weeks": weeks})
        assert 'class="oncall-clash small"' in response.content.decode()
        return sorted(template.name for template in response.templates)

    assert page_templates("104") == page_templates("8")
