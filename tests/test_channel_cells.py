"""The channels page's team channels and rotation notes, written in Python: each service links
to its own sheet with its name escaped, and each rotation says its handoff day. No database."""

from datetime import time
from html import escape

from django.urls import reverse, set_script_prefix

from escalation.channel_cells import ServiceLinks, team_channel_rows
from escalation.models import Rotation, Weekday
from escalation.selectors.channels import ServiceLink, TeamChannel
from escalation.templatetags.directory_tags import rotation_notes

HOSTILE = "</a><script>alert(1)</script>\"&<>' 🚨"


def sheet(slug: str) -> str:
    return reverse("escalation:service_detail", args=[slug])


def test_each_service_links_to_its_own_sheet_with_its_name_escaped():
    services = [ServiceLink(HOSTILE, "payments-api"), ServiceLink("Search", "search_2")]

    html = ServiceLinks()(services)

    assert html == (
        f'<a href="{sheet("payments-api")}">{escape(HOSTILE)}</a>, '
        f'<a href="{sheet("search_2")}">Search</a>'
    )


def test_the_sheets_address_follows_where_the_portal_is_mounted():
    set_script_prefix("/portal&co/")
    try:
        links = ServiceLinks()
        html = links([ServiceLink("Search", "search")])
        assert html == f'<a href="{escape(sheet("search"))}">Search</a>'
        assert html.startswith('<a href="/portal&amp;co/services/search/"')
    finally:
        set_script_prefix("/")


def test_a_channel_that_serves_no_service_shows_a_dash():
    row = team_channel_rows([TeamChannel(channel="#ops", teams=("Ops <1>",), services=())])

    assert '<td data-label="Team">Ops &lt;1&gt;</td>' in row
    assert '<td data-label="Services"><span class="text-body-secondary">—</span></td>' in row


def test_a_rotation_note_says_the_handoff_day_and_time_in_the_rotations_zone():
    rotations = [
        Rotation(
            name=HOSTILE,
            schedule_note="In PagerDuty",
            shift_days=14,
            handoff_weekday=Weekday.SUNDAY,
            handoff_time=time(18, 30),
            time_zone="Asia/Kolkata",
            swap_channel="#swaps",
        ),
        Rotation(name="Ops", swap_channel="#ops-swaps"),
    ]

    html = rotation_notes(rotations)

    assert f"<strong>{escape(HOSTILE)}</strong>: " in html
    assert "Rotation: every 14 days, handoff on Sunday 18:30 Asia/Kolkata." in html
    assert "Rotation: every week, handoff on Monday 09:00 " in html
    assert "<script>" not in html
