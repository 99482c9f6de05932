"""The dashboard, the calendar and the profile page, at the seed's boundary instants."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalation import models
from escalation.forms import questions as forms
from escalation.models.validators import TIME_ZONE_MESSAGE
from escalation.selectors.dashboard import DASHBOARD_CARDS_UP_TO
from escalation.services.feed_tokens import feed_token_regenerate, hash_token
from escalation.templatetags.oncall_tags import countdown_text, format_instant
from escalation.views import oncall as views
from tests import factories
from tests.helpers import instances_built
from tests.oncall_data import (
    HANDOFF_TO_ODD_WEEK,
    LAST_SECOND_OF_EVEN_WEEK,
    THURSDAY_EVEN_WEEK,
    many_overrides,
    seed_rotation,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("escalation:dashboard")
CALENDAR = reverse("escalation:calendar")
PROFILE = reverse("escalation:profile")


@pytest.fixture
def seed():
    return seed_rotation()


def on_call_names(response):
    return re.findall(r'class="oncall-person">([^<]+)<', response.content.decode())


def focus_names(response):
    return re.findall(r'class="oncall-focus-person">([^<]+)<', response.content.decode())


def row_count(response):
    return response.content.decode().count('<th scope="row" data-label="ISO week">')


# --- Access -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [DASHBOARD, CALENDAR, PROFILE])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Dashboard ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (THURSDAY_EVEN_WEEK, ["Engineer C", "Engineer D"]),
        (LAST_SECOND_OF_EVEN_WEEK, ["Engineer C", "Engineer D"]),
        (HANDOFF_TO_ODD_WEEK, ["Engineer A", "Engineer B"]),
    ],
)
def test_dashboard_shows_the_pair_on_call_at_the_boundaries(viewer_client, seed, now, expected):
    with time_machine.travel(now, tick=False):
        response = viewer_client.get(DASHBOARD)
    assert response.status_code == 200
    assert on_call_names(response) == expected


def test_dashboard_gives_contacts_handoff_countdown_and_next_pair(viewer_client, seed):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = viewer_client.get(DASHBOARD)
    html = response.content.decode()
    assert 'href="tel:+442079460007"' in html  # Engineer C's phone
    assert 'href="mailto:engineer.d@example.com"' in html
    assert "@pd-engineer-c" in html
    assert "Mon 30 Nov 2026, 09:00 UTC" in html
    assert "in 3 days 21 hours" in html
    assert 'data-countdown-until="2026-11-30T09:00:00Z"' in html
    assert re.search(r"<strong>Engineer A</strong> \(primary\)", html)
    assert re.search(r"<strong>Engineer B</strong> \(secondary\)", html)
    assert "Since" in html and "Mon 23 Nov 2026, 09:00 UTC" in html


def test_dashboard_shows_the_handoff_in_the_viewers_time_zone_and_in_utc(client, user, seed):
    factories.PersonFactory(display_name="Viewer", user=user, time_zone="America/New_York")
    client.force_login(user)
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = client.get(DASHBOARD)
    html = response.content.decode()
    assert "Mon 30 Nov 2026, 04:00 EST" in html
    assert "Mon 30 Nov 2026, 09:00 UTC" in html


def test_dashboard_marks_an_override_and_who_comes_back(viewer_client, seed):
    cover = factories.PersonFactory(display_name="Rosa Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=cover,
        start=THURSDAY_EVEN_WEEK - timedelta(hours=3),
        end=THURSDAY_EVEN_WEEK + timedelta(days=1),
    )
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = viewer_client.get(DASHBOARD)
    html = response.content.decode()
    assert on_call_names(response) == ["Rosa Cover", "Engineer D"]
    assert "Covering for Engineer C" in html
    # Rosa's own window, not the shift's: Thursday 09:00 to Friday 12:00.
    assert '<dt>Since</dt><dd><time datetime="2026-11-26T09:00:00Z">' in html
    assert '<dt>Until</dt><dd><time datetime="2026-11-27T12:00:00Z">' in html
    assert re.search(r"Then <strong>Engineer C</strong>\s+until", html)


WEEK_53 = datetime(2026, 12, 30, 12, tzinfo=UTC)


def test_dashboard_says_the_same_pair_comes_again_during_week_53_and_why(client, user, seed):
    with time_machine.travel(WEEK_53, tick=False):
        client.force_login(user)
        html = client.get(DASHBOARD).content.decode()
    assert "The same pair again next week</strong>" in html
    assert "ISO year 2026 has 53 weeks, so week 53 of 2026 and week 1 of 2027 are both odd." in html
    with time_machine.travel(WEEK_53 - timedelta(weeks=1), tick=False):
        assert "again next week" not in client.get(DASHBOARD).content.decode()


def test_dashboard_says_nothing_of_a_repeat_others_cover(client, user, seed):
    for tier, person in (
        (models.OnCallTier.PRIMARY, seed.c),
        (models.OnCallTier.SECONDARY, seed.d),
    ):
        factories.OverrideFactory(
            rotation=seed.rotation,
            tier=tier,
            person=person,
            start=datetime(2027, 1, 4, 9, tzinfo=UTC),
            end=datetime(2027, 1, 11, 9, tzinfo=UTC),
        )
    with time_machine.travel(WEEK_53, tick=False):
        client.force_login(user)
        html = client.get(DASHBOARD).content.decode()
    assert "On call now" in html and "again next week" not in html


def test_dashboard_without_rotations_says_so(viewer_client):
    response = viewer_client.get(DASHBOARD)
    assert response.status_code == 200
    assert "No on-call rotation yet" in response.content.decode()


def test_dashboard_reports_a_rotation_it_cannot_compute(manager_client, seed):
    broken = factories.RotationFactory(name="Broken rotation")
    factories.RotationSlotFactory(rotation=broken, week_parity=models.WeekParity.ODD)
    response = manager_client.get(DASHBOARD)
    html = response.content.decode()
    assert "Broken rotation</strong> cannot be shown" in html
    assert reverse("admin:escalation_rotation_change", args=[broken.pk]) in html
    assert len(on_call_names(response)) == 2


def main_html(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


# Session, user, viewer (Person, managers group and data version in one query); then the page.
REQUEST_QUERIES = 3
DASHBOARD_QUERIES = REQUEST_QUERIES + 4  # slots and overrides with people, time off, handoff notes
MANAGER_DASHBOARD_QUERIES = DASHBOARD_QUERIES + 1  # the completeness panel
CALENDAR_QUERIES = REQUEST_QUERIES + 4  # slots, overrides, people, time off in the window shown
PROFILE_QUERIES = REQUEST_QUERIES + 5  # token, slots, overrides, people, own time off


def test_dashboard_query_count_is_fixed(viewer_client, seed, django_assert_num_queries):
    # Computed the first time, from the cache the second (the request's own queries only).
    for queries in (DASHBOARD_QUERIES, REQUEST_QUERIES):
        with django_assert_num_queries(queries):
            viewer_client.get(DASHBOARD)
    many_overrides(seed.rotation, count=500, start=datetime(2026, 11, 1, tzinfo=UTC))
    seed_rotation(name="Second", slug="second", people_suffix="2")
    for queries in (DASHBOARD_QUERIES, REQUEST_QUERIES):
        with django_assert_num_queries(queries):
            viewer_client.get(DASHBOARD)


# --- Dashboard with many rotations: the viewer's in full, the others one line each ---------


def compact_rows(response):
    html = response.content.decode()
    return re.findall(r'<li class="list-group-item" id="rotation-([^"]+)">', html)


def card_titles(response):
    return re.findall(r'<h2 class="h5 mb-0" id="rotation-([^"]+)">', response.content.decode())


@pytest.fixture
def many_rotations(seed):
    """The seed's rotation and six more (seven: more than the dashboard shows as cards)."""
    others = [
        seed_rotation(name=f"Rotation {n}", slug=f"rotation-{n}", people_suffix=f" {n}")
        for n in range(1, 7)
    ]
    assert 1 + len(others) > DASHBOARD_CARDS_UP_TO
    return [seed, *others]


@pytest.fixture
def on_rotation_3(client, user, many_rotations):
    """The client, logged in as someone who holds a slot of "Rotation 3"."""
    mine = many_rotations[3]
    mine.c.user = user
    mine.c.save()
    client.force_login(user)
    return client


def test_with_many_rotations_the_viewers_own_is_a_card_and_the_others_one_line_each(
    on_rotation_3,
):
    client = on_rotation_3
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = client.get(DASHBOARD)
    assert card_titles(response) == ["rotation-3"]
    assert on_call_names(response) == ["Engineer C 3", "Engineer D 3"]
    assert compact_rows(response) == ["on-call", "rotation-1", "rotation-2", "rotation-4",
                                      "rotation-5", "rotation-6"]  # fmt: skip
    html = response.content.decode()
    row = html[html.index('id="rotation-rotation-5"') :].split("</li>")[0]
    assert re.search(r"<strong>Rotation 5</strong>:", row)
    assert 'href="tel:+442079460007"' in row and "Engineer C 5</a>" in row
    assert "Engineer D 5</a> <span" in row
    assert 'until <time datetime="2026-11-30T09:00:00Z">Mon 30 Nov 2026, 09:00 UTC</time>' in row
    assert "Other rotations" in html


def test_the_other_rotations_lines_build_no_slot_and_the_same_rows_however_many_there_are(
    on_rotation_3,
):
    client = on_rotation_3

    def built_by_model():
        cache.clear()
        with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False), instances_built() as built:
            assert client.get(DASHBOARD).status_code == 200
        return built.by_model

    seven = built_by_model()
    seed_rotation(name="Rotation 7", slug="rotation-7", people_suffix=" 7")
    eight = built_by_model()
    # Which rotations are the viewer's is read from the slots' values, not from slots built.
    assert "RotationSlot" not in seven
    # One more line: its rotation and the pair on call, nothing else.
    assert eight["Rotation"] == seven["Rotation"] + 1
    assert eight["Person"] == seven["Person"] + 2
    assert {
        model: count for model, count in eight.items() if model not in {"Rotation", "Person"}
    } == {model: count for model, count in seven.items() if model not in {"Rotation", "Person"}}


def test_a_viewer_on_no_rotation_sees_every_rotation_one_line_each(viewer_client, many_rotations):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = viewer_client.get(DASHBOARD)
    assert card_titles(response) == []
    assert len(compact_rows(response)) == 7
    assert "Every rotation" in response.content.decode()


def test_the_viewers_team_rotation_is_a_card(client, user, many_rotations):
    team = factories.TeamFactory()
    models.Rotation.objects.filter(slug="rotation-2").update(team=team)
    factories.PersonFactory(user=user, team=team)
    client.force_login(user)
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = client.get(DASHBOARD)
    assert card_titles(response) == ["rotation-2"]
    assert "rotation-2" not in compact_rows(response)


def test_the_filter_keeps_the_rotations_named_or_with_someone_named_on_call(
    viewer_client, many_rotations
):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        by_rotation = viewer_client.get(DASHBOARD, {"q": "  rotation 4 "})
        by_person = viewer_client.get(DASHBOARD, {"q": "engineer d 6"})
        by_nobody = viewer_client.get(DASHBOARD, {"q": "Engineer A 6"})  # on call next week
    assert compact_rows(by_rotation) == ["rotation-4"]
    assert 'value="rotation 4"' in by_rotation.content.decode()
    assert "Show all 7" in by_rotation.content.decode()
    assert compact_rows(by_person) == ["rotation-6"]
    assert compact_rows(by_nobody) == []
    assert f"{views.DASHBOARD_NO_MATCH} “Engineer A 6”." in by_nobody.content.decode()


def test_two_viewers_never_get_each_others_dashboard_from_the_cache(
    client, many_rotations, settings
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    first, second = factories.UserFactory(), factories.UserFactory()
    for user, rotation in ((first, many_rotations[1]), (second, many_rotations[2])):
        rotation.c.user = user
        rotation.c.save()
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        client.force_login(first)
        assert card_titles(client.get(DASHBOARD)) == ["rotation-1"]
        client.force_login(second)
        assert card_titles(client.get(DASHBOARD)) == ["rotation-2"]


# --- Calendar -----------------------------------------------------------------------------


def test_calendar_defaults_to_eight_weeks_from_the_current_shift(viewer_client, seed):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = viewer_client.get(CALENDAR)
    html = response.content.decode()
    assert response.status_code == 200
    assert row_count(response) == 8
    assert "2026-W48" in html and "2027-W02" in html and "2027-W03" not in html
    assert "8 weeks from Monday 23 November 2026" in html


def test_calendar_start_and_weeks(viewer_client, seed):
    response = viewer_client.get(CALENDAR, {"start": "2027-03-01", "weeks": "3"})
    html = response.content.decode()
    assert row_count(response) == 3
    assert "2027-W09" in html and "2027-W11" in html and "2027-W12" not in html
    assert "?start=2027-03-22&amp;weeks=3" in html  # later
    assert "?start=2027-02-08&amp;weeks=3" in html  # earlier


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13-45"}, forms.START_INVALID.format(value="2026-13-45")),
        ({"start": "0001-01-01"}, forms.START_INVALID.format(value="0001-01-01")),
        ({"weeks": "0"}, forms.WEEKS_INVALID.format(max=104, default=8)),
        ({"weeks": "105"}, forms.WEEKS_INVALID.format(max=104, default=8)),
        ({"weeks": "-3"}, forms.WEEKS_INVALID.format(max=104, default=8)),
        ({"weeks": "eight"}, forms.WEEKS_INVALID.format(max=104, default=8)),
        ({"at": "yesterday"}, forms.AT_INVALID.format(value="yesterday")),
        ({"at": "9999-12-31T23:59:59+00:00"}, forms.AT_OUT_OF_RANGE),
        (
            {"at": "0001-01-01T00:00:00+05:00"},
            forms.AT_INVALID.format(value="0001-01-01T00:00:00+05:00"),
        ),
    ],
)
def test_calendar_bad_parameters_show_a_message_and_the_defaults(
    viewer_client, seed, params, message
):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = viewer_client.get(CALENDAR, params)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert row_count(response) == 8


@settings(
    max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    start=st.one_of(st.text(max_size=20), st.dates().map(str)),
    weeks=st.one_of(st.text(max_size=5), st.integers(-5, 200).map(str)),
    at=st.one_of(st.text(max_size=30), st.datetimes().map(lambda d: d.isoformat())),
)
def test_calendar_never_fails_on_odd_parameters(viewer_client, seed, start, weeks, at):
    response = viewer_client.get(CALENDAR, {"start": start, "weeks": weeks, "at": at})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-26T12:00:00Z", ["Engineer C", "Engineer D"]),
        ("2026-11-30T08:59:59Z", ["Engineer C", "Engineer D"]),
        ("2026-11-30T09:00:00Z", ["Engineer A", "Engineer B"]),
        ("2026-11-30T10:00:00+01:00", ["Engineer A", "Engineer B"]),
        ("2026-11-30T09:59:59 01:00", ["Engineer C", "Engineer D"]),  # "+" arrived as a space
    ],
)
def test_calendar_at_answers_who_was_on_call(viewer_client, seed, at, expected):
    response = viewer_client.get(CALENDAR, {"at": at})
    assert focus_names(response) == expected


def test_calendar_at_without_offset_is_read_in_the_viewers_time_zone(client, user, seed):
    factories.PersonFactory(display_name="Viewer", user=user, time_zone="America/New_York")
    client.force_login(user)
    before = client.get(CALENDAR, {"at": "2026-11-30T03:59:59"})
    after = client.get(CALENDAR, {"at": "2026-11-30T04:00"})
    assert focus_names(before) == ["Engineer C", "Engineer D"]
    assert focus_names(after) == ["Engineer A", "Engineer B"]
    assert "In your time zone, America/New_York" in after.content.decode()
    assert 'value="2026-11-30T04:00:00"' in after.content.decode()


def test_calendar_at_links_step_across_handoffs(viewer_client, seed):
    response = viewer_client.get(CALENDAR, {"at": "2026-11-26T12:00:00Z"})
    html = response.content.decode()
    assert "?at=2026-11-23T08%3A59%3A59Z&amp;weeks=8" in html
    assert "?at=2026-11-30T09%3A00%3A00Z&amp;weeks=8" in html
    assert 'class="oncall-row-focus' in html


def test_calendar_explains_the_parity_repeat_to_everyone(viewer_client, seed):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = viewer_client.get(CALENDAR)
    html = response.content.decode()
    assert "The same pair is on call twice in a row" in html
    assert "ISO year 2026 has 53 weeks" in html
    assert "Engineer A and Engineer B (Odd weeks)" in html
    assert (
        '<span class="badge text-bg-warning" title="The same slot as the shift before">repeat</span>'
        in html
    )
    assert "/admin/" not in html.split('oncall-repeat"')[1].split("</div>")[0]


def test_calendar_gives_managers_a_link_to_switch_the_rule(manager_client, seed):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = manager_client.get(CALENDAR)
    change_url = reverse("admin:escalation_rotation_change", args=[seed.rotation.pk])
    link = f'<a href="{change_url}">change the rotation\'s rule</a>'
    assert link in response.content.decode()


def test_calendar_announces_an_upcoming_repeat_outside_the_window(viewer_client, seed):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = viewer_client.get(CALENDAR, {"weeks": "2"})
    assert "Coming up: the same pair twice in a row" in response.content.decode()


def test_calendar_lists_override_segments(viewer_client, seed):
    cover = factories.PersonFactory(display_name="Rosa Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.SECONDARY,
        person=cover,
        start=datetime(2026, 12, 1, 9, tzinfo=UTC),
        end=datetime(2026, 12, 2, 9, tzinfo=UTC),
    )
    response = viewer_client.get(CALENDAR, {"start": "2026-11-30", "weeks": "1"})
    html = response.content.decode()
    assert "partly covered" in html
    assert re.search(
        r"Secondary</span> <strong>Rosa Cover</strong> covering for Engineer B, "
        r"Tue 1 Dec, 09:00 UTC → Wed 2 Dec, 09:00 UTC",
        html,
    )


def test_calendar_shows_a_shift_covered_in_full(viewer_client, seed):
    cover = factories.PersonFactory(display_name="Rosa Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=cover,
        start=datetime(2026, 11, 30, 9, tzinfo=UTC),
        end=datetime(2026, 12, 7, 9, tzinfo=UTC),
    )
    response = viewer_client.get(CALENDAR, {"start": "2026-11-30", "weeks": "1"})
    html = response.content.decode()
    assert (
        '<span class="text-decoration-line-through text-body-secondary">Engineer A</span>' in html
    )
    assert "Rosa Cover covers" in html


def test_calendar_query_count_does_not_grow_with_weeks_or_overrides(
    viewer_client, seed, django_assert_num_queries
):
    with django_assert_num_queries(CALENDAR_QUERIES):
        viewer_client.get(CALENDAR, {"weeks": "8"})
    many_overrides(seed.rotation, count=500, start=datetime(2026, 11, 23, tzinfo=UTC))
    # An instant asked about also reads the handoff notes of its shifts.
    with django_assert_num_queries(CALENDAR_QUERIES + 1):
        response = viewer_client.get(CALENDAR, {"weeks": "104", "at": "2026-12-01T12:00:00Z"})
    with django_assert_num_queries(REQUEST_QUERIES):
        again = viewer_client.get(CALENDAR, {"weeks": "104", "at": "2026-12-01T12:00:00Z"})
    assert main_html(again) == main_html(response)
    assert row_count(response) == 104
    assert response.content.decode().count("covering for") >= 500


# --- Profile ------------------------------------------------------------------------------


def test_profile_shows_the_person_and_their_next_shifts(client, user, seed):
    seed.c.user = user
    seed.c.time_zone = "Europe/Berlin"
    seed.c.save()
    client.force_login(user)
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = client.get(PROFILE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Engineer C" in html and "Europe/Berlin" in html and "@engineer-c" in html
    assert "Mon 23 Nov 2026, 10:00 CET" in html  # the shift in progress, local time
    assert "Mon 7 Dec 2026, 10:00 CET" in html
    assert "You have no feed token yet" in html


def test_profile_without_a_linked_person_explains_it(viewer_client):
    response = viewer_client.get(PROFILE)
    assert "not linked to a person" in response.content.decode()


def test_profile_regenerate_shows_the_link_once_then_only_the_hint(viewer_client, user, seed):
    response = viewer_client.post(PROFILE, {"action": "create"})
    assert response.status_code == 302 and response["Location"] == f"{PROFILE}#feed"
    response = viewer_client.get(PROFILE)
    html = response.content.decode()
    token = re.search(r"calendar\.ics\?token=([A-Za-z0-9_-]{40,})", html).group(1)
    assert models.FeedToken.objects.get(user=user).token_hash == hash_token(token)
    assert "webcal://testserver/oncall/calendar.ics?token=" in html
    assert views.FEED_LINK_CREATED in html and "stop working now" not in html
    assert "no-store" in response["Cache-Control"]
    reloaded = viewer_client.get(PROFILE).content.decode()
    assert token not in reloaded
    assert f"<code>{token[:8]}…</code>" in reloaded
    assert "regenerate to get a new link" in reloaded
    assert models.FeedToken.objects.get(user=user).token_hash == hash_token(token)


def test_profile_asks_before_regenerating_or_revoking_a_token(viewer_client, user):
    token = feed_token_regenerate(user=user)
    html = viewer_client.get(PROFILE).content.decode()
    assert 'href="?confirm=regenerate#feed"' in html and 'href="?confirm=revoke#feed"' in html
    assert 'name="action" value="regenerate"' not in html  # no one-click regenerate

    asked = viewer_client.get(PROFILE, {"confirm": "regenerate"}).content.decode()
    assert views.CONFIRM_REGENERATE in asked
    assert 'name="action" value="regenerate"' in asked
    assert "No, keep my links" in asked
    assert (
        views.CONFIRM_REVOKE in viewer_client.get(PROFILE, {"confirm": "revoke"}).content.decode()
    )
    assert models.FeedToken.objects.get(user=user).token_hash == hash_token(token)

    viewer_client.post(PROFILE, {"action": "regenerate"})
    assert views.FEED_LINK_RENEWED in viewer_client.get(PROFILE).content.decode()
    assert models.FeedToken.objects.get(user=user).token_hash != hash_token(token)


def test_profile_revoke_forgets_the_token(viewer_client, user):
    factories.FeedTokenFactory(user=user)
    response = viewer_client.post(PROFILE, {"action": "revoke"})
    assert response.status_code == 302
    assert views.FEED_LINK_REVOKED in viewer_client.get(PROFILE).content.decode()
    assert not models.FeedToken.objects.filter(user=user).exists()


def test_my_contact_details_are_edited_on_the_profile_with_history(client, user):
    me = factories.PersonFactory(display_name="Me Myself", user=user, phone="", verified_at=None)
    client.force_login(user)
    assert 'name="action" value="contact"' in client.get(PROFILE).content.decode()

    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = client.post(
            PROFILE,
            {
                "action": "contact",
                "phone": "+44 20 7946 0999",
                "slack_handle": "@me.myself",
                "pagerduty_handle": "@me-pd",
                "time_zone": "Europe/Berlin",
            },
        )

    assert response.status_code == 302
    me.refresh_from_db()
    assert (me.phone.as_e164, me.slack_handle, me.pagerduty_handle, me.time_zone) == (
        "+442079460999",
        "@me.myself",
        "@me-pd",
        "Europe/Berlin",
    )
    assert me.verified_at == THURSDAY_EVEN_WEEK
    latest = me.history.order_by("-history_id").first()
    assert (latest.history_user, str(latest.phone)) == (user, str(me.phone))
    assert views.CONTACT_SAVED in client.get(PROFILE).content.decode()


def test_bad_contact_details_are_refused_like_the_admin_and_change_nothing(client, user):
    me = factories.PersonFactory(display_name="Me Myself", user=user, time_zone="UTC")
    before = (me.phone, me.slack_handle, me.time_zone, me.verified_at)
    client.force_login(user)

    response = client.post(
        PROFILE,
        {"action": "contact", "phone": "call me", "slack_handle": "me", "time_zone": "Mars/Base"},
    )

    assert response.status_code == 200
    form = response.context["contact_form"]
    assert set(form.errors) == {"phone", "slack_handle", "time_zone"}
    assert TIME_ZONE_MESSAGE in response.content.decode()
    me.refresh_from_db()
    assert (me.phone, me.slack_handle, me.time_zone, me.verified_at) == before


def test_a_login_without_a_person_has_no_details_to_edit(viewer_client):
    assert (
        viewer_client.post(PROFILE, {"action": "contact", "phone": "+44 20 7946 0999"}).status_code
        == 400
    )


def test_profile_rejects_an_unknown_action(viewer_client):
    assert viewer_client.post(PROFILE, {"action": "explode"}).status_code == 400


def test_profile_query_count_is_fixed(client, user, seed, django_assert_num_queries):
    seed.a.user = user
    seed.a.save()
    client.force_login(user)
    with django_assert_num_queries(PROFILE_QUERIES):
        client.get(PROFILE)
    many_overrides(seed.rotation, count=200, start=datetime(2026, 11, 1, tzinfo=UTC))
    with django_assert_num_queries(PROFILE_QUERIES):
        client.get(PROFILE)


# --- Formatting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(days=3, hours=4, minutes=59), "in 3 days 4 hours"),
        (timedelta(days=1), "in 1 day"),
        (timedelta(days=2, minutes=5), "in 2 days"),
        (timedelta(hours=2, minutes=5), "in 2 hours 5 minutes"),
        (timedelta(hours=1), "in 1 hour"),
        (timedelta(minutes=4, seconds=30), "in 4 minutes"),
        (timedelta(seconds=59), "in less than a minute"),
        (timedelta(0), "now"),
        (timedelta(seconds=-5), "now"),
    ],
)
def test_countdown_text(delta, text):
    assert countdown_text(delta) == text


def test_format_instant_uses_the_zone_and_shows_seconds_only_when_set():
    instant = datetime(2026, 11, 30, 8, 59, 59, tzinfo=UTC)
    assert format_instant(instant, "UTC") == "Mon 30 Nov 2026, 08:59:59 UTC"
    assert format_instant(instant + timedelta(seconds=1), "Australia/Sydney") == (
        "Mon 30 Nov 2026, 20:00 AEDT"
    )
    assert format_instant(instant, "Not/AZone") == "Mon 30 Nov 2026, 08:59:59 UTC"


def test_dashboard_shows_managers_the_completeness_panel_and_viewers_not(
    viewer_client, manager_client, seed
):
    seed.c.phone = ""
    seed.c.save()
    manager_html = manager_client.get(DASHBOARD).content.decode()
    assert 'id="completeness-title"' in manager_html
    assert "People without phone, Slack or PagerDuty" in manager_html
    viewer_client.force_login(factories.UserFactory(username="plain"))
    assert 'id="completeness-title"' not in viewer_client.get(DASHBOARD).content.decode()


def test_dashboard_query_count_for_managers_is_fixed(
    manager_client, seed, django_assert_num_queries
):
    with django_assert_num_queries(MANAGER_DASHBOARD_QUERIES):
        manager_client.get(DASHBOARD)
    many_overrides(seed.rotation, count=500, start=datetime(2026, 11, 1, tzinfo=UTC))
    seed_rotation(name="Second", slug="second", people_suffix="2")
    with django_assert_num_queries(MANAGER_DASHBOARD_QUERIES):
        manager_client.get(DASHBOARD)


def people_with_every_gap(count: int) -> None:
    """`count` people each missing a contact detail and unverified, `count` inactive ones
    still holding a role: what the managers' completeness panel names."""
    for _n in range(count):
        factories.PersonFactory(phone="", verified_at=None)
        factories.RoleFactory(holder=factories.PersonFactory(is_active=False))
        factories.RoleFactory(holder=None)


def test_the_managers_dashboard_reads_no_more_rows_with_more_people(manager_client, seed):
    people_with_every_gap(25)  # more than the panel names
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        with instances_built() as before:
            response = manager_client.get(DASHBOARD)
        assert "and 5 more" in response.content.decode()
        people_with_every_gap(100)
        with instances_built() as after:
            response = manager_client.get(DASHBOARD)

    assert "and 105 more" in response.content.decode()
    assert after.count == before.count, after.by_model


# --- The bundled escalation document, imported -----------------------------------------


SEED_BOUNDARIES = [
    (THURSDAY_EVEN_WEEK, ["Engineer C", "Engineer D"]),
    (LAST_SECOND_OF_EVEN_WEEK, ["Engineer C", "Engineer D"]),
    (HANDOFF_TO_ODD_WEEK, ["Engineer A", "Engineer B"]),
]


@pytest.mark.parametrize(("now", "expected"), SEED_BOUNDARIES)
def test_seeded_dashboard_at_the_boundaries(viewer_client, seeded, now, expected):
    with time_machine.travel(now, tick=False):
        response = viewer_client.get(DASHBOARD)
    assert on_call_names(response) == expected


@pytest.mark.parametrize(("at", "expected"), SEED_BOUNDARIES)
def test_seeded_calendar_at_the_boundaries(viewer_client, seeded, at, expected):
    response = viewer_client.get(CALENDAR, {"at": at.isoformat()})
    assert focus_names(response) == expected


def test_seeded_calendar_shows_the_2026_to_2027_repeat(viewer_client, seeded):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        response = viewer_client.get(CALENDAR)
    html = response.content.decode()
    assert "The same pair is on call twice in a row" in html
    assert "Engineer A and Engineer B (Odd weeks)" in html
    assert "ISO year 2026 has 53 weeks" in html


def test_a_first_token_made_from_a_stale_regenerate_form_has_no_old_links_to_stop(
    viewer_client, user
):
    feed_token_regenerate(user=user)
    models.FeedToken.objects.filter(user=user).delete()  # revoked in another tab meanwhile

    viewer_client.post(PROFILE, {"action": "regenerate"})

    html = viewer_client.get(PROFILE).content.decode()
    assert views.FEED_LINK_CREATED in html
    assert "stop working" not in html


# --- "Who was on call at…" around a change of the clocks ----------------------------------


@pytest.fixture
def berlin_client(client, seed):
    person = factories.PersonFactory(time_zone="Europe/Berlin", user=factories.UserFactory())
    client.force_login(person.user)
    return client


def test_the_at_form_carries_the_exact_instant_of_a_repeated_hour(berlin_client):
    html = berlin_client.get(CALENDAR, {"at": "2026-10-25T01:30:00Z"}).content.decode()

    assert 'name="at" value="2026-10-25T02:30:00"' in html
    assert '<input type="hidden" name="exact" value="2026-10-25T01:30:00Z">' in html
    assert 'On call at <time datetime="2026-10-25T01:30:00Z">Sun 25 Oct 2026, 02:30 CET' in html

    # Sent again as the page showed it: the same instant, not the first 02:30 (CEST).
    again = berlin_client.get(
        CALENDAR, {"at": "2026-10-25T02:30:00", "exact": "2026-10-25T01:30:00Z"}
    ).content.decode()
    assert '<time datetime="2026-10-25T01:30:00Z">Sun 25 Oct 2026, 02:30 CET' in again


def test_a_typed_time_of_the_repeated_hour_offers_both_instants(berlin_client):
    html = berlin_client.get(CALENDAR, {"at": "2026-10-25T02:30"}).content.decode()

    assert "2026-10-25 02:30:00 came twice in Europe/Berlin" in html
    assert 'class="card mb-4 oncall-focus"' not in html  # nothing answered for a guess
    assert 'href="?at=2026-10-25T00%3A30%3A00Z&amp;weeks=8"' in html
    assert 'href="?at=2026-10-25T01%3A30%3A00Z&amp;weeks=8"' in html
    assert 'name="at" value="2026-10-25T02:30"' in html  # kept for another try


def test_a_typed_time_inside_the_spring_gap_is_said_not_moved(berlin_client):
    html = berlin_client.get(CALENDAR, {"at": "2026-03-29T02:30:00"}).content.decode()

    assert "2026-03-29 02:30:00 never happened in Europe/Berlin" in html
    assert 'class="card mb-4 oncall-focus"' not in html
    assert "Sun 29 Mar 2026, 01:30 CET" in html and "Sun 29 Mar 2026, 03:30 CEST" in html
