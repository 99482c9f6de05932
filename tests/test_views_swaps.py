"""The swap pages: the list and its tabs, the form, a request's page, and the steps as POSTs.
Each page: anonymous → login, permitted → 200 with what people look for, a pinned query count
that does not grow with the data."""

import json
import re
from datetime import timedelta
from uuid import uuid4

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from escalation.models import Override, SwapRequest, SwapState
from escalation.services import swaps as service
from escalation.views import swaps as views
from tests import factories
from tests.swaps_data import (
    DAY,
    NOW,
    WEEK_3,
    WEEK_4,
    accepted_request,
    approved_request,
    build_team,
    file_request,
)

pytestmark = pytest.mark.django_db

# Every page: the session, the user, and the viewer (Person, managers group, data version).
REQUEST_QUERIES = 3
LIST_QUERIES = REQUEST_QUERIES + 3  # tab counts, the page's keys, its rows
DETAIL_QUERIES = REQUEST_QUERIES + 4  # request, events, overrides, conflicting requests
# An open cover request also suggests who else is free: slots, overrides, people, time off.
OPEN_COVER_DETAIL_QUERIES = DETAIL_QUERIES + 4
FORM_QUERIES = REQUEST_QUERIES + 4  # rotations, slots, overrides, people


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(db):
    return build_team()


def logged_in(client, user):
    client.force_login(user)
    return client


def value(team, tier, interval):
    start, end = interval
    return f"{team.rotation.pk}:{tier}:{int(start.timestamp())}:{int(end.timestamp())}"


def form_data(team, **fields):
    data = {
        "requester": str(team.alex.pk),
        "shift": value(team, "primary", WEEK_3),
        "kind": "cover",
        "colleague": str(team.casey.pk),
        "reason": "Family event",
        "submission_key": str(uuid4()),
    }
    data.update(fields)
    return data


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# --- the login ladder -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["swaps", "swap_new"])
def test_pages_need_a_login(client, name):
    response = client.get(reverse(f"escalation:{name}"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("step", ["", "accept/", "decline/", "approve/", "cancel/", "revert/"])
def test_a_request_and_its_steps_need_a_login(client, team, step):
    swap = file_request(team)
    url = f"/swaps/{swap.pk}/{step}"

    response = client.post(url) if step else client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    swap.refresh_from_db()
    assert swap.state == SwapState.PENDING


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_upcoming_requests_with_who_what_and_state(client, team):
    swap = file_request(team)
    logged_in(client, team.stranger)

    response = client.get("/swaps/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/swaps/{swap.pk}/"' in html
    assert "Alex Doe" in html and "Casey Doe" in html
    assert "Platform · Primary" in html
    assert "Mon 12 Jan, 09:00 UTC" in html
    assert "Pending colleague" in html
    assert 'href="/swaps/new/"' in html


def test_the_list_shows_times_in_the_viewers_zone(client, team):
    file_request(team)

    html = logged_in(client, team.casey.user).get("/swaps/").content.decode()

    assert "Mon 12 Jan, 10:00 CET" in html


def test_rows_cached_for_one_time_zone_are_not_served_in_another(client, team):
    file_request(team)

    utc = logged_in(client, team.stranger).get("/swaps/").content.decode()
    berlin = logged_in(client, team.casey.user).get("/swaps/").content.decode()

    assert "Mon 12 Jan, 09:00 UTC" in utc
    assert "Mon 12 Jan, 10:00 CET" in berlin


@pytest.mark.parametrize(
    ("show", "who", "expected"),
    [
        ("upcoming", "stranger", {"to_casey", "to_drew", "casey_to_alex"}),
        ("mine", "casey", {"to_casey", "casey_to_alex", "past"}),
        ("mine", "drew", {"to_drew"}),
        ("awaiting_me", "casey", {"to_casey"}),
        ("awaiting_me", "manager", {"to_drew"}),
        ("awaiting_me", "stranger", set()),
        ("awaiting_approval", "stranger", {"to_drew"}),
        ("past", "stranger", {"past"}),
        ("nonsense", "stranger", {"to_casey", "to_drew", "casey_to_alex"}),
    ],
)
def test_the_tabs_filter_the_list(client, team, show, who, expected):
    monday = (WEEK_3[0], WEEK_3[0] + DAY)
    swaps = {
        "to_casey": file_request(team),
        "to_drew": accepted_request(team, colleague=team.drew, start=monday[0], end=monday[1]),
        "casey_to_alex": approved_request(
            team, requester=team.casey, colleague=team.alex, start=WEEK_4[0], end=WEEK_4[1]
        ),
        "past": factories.SwapRequestFactory(
            rotation=team.rotation,
            requester=team.alex,
            colleague=team.casey,
            start=NOW - 14 * DAY,
            end=NOW - 13 * DAY,
        ),
    }
    user = {
        "casey": team.casey.user,
        "drew": team.drew.user,
        "manager": team.manager,
        "stranger": team.stranger,
    }[who]

    response = logged_in(client, user).get("/swaps/", {"show": show})

    shown = {swap.pk for swap in response.context["listing"].swaps}
    assert shown == {swaps[name].pk for name in expected}


def test_the_tabs_count_their_requests(client, team):
    file_request(team)
    accepted_request(team, colleague=team.drew, start=WEEK_3[0], end=WEEK_3[0] + DAY)

    response = logged_in(client, team.manager).get("/swaps/")

    tabs = {value: count for value, _, count in response.context["listing"].tabs}
    assert tabs == {"upcoming": 2, "mine": 0, "awaiting_me": 1, "awaiting_approval": 1, "past": 0}
    assert "Awaiting approval" in response.content.decode()


def test_an_empty_tab_says_so_and_offers_the_form(client, team):
    html = logged_in(client, team.stranger).get("/swaps/?show=awaiting_me").content.decode()

    assert "Nothing is waiting for you." in html


def test_the_list_pages_through_many_requests(client, team):
    for day in range(30):
        factories.SwapRequestFactory(
            rotation=team.rotation,
            requester=team.alex,
            colleague=team.casey,
            start=WEEK_3[0] + day * timedelta(hours=1),
            end=WEEK_3[1],
        )
    client = logged_in(client, team.stranger)

    first, second = client.get("/swaps/"), client.get("/swaps/?show=upcoming&page=2")

    assert len(first.context["listing"].swaps) == 25
    assert len(second.context["listing"].swaps) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(client, team, django_assert_num_queries):
    file_request(team)
    client = logged_in(client, team.alex.user)
    with django_assert_num_queries(LIST_QUERIES):
        client.get("/swaps/")

    for day in range(20):
        factories.SwapRequestFactory(
            rotation=team.rotation,
            requester=team.alex,
            colleague=team.casey,
            start=WEEK_3[0] + day * timedelta(hours=1),
            end=WEEK_3[1],
        )
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/swaps/")
    assert response.content.decode().count("swap-state-pending") == 21
    with django_assert_num_queries(REQUEST_QUERIES):  # the same login again: from the cache
        again = client.get("/swaps/")
    assert again.content.decode().count("swap-state-pending") == 21
    assert len(response.context["listing"].swaps) == 21


# --- the form -------------------------------------------------------------------------------


def test_the_form_offers_the_viewers_shifts(client, team):
    response = logged_in(client, team.alex.user).get("/swaps/new/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your shift" in html
    assert "Primary · Mon 12 Jan 09:00 → Mon 19 Jan 09:00 · Odd weeks (week 3)" in html
    assert 'name="submission_key"' in html
    assert "Casey Doe" in html  # a colleague to pick
    assert "Filing for" not in html  # not a manager


def test_the_form_can_be_prefilled_from_a_link(client, team):
    shift = value(team, "primary", WEEK_3)

    response = logged_in(client, team.alex.user).get("/swaps/new/", {"shift": shift})

    assert response.context["form"]["shift"].value() == shift


def test_a_login_without_a_person_cannot_file_for_itself(client, team):
    user = factories.UserFactory(username="nobody")

    response = logged_in(client, user).get("/swaps/new/")

    assert response.status_code == 200
    assert response.context["form"] is None
    assert views.NO_PERSON in response.content.decode()


def test_someone_without_shifts_is_told_there_is_nothing_to_hand_over(client, team):
    response = logged_in(client, team.stranger).get("/swaps/new/")

    assert views.NO_SHIFTS.format(person="Sam Roe", weeks=26) in response.content.decode()


def test_a_manager_chooses_whose_shifts_to_offer(client, team):
    client = logged_in(client, team.manager)

    first = client.get("/swaps/new/")
    assert first.context["form"] is None
    assert views.CHOOSE_REQUESTER in first.content.decode()
    assert "Filing for" in first.content.decode()

    response = client.get("/swaps/new/", {"requester": team.alex.pk})
    html = response.content.decode()
    assert "Alex Doe&#x27;s shift" in html
    assert "Filing on behalf of <strong>Alex Doe</strong>" in html
    assert "Mon 12 Jan 09:00 → Mon 19 Jan 09:00" in html


def test_filing_creates_the_request_and_shows_it(client, team):
    client = logged_in(client, team.alex.user)

    response = client.post("/swaps/new/", form_data(team), follow=True)

    swap = SwapRequest.objects.get()
    assert response.redirect_chain == [(f"/swaps/{swap.pk}/", 302)]
    assert (swap.requester, swap.colleague, swap.state) == (team.alex, team.casey, "pending")
    assert (swap.start, swap.end) == WEEK_3
    assert swap.filed_by == team.alex.user
    assert views.FILED.format(colleague="Casey Doe") in messages_of(response)


def test_a_replayed_form_creates_nothing_and_leads_to_the_first_request(client, team):
    client = logged_in(client, team.alex.user)
    data = form_data(team)
    client.post("/swaps/new/", data)

    response = client.post("/swaps/new/", data, follow=True)

    swap = SwapRequest.objects.get()
    assert response.redirect_chain == [(f"/swaps/{swap.pk}/", 302)]
    assert views.ALREADY_FILED in messages_of(response)


def test_a_replay_after_approval_still_leads_to_the_request(client, team):
    data = form_data(team)
    logged_in(client, team.alex.user).post("/swaps/new/", data)
    swap = SwapRequest.objects.get()
    service.swap_request_accept(swap=swap, by=team.casey.user)
    service.swap_request_approve(swap=swap, by=team.manager)

    response = client.post("/swaps/new/", data)

    assert response.status_code == 302
    assert response.url == f"/swaps/{swap.pk}/"
    assert SwapRequest.objects.count() == 1


def test_a_rule_broken_shows_its_message_next_to_the_field(client, team):
    response = logged_in(client, team.alex.user).post(
        "/swaps/new/", form_data(team, colleague=str(team.blair.pk))
    )

    assert response.status_code == 200
    message = service.COLLEAGUE_ON_CALL.format(colleague="Blair Doe", tier="secondary")
    assert response.context["form"].errors["colleague"] == [message]
    assert "is-invalid" in response.content.decode()
    assert not SwapRequest.objects.exists()


def test_someone_cannot_file_for_another_by_tampering_with_the_form(client, team):
    response = logged_in(client, team.casey.user).post(
        "/swaps/new/", form_data(team, requester=str(team.alex.pk), colleague=str(team.drew.pk))
    )

    assert response.status_code == 200
    assert response.context["form"].errors["shift"]  # Alex's shift is not on Casey's list
    assert not SwapRequest.objects.exists()


def test_a_manager_files_on_someones_behalf(client, team):
    response = logged_in(client, team.manager).post("/swaps/new/", form_data(team))

    swap = SwapRequest.objects.get()
    assert response.url == f"/swaps/{swap.pk}/"
    assert (swap.requester, swap.filed_by) == (team.alex, team.manager)
    assert swap.events.get().note == "on behalf of Alex Doe"


def test_the_form_runs_a_fixed_number_of_queries(client, team, django_assert_num_queries):
    client = logged_in(client, team.alex.user)
    with django_assert_num_queries(FORM_QUERIES):
        client.get("/swaps/new/")

    for index in range(3):
        more = build_team(suffix=f"-{index}", slug=f"more-{index}", name=f"More {index}")
        approved_request(more, start=WEEK_3[0], end=WEEK_3[0] + DAY)
    with django_assert_num_queries(FORM_QUERIES):
        response = client.get("/swaps/new/")
    assert len(response.context["options"].people) == 5 * 4


# --- a request's page -----------------------------------------------------------------------


def test_the_page_shows_the_request_and_its_timeline(client, team):
    swap = approved_request(team)

    response = logged_in(client, team.stranger).get(f"/swaps/{swap.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Cover request #{swap.pk}" in html
    assert "Alex Doe asked Casey Doe to cover their primary on-call on Platform." in html
    assert "Mon 12 Jan, 09:00 UTC" in html
    assert "Family event" in html
    assert [(entry.actor, entry.verb) for entry in response.context["detail"].timeline] == [
        ("Alex Doe", "filed the request"),
        ("Casey Doe", "accepted"),
        ("boss", "approved"),
    ]
    assert "in effect" in html
    assert "/oncall/?start=2026-01-12" in html
    assert f'action="/swaps/{swap.pk}/' not in html  # nothing for a bystander to do


@pytest.mark.parametrize(
    ("state", "who", "buttons", "absent"),
    [
        ("pending", "casey", ["/accept/", "/decline/"], ["/approve/", "/cancel/", "/revert/"]),
        ("pending", "alex", ["/cancel/"], ["/accept/", "/approve/", "/decline/"]),
        ("pending", "stranger", [], ["/accept/", "/decline/", "/cancel/"]),
        ("accepted", "manager", ["/approve/", "/decline/", "/cancel/"], ["/accept/", "/revert/"]),
        ("approved", "manager", ["/revert/"], ["/approve/", "/cancel/"]),
        ("approved", "alex", ["/cancel/"], ["/revert/", "/approve/"]),
        ("approved", "casey", [], ["/revert/", "/cancel/"]),
    ],
)
def test_the_page_shows_the_buttons_the_viewer_may_use(client, team, state, who, buttons, absent):
    swap = factories.SwapRequestFactory(
        rotation=team.rotation,
        requester=team.alex,
        colleague=team.casey,
        start=WEEK_3[0],
        end=WEEK_3[1],
        state=state,
    )
    user = {
        "casey": team.casey.user,
        "alex": team.alex.user,
        "manager": team.manager,
        "stranger": team.stranger,
    }[who]

    html = logged_in(client, user).get(f"/swaps/{swap.pk}/").content.decode()

    asks_first = {"/cancel/": 'href="?confirm=cancelled', "/revert/": 'href="?confirm=reverted'}
    for button in buttons:
        assert asks_first.get(button, f'action="/swaps/{swap.pk}{button}"') in html
    for button in absent:
        assert asks_first.get(button, f'action="/swaps/{swap.pk}{button}"') not in html
        assert f'action="/swaps/{swap.pk}{button}"' not in html
    if not buttons:
        assert "Next step" in html


@pytest.mark.parametrize(
    ("state", "who", "step", "question"),
    [
        ("approved", "manager", "reverted", views.CONFIRM_REVERT),
        ("approved", "alex", "cancelled", views.CONFIRM_CANCEL_APPROVED),
        ("pending", "alex", "cancelled", views.CONFIRM_CANCEL),
    ],
)
def test_cancelling_and_reverting_ask_first_without_javascript(
    client, team, state, who, step, question
):
    swap = factories.SwapRequestFactory(
        rotation=team.rotation,
        requester=team.alex,
        colleague=team.casey,
        start=WEEK_3[0],
        end=WEEK_3[1],
        state=state,
    )
    client = logged_in(client, {"manager": team.manager, "alex": team.alex.user}[who])
    verb = {"reverted": "revert", "cancelled": "cancel"}[step]

    page = client.get(f"/swaps/{swap.pk}/").content.decode()
    assert question not in page and f'action="/swaps/{swap.pk}/{verb}/"' not in page

    asked = client.get(f"/swaps/{swap.pk}/", {"confirm": step}).content.decode()
    assert question.replace("'", "&#x27;") in asked
    assert f'action="/swaps/{swap.pk}/{verb}/"' in asked
    assert f'href="/swaps/{swap.pk}/">No, keep it' in asked
    swap.refresh_from_db()
    assert swap.state == state


def test_a_confirmation_the_viewer_may_not_give_is_not_offered(client, team):
    swap = approved_request(team)
    html = (
        logged_in(client, team.casey.user)
        .get(f"/swaps/{swap.pk}/", {"confirm": "reverted"})
        .content.decode()
    )
    assert views.CONFIRM_REVERT not in html and "/revert/" not in html


def test_filing_the_same_shift_again_warns_and_both_pages_show_the_conflict(client, team):
    first = file_request(team)
    client = logged_in(client, team.alex.user)

    response = client.post("/swaps/new/", form_data(team, colleague=str(team.drew.pk)), follow=True)

    second = SwapRequest.objects.exclude(pk=first.pk).get()
    assert views.ALREADY_ASKED.format(numbers=f"#{first.pk}") in messages_of(response)
    html = response.content.decode()
    assert f'<a href="/swaps/{first.pk}/">#{first.pk}</a>: Alex Doe → Casey Doe, pending' in html
    manager = logged_in(Client(), team.manager)
    listing = manager.get("/swaps/").content.decode()
    assert f"conflicts with #{second.pk}</a>" in listing
    assert f"conflicts with #{first.pk}</a>" in listing


def test_an_unknown_request_is_404(client, team):
    assert logged_in(client, team.alex.user).get("/swaps/999/").status_code == 404


def test_the_page_runs_a_fixed_number_of_queries(client, team, django_assert_num_queries):
    small = file_request(team)
    client = logged_in(client, team.manager)
    with django_assert_num_queries(OPEN_COVER_DETAIL_QUERIES):
        client.get(f"/swaps/{small.pk}/")

    swap = service.swap_request_accept(
        swap=file_request(
            team,
            kind="swap",
            start=WEEK_3[0] + DAY,
            end=WEEK_3[1],
            return_start=WEEK_4[0],
            return_end=WEEK_4[1],
        ),
        by=team.casey.user,
    )
    service.swap_request_approve(swap=swap, by=team.manager)
    service.swap_request_revert(swap=swap, by=team.manager)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(f"/swaps/{swap.pk}/")
    assert len(response.context["detail"].timeline) == 4
    assert len(response.context["detail"].overrides) == 2


# --- the steps ------------------------------------------------------------------------------


def test_the_colleague_accepts(client, team):
    swap = file_request(team)

    response = logged_in(client, team.casey.user).post(f"/swaps/{swap.pk}/accept/", follow=True)

    assert response.redirect_chain == [(f"/swaps/{swap.pk}/", 302)]
    assert views.ACCEPTED in messages_of(response)
    swap.refresh_from_db()
    assert swap.state == SwapState.ACCEPTED


def test_the_colleague_declines_with_a_note(client, team):
    swap = file_request(team)

    response = logged_in(client, team.casey.user).post(
        f"/swaps/{swap.pk}/decline/", {"note": "I'm away"}, follow=True
    )

    assert views.DECLINED in messages_of(response)
    swap.refresh_from_db()
    assert swap.state == SwapState.DECLINED
    assert "“I&#x27;m away”" in response.content.decode()


def test_a_manager_approves_and_every_view_shows_the_override(client, team):
    swap = accepted_request(team)
    client = logged_in(client, team.manager)

    response = client.post(f"/swaps/{swap.pk}/approve/", follow=True)

    assert views.APPROVED in messages_of(response)
    assert Override.objects.get().person == team.casey
    api = client.get("/api/oncall/", {"at": "2026-01-13T12:00:00Z"})
    primary = json.loads(api.content)["rotations"][0]["primary"]
    assert (primary["name"], primary["overridden"]) == ("Casey Doe", True)


def test_a_manager_reverts(client, team):
    swap = approved_request(team)

    response = logged_in(client, team.manager).post(f"/swaps/{swap.pk}/revert/", follow=True)

    assert views.REVERTED in messages_of(response)
    assert Override.objects.get().reverted_by == team.manager
    assert "reverted" in response.content.decode()


@pytest.mark.parametrize("step", ["revert", "cancel"])
def test_ending_a_cover_midway_keeps_it_in_every_view_of_the_past(client, team, frozen_clock, step):
    swap = approved_request(team)
    ended = WEEK_3[0] + timedelta(hours=15)  # Tue 13 Jan 00:00 UTC
    user = team.manager if step == "revert" else team.alex.user
    frozen_clock.move_to(ended)
    logged_in(client, user).post(f"/swaps/{swap.pk}/{step}/")

    during, after = "2026-01-12T12:00:00Z", "2026-01-13T00:00:00Z"
    api = [
        client.get("/api/oncall/", {"at": at}).json()["rotations"][0]["primary"]
        for at in (during, after)
    ]
    assert [(primary["name"], primary["overridden"]) for primary in api] == [
        ("Casey Doe", True),
        ("Alex Doe", False),
    ]
    calendar = client.get("/oncall/", {"at": during}).content.decode()
    assert 'class="oncall-focus-person">Casey Doe<' in calendar
    ics = client.get("/oncall/calendar.ics").content.decode().replace("\r\n ", "")
    assert "DTSTART:20260112T090000Z\r\nDTEND:20260113T000000Z" in ics
    assert "SUMMARY:Primary on call: Casey Doe (covering for Alex Doe)" in ics
    page = client.get(f"/swaps/{swap.pk}/").content.decode()
    assert "covered " in page and ", reverted early" in page
    assert "Mon 12 Jan, 09:00" in page and "Tue 13 Jan, 00:00" in page


def test_the_requester_cancels(client, team):
    swap = file_request(team)

    response = logged_in(client, team.alex.user).post(f"/swaps/{swap.pk}/cancel/", follow=True)

    assert views.CANCELLED in messages_of(response)
    swap.refresh_from_db()
    assert swap.state == SwapState.CANCELLED


@pytest.mark.parametrize(
    ("step", "who", "reason"),
    [
        ("accept", "stranger", service.ONLY_COLLEAGUE),
        ("accept", "alex", service.ONLY_COLLEAGUE),
        ("decline", "stranger", service.ONLY_COLLEAGUE),
        ("approve", "casey", service.ONLY_MANAGERS),
        ("cancel", "casey", service.ONLY_REQUESTER_OR_MANAGER),
        ("revert", "alex", service.ONLY_MANAGERS),
    ],
)
def test_anyone_else_gets_403_saying_who_may_and_nothing_changes(client, team, step, who, reason):
    swap = file_request(team)
    user = {"casey": team.casey.user, "alex": team.alex.user, "stranger": team.stranger}[who]

    response = logged_in(client, user).post(f"/swaps/{swap.pk}/{step}/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html
    assert reason.format(colleague="Casey Doe").replace("'", "&#x27;") in html
    swap.refresh_from_db()
    assert swap.state == SwapState.PENDING
    assert swap.events.count() == 1


def test_a_step_the_state_no_longer_allows_shows_a_clear_message(client, team):
    swap = approved_request(team)

    response = logged_in(client, team.manager).post(f"/swaps/{swap.pk}/approve/", follow=True)

    message = service.TRANSITION_NOT_ALLOWED.format(state="approved", verb="approved")
    assert message in messages_of(response)
    assert message.replace("'", "&#x27;") in response.content.decode()
    swap.refresh_from_db()
    assert swap.state == SwapState.APPROVED


def test_a_request_superseded_at_approval_says_so_and_changes_nothing(client, team):
    first, second = accepted_request(team), accepted_request(team, colleague=team.drew)
    client = logged_in(client, team.manager)
    client.post(f"/swaps/{first.pk}/approve/")

    response = client.post(f"/swaps/{second.pk}/approve/", follow=True)

    message = service.TRANSITION_NOT_ALLOWED.format(state="superseded", verb="approved")
    assert message in messages_of(response)
    assert f"Request #{first.pk} for this shift was approved." in response.content.decode()
    second.refresh_from_db()
    assert second.state == SwapState.SUPERSEDED
    assert Override.objects.get().swap_request == first


@pytest.mark.parametrize("step", ["accept", "decline", "approve", "cancel", "revert"])
def test_steps_only_answer_post(client, team, step):
    swap = file_request(team)

    response = logged_in(client, team.manager).get(f"/swaps/{swap.pk}/{step}/")

    assert response.status_code == 405


def test_a_step_on_an_unknown_request_is_404(client, team):
    assert logged_in(client, team.manager).post("/swaps/999/approve/").status_code == 404


def test_upcoming_leaves_out_requests_that_ended_and_past_has_them(client, team):
    standing = file_request(team)
    ended = {
        state: factories.SwapRequestFactory(
            rotation=team.rotation,
            requester=team.alex,
            colleague=team.casey,
            start=WEEK_4[0],
            end=WEEK_4[1],
            state=state,
        )
        for state in (
            SwapState.CANCELLED,
            SwapState.DECLINED,
            SwapState.REVERTED,
            SwapState.SUPERSEDED,
        )
    }

    def shown(show):
        response = logged_in(client, team.stranger).get("/swaps/", {"show": show})
        return {swap.pk for swap in response.context["listing"].swaps}

    assert shown("upcoming") == {standing.pk}
    assert shown("past") == {swap.pk for swap in ended.values()}


def test_an_open_cover_request_suggests_who_else_is_free(client, team):
    swap = file_request(team)
    html = logged_in(client, team.alex.user).get(f"/swaps/{swap.pk}/").content.decode()
    assert "Suggested cover" in html
    # Blair holds the same week; Casey and Drew the weeks either side of it.
    assert "Nobody on Platform is free then" in html
    service.swap_request_cancel(swap=swap, by=team.alex.user)
    html = client.get(f"/swaps/{swap.pk}/").content.decode()
    assert "Suggested cover" not in html


def test_a_cached_list_moves_a_request_to_the_past_the_instant_it_ends(client, team):
    swap = file_request(team)
    client = logged_in(client, team.alex.user)

    def tabs_at(at):
        with time_machine.travel(at, tick=False):
            response = client.get("/swaps/", {"show": "past"})
        return re.findall(r"swap-state-pending", response.content.decode())

    last_moment = swap.end - timedelta(microseconds=1)
    assert tabs_at(last_moment - timedelta(hours=1)) == []
    assert tabs_at(last_moment) == []  # from the cache: still ahead
    assert tabs_at(swap.end) == ["swap-state-pending"]


def test_a_cached_list_is_each_logins_own(client, team):
    file_request(team)
    alex = logged_in(client, team.alex.user).get("/swaps/", {"show": "mine"}).content.decode()
    client.logout()
    stranger = logged_in(client, team.stranger).get("/swaps/", {"show": "mine"}).content.decode()
    assert "swap-state-pending" in alex
    assert "swap-state-pending" not in stranger
