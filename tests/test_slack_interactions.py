"""Swap buttons in Slack: signed clicks, the swap service's rules, messages edited in place.

Everything goes through the real `slack_sdk` clients against the local fake of Slack's Web API
(tests/fakes/slack.py), and the outbox delivers as the cron job does (`deliver()`).
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from escalation import models
from escalation.integrations.slack import interactions
from escalation.integrations.slack.blocks import ACCEPT, APPROVE, DECLINE, REJECT
from escalation.notify.outbox import deliver
from escalation.services import swaps as service
from tests import factories
from tests.fakes.slack import click_body, post_signed, signed_headers
from tests.swaps_data import NOW, WEEK_3, build_team, file_request

pytestmark = pytest.mark.django_db

URL = "/slack/interactions/"
IDS = {"alex": "U0ALEX", "casey": "U0CASEY", "drew": "U0DREW", "boss": "U0BOSS"}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def team(slack_app):
    team = build_team()
    boss = factories.PersonFactory(
        display_name="Morgan Boss", email="boss@example.com", user=team.manager
    )
    for person, who in ((team.alex, "alex"), (team.casey, "casey"), (team.drew, "drew")):
        slack_app.users_by_email[person.email] = IDS[who]
    slack_app.users_by_email[boss.email] = IDS["boss"]
    team.boss = boss
    return team


def press(fake, who: str, action_id: str, swap, *, action_ts: str = "1.1", **headers):
    body = click_body(
        user_id=who,
        action_id=action_id,
        value=str(swap.pk),
        response_url=fake.response_url(f"{who}/{action_ts}"),
        action_ts=action_ts,
    )
    return post_signed(Client(raise_request_exception=False), URL, body, **headers)


def swap_messages(fake) -> list[dict]:
    return [fake.messages[key] for key in sorted(fake.messages, key=lambda key: key[1])]


def buttons(message: dict) -> list[str]:
    return [
        element["text"]["text"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def private_answers(fake) -> list[str]:
    return [call.arguments["text"] for call in fake.called("response")]


# --- The whole journey ------------------------------------------------------------------------


def test_a_colleague_accepts_and_a_manager_approves_entirely_in_slack(team, slack_app):
    swap = file_request(team)
    deliver()
    [posted] = slack_app.called("chat.postMessage")
    assert posted.arguments["channel"] == "#on-call-swap"
    assert posted.authorization == "Bearer xoxb-test-bot-token"
    [created] = swap_messages(slack_app)
    assert "Alex Doe asked Casey Doe to cover their primary on-call" in created["text"]
    assert buttons(created) == ["Accept", "Decline"]

    response = press(slack_app, IDS["casey"], ACCEPT, swap)
    assert response.status_code == 200
    swap.refresh_from_db()
    assert swap.state == models.SwapState.ACCEPTED
    team.casey.refresh_from_db()
    assert team.casey.slack_user_id == IDS["casey"]  # learned by e-mail, kept
    assert team.casey.history.first().slack_user_id == IDS["casey"]
    deliver()
    created, accepted = swap_messages(slack_app)
    assert buttons(created) == []  # edited in place: the buttons give way to what happened
    assert "Now: Casey Doe agreed to cover Alex Doe's primary on-call" in created["text"]
    assert buttons(accepted) == ["Approve", "Reject"]

    response = press(slack_app, IDS["boss"], APPROVE, swap, action_ts="2.2")
    assert response.status_code == 200
    swap.refresh_from_db()
    assert swap.state == models.SwapState.APPROVED
    deliver()
    created, accepted, approved = swap_messages(slack_app)
    assert buttons(accepted) == []
    assert "Now: Morgan Boss approved: Casey Doe will cover" in accepted["text"]
    assert "Morgan Boss approved" in approved["text"] and buttons(approved) == []
    assert private_answers(slack_app) == []
    assert len(slack_app.called("chat.update")) == 3

    # The override is in the portal: the API and the calendar say Casey covers week 3.
    client = Client()
    client.force_login(team.alex.user)
    during = (WEEK_3[0] + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rotation = client.get(reverse("escalation:api_oncall"), {"at": during}).json()["rotations"][0]
    assert rotation["primary"]["name"] == "Casey Doe"
    assert rotation["primary"]["overridden"] is True
    override = models.Override.objects.get(swap_request=swap)
    assert (override.person, override.start, override.end) == (team.casey, *WEEK_3)
    assert override.created_by == team.manager


def test_the_colleague_declines_with_a_button(team, slack_app):
    swap = file_request(team)
    deliver()
    press(slack_app, IDS["casey"], DECLINE, swap)
    swap.refresh_from_db()
    assert swap.state == models.SwapState.DECLINED
    deliver()
    created, declined = swap_messages(slack_app)
    assert "Now: Casey Doe declined to cover" in created["text"]
    assert buttons(created) == [] and buttons(declined) == []


def test_a_manager_rejects_an_accepted_request(team, slack_app):
    swap = service.swap_request_accept(swap=file_request(team), by=team.casey.user)
    press(slack_app, IDS["boss"], REJECT, swap)
    swap.refresh_from_db()
    assert swap.state == models.SwapState.DECLINED
    assert not models.Override.objects.exists()


def test_a_web_step_also_edits_the_slack_message(team, slack_app):
    swap = file_request(team)
    deliver()
    service.swap_request_accept(swap=swap, by=team.casey.user)  # on the web
    deliver()
    created, accepted = swap_messages(slack_app)
    assert buttons(created) == [] and buttons(accepted) == ["Approve", "Reject"]


# --- The wrong person -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "action_id", "state", "explanation"),
    [
        ("drew", ACCEPT, models.SwapState.PENDING, service.ONLY_COLLEAGUE),
        ("boss", ACCEPT, models.SwapState.PENDING, service.ONLY_COLLEAGUE),
        ("alex", DECLINE, models.SwapState.PENDING, service.ONLY_COLLEAGUE),
        ("casey", APPROVE, models.SwapState.ACCEPTED, service.ONLY_MANAGERS),
        ("drew", REJECT, models.SwapState.ACCEPTED, service.ONLY_MANAGERS),
        ("boss", DECLINE, models.SwapState.PENDING, service.ONLY_COLLEAGUE),
    ],
)
def test_a_wrong_person_gets_the_services_explanation_privately_and_nothing_changes(
    team, slack_app, who, action_id, state, explanation
):
    for person in (team.alex, team.drew):  # linked earlier
        person.slack_user_id = IDS[person.display_name.split()[0].lower()]
        person.save()
    swap = file_request(team)
    if state == models.SwapState.ACCEPTED:
        swap = service.swap_request_accept(swap=swap, by=team.casey.user)
    events = swap.events.count()
    response = press(slack_app, IDS[who], action_id, swap)
    assert response.status_code == 200
    swap.refresh_from_db()
    assert swap.state == state
    assert swap.events.count() == events
    assert not models.Override.objects.exists()
    deliver()
    assert private_answers(slack_app) == [explanation.format(colleague="Casey Doe")]
    [answer] = slack_app.called("response")
    assert answer.arguments["response_type"] == "ephemeral"
    assert answer.arguments["replace_original"] is False


def test_a_slack_user_slack_cannot_match_is_told_to_get_linked(team, slack_app):
    swap = file_request(team)
    press(slack_app, "U0STRANGER", ACCEPT, swap)
    deliver()
    assert private_answers(slack_app) == [interactions.NOT_LINKED]
    swap.refresh_from_db()
    assert swap.state == models.SwapState.PENDING
    # Looking people up, the colleague's ID was learned all the same.
    team.casey.refresh_from_db()
    assert team.casey.slack_user_id == IDS["casey"]


def test_a_person_without_a_login_is_told_so(team, slack_app):
    helper = factories.PersonFactory(display_name="No Login", slack_user_id="U0NOLOGIN")
    swap = file_request(team)
    press(slack_app, helper.slack_user_id, ACCEPT, swap)
    deliver()
    assert private_answers(slack_app) == [interactions.NO_LOGIN.format(person="No Login")]


def test_a_request_that_moved_on_gets_the_services_message(team, slack_app):
    swap = service.swap_request_accept(swap=file_request(team), by=team.casey.user)
    press(slack_app, IDS["casey"], ACCEPT, swap)
    deliver()
    assert private_answers(slack_app) == [
        service.TRANSITION_NOT_ALLOWED.format(state="accepted", verb="accepted")
    ]


def test_a_linked_person_is_found_without_asking_slack(team, slack_app):
    team.casey.slack_user_id = IDS["casey"]
    team.casey.save()
    swap = file_request(team)
    press(slack_app, IDS["casey"], ACCEPT, swap)
    assert slack_app.called("users.lookupByEmail") == []
    swap.refresh_from_db()
    assert swap.state == models.SwapState.ACCEPTED


# --- Retries, replays and bad requests ---------------------------------------------------------


def test_a_retried_or_replayed_click_is_acted_on_once(team, slack_app):
    swap = file_request(team)
    body = click_body(
        user_id=IDS["casey"], action_id=ACCEPT, value=str(swap.pk), response_url="https://x.test/"
    )
    client = Client()
    assert post_signed(client, URL, body).status_code == 200
    assert post_signed(client, URL, body, HTTP_X_SLACK_RETRY_NUM="1").status_code == 200
    assert post_signed(client, URL, body).status_code == 200
    swap.refresh_from_db()
    assert swap.state == models.SwapState.ACCEPTED
    assert swap.events.filter(action=models.SwapAction.ACCEPTED).count() == 1
    assert models.OutgoingMessage.objects.filter(channel="slack_response").count() == 0


def test_a_click_with_a_wrong_signature_does_nothing(team, slack_app):
    swap = file_request(team)
    body = click_body(
        user_id=IDS["casey"], action_id=ACCEPT, value=str(swap.pk), response_url="https://x.test/"
    )
    headers = signed_headers(body, secret="not-the-secret")
    response = Client().generic(
        "POST", URL, body, content_type="application/x-www-form-urlencoded", **headers
    )
    assert response.status_code == 401
    swap.refresh_from_db()
    assert swap.state == models.SwapState.PENDING
    assert slack_app.calls == []


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ("not json", interactions.PAYLOAD_INVALID),
        ("[1, 2]", interactions.PAYLOAD_INVALID),
        ('{"type": "block_actions", "user": {"id": "U1"}}', interactions.PAYLOAD_INCOMPLETE),
        (
            '{"type": "block_actions", "user": {"id": "U1"}, "response_url": "https://x.test/",'
            ' "actions": [{"action_id": "swap_accept", "value": "one"}]}',
            interactions.PAYLOAD_INCOMPLETE,
        ),
    ],
)
def test_a_signed_but_malformed_payload_gets_400_with_the_reason(team, slack_app, payload, error):
    from urllib.parse import urlencode

    response = post_signed(Client(), URL, urlencode({"payload": payload}))
    assert response.status_code == 400
    assert response.content.decode() == error


def test_other_interactions_and_other_buttons_are_acknowledged_and_ignored(team, slack_app):
    from urllib.parse import urlencode

    swap = file_request(team)
    shortcut = urlencode({"payload": '{"type": "shortcut", "callback_id": "x"}'})
    assert post_signed(Client(), URL, shortcut).status_code == 200
    body = click_body(
        user_id=IDS["casey"], action_id="open_page", value="1", response_url="https://x.test/"
    )
    assert post_signed(Client(), URL, body).status_code == 200
    swap.refresh_from_db()
    assert swap.state == models.SwapState.PENDING


def test_a_request_that_no_longer_exists_is_explained(team, slack_app):
    swap = file_request(team)
    pk = swap.pk
    press(slack_app, IDS["casey"], ACCEPT, type("Gone", (), {"pk": pk + 100})())
    deliver()
    assert private_answers(slack_app) == [interactions.NO_SUCH_REQUEST]
