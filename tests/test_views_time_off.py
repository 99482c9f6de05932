"""Time off and public holidays where the shifts show: the calendar, the feed, the swap form
asking for cover (pre-filled for exactly the clash) and the colleagues it suggests."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation import models
from escalation.selectors.time_off import away_between, away_of_rotation_people
from tests import factories
from tests.oncall_data import THURSDAY_EVEN_WEEK, seed_rotation

pytestmark = pytest.mark.django_db

CALENDAR = reverse("escalation:calendar")
SWAP_NEW = reverse("escalation:swap_new")
# Engineer A's week 49 (odd): Monday 30 November 09:00 UTC to Monday 7 December 09:00.
WEEK_49 = (datetime(2026, 11, 30, 9, tzinfo=UTC), datetime(2026, 12, 7, 9, tzinfo=UTC))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False) as traveller:
        yield traveller


@pytest.fixture
def seed():
    return seed_rotation()


def away(person, start, end, kind=models.TimeOffKind.VACATION):
    return factories.TimeOffFactory(person=person, start=start, end=end, kind=kind)


def cover_links(html):
    return [
        unescape(link)
        for link in re.findall(r'class="oncall-ask-cover no-print" href="([^"]+)"', html)
    ]


def test_calendar_flags_a_shift_whose_holder_is_away_with_a_link_for_exactly_the_clash(
    viewer_client, manager, seed
):
    away(seed.a, datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC))
    html = viewer_client.get(CALENDAR).content.decode()
    assert html.count('class="oncall-clash small"') == 1
    assert "<strong>Engineer A</strong> (primary) is away: vacation" in html
    assert cover_links(html) == []  # only the holder, or a manager, asks for their cover
    managers = Client()
    managers.force_login(manager)
    [link] = cover_links(managers.get(CALENDAR).content.decode())
    url = urlsplit(link)
    assert url.path == SWAP_NEW
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    start, end = (int(moment.timestamp()) for moment in WEEK_49)
    assert query == {
        "kind": "cover",
        "shift": f"{seed.rotation.pk}:primary:{start}:{end}",
        "start": "2026-12-01T00:00:00Z",
        "end": "2026-12-03T00:00:00Z",
        "reason": "Vacation: away from 2026-12-01T00:00:00Z until 2026-12-03T00:00:00Z",
        "requester": str(seed.a.pk),
    }


def test_time_off_ending_at_the_handoff_is_no_clash_one_second_later_is(viewer_client, seed):
    entry = away(seed.a, datetime(2026, 11, 27, tzinfo=UTC), WEEK_49[0])
    assert 'class="oncall-clash' not in viewer_client.get(CALENDAR).content.decode()
    entry.end = WEEK_49[0] + timedelta(seconds=1)
    entry.save()
    html = viewer_client.get(CALENDAR).content.decode()
    assert html.count('class="oncall-clash small"') == 1
    assert 'datetime="2026-11-30T09:00:00Z"' in html.split('class="oncall-clash small"')[1]


def test_calendar_marks_public_holidays_of_each_holders_own_country(viewer_client, seed):
    seed.a.country, seed.a.time_zone = "GB", "Europe/London"
    seed.a.save()
    seed.c.team = factories.TeamFactory(country="DE", region="BY")
    seed.c.save()
    html = viewer_client.get(CALENDAR).content.decode()
    marks = re.findall(r"public holiday</span> ([^<]+)</div>", html)
    assert unescape(marks[0]) == (
        "Public holidays for Engineer C: Christmas Day (Fri 25 Dec), "
        "Second Day of Christmas (Sat 26 Dec)"
    )
    assert unescape(marks[1]) == (
        "Public holidays for Engineer A: Boxing Day (observed) (Mon 28 Dec), "
        "New Year's Day (Fri 1 Jan)"
    )
    assert len(marks) == 2


def test_calendar_query_count_holds_with_much_time_off(
    viewer_client, seed, django_assert_num_queries
):
    for n in range(40):
        away(
            seed.a,
            datetime(2026, 12, 1, tzinfo=UTC) + timedelta(days=n),
            datetime(2026, 12, 1, 12, tzinfo=UTC) + timedelta(days=n),
        )
    with django_assert_num_queries(
        3 + 4
    ):  # session, user, viewer; slots, overrides, people, time off
        viewer_client.get(CALENDAR)


def test_the_feed_describes_public_holidays(viewer_client, seed):
    seed.a.country = "GB"
    seed.a.save()
    body = viewer_client.get(reverse("escalation:calendar_ics")).content.decode()
    unfolded = body.replace("\r\n ", "")
    assert "Public holidays for Engineer A: Boxing Day (observed) (Mon 28 Dec)" in unfolded


# --- asking for cover -----------------------------------------------------------------------


@pytest.fixture
def four_pairs():
    """Weekly strict alternation of four pairs from Monday 2 November 2026: A-B, C-D, E-F, G-H.
    Week of 30 November: A-B again; 23 November G-H; 7 December C-D; 14 December E-F."""
    people = {
        letter: factories.PersonFactory(
            display_name=f"Person {letter}",
            user=factories.UserFactory(username=f"person-{letter.lower()}"),
        )
        for letter in "ABCDEFGH"
    }
    rotation = factories.RotationFactory(
        name="Four",
        slug="four",
        slot_rule=models.SlotRule.ALTERNATION,
        anchor_date=date(2026, 11, 2),
    )
    for position, (p, s) in enumerate(["AB", "CD", "EF", "GH"]):
        factories.RotationSlotFactory(
            rotation=rotation,
            position=position,
            label=f"Pair {p}{s}",
            week_parity="",
            primary=people[p],
            secondary=people[s],
        )
    return rotation, people


def test_ask_for_cover_opens_the_form_pre_filled_with_free_colleagues_suggested(client, four_pairs):
    rotation, people = four_pairs
    start = datetime(2026, 11, 30, 9, tzinfo=UTC)
    away(people["A"], datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC))
    away(people["F"], datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 12, 10, tzinfo=UTC))
    client.force_login(people["A"].user)
    calendar = client.get(CALENDAR, {"rotation": "four"}).content.decode()
    link = cover_links(calendar)[0]
    response = client.get(link)
    form = response.context["form"]
    end = start + timedelta(weeks=1)
    assert (
        form["shift"].value()
        == f"{rotation.pk}:primary:{int(start.timestamp())}:{int(end.timestamp())}"
    )
    assert form["kind"].value() == "cover"
    html = response.content.decode()
    assert 'value="2026-12-01T00:00"' in html and 'value="2026-12-03T00:00"' in html
    # B is on call then; C and D the week straight after, G and H the week straight before; F is
    # away. E's last stretch ended 7 days 15 hours before (16 to 23 November).
    asked = re.findall(r">Ask ([^<]+)</a>", html)
    assert asked == ["Person E"]
    assert "Free then; last on call 7 days before (ended Mon 23 Nov 2026)." in html


# --- the profile's "My time off" ------------------------------------------------------------

PROFILE = reverse("escalation:profile")


@pytest.fixture
def a_logged_in(client, seed):
    seed.a.user = factories.UserFactory(username="engineer-a")
    seed.a.time_zone = "Europe/Berlin"
    seed.a.save()
    client.force_login(seed.a.user)
    return client


def test_a_person_adds_time_off_as_whole_local_days(a_logged_in, seed):
    response = a_logged_in.post(
        PROFILE,
        {
            "action": "time_off_add",
            "first_day": "2026-12-01",
            "last_day": "2026-12-02",
            "kind": "vacation",
            "note": "Skiing",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == PROFILE + "#time-off"
    entry = models.TimeOff.objects.get()
    # Berlin's 1 December 00:00 to 3 December 00:00 (CET, UTC+1).
    assert (entry.person, entry.start, entry.end) == (
        seed.a,
        datetime(2026, 11, 30, 23, tzinfo=UTC),
        datetime(2026, 12, 2, 23, tzinfo=UTC),
    )
    assert entry.created_by == seed.a.user
    assert entry.history.get().history_user == seed.a.user
    html = a_logged_in.get(PROFILE).content.decode()
    assert "<strong>Engineer A</strong> (primary) is away: vacation" in html
    assert "Skiing" in html and "on On-call rotation" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"first_day": "2026-12-03", "last_day": "2026-12-01"}, "The last day must not be before"),
        ({"note": "line\nbreak"}, "Remove the control character U+000A"),
        ({"first_day": "2026-01-01", "last_day": "2026-01-02"}, "Enter time off that is not over"),
        ({"first_day": "soon"}, "Enter a valid date."),
    ],
)
def test_time_off_that_cannot_be_read_is_refused_beside_its_field(
    a_logged_in, seed, fields, message
):
    data = {
        "action": "time_off_add",
        "first_day": "2026-12-01",
        "last_day": "2026-12-02",
        "kind": "vacation",
        "note": "",
    }
    response = a_logged_in.post(PROFILE, {**data, **fields})
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not models.TimeOff.objects.exists()


def test_the_list_holds_only_ones_own_time_off_not_yet_over_and_deletes_it(a_logged_in, seed):
    past = away(seed.a, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
    mine = away(seed.a, datetime(2026, 12, 20, tzinfo=UTC), datetime(2026, 12, 24, tzinfo=UTC))
    theirs = away(seed.b, datetime(2026, 12, 20, tzinfo=UTC), datetime(2026, 12, 24, tzinfo=UTC))
    html = a_logged_in.get(PROFILE).content.decode()
    entries = re.findall(r'name="entry" value="(\d+)"', html)
    assert entries == [str(mine.pk)]
    forbidden = a_logged_in.post(PROFILE, {"action": "time_off_delete", "entry": theirs.pk})
    assert forbidden.status_code == 403
    gone_already = a_logged_in.post(PROFILE, {"action": "time_off_delete", "entry": past.pk})
    assert gone_already.status_code == 403
    deleted = a_logged_in.post(PROFILE, {"action": "time_off_delete", "entry": mine.pk})
    assert deleted.status_code == 302
    assert set(models.TimeOff.objects.all()) == {past, theirs}


# --- the dashboard ---------------------------------------------------------------------------

DASHBOARD = reverse("escalation:dashboard")


def test_dashboard_flags_the_next_shifts_clash_to_its_holder_and_managers_only(
    client, seed, manager
):
    away(seed.b, datetime(2026, 12, 4, tzinfo=UTC), datetime(2026, 12, 9, tzinfo=UTC))
    seed.b.user = factories.UserFactory(username="engineer-b")
    seed.b.save()
    seed.c.user = factories.UserFactory(username="engineer-c")
    seed.c.save()
    client.force_login(seed.b.user)
    own = client.get(DASHBOARD).content.decode()
    assert "<strong>Engineer B</strong> (secondary) is away: vacation" in own
    [link] = cover_links(own)
    assert "end=2026-12-07T09%3A00%3A00Z" in link  # the clash ends with B's shift
    client.force_login(seed.c.user)
    assert 'class="oncall-clash' not in client.get(DASHBOARD).content.decode()
    client.force_login(manager)
    assert (
        "<strong>Engineer B</strong> (secondary) is away" in client.get(DASHBOARD).content.decode()
    )


def test_with_many_rotations_a_manager_sees_the_clash_of_a_rotation_shown_on_one_line(
    client, seed, manager
):
    for n in range(1, 7):
        seed_rotation(name=f"Rotation {n}", slug=f"rotation-{n}", people_suffix=f" {n}")
    fifth = models.Person.objects.get(display_name="Engineer B 5")
    away(fifth, datetime(2026, 12, 4, tzinfo=UTC), datetime(2026, 12, 9, tzinfo=UTC))

    client.force_login(manager)
    html = client.get(DASHBOARD).content.decode()
    # The rotation is one line (the manager is on none): its clash is in the manager's panel.
    assert '<li class="list-group-item" id="rotation-rotation-5">' in html
    assert "<strong>Engineer B 5</strong> (secondary) is away: vacation" in html
    fifth.user = factories.UserFactory(username="engineer-b-5")
    fifth.save()
    client.force_login(fifth.user)
    # Their own rotation is a card, which flags it to them.
    assert "<strong>Engineer B 5</strong> (secondary) is away: vacation" in (
        client.get(DASHBOARD).content.decode()
    )


def test_dashboard_flags_the_clash_of_someone_holding_an_override_only(client, seed, manager):
    cover = factories.PersonFactory(display_name="Outside Cover")
    models.Override.objects.create(
        rotation=seed.rotation,
        tier=models.OnCallTier.PRIMARY,
        person=cover,
        start=datetime(2026, 12, 4, tzinfo=UTC),
        end=datetime(2026, 12, 6, tzinfo=UTC),
        reason="Cover",
    )
    away(cover, datetime(2026, 12, 5, tzinfo=UTC), datetime(2026, 12, 11, tzinfo=UTC))
    client.force_login(manager)
    html = client.get(DASHBOARD).content.decode()
    assert "<strong>Outside Cover</strong> (primary) is away: vacation" in html


def test_the_time_off_of_rotation_people_is_everyone_who_may_hold_a_shift_in_the_window(seed):
    window = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 10, tzinfo=UTC))
    cover, late_cover, stranger = (
        factories.PersonFactory(display_name=name) for name in ("Cover", "Late", "Stranger")
    )
    for person, start in ((cover, window[0]), (late_cover, window[1])):
        models.Override.objects.create(
            rotation=seed.rotation,
            tier=models.OnCallTier.SECONDARY,
            person=person,
            start=start,
            end=start + timedelta(days=1),
            reason="Cover",
        )
    entries = [
        away(person, datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC))
        for person in (seed.a, seed.d, cover, late_cover, stranger)
    ]
    away(seed.b, window[1], window[1] + timedelta(days=2))  # after the window

    found = away_of_rotation_people(start=window[0], end=window[1])

    # Slot people and those overriding in the window; not those overriding after it, nor others.
    assert [entry.key for entry in found] == [entry.pk for entry in entries[:3]]
    assert found == away_between(
        person_ids=[seed.a.pk, seed.b.pk, seed.c.pk, seed.d.pk, cover.pk],
        start=window[0],
        end=window[1],
    )


def test_dashboard_asks_for_time_off_and_notes_without_naming_people_or_rotations(
    client, seed, manager
):
    """The time off and handoff note queries name the window, not the people on call nor the
    rotations: their text and parameters are the same however many there are."""
    client.force_login(manager)

    def window_queries():
        with CaptureQueriesContext(connection) as queries:
            client.get(DASHBOARD)
        found = [
            query["sql"]
            for query in queries
            if "escalation_timeoff" in query["sql"] or "escalation_handoffnote" in query["sql"]
        ]
        assert len(found) == 2
        return found

    before = window_queries()
    for n in range(3):
        seed_rotation(people_suffix=f" {n}", name=f"Rotation {n}", slug=f"rotation-{n}")
    assert window_queries() == before
