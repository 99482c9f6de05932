"""The swap request service: its rules, its state machine, its permissions and its overrides."""

from datetime import timedelta
from uuid import uuid4

import pytest
import time_machine
from django.db import connection

from escalation.models import (
    OnCallTier,
    OutgoingMessage,
    Override,
    SwapAction,
    SwapKind,
    SwapRequest,
    SwapRequestEvent,
    SwapState,
)
from escalation.selectors.oncall import on_call_now
from escalation.services import swaps as service
from escalation.services.swaps import SwapError, SwapPermissionDenied
from tests import factories
from tests.swaps_data import (
    DAY,
    NOW,
    WEEK_2,
    WEEK_3,
    WEEK_4,
    WEEK_5,
    accepted_request,
    approved_request,
    build_team,
    file_request,
    swap_request,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def team(db):
    return build_team()


def events(swap):
    return list(SwapRequestEvent.objects.filter(swap=swap).values_list("action", flat=True))


# --- filing ---------------------------------------------------------------------------------


def test_filing_a_cover_makes_a_pending_request_with_its_first_timeline_entry(team):
    swap = file_request(team)

    assert swap.state == SwapState.PENDING
    assert (swap.requester, swap.colleague, swap.tier) == (team.alex, team.casey, "primary")
    assert (swap.start, swap.end) == WEEK_3
    assert swap.filed_by == team.alex.user
    event = swap.events.get()
    assert (event.action, event.actor, event.at, event.note) == ("created", team.alex.user, NOW, "")


def test_filing_emails_requester_and_colleague_through_the_outbox(team):
    swap = file_request(team)

    recipients = set(
        OutgoingMessage.objects.filter(dedupe_key=f"swap:{swap.pk}:created").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {team.alex.email, team.casey.email}


def test_a_replayed_submission_key_returns_the_first_request_and_creates_nothing(team):
    key = uuid4()
    first = file_request(team, submission_key=key)
    again = file_request(team, submission_key=key, colleague=team.drew)

    assert again.pk == first.pk
    assert again.colleague == team.casey
    assert SwapRequest.objects.count() == 1
    assert SwapRequestEvent.objects.count() == 1


def test_a_manager_may_file_on_someones_behalf_and_the_timeline_says_so(team):
    swap = file_request(team, filed_by=team.manager)

    assert swap.filed_by == team.manager
    assert swap.events.get().note == f"on behalf of {team.alex}"


def test_someone_else_than_the_requester_cannot_file_for_them(team):
    with pytest.raises(SwapPermissionDenied, match=service.ONLY_MANAGERS_FILE_FOR_OTHERS):
        file_request(team, filed_by=team.casey.user)
    assert not SwapRequest.objects.exists()


def test_a_part_of_a_shift_can_be_handed_over(team):
    swap = file_request(team, start=WEEK_3[0] + 2 * DAY, end=WEEK_3[0] + 3 * DAY)

    assert swap.end - swap.start == DAY


def test_the_shift_in_progress_can_be_handed_over_from_now(team):
    swap = file_request(team, requester=team.casey, colleague=team.alex, start=NOW, end=WEEK_2[1])

    assert swap.start == NOW


# --- every rule, with its message ------------------------------------------------------------


def check_refused(team, message, field, **arguments):
    with pytest.raises(SwapError) as caught:
        file_request(team, **arguments)
    assert caught.value.message == message
    assert caught.value.field == field
    assert not SwapRequest.objects.exists()


def test_end_must_be_after_start(team):
    check_refused(team, service.END_NOT_AFTER_START, "interval", start=WEEK_3[0], end=WEEK_3[0])


def test_an_interval_already_over_is_refused(team):
    check_refused(
        team,
        service.ALREADY_OVER,
        "interval",
        requester=team.casey,
        colleague=team.alex,
        start=WEEK_2[0],
        end=NOW - DAY,
    )


def test_an_interval_starting_in_the_past_is_refused(team):
    check_refused(
        team,
        service.START_IN_PAST,
        "interval",
        requester=team.casey,
        colleague=team.alex,
        start=WEEK_2[0],
        end=WEEK_2[1],
    )


def test_a_start_a_moment_ago_is_accepted_as_now(team):
    swap = file_request(
        team,
        requester=team.casey,
        colleague=team.alex,
        start=NOW - service.PAST_GRACE + timedelta(seconds=1),
        end=WEEK_2[1],
    )
    assert swap.state == SwapState.PENDING


def test_the_requester_must_be_on_call_in_that_tier_for_the_whole_interval(team):
    message = service.REQUESTER_NOT_ON_CALL.format(requester=team.alex, tier="primary")
    check_refused(team, message, "interval", start=WEEK_3[0], end=WEEK_4[0] + DAY)


def test_the_requester_is_not_on_call_in_the_other_tier(team):
    message = service.REQUESTER_NOT_ON_CALL.format(requester=team.alex, tier="secondary")
    check_refused(team, message, "interval", tier=OnCallTier.SECONDARY)


def test_an_override_counts_when_deciding_who_is_on_call(team):
    factories.OverrideFactory(
        rotation=team.rotation,
        tier="primary",
        person=team.drew,
        start=WEEK_3[0] + DAY,
        end=WEEK_3[0] + 2 * DAY,
    )
    message = service.REQUESTER_NOT_ON_CALL.format(requester=team.alex, tier="primary")
    check_refused(team, message, "interval")


def test_an_inactive_requester_cannot_ask(team):
    team.alex.is_active = False
    team.alex.save()
    check_refused(
        team,
        service.REQUESTER_INACTIVE.format(requester=team.alex),
        "requester",
        filed_by=team.manager,
    )


def test_the_colleague_must_be_someone_else(team):
    check_refused(team, service.COLLEAGUE_IS_REQUESTER, "colleague", colleague=team.alex)


def test_the_colleague_must_be_active(team):
    team.casey.is_active = False
    team.casey.save()
    check_refused(team, service.COLLEAGUE_INACTIVE.format(colleague=team.casey), "colleague")


def test_the_colleague_must_not_be_on_call_through_an_override_then(team):
    # Alex covers Casey's week 4 primary; Drew (week 4 secondary) cannot hand that week to Alex.
    factories.OverrideFactory(
        rotation=team.rotation, tier="primary", person=team.alex, start=WEEK_4[0], end=WEEK_4[1]
    )
    message = service.COLLEAGUE_ON_CALL.format(colleague=team.alex, tier="primary")
    check_refused(
        team,
        message,
        "colleague",
        requester=team.drew,
        colleague=team.alex,
        tier=OnCallTier.SECONDARY,
        start=WEEK_4[0],
        end=WEEK_4[1],
    )


def test_the_colleague_must_not_be_on_call_in_the_other_tier_either(team):
    message = service.COLLEAGUE_ON_CALL.format(colleague=team.blair, tier="secondary")
    check_refused(team, message, "colleague", colleague=team.blair)


def test_a_swap_needs_a_return_shift(team):
    check_refused(team, service.RETURN_REQUIRED, "return", kind=SwapKind.SWAP)


def test_a_cover_has_no_return_shift(team):
    check_refused(
        team, service.RETURN_FOR_COVER, "return", return_start=WEEK_4[0], return_end=WEEK_4[1]
    )


def test_the_return_shift_must_end_after_it_starts(team):
    with pytest.raises(SwapError) as caught:
        swap_request(team, return_start=WEEK_4[1], return_end=WEEK_4[0])
    assert (caught.value.message, caught.value.field) == (
        service.RETURN_END_NOT_AFTER_START,
        "return",
    )


def test_the_return_shift_must_not_have_started(team):
    with pytest.raises(SwapError, match=service.RETURN_IN_PAST):
        swap_request(team, return_start=WEEK_2[0], return_end=WEEK_2[1])


def test_the_return_shift_must_not_be_over(team):
    with pytest.raises(SwapError, match=service.ALREADY_OVER):
        swap_request(team, return_start=WEEK_2[0] - 7 * DAY, return_end=WEEK_2[0])


def test_the_return_shift_must_not_overlap_the_shift_given_away(team):
    with pytest.raises(SwapError, match=service.RETURN_OVERLAPS):
        swap_request(team, return_start=WEEK_3[0] + DAY, return_end=WEEK_4[1])


def test_the_return_shift_must_belong_to_the_colleague(team):
    message = service.RETURN_NOT_COLLEAGUES.format(colleague=team.casey, tier="primary")
    with pytest.raises(SwapError) as caught:
        swap_request(team, return_start=WEEK_5[0], return_end=WEEK_5[1])  # Alex's own week
    assert (caught.value.message, caught.value.field) == (message, "return")


def test_the_requester_must_be_free_during_the_return_shift(team):
    # Alex covers Drew's week 4 secondary, so cannot take Casey's week 4 primary as well.
    factories.OverrideFactory(
        rotation=team.rotation, tier="secondary", person=team.alex, start=WEEK_4[0], end=WEEK_4[1]
    )
    message = service.REQUESTER_ON_CALL_IN_RETURN.format(requester=team.alex, tier="secondary")
    with pytest.raises(SwapError) as caught:
        swap_request(team)
    assert (caught.value.message, caught.value.field) == (message, "return")


def test_an_approved_override_of_the_requester_blocks_the_interval(team):
    # Alex holds week 4 primary through an override: giving it away would stack overrides.
    factories.OverrideFactory(
        rotation=team.rotation, tier="primary", person=team.alex, start=WEEK_4[0], end=WEEK_4[1]
    )
    check_refused(
        team,
        service.OVERLAPS_OVERRIDE.format(tier="primary"),
        "interval",
        colleague=team.blair,
        start=WEEK_4[0],
        end=WEEK_4[1],
    )


def test_an_approved_override_blocks_the_return_shift(team):
    factories.OverrideFactory(
        rotation=team.rotation, tier="primary", person=team.casey, start=WEEK_4[0], end=WEEK_4[1]
    )
    with pytest.raises(SwapError) as caught:
        swap_request(team)
    assert (caught.value.message, caught.value.field) == (
        service.RETURN_OVERLAPS_OVERRIDE,
        "return",
    )


def test_a_reverted_override_blocks_nothing(team):
    factories.OverrideFactory(
        rotation=team.rotation,
        tier="primary",
        person=team.drew,
        start=WEEK_3[0],
        end=WEEK_3[1],
        reverted_at=NOW,
    )
    assert file_request(team).state == SwapState.PENDING


def test_a_rotation_without_slots_has_nothing_to_swap(team):
    empty = factories.RotationFactory()
    check_refused(team, service.ROTATION_WITHOUT_SCHEDULE, None, rotation=empty)


# --- the state machine ----------------------------------------------------------------------


def test_the_colleague_accepts_a_pending_request(team):
    swap = file_request(team)

    swap = service.swap_request_accept(swap=swap, by=team.casey.user)

    assert swap.state == SwapState.ACCEPTED
    assert events(swap) == ["created", "accepted"]
    assert not Override.objects.exists()


def test_the_colleague_declines_a_pending_request_with_a_note(team):
    swap = service.swap_request_decline(swap=file_request(team), by=team.casey.user, note=" Away ")

    assert swap.state == SwapState.DECLINED
    event = swap.events.last()
    assert (event.action, event.actor, event.note) == ("declined", team.casey.user, "Away")


def test_a_manager_declines_an_accepted_request(team):
    swap = service.swap_request_decline(swap=accepted_request(team), by=team.manager)

    assert swap.state == SwapState.DECLINED
    assert events(swap) == ["created", "accepted", "declined"]


def test_approving_a_cover_gives_the_colleague_the_interval(team):
    swap = approved_request(team)

    assert swap.state == SwapState.APPROVED
    override = Override.objects.get()
    assert (override.rotation, override.tier, override.person) == (
        team.rotation,
        "primary",
        team.casey,
    )
    assert (override.start, override.end) == WEEK_3
    assert (override.swap_request, override.created_by) == (swap, team.manager)
    assert override.reason == f"Cover request #{swap.pk}"
    assert events(swap) == ["created", "accepted", "approved"]


def test_approving_a_swap_makes_two_overrides(team):
    swap = service.swap_request_accept(swap=swap_request(team), by=team.casey.user)
    service.swap_request_approve(swap=swap, by=team.manager)

    overrides = {(o.person, o.start, o.end) for o in Override.objects.all()}
    assert overrides == {(team.casey, *WEEK_3), (team.alex, *WEEK_4)}


def test_an_approved_request_changes_who_is_on_call_marked_as_an_override(team):
    approved_request(team)

    during = on_call_now(at=WEEK_3[0] + DAY).answers[0]
    assert during.primary == team.casey
    assert during.on_call.primary.overridden
    assert during.secondary == team.blair


def test_approval_of_an_interval_already_started_starts_the_override_now(team):
    swap = accepted_request(
        team, requester=team.casey, colleague=team.alex, start=NOW, end=WEEK_2[1]
    )
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        service.swap_request_approve(swap=swap, by=team.manager)

    assert Override.objects.get().start == NOW + timedelta(hours=3)


def test_approval_after_the_interval_is_over_is_refused(team):
    swap = accepted_request(team)
    with (
        time_machine.travel(WEEK_3[1] + DAY, tick=False),
        pytest.raises(SwapError, match=service.ALREADY_OVER),
    ):
        service.swap_request_approve(swap=swap, by=team.manager)
    swap.refresh_from_db()
    assert swap.state == SwapState.ACCEPTED


def test_the_requester_cancels_a_pending_request(team):
    swap = service.swap_request_cancel(swap=file_request(team), by=team.alex.user)

    assert swap.state == SwapState.CANCELLED
    assert events(swap) == ["created", "cancelled"]


def test_a_manager_cancels_an_accepted_request(team):
    swap = service.swap_request_cancel(swap=accepted_request(team), by=team.manager)

    assert swap.state == SwapState.CANCELLED


def test_a_manager_reverts_an_approved_request_keeping_its_overrides_on_record(team):
    swap = service.swap_request_accept(swap=swap_request(team), by=team.casey.user)
    swap = service.swap_request_approve(swap=swap, by=team.manager)

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        swap = service.swap_request_revert(swap=swap, by=team.manager)

    assert swap.state == SwapState.REVERTED
    assert Override.objects.count() == 2
    assert not Override.objects.in_effect().exists()
    assert set(Override.objects.values_list("reverted_at", "reverted_by")) == {
        (NOW + timedelta(hours=1), team.manager.pk)
    }
    assert on_call_now(at=WEEK_3[0] + DAY).answers[0].primary == team.alex
    assert events(swap) == ["created", "accepted", "approved", "reverted"]


def test_a_revert_during_the_cover_ends_it_then_and_keeps_what_happened(team):
    swap = approved_request(team)
    reverted = WEEK_3[0] + DAY + timedelta(hours=15, microseconds=400_000)  # Wed 14 Jan 00:00:00.4

    with time_machine.travel(reverted, tick=False):
        service.swap_request_revert(swap=swap, by=team.manager)

    override = Override.objects.get()
    cut = WEEK_3[0] + DAY + timedelta(hours=15)
    assert (override.start, override.end, override.reverted_at) == (WEEK_3[0], cut, cut)
    assert override.is_in_effect and override.ended_early
    assert list(Override.objects.in_effect()) == [override]
    assert on_call_now(at=WEEK_3[0]).answers[0].primary == team.casey
    assert on_call_now(at=cut - timedelta(seconds=1)).answers[0].primary == team.casey
    assert on_call_now(at=cut).answers[0].primary == team.alex


def test_a_revert_keeps_a_return_shift_already_over_and_drops_one_not_begun(team):
    swap = swap_request(team, start=WEEK_5[0], end=WEEK_5[1])  # Casey takes week 5, Alex week 4
    swap = service.swap_request_approve(
        swap=service.swap_request_accept(swap=swap, by=team.casey.user), by=team.manager
    )
    revert_at = WEEK_5[0]  # the handoff: week 4 is over, week 5 not begun

    with time_machine.travel(revert_at, tick=False):
        service.swap_request_revert(swap=swap, by=team.manager)

    over, ahead = Override.objects.order_by("start")
    assert (over.person, over.end, over.reverted_at) == (team.alex, WEEK_4[1], None)
    assert (ahead.person, ahead.end, ahead.reverted_at) == (team.casey, WEEK_5[1], revert_at)
    assert not ahead.is_in_effect and not ahead.ended_early
    assert on_call_now(at=WEEK_4[0] + DAY).answers[0].primary == team.alex
    assert on_call_now(at=WEEK_5[0] + DAY).answers[0].primary == team.alex


def test_the_requester_cancels_an_approved_cover_from_now_on(team):
    swap = approved_request(team)
    cancelled = WEEK_3[0] + 2 * DAY

    with time_machine.travel(cancelled, tick=False):
        swap = service.swap_request_cancel(swap=swap, by=team.alex.user)

    assert swap.state == SwapState.CANCELLED
    override = Override.objects.get()
    assert (override.end, override.reverted_at, override.reverted_by) == (
        cancelled,
        cancelled,
        team.alex.user,
    )
    assert on_call_now(at=cancelled - timedelta(seconds=1)).answers[0].primary == team.casey
    assert on_call_now(at=cancelled).answers[0].primary == team.alex
    assert events(swap)[-1] == "cancelled"


def test_an_approval_made_mid_second_starts_the_override_on_the_whole_second(team):
    approved_at = NOW + timedelta(microseconds=730_000)
    with time_machine.travel(approved_at, tick=False):
        swap = file_request(
            team, requester=team.casey, colleague=team.alex, start=approved_at, end=WEEK_2[1]
        )
        service.swap_request_approve(
            swap=service.swap_request_accept(swap=swap, by=team.alex.user), by=team.manager
        )

    assert swap.start == NOW
    assert Override.objects.get().start == NOW


def test_approving_one_request_supersedes_the_others_for_that_shift_and_tells_them(team):
    first = accepted_request(team)
    second = file_request(team, colleague=team.drew)  # the same week 3, asked of someone else
    elsewhere = file_request(team, start=WEEK_5[0], end=WEEK_5[1])
    secondary = file_request(team, tier="secondary", requester=team.blair, colleague=team.drew)

    service.swap_request_approve(swap=first, by=team.manager)

    for swap in (second, elsewhere, secondary):
        swap.refresh_from_db()
    assert second.state == SwapState.SUPERSEDED
    assert (elsewhere.state, secondary.state) == (SwapState.PENDING, SwapState.PENDING)
    event = second.events.get(action="superseded")
    assert (event.actor, event.note) == (
        team.manager,
        f"Request #{first.pk} for this shift was approved.",
    )
    notified = set(
        OutgoingMessage.objects.filter(dedupe_key=f"swap:{second.pk}:superseded").values_list(
            "recipient", flat=True
        )
    )
    assert notified == {team.alex.email, team.drew.email}
    with pytest.raises(SwapError, match="superseded: it cannot be accepted"):
        service.swap_request_accept(swap=second, by=team.drew.user)


def test_a_return_shift_asked_elsewhere_is_a_conflict_too(team):
    swap = swap_request(team)  # Alex gives week 3 to Casey and takes Casey's week 4
    other = file_request(
        team, requester=team.casey, colleague=team.blair, start=WEEK_4[0], end=WEEK_4[1]
    )

    assert list(SwapRequest.objects.conflicting_with(swap)) == [other]
    assert list(SwapRequest.objects.conflicting_with(other)) == [swap]


def test_a_request_whose_shifts_are_over_cannot_be_reverted(team):
    swap = approved_request(team)
    with (
        time_machine.travel(WEEK_3[1] + DAY, tick=False),
        pytest.raises(SwapError, match=service.NOTHING_LEFT_TO_REVERT),
    ):
        service.swap_request_revert(swap=swap, by=team.manager)
    assert Override.objects.in_effect().count() == 1


def test_every_state_change_is_kept_in_the_history(team):
    swap = approved_request(team)

    assert [record.state for record in swap.history.order_by("history_id")] == [
        "pending",
        "accepted",
        "approved",
    ]
    service.swap_request_revert(swap=swap, by=team.manager)
    assert Override.history.count() == 2  # created, then marked reverted


@pytest.mark.parametrize(
    ("state", "action", "verb"),
    [
        ("accepted", "accept", "accepted"),
        ("approved", "approve", "approved"),
        ("approved", "decline", "declined"),
        ("declined", "accept", "accepted"),
        ("cancelled", "cancel", "cancelled"),
        ("reverted", "revert", "reverted"),
        ("superseded", "approve", "approved"),
    ],
)
def test_a_step_the_state_does_not_allow_is_refused_with_a_message_and_changes_nothing(
    team, state, action, verb
):
    assert_refused(
        team, state, action, service.TRANSITION_NOT_ALLOWED.format(state=state, verb=verb)
    )


@pytest.mark.parametrize(
    ("state", "action", "verb"),
    [
        ("pending", "approve", "approved"),
        ("pending", "revert", "reverted"),
        ("accepted", "revert", "reverted"),
    ],
)
def test_a_step_that_comes_later_is_refused_as_not_yet(team, state, action, verb):
    assert_refused(team, state, action, service.TRANSITION_NOT_YET.format(state=state, verb=verb))


def assert_refused(team, state, action, message):
    swap = factories.SwapRequestFactory(
        rotation=team.rotation,
        requester=team.alex,
        colleague=team.casey,
        start=WEEK_3[0],
        end=WEEK_3[1],
        state=state,
    )
    actor = {"accept": team.casey.user, "cancel": team.alex.user}.get(action, team.manager)
    step = getattr(service, f"swap_request_{action}")

    with pytest.raises(SwapError) as caught:
        step(swap=swap, by=actor)

    assert caught.value.message == message
    swap.refresh_from_db()
    assert swap.state == state
    assert not swap.events.exists()
    assert not OutgoingMessage.objects.exists()


def test_approval_rechecks_the_rules_against_what_was_approved_since(team):
    first = accepted_request(team)
    # Another tier, so no conflict to supersede: Casey cannot hold both tiers of week 3.
    second = accepted_request(team, tier="secondary", requester=team.blair)
    service.swap_request_approve(swap=first, by=team.manager)

    with pytest.raises(SwapError) as caught:
        service.swap_request_approve(swap=second, by=team.manager)

    assert caught.value.message == service.COLLEAGUE_ON_CALL.format(
        colleague=team.casey, tier="primary"
    )
    second.refresh_from_db()
    assert second.state == SwapState.ACCEPTED
    assert list(Override.objects.values_list("person", flat=True)) == [team.casey.pk]


def test_accepting_rechecks_the_rules_too(team):
    swap = file_request(team)
    factories.OverrideFactory(
        rotation=team.rotation, tier="secondary", person=team.casey, start=WEEK_3[0], end=WEEK_3[1]
    )
    with pytest.raises(SwapError, match="already on call"):
        service.swap_request_accept(swap=swap, by=team.casey.user)
    swap.refresh_from_db()
    assert swap.state == SwapState.PENDING


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the exclusion constraint override_no_overlap exists on PostgreSQL only",
)
def test_the_database_refuses_overlapping_overrides_and_the_error_becomes_a_message(
    team, monkeypatch
):
    swap = accepted_request(team)
    factories.OverrideFactory(
        rotation=team.rotation,
        tier="primary",
        person=team.drew,
        start=WEEK_3[0] + DAY,
        end=WEEK_3[0] + 2 * DAY,
    )
    monkeypatch.setattr(service, "_check", lambda **kwargs: None)  # as if checked before it

    with pytest.raises(SwapError) as caught:
        service.swap_request_approve(swap=swap, by=team.manager)

    assert caught.value.message == service.OVERRIDE_CONFLICT
    swap.refresh_from_db()
    assert swap.state == SwapState.ACCEPTED
    assert Override.objects.count() == 1


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action", "who", "message"),
    [
        ("pending", "accept", "stranger", "ONLY_COLLEAGUE"),
        ("pending", "accept", "requester", "ONLY_COLLEAGUE"),
        ("pending", "accept", "manager", "ONLY_COLLEAGUE"),
        ("pending", "decline", "manager", "ONLY_COLLEAGUE"),
        ("pending", "decline", "requester", "ONLY_COLLEAGUE"),
        ("accepted", "decline", "colleague", "ONLY_MANAGERS"),
        ("accepted", "approve", "colleague", "ONLY_MANAGERS"),
        ("accepted", "approve", "requester", "ONLY_MANAGERS"),
        ("approved", "revert", "requester", "ONLY_MANAGERS"),
        ("approved", "revert", "stranger", "ONLY_MANAGERS"),
        ("pending", "cancel", "colleague", "ONLY_REQUESTER_OR_MANAGER"),
        ("pending", "cancel", "stranger", "ONLY_REQUESTER_OR_MANAGER"),
    ],
)
def test_only_the_right_person_may_take_a_step(team, state, action, who, message):
    swap = factories.SwapRequestFactory(
        rotation=team.rotation,
        requester=team.alex,
        colleague=team.casey,
        start=WEEK_3[0],
        end=WEEK_3[1],
        state=state,
    )
    actor = {
        "stranger": team.stranger,
        "requester": team.alex.user,
        "colleague": team.casey.user,
        "manager": team.manager,
    }[who]
    expected = getattr(service, message).format(colleague=team.casey)

    with pytest.raises(SwapPermissionDenied, match=expected):
        getattr(service, f"swap_request_{action}")(swap=swap, by=actor)

    swap.refresh_from_db()
    assert swap.state == state


@pytest.mark.parametrize(
    ("state", "who", "actions"),
    [
        ("pending", "colleague", {"accepted", "declined"}),
        ("pending", "requester", {"cancelled"}),
        ("pending", "manager", {"cancelled"}),
        ("pending", "stranger", set()),
        ("accepted", "colleague", set()),
        ("accepted", "requester", {"cancelled"}),
        ("accepted", "manager", {"approved", "declined", "cancelled"}),
        ("approved", "manager", {"reverted"}),
        ("approved", "requester", {"cancelled"}),
        ("approved", "colleague", set()),
        ("declined", "manager", set()),
    ],
)
def test_allowed_actions_are_the_buttons_each_person_sees(team, state, who, actions):
    swap = factories.SwapRequestFactory(
        rotation=team.rotation, requester=team.alex, colleague=team.casey, state=state
    )
    actor = {
        "stranger": team.stranger,
        "requester": team.alex.user,
        "colleague": team.casey.user,
        "manager": team.manager,
    }[who]

    assert {action.value for action in service.allowed_actions(swap, actor)} == actions


def test_swap_actions_name_the_timeline_verbs():
    assert SwapAction("created").label == "filed the request"
