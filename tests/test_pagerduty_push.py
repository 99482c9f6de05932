"""Approved swaps become PagerDuty overrides, through the outbox, against a fake PagerDuty
driven by the real `pagerduty` client."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from escalation.models import (
    MessageChannel,
    MessageStatus,
    OutgoingMessage,
    Override,
    PagerDutyPushState,
)
from escalation.notify.outbox import deliver
from escalation.services import pagerduty_push
from escalation.services import swaps as service
from escalation.views.swaps import PAGERDUTY_RETRIED
from tests.pagerduty_data import PRIMARY, USER_IDS, linked_team, mirror_rotation
from tests.swaps_data import NOW, WEEK_4, accepted_request, swap_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(pagerduty_fake):
    with time_machine.travel(NOW, tick=False):
        team = linked_team(pagerduty_fake)
        mirror_rotation(pagerduty_fake, team, NOW, NOW + timedelta(weeks=8))
        yield team


def _approve(team, django_capture_on_commit_callbacks, **kwargs):
    swap = accepted_request(team, **kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        return service.swap_request_approve(swap=swap, by=team.manager)


def _states(swap):
    return [
        (o.pagerduty_state, o.pagerduty_override_id != "", o.pagerduty_error)
        for o in Override.objects.filter(swap_request=swap).order_by("start")
    ]


def test_approved_swap_creates_the_overrides_in_pagerduty(
    team, pagerduty_fake, django_capture_on_commit_callbacks
):
    swap = accepted_request(team)
    with django_capture_on_commit_callbacks(execute=True):
        service.swap_request_approve(swap=swap, by=team.manager)
    created = list(pagerduty_fake.overrides[PRIMARY].values())
    assert [(o["user"]["id"], o["start"], o["end"]) for o in created] == [
        (USER_IDS["casey"], "2026-01-12T09:00:00Z", "2026-01-19T09:00:00Z")
    ]
    post = pagerduty_fake.calls_to("POST", f"/schedules/{PRIMARY}/overrides")[0]
    assert post.headers["Authorization"] == f"Token token={pagerduty_fake.api_key}"
    assert post.body["overrides"][0]["user"] == {"id": USER_IDS["casey"], "type": "user_reference"}
    override = Override.objects.get(swap_request=swap)
    assert override.pagerduty_state == PagerDutyPushState.IN_PAGERDUTY
    assert override.pagerduty_override_id == created[0]["id"]


def test_swap_page_shows_in_pagerduty(
    team, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    swap = _approve(team, django_capture_on_commit_callbacks)
    client.force_login(team.manager)
    page = client.get(reverse("escalation:swap_detail", args=[swap.pk])).content.decode()
    assert "in PagerDuty ✓" in page
    assert "Retry PagerDuty" not in page


def test_reverted_swap_deletes_its_overrides_from_pagerduty(
    team, pagerduty_fake, django_capture_on_commit_callbacks
):
    swap = _approve(
        team,
        django_capture_on_commit_callbacks,
        kind="swap",
        return_start=WEEK_4[0],
        return_end=WEEK_4[1],
    )
    assert len(pagerduty_fake.overrides[PRIMARY]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        service.swap_request_revert(swap=swap, by=team.manager)
    assert pagerduty_fake.overrides[PRIMARY] == {}
    assert len(pagerduty_fake.calls_to("DELETE")) == 2
    assert [state for state, _, _ in _states(swap)] == [PagerDutyPushState.REMOVED] * 2


def test_pagerduty_down_still_approves_and_a_later_retry_creates_once(
    team, pagerduty_fake, django_capture_on_commit_callbacks
):
    pagerduty_fake.down_with = 503
    swap = _approve(team, django_capture_on_commit_callbacks)
    swap.refresh_from_db()
    assert swap.state == "approved"
    state, has_id, error = _states(swap)[0]
    assert (state, has_id) == (PagerDutyPushState.PENDING, False)
    assert "503" in error
    message = OutgoingMessage.objects.get(channel=MessageChannel.PAGERDUTY)
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at == NOW + timedelta(minutes=1)

    pagerduty_fake.down_with = None
    with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
        deliver()
        assert deliver().sent == 0  # nothing left to send: a second run changes nothing
    assert (
        OutgoingMessage.objects.get(channel=MessageChannel.PAGERDUTY).status == MessageStatus.SENT
    )
    assert len(pagerduty_fake.overrides[PRIMARY]) == 1
    assert _states(swap)[0][:2] == (PagerDutyPushState.IN_PAGERDUTY, True)


def test_a_retry_after_a_lost_answer_adopts_the_override_instead_of_creating_a_second(
    team, pagerduty_fake, django_capture_on_commit_callbacks
):
    swap = _approve(team, django_capture_on_commit_callbacks)
    override = Override.objects.get(swap_request=swap)
    # As if PagerDuty had created it but its answer never reached the portal.
    Override.objects.filter(pk=override.pk).update(
        pagerduty_state=PagerDutyPushState.PENDING, pagerduty_override_id=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        pagerduty_push._enqueue(pagerduty_push.CREATE, PRIMARY, [override])
    assert len(pagerduty_fake.overrides[PRIMARY]) == 1
    assert len(pagerduty_fake.calls_to("POST")) == 1
    assert _states(swap)[0][:2] == (PagerDutyPushState.IN_PAGERDUTY, True)


def test_429_backs_off_and_succeeds(team, pagerduty_fake, django_capture_on_commit_callbacks):
    pagerduty_fake.fail_next = [429]
    swap = _approve(team, django_capture_on_commit_callbacks)
    assert _states(swap)[0][:2] == (PagerDutyPushState.IN_PAGERDUTY, True)
    assert len(pagerduty_fake.overrides[PRIMARY]) == 1


def test_persistent_429_waits_for_ratelimit_reset(
    team, pagerduty_fake, django_capture_on_commit_callbacks
):
    pagerduty_fake.fail_next = [429] * 3  # more than the client retries by itself
    pagerduty_fake.ratelimit_reset = 42
    swap = _approve(team, django_capture_on_commit_callbacks)
    message = OutgoingMessage.objects.get(channel=MessageChannel.PAGERDUTY)
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at == NOW + timedelta(seconds=42)
    assert _states(swap)[0][0] == PagerDutyPushState.PENDING
    with time_machine.travel(NOW + timedelta(seconds=41), tick=False):
        deliver()
    assert pagerduty_fake.overrides[PRIMARY] == {}  # not before ratelimit-reset
    with time_machine.travel(NOW + timedelta(seconds=43), tick=False):
        deliver()
    assert len(pagerduty_fake.overrides[PRIMARY]) == 1


def test_one_override_refused_among_several_only_that_one_fails(
    team, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    pagerduty_fake.refuse_users = {USER_IDS["alex"]}
    swap = _approve(
        team,
        django_capture_on_commit_callbacks,
        kind="swap",
        return_start=WEEK_4[0],
        return_end=WEEK_4[1],
    )
    casey, alex = _states(swap)
    assert casey[:2] == (PagerDutyPushState.IN_PAGERDUTY, True)
    assert alex == (PagerDutyPushState.FAILED, False, "User cannot be assigned to this schedule")
    client.force_login(team.manager)
    page = client.get(reverse("escalation:swap_detail", args=[swap.pk])).content.decode()
    assert page.count("in PagerDuty ✓") == 1
    assert "failed: User cannot be assigned to this schedule" in page
    assert "Retry PagerDuty" in page

    pagerduty_fake.refuse_users = set()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("escalation:swap_pagerduty_retry", args=[swap.pk]), follow=True
        )
    assert PAGERDUTY_RETRIED in response.content.decode()
    assert [s[0] for s in _states(swap)] == [PagerDutyPushState.IN_PAGERDUTY] * 2
    assert len(pagerduty_fake.overrides[PRIMARY]) == 2


def test_only_managers_may_retry(team, client, pagerduty_fake, django_capture_on_commit_callbacks):
    pagerduty_fake.refuse_users = {USER_IDS["casey"]}
    swap = _approve(team, django_capture_on_commit_callbacks)
    client.force_login(team.alex.user)
    page = client.get(reverse("escalation:swap_detail", args=[swap.pk])).content.decode()
    assert "failed: User cannot" in page and "Retry PagerDuty" not in page
    assert (
        client.post(reverse("escalation:swap_pagerduty_retry", args=[swap.pk])).status_code == 403
    )


def test_person_without_pagerduty_user_fails_with_the_fix(
    team, pagerduty_fake, django_capture_on_commit_callbacks
):
    team.casey.pagerduty_user_id = ""
    team.casey.save()
    swap = _approve(team, django_capture_on_commit_callbacks)
    assert _states(swap)[0] == (
        PagerDutyPushState.FAILED,
        False,
        pagerduty_push.NO_PAGERDUTY_USER.format(person=team.casey),
    )
    assert pagerduty_fake.calls_to("POST") == []


def test_an_unlinked_tier_pushes_nothing(team, pagerduty_fake, django_capture_on_commit_callbacks):
    team.rotation.pagerduty_primary_schedule_id = ""
    team.rotation.save()
    swap = _approve(team, django_capture_on_commit_callbacks)
    assert _states(swap) == [("", False, "")]
    assert pagerduty_fake.calls == []
    assert not OutgoingMessage.objects.filter(channel=MessageChannel.PAGERDUTY).exists()


def test_without_settings_nothing_is_pushed_and_managers_are_told(
    team, client, settings, pagerduty_fake, django_capture_on_commit_callbacks
):
    settings.PAGERDUTY_API_KEY = ""
    swap = _approve(team, django_capture_on_commit_callbacks)
    assert _states(swap) == [("", False, "")]
    assert pagerduty_fake.calls == []
    client.force_login(team.manager)
    page = client.get(reverse("escalation:swap_detail", args=[swap.pk])).content.decode()
    assert "PagerDuty is not connected" in page
    assert "Retry PagerDuty" not in page and "in PagerDuty" not in page


def test_swap_request_filed_as_swap_pushes_both_overrides(
    team, pagerduty_fake, django_capture_on_commit_callbacks
):
    swap = swap_request(team)
    swap = service.swap_request_accept(swap=swap, by=swap.colleague.user)
    with django_capture_on_commit_callbacks(execute=True):
        service.swap_request_approve(swap=swap, by=team.manager)
    assert len(pagerduty_fake.calls_to("POST")) == 1  # both in one multiple-overrides call
    assert sorted(o["user"]["id"] for o in pagerduty_fake.overrides[PRIMARY].values()) == sorted(
        [USER_IDS["casey"], USER_IDS["alex"]]
    )
