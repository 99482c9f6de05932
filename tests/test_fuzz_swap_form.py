"""The swap request form fuzzed: whatever a browser, a script or a replayed form POSTs, the answer
is a redirect to the request it filed (302), or the form again with its errors next to the
fields (200), never a 500 and never a half-written request.

Posts are drawn two ways: every field random (missing, any text, almost-dates, the classics),
and a valid request with one to three fields spoilt, which gets past the form into the rules of
`swap_request_create`. Posters: a requester in UTC, one in Europe/Berlin (datetimes typed in a
clock change), and a manager filing on someone's behalf.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalation import models
from escalation.forms.swaps import SUBMISSION_KEY_MISSING
from escalation.selectors.swaps import swap_form_options
from escalation.views.swaps import CHOOSE_REQUESTER
from tests.swaps_data import NOW, WEEK_3, WEEK_4, build_team

pytestmark = pytest.mark.django_db

CASES: Counter[str] = Counter()  # posts sent per test, for the closing count
FIELDS = [
    "requester",
    "shift",
    "start",
    "end",
    "kind",
    "colleague",
    "return_shift",
    "reason",
    "submission_key",
]
CLASSICS = [
    "",
    " ",
    "\x00",
    "0",
    "-1",
    "9" * 30,
    "1:primary:0:0",
    "1:primary:9999999999:1",
    "x:y:z:w",
    "1:tertiary:1768208400:1768813200",
    "swap",
    "cover",
    "SWAP",
    "2026-01-12T09:00",
    "2026-01-12T08:59",
    "2026-01-19T09:01",
    "2026-03-29T02:30",  # does not exist in Berlin: the clocks go from 02:00 to 03:00
    "2026-10-25T02:30",  # exists twice in Berlin
    "2026-02-30T10:00",
    "2026-01-12T25:00",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "<script>alert(1)</script>",
    "x" * 2001,
    "\u202e",
]
ANY_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
DATE_LIKE = st.text(st.sampled_from("0123456789-:T "), max_size=20)
LOCAL_TIMES = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 11, 1), allow_imaginary=True
).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M"))
JUNK = st.one_of(st.sampled_from(CLASSICS), ANY_TEXT, DATE_LIKE, LOCAL_TIMES)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def team(db):
    return build_team()


def option_value(team, tier: str, interval: tuple[datetime, datetime]) -> str:
    start, end = interval
    return f"{team.rotation.pk}:{tier}:{int(start.timestamp())}:{int(end.timestamp())}"


def valid_fields(team, poster: str) -> dict[str, str]:
    """A request the service files: the poster's (or Alex's) week 3 shift, to a colleague."""
    requester = team.casey if poster == "casey" else team.alex
    colleague = team.alex if poster == "casey" else team.casey
    week = WEEK_4 if poster == "casey" else WEEK_3
    return_week = WEEK_3 if poster == "casey" else WEEK_4
    return {
        "requester": str(requester.pk),
        "shift": option_value(team, "primary", week),
        "kind": "swap",
        "colleague": str(colleague.pk),
        "return_shift": option_value(team, "primary", return_week),
        "reason": "Family event",
        "submission_key": str(uuid4()),
    }


def poster_client(team, poster: str) -> Client:
    user = {"alex": team.alex.user, "casey": team.casey.user, "manager": team.manager}[poster]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def snapshot() -> tuple[set[int], int, int]:
    return (
        set(models.SwapRequest.objects.values_list("pk", flat=True)),
        models.SwapRequestEvent.objects.count(),
        models.Override.objects.count(),
    )


def post_and_check(team, poster: str, data: dict[str, str], counter: str) -> None:
    CASES[counter] += 1
    swaps_before, events_before, overrides_before = snapshot()
    response = poster_client(team, poster).post(reverse("escalation:swap_new"), data)
    swaps_after, events_after, overrides_after = snapshot()
    new = swaps_after - swaps_before
    assert overrides_after == overrides_before, "a request changed the rotation before approval"

    if response.status_code == 302:
        (pk,) = new or {int(response["Location"].strip("/").split("/")[-1])}
        assert response["Location"] == reverse("escalation:swap_detail", args=[pk])
        swap = models.SwapRequest.objects.get(pk=pk)
        swap.full_clean()
        assert swap.state == models.SwapState.PENDING
        assert str(swap.submission_key) == data["submission_key"].strip().lower() or not new
        assert list(swap.events.values_list("action", flat=True)) == ["created"]
        assert events_after == events_before + len(new)
        assert swap.start < swap.end and swap.start >= NOW - timedelta(minutes=1)
        CASES["filed"] += bool(new)
        return

    assert response.status_code in {200, 400}, (data, response.status_code)
    assert not new and events_after == events_before, "the form failed yet wrote a request"
    html = response.content.decode()
    form = response.context["form"]
    if form is None:
        # A manager's post naming nobody: the page asks whose shift it is about.
        assert poster == "manager" and CHOOSE_REQUESTER in html
        return
    assert form.errors, data
    options = response.context["options"]
    if poster == "manager" and options is not None and not options.own_shifts:
        # Filed for someone with no shift to hand over: the page says so instead of the fields.
        assert escape(response.context["no_shifts_message"]) in html
        return
    shown = [message for messages in form.errors.values() for message in messages]
    assert any(escape(message) in html for message in shown), (shown, data)


POSTERS = st.sampled_from(["alex", "casey", "manager"])


@FUZZ
@given(poster=POSTERS, fields=st.dictionaries(st.sampled_from(FIELDS), JUNK, max_size=9))
def random_posts(team, poster, fields):
    post_and_check(team, poster, fields, "random posts")


def test_random_posts_are_filed_or_shown_with_their_errors(team):
    assert_cases_ran("random posts", lambda: random_posts(team))


@FUZZ
@given(
    poster=POSTERS,
    spoilt=st.dictionaries(st.sampled_from(FIELDS), JUNK, min_size=1, max_size=3),
    dropped=st.lists(st.sampled_from(FIELDS), max_size=2),
    kind=st.sampled_from(["swap", "cover"]),
)
def spoilt_valid_posts(team, poster, spoilt, dropped, kind):
    data = valid_fields(team, poster) | {"kind": kind} | spoilt
    for name in dropped:
        data.pop(name, None)
    post_and_check(team, poster, data, "spoilt valid posts")


def test_a_valid_request_with_fields_spoilt_is_filed_or_shown_with_errors(team):
    assert_cases_ran("spoilt valid posts", lambda: spoilt_valid_posts(team))


def assert_cases_ran(counter: str, fuzz) -> None:
    """Run a fuzz and check it really posted: a strategy that filtered everything out would
    pass without testing anything."""
    before = CASES[counter]
    fuzz()
    assert CASES[counter] - before >= 30, CASES


@pytest.mark.parametrize("poster", ["alex", "casey", "manager"])
def test_the_valid_request_each_fuzz_starts_from_is_filed(team, poster):
    # The spoilt posts would prove little if the unspoilt one were refused too.
    data = valid_fields(team, poster)
    options = swap_form_options(requester_id=int(data["requester"]), at=NOW)
    assert data["shift"] in {option.value for option in options.own_shifts}
    post_and_check(team, poster, data, "valid posts")
    assert models.SwapRequest.objects.get().reason == "Family event"


def test_the_same_form_posted_twice_files_one_request(team):
    data = valid_fields(team, "alex")
    post_and_check(team, "alex", data, "valid posts")
    post_and_check(team, "alex", data, "valid posts")
    assert models.SwapRequest.objects.count() == 1


def test_a_form_without_its_key_says_so_and_sending_it_again_works(team):
    data = valid_fields(team, "alex") | {"submission_key": "not-a-uuid"}
    response = poster_client(team, "alex").post(reverse("escalation:swap_new"), data)
    assert response.status_code == 200
    assert escape(SUBMISSION_KEY_MISSING) in response.content.decode()
    fresh = response.context["form"]["submission_key"].value()
    assert UUID(fresh)
    post_and_check(team, "alex", data | {"submission_key": fresh}, "valid posts")
    assert models.SwapRequest.objects.get().submission_key == UUID(fresh)


def test_a_time_skipped_by_the_clock_change_is_a_field_error_not_a_crash(team):
    data = valid_fields(team, "casey") | {"start": "2026-03-29T02:30"}
    response = poster_client(team, "casey").post(reverse("escalation:swap_new"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["start"]
    assert not models.SwapRequest.objects.exists()
