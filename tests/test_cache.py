"""The cache (escalation.cache): a cached answer is never a stale or someone else's one.

The calendar, the iCalendar feed and the API are served from the cache when they can; these
tests check the moments they must not be: after a write (through the admin, in another process,
rolled back), at a handoff or an override boundary to the second, and for another viewer. The
other pages are rendered for every request.
"""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.middleware.csrf import _unmask_cipher_token
from django.test import override_settings
from django.urls import reverse

from escalation import models
from escalation.cache import bump_data_version, cached_value
from escalation.models.cache import VERSION_ROW
from escalation.permissions import MANAGERS_GROUP
from escalation.services.feed_tokens import feed_token_create
from escalation.templatetags.oncall_tags import countdown_holds_until, countdown_text
from escalation.validity import Validity
from escalation.views.oncall import FEED_LINK_NONE
from tests import factories
from tests.helpers import page_text, post_change
from tests.oncall_data import (
    HANDOFF_TO_ODD_WEEK,
    LAST_SECOND_OF_EVEN_WEEK,
    THURSDAY_EVEN_WEEK,
)

DASHBOARD = reverse("escalation:dashboard")
CALENDAR = reverse("escalation:calendar")
API = reverse("escalation:api_oncall")
ICS = reverse("escalation:calendar_ics")
CONTACTS = reverse("escalation:contacts")
SEVERITY = reverse("escalation:severity")
PATHS = reverse("escalation:paths")
TECHNICAL_PATH = reverse("escalation:path_detail", args=["technical-escalation"])
BACKEND_SHEET = reverse("escalation:service_detail", args=["backend-api-fastapi"])

# The pages whose content is cached (`render_cached`), by the addresses that show them.
CACHED_PAGES = [
    CALENDAR,
    f"{CALENDAR}?weeks=104&rotation=all",
    DASHBOARD,
    SEVERITY,
    reverse("escalation:services"),
    BACKEND_SHEET,
    PATHS,
    TECHNICAL_PATH,
    CONTACTS,
    reverse("escalation:channels"),
    reverse("escalation:paging"),
]
# The cached pages that name the viewer's time zone.
CALENDAR_PAGES = CACHED_PAGES[:2]
OTHER_PROCESS = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "another-process",
    }
}
# Pages that show who holds the Engineering Manager role in the seed document.
ROLE_PAGES = [CONTACTS, SEVERITY, PATHS, TECHNICAL_PATH, BACKEND_SHEET]


@pytest.fixture(autouse=True)
def thursday():
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False) as traveller:
        yield traveller


def main(response) -> str:
    """The page's own content: what the cache may hold (the navbar and messages are outside)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", main(response)).split())


def pair(response) -> tuple[str, str]:
    names = re.findall(r'<div class="oncall-person">([^<]+)</div>', main(response))
    return names[0], names[1]


def api_pair(client, token, **params) -> tuple[str, str]:
    [rotation] = json.loads(client.get(API, {"token": token, **params}).content)["rotations"]
    return rotation["primary"]["name"], rotation["secondary"]["name"]


@pytest.fixture
def token(seeded, user):
    return feed_token_create(user=user)


@pytest.fixture
def engineering_manager(seeded):
    return models.Role.objects.get(name="Engineering Manager")


# --- writes show on the very next request ---------------------------------------------------


def test_a_role_holder_changed_in_the_admin_shows_on_every_page_naming_the_role(
    manager_client, engineering_manager
):
    before = {url: text(manager_client.get(url)) for url in ROLE_PAGES}
    assert all("Dana Kim" not in page for page in before.values())
    # Asked again: the same text, still without her.
    assert {url: text(manager_client.get(url)) for url in ROLE_PAGES} == before

    dana = factories.PersonFactory(display_name="Dana Kim")
    response = post_change(manager_client, engineering_manager, holder=str(dana.pk))
    assert response.status_code == 302

    for url in ROLE_PAGES:
        assert "Dana Kim" in text(manager_client.get(url)), url


def test_a_phone_changed_in_the_admin_shows_on_the_dashboard_and_contacts(manager_client, seeded):
    engineer_c = models.Person.objects.get(display_name="Engineer C")
    assert "+44 20 7946 0999" not in text(manager_client.get(DASHBOARD))
    assert "+44 20 7946 0999" not in text(manager_client.get(CONTACTS))

    response = post_change(manager_client, engineer_c, phone="+44 20 7946 0999")
    assert response.status_code == 302

    assert "+44 20 7946 0999" in text(manager_client.get(DASHBOARD))
    assert "+44 20 7946 0999" in text(manager_client.get(CONTACTS))


def test_a_write_in_another_process_is_seen_once_it_moves_the_data_version(viewer_client, seeded):
    assert "Engineer Z" not in text(viewer_client.get(CALENDAR))
    # Another process writes without this process hearing of it (no signal here)...
    models.Person.objects.filter(display_name="Engineer A").update(display_name="Engineer Z")
    assert "Engineer Z" not in text(viewer_client.get(CALENDAR)), "this cached page was used"
    # ...and moves the shared version row, as every write does.
    models.DataVersion.objects.filter(pk=VERSION_ROW).update(value=F("value") + 1)

    assert "Engineer Z" in text(viewer_client.get(CALENDAR))


def test_processes_with_caches_of_their_own_both_see_a_write(viewer_client, seeded):
    engineer_a = models.Person.objects.get(display_name="Engineer A")
    assert "Engineer Z" not in text(viewer_client.get(CALENDAR))
    with override_settings(CACHES=OTHER_PROCESS):
        cache.clear()
        assert "Engineer Z" not in text(viewer_client.get(CALENDAR))
        engineer_a.display_name = "Engineer Z"
        engineer_a.save()
        assert "Engineer Z" in text(viewer_client.get(CALENDAR))
    # Back in the first process, whose cache still holds the page from before the write.
    assert "Engineer Z" in text(viewer_client.get(CALENDAR))


def test_a_rolled_back_write_leaves_no_value_behind(viewer_client, seeded):
    engineer_a = models.Person.objects.get(display_name="Engineer A")
    before = text(viewer_client.get(CALENDAR))

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        engineer_a.display_name = "Engineer Z"
        engineer_a.save()
        # Inside the transaction the write is visible, and pages computed with it are cached...
        assert "Engineer Z" in text(viewer_client.get(CALENDAR))
        raise Undo

    # ...under a version that the rollback took back: they are never served.
    assert "Engineer Z" not in text(viewer_client.get(CALENDAR))
    assert text(viewer_client.get(CALENDAR)) == before
    bump_data_version()  # the next committed write lands on a version of its own
    assert "Engineer Z" not in text(viewer_client.get(CALENDAR))


def test_the_importer_moves_the_version_only_when_it_changed_something(seeded, seed_path):
    from escalation.documents.importer import import_document

    version = models.DataVersion.objects.get(pk=VERSION_ROW).value
    import_document(seed_path.read_text(encoding="utf-8"), source=str(seed_path))
    assert models.DataVersion.objects.get(pk=VERSION_ROW).value == version
    changed = seed_path.read_text(encoding="utf-8").replace("#team-backend", "#backend-team")
    import_document(changed, source=str(seed_path))
    assert models.DataVersion.objects.get(pk=VERSION_ROW).value != version


# --- time: exactly at the handoff and the override boundaries --------------------------------


def test_cached_pages_flip_exactly_at_the_monday_0900_utc_handoff(
    viewer_client, seeded, token, thursday, django_assert_num_queries
):
    thursday.move_to(LAST_SECOND_OF_EVEN_WEEK)
    assert api_pair(viewer_client, token) == ("Engineer C", "Engineer D")
    calendar_before = main(viewer_client.get(CALENDAR))
    with django_assert_num_queries(3):  # the viewer's facts; the content from the cache
        assert main(viewer_client.get(CALENDAR)) == calendar_before

    thursday.move_to(HANDOFF_TO_ODD_WEEK)
    assert api_pair(viewer_client, token) == ("Engineer A", "Engineer B")
    calendar_after = main(viewer_client.get(CALENDAR))
    assert calendar_after != calendar_before
    current = re.search(r'<tr class="oncall-row-current.*?</tr>', calendar_after, re.S)
    assert current and "Engineer A" in current.group() and "Engineer C" not in current.group()
    # An answer asked for an earlier instant is not taken from the later one's entry.
    assert api_pair(viewer_client, token, at="2026-11-30T08:59:59Z") == ("Engineer C", "Engineer D")
    assert api_pair(viewer_client, token) == ("Engineer A", "Engineer B")


def test_the_dashboard_counts_down_to_the_handoff_at_every_request(viewer_client, seeded, thursday):
    def countdown(response) -> str:
        return re.search(r'class="countdown[^"]*"[^>]*>([^<]+)<', main(response)).group(1)

    thursday.move_to(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    assert countdown(viewer_client.get(DASHBOARD)) == "in 1 hour"
    thursday.move_to(datetime(2026, 11, 30, 8, 58, 30, tzinfo=UTC))
    assert countdown(viewer_client.get(DASHBOARD)) == "in 1 minute"


def test_cached_pages_flip_exactly_when_an_override_starts_and_ends(
    viewer_client, seeded, token, thursday
):
    engineer_c = models.Person.objects.get(display_name="Engineer C")
    cover = factories.PersonFactory(display_name="Cover Person")
    rotation = models.Rotation.objects.get()
    start = THURSDAY_EVEN_WEEK + timedelta(hours=2)
    end = start + timedelta(hours=3)
    factories.OverrideFactory(
        rotation=rotation, tier=models.OnCallTier.PRIMARY, person=cover, start=start, end=end
    )
    assert engineer_c.display_name == "Engineer C"

    for at, expected in [
        (start - timedelta(seconds=1), "Engineer C"),
        (start, "Cover Person"),
        (end - timedelta(seconds=1), "Cover Person"),
        (end, "Engineer C"),
    ]:
        thursday.move_to(at)
        for _ in range(2):  # computed, then from the cache
            assert api_pair(viewer_client, token)[0] == expected, at


def test_the_ics_feed_is_cached_until_a_write(client, seeded, token, thursday):
    first = client.get(ICS, {"token": token}).content
    thursday.move_to(THURSDAY_EVEN_WEEK + timedelta(hours=5))
    assert client.get(ICS, {"token": token}).content == first
    models.Person.objects.filter(display_name="Engineer A").update(display_name="Engineer Z")
    assert b"Engineer Z" not in client.get(ICS, {"token": token}).content
    bump_data_version()
    assert b"Engineer Z" in client.get(ICS, {"token": token}).content


def test_a_cached_value_is_used_only_within_its_validity(db):
    noon = datetime(2026, 11, 26, 12, tzinfo=UTC)
    calls = []

    def compute():
        calls.append(1)
        return len(calls), Validity(noon, noon + timedelta(hours=1))

    version = models.DataVersion.objects.get(pk=VERSION_ROW).value
    assert cached_value(version, ("k",), at=noon, compute=compute) == 1
    assert cached_value(version, ("k",), at=noon + timedelta(minutes=59), compute=compute) == 1
    assert cached_value(version, ("k",), at=noon + timedelta(hours=1), compute=compute) == 2
    assert cached_value(version + 1, ("k",), at=noon, compute=compute) == 3


def test_an_unreachable_cache_costs_speed_not_the_page(viewer_client, seeded, monkeypatch):
    with time_machine.travel(datetime(2026, 11, 26, 12, tzinfo=UTC), tick=False):
        working = {url: page_text(viewer_client.get(url).content.decode()) for url in CACHED_PAGES}

        def down(*args, **kwargs):
            raise ConnectionError("cache is down")

        monkeypatch.setattr(cache, "get", down)
        monkeypatch.setattr(cache, "set", down)
        for url in CACHED_PAGES:
            response = viewer_client.get(url)
            assert response.status_code == 200, url
            # The same page a working cache gives, computed instead.
            assert page_text(response.content.decode()) == working[url], url


# --- never someone else's page -----------------------------------------------------------------


def signed_in(username: str, full_name: str, *, manager=False, time_zone=None):
    from django.test import Client

    first, last = full_name.split()
    user = factories.UserFactory(username=username, first_name=first, last_name=last)
    if manager:
        user.groups.add(Group.objects.get_or_create(name=MANAGERS_GROUP)[0])
    if time_zone:
        factories.PersonFactory(display_name=full_name, user=user, time_zone=time_zone)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice(seeded):
    return signed_in("alice", "Alice Ames", time_zone="UTC")


@pytest.fixture
def bob(seeded):
    return signed_in("bob", "Bob Brown")


@pytest.fixture
def carol(seeded):
    return signed_in("carol", "Carol Cruz", manager=True, time_zone="Europe/Berlin")


@pytest.fixture
def erin(seeded):
    return signed_in("erin", "Erin Eads")


def test_a_page_cached_for_one_viewer_carries_none_of_their_own_content_to_the_next(
    erin, bob, django_assert_max_num_queries
):
    # Neither is a person in the directory: the same calendar for both, cached once.
    for url in CACHED_PAGES:
        assert "Erin Eads" in erin.get(url).content.decode()
        # Bob gets a message, then opens the page Erin's visit cached.
        assert bob.post(reverse("escalation:profile"), {"action": "revoke"}).status_code == 302
        with django_assert_max_num_queries(3):  # the viewer's facts; the content from the cache
            html = bob.get(url).content.decode()

        assert "Bob Brown" in html, url
        assert "Erin Eads" not in html, url
        assert FEED_LINK_NONE in html, url
        [masked] = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert _unmask_cipher_token(masked) == bob.cookies["csrftoken"].value, url
        assert FEED_LINK_NONE not in erin.get(url).content.decode(), url


@pytest.fixture
def dave(seeded):
    return signed_in("dave", "Dave Diaz", time_zone="America/New_York")


@pytest.mark.parametrize("first", ["alice", "dave"])
def test_a_page_cached_in_one_time_zone_is_not_served_in_another(alice, dave, first):
    # For these pages Alice (UTC) and Dave (New York) differ in nothing but their zone.
    clients = {"alice": alice, "dave": dave}
    second = "dave" if first == "alice" else "alice"
    for url, utc, new_york in [
        (url, "Times in UTC ,", "Times in America/New_York ,") for url in CALENDAR_PAGES
    ]:
        pages = {name: text(clients[name].get(url)) for name in (first, second)}

        assert utc in pages["alice"] and new_york not in pages["alice"], url
        assert new_york in pages["dave"], url


def test_a_managers_page_in_their_time_zone_is_not_served_to_others(carol, bob):
    for url in CACHED_PAGES:
        assert "Europe/Berlin" in carol.get(url).content.decode(), url
        html = bob.get(url).content.decode()

        assert 'href="/admin/' not in html, url
        assert "Europe/Berlin" not in html, url
        assert "Carol Cruz" not in html, url


@pytest.mark.parametrize(
    "left",
    [
        timedelta(hours=1),
        timedelta(minutes=59, seconds=59, microseconds=500_000),
        timedelta(days=3, hours=4, seconds=1),
        timedelta(seconds=61),
        timedelta(seconds=59),
    ],
)
def test_a_cached_countdown_holds_exactly_until_its_text_changes(left):
    handoff = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    at = handoff - left
    end = countdown_holds_until(handoff, at)
    said = countdown_text(handoff - at)
    assert end > at
    # Still the same words at the last instant inside; other words from the end on.
    assert countdown_text(handoff - (end - timedelta(microseconds=1))) == said
    assert countdown_text(handoff - end) != said or end == handoff
