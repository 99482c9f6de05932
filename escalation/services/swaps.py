"""Swap and cover requests: their rules, their state machine and the overrides an approval makes.

pending ─(colleague accepts)→ accepted ─(a manager approves)→ approved ─(a manager reverts)→ reverted
   │                             │                               │
   └─ declined / cancelled ──────┘                               └─(requester or manager)→ cancelled
      (the colleague declines a pending one, a manager an accepted one; the requester or a
      manager cancels any request not yet over)

Approving a request supersedes the other open requests for the same shift (state superseded),
and their people are told.

Reverting or cancelling an approved request ends its overrides at that instant: what already
happened stays true in every view; only an override that has not begun disappears whole.
Override boundaries are whole seconds.

Every write locks the rotation row, then the request row, so decisions about one rotation happen
one after the other, and each re-checks the rules against what is true by then: two managers
approving conflicting requests at once get one approval and one clear message. On PostgreSQL the
exclusion constraint `override_no_overlap` (migration 0002) is the last line of defence: anything
that slipped past the checks fails there, and that failure becomes a message too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .. import rotation as engine
from ..models import (
    OnCallTier,
    Override,
    Person,
    Rotation,
    SwapAction,
    SwapKind,
    SwapRequest,
    SwapRequestEvent,
    SwapState,
)
from ..notify.messages import swap_notices
from ..notify.outbox import enqueue
from ..permissions import is_manager
from .pagerduty_push import pagerduty_overrides_push, pagerduty_overrides_remove

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AuthUser

    Actor = AuthUser | AnonymousUser

#: How far in the past a new request may start: the form fills in "now" for the shift in progress,
#: and the request reaches the database a moment later.
PAST_GRACE = timedelta(minutes=5)

# Validation: each message belongs to one field of the form (see `SwapError.field`).
END_NOT_AFTER_START = "The end must be after the start."
START_IN_PAST = "This starts in the past: pick a start from now on."
ALREADY_OVER = "This interval is already over."
ROTATION_WITHOUT_SCHEDULE = "This rotation has no slots yet, so it has no shifts to swap."
REQUESTER_INACTIVE = "{requester} is no longer active in the directory."
REQUESTER_NOT_ON_CALL = "{requester} is not on call as {tier} for the whole of this interval."
COLLEAGUE_IS_REQUESTER = "Pick a colleague other than the person asking."
COLLEAGUE_INACTIVE = "{colleague} is no longer active in the directory."
COLLEAGUE_ON_CALL = "{colleague} is already on call ({tier}) during this interval."
RETURN_REQUIRED = (
    "A swap needs one of the colleague's shifts in return: pick it, or ask for a cover."
)
RETURN_FOR_COVER = "A cover has no shift in return: leave it empty, or ask for a swap."
RETURN_END_NOT_AFTER_START = "The return shift must end after it starts."
RETURN_IN_PAST = "The return shift has already started: pick a later one."
RETURN_OVERLAPS = "The return shift overlaps the shift given away: pick another one."
RETURN_NOT_COLLEAGUES = "The return shift must be one of {colleague}'s {tier} shifts."
REQUESTER_ON_CALL_IN_RETURN = "{requester} is already on call ({tier}) during the return shift."
OVERLAPS_OVERRIDE = (
    "An approved override already covers part of this {tier} interval: "
    "ask a manager to revert it first."
)
RETURN_OVERLAPS_OVERRIDE = "An approved override already covers part of the return shift: ask a manager to revert it first."
OVERRIDE_CONFLICT = (
    "Another override for this rotation and tier was approved for an overlapping interval a moment "
    "ago, so this request was not approved. Nothing was changed."
)

# The state machine.
TRANSITION_NOT_ALLOWED = (
    "This request is {state}: it cannot be {verb} any more. Nothing was changed."
)
TRANSITION_NOT_YET = "This request is {state}: it cannot be {verb} yet. Nothing was changed."
SUPERSEDED_BY = "Request #{number} for this shift was approved."
NOTHING_LEFT_TO_REVERT = "This request's shifts are over: there is nothing left to undo."

# Permissions (answered with 403).
ONLY_COLLEAGUE = "Only {colleague} can accept or decline this request."
ONLY_MANAGERS = "Only an Escalation manager can approve, decline or revert an accepted request."
ONLY_REQUESTER_OR_MANAGER = "Only the person asking, or an Escalation manager, can cancel it."
ONLY_MANAGERS_FILE_FOR_OTHERS = "Only an Escalation manager can file a request for someone else."


class SwapError(Exception):
    """A rule says no. `field` names the part of the request the message is about: "interval",
    "colleague", "return", "requester", or None for the request as a whole."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class SwapPermissionDenied(PermissionDenied):
    """This user may never take this step on this request: Django answers 403."""


def _whole_second(at: datetime) -> datetime:
    """Requests and overrides start and end on whole seconds: two boundaries inside one second
    would make a stretch no calendar can show."""
    return at.replace(microsecond=0)


@dataclass(frozen=True)
class _Transition:
    source: frozenset[str]
    target: SwapState
    verb: str


TRANSITIONS: dict[SwapAction, _Transition] = {
    SwapAction.ACCEPTED: _Transition(
        frozenset({SwapState.PENDING}), SwapState.ACCEPTED, "accepted"
    ),
    SwapAction.DECLINED: _Transition(
        frozenset({SwapState.PENDING, SwapState.ACCEPTED}), SwapState.DECLINED, "declined"
    ),
    SwapAction.APPROVED: _Transition(
        frozenset({SwapState.ACCEPTED}), SwapState.APPROVED, "approved"
    ),
    SwapAction.CANCELLED: _Transition(
        frozenset({SwapState.PENDING, SwapState.ACCEPTED, SwapState.APPROVED}),
        SwapState.CANCELLED,
        "cancelled",
    ),
    SwapAction.REVERTED: _Transition(
        frozenset({SwapState.APPROVED}), SwapState.REVERTED, "reverted"
    ),
}


def _roles(swap: SwapRequest, user: Actor) -> set[str]:
    roles = set()
    if user.is_authenticated:
        if swap.requester.user_id == user.pk:
            roles.add("requester")
        if swap.colleague.user_id == user.pk:
            roles.add("colleague")
        if is_manager(user):
            roles.add("manager")
    return roles


def _permitted_roles(action: SwapAction, state: str) -> set[str]:
    """Who may take `action` on a request in `state`. In a state the action cannot leave, the
    people who could take it elsewhere get the "not any more" message instead of a 403."""
    if action == SwapAction.ACCEPTED:
        return {"colleague"}
    if action == SwapAction.DECLINED:
        if state == SwapState.PENDING:
            return {"colleague"}
        if state == SwapState.ACCEPTED:
            return {"manager"}
        return {"colleague", "manager"}
    if action == SwapAction.CANCELLED:
        return {"requester", "manager"}
    return {"manager"}  # approve, revert


def allowed_actions(swap: SwapRequest, user: Actor) -> list[SwapAction]:
    """The steps `user` may take on `swap` now: the buttons its page shows them."""
    roles = _roles(swap, user)
    actions = [
        action
        for action, transition in TRANSITIONS.items()
        if swap.state in transition.source and roles & _permitted_roles(action, swap.state)
    ]
    if SwapAction.REVERTED in actions:
        # On an approved request a manager's cancel does what their revert does: one button.
        actions.remove(SwapAction.CANCELLED)
    return actions


#: The way a request goes when all is well: a step from a state before its own comes "yet".
_FLOW = (SwapState.PENDING, SwapState.ACCEPTED, SwapState.APPROVED)


def _too_early(state: str, transition: _Transition) -> bool:
    """True when `state` comes before every state the step can be taken from (approving a
    request its colleague has not accepted, reverting one not approved)."""
    if state not in _FLOW:
        return False
    return all(
        source in _FLOW and _FLOW.index(source) > _FLOW.index(SwapState(state))
        for source in transition.source
    )


def _authorize(action: SwapAction, swap: SwapRequest, user: Actor) -> None:
    if _roles(swap, user) & _permitted_roles(action, swap.state):
        transition = TRANSITIONS[action]
        if swap.state not in transition.source:
            message = (
                TRANSITION_NOT_YET if _too_early(swap.state, transition) else TRANSITION_NOT_ALLOWED
            )
            raise SwapError(
                message.format(state=SwapState(swap.state).name.lower(), verb=transition.verb)
            )
        return
    if action == SwapAction.CANCELLED:
        raise SwapPermissionDenied(ONLY_REQUESTER_OR_MANAGER)
    if action == SwapAction.ACCEPTED or (
        action == SwapAction.DECLINED and swap.state == SwapState.PENDING
    ):
        raise SwapPermissionDenied(ONLY_COLLEAGUE.format(colleague=swap.colleague))
    raise SwapPermissionDenied(ONLY_MANAGERS)


# --- the rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Situation:
    """A rotation's schedule and the overrides in effect around an interval."""

    schedule: engine.Schedule
    overrides: engine.OverrideIndex

    def holders(self, tier: str, start: datetime, end: datetime) -> list[engine.Assignment]:
        """Who holds `tier` over `[start, end)`, piece by piece (overrides applied)."""
        pieces = []
        for shift in engine.shifts_between(self.schedule, start, end):
            for assignment in engine.segments(shift, engine.Tier(tier), self.overrides):
                if assignment.start < end and assignment.end > start:
                    pieces.append(assignment)
        return pieces


def _situation(rotation: Rotation, start: datetime, end: datetime) -> _Situation:
    try:
        schedule = rotation.schedule()
    except ValueError:
        raise SwapError(ROTATION_WITHOUT_SCHEDULE) from None
    overrides = Override.objects.in_effect().filter(rotation=rotation).overlapping(start, end)
    return _Situation(schedule, Override.index(overrides))


def _overlaps_override(rotation: Rotation, tier: str, start: datetime, end: datetime) -> bool:
    return (
        Override.objects.in_effect()
        .filter(rotation=rotation, tier=tier)
        .overlapping(start, end)
        .exists()
    )


def _check(
    *,
    rotation: Rotation,
    tier: str,
    kind: str,
    requester: Person,
    colleague: Person,
    start: datetime,
    end: datetime,
    return_start: datetime | None,
    return_end: datetime | None,
    now: datetime,
    filing: bool,
) -> None:
    """Every rule a request must meet, when filed and again at each later step."""
    tier_name = OnCallTier(tier).in_sentence
    if end <= start:
        raise SwapError(END_NOT_AFTER_START, field="interval")
    if end <= now:
        raise SwapError(ALREADY_OVER, field="interval")
    if filing and start < now - PAST_GRACE:
        raise SwapError(START_IN_PAST, field="interval")
    if not requester.is_active:
        raise SwapError(REQUESTER_INACTIVE.format(requester=requester), field="requester")
    if colleague.pk == requester.pk:
        raise SwapError(COLLEAGUE_IS_REQUESTER, field="colleague")
    if not colleague.is_active:
        raise SwapError(COLLEAGUE_INACTIVE.format(colleague=colleague), field="colleague")

    if kind == SwapKind.SWAP:
        if return_start is None or return_end is None:
            raise SwapError(RETURN_REQUIRED, field="return")
        if return_end <= return_start:
            raise SwapError(RETURN_END_NOT_AFTER_START, field="return")
        if return_end <= now:
            raise SwapError(ALREADY_OVER, field="return")
        if filing and return_start < now - PAST_GRACE:
            raise SwapError(RETURN_IN_PAST, field="return")
        if return_start < end and return_end > start:
            raise SwapError(RETURN_OVERLAPS, field="return")
    elif return_start is not None or return_end is not None:
        raise SwapError(RETURN_FOR_COVER, field="return")

    # Only the part still ahead matters once a request is on its way.
    start = max(start, now)
    span_start, span_end = start, end
    if kind == SwapKind.SWAP:
        assert return_start is not None and return_end is not None
        return_start = max(return_start, now)
        span_start, span_end = min(start, return_start), max(end, return_end)
    situation = _situation(rotation, span_start, span_end)

    if any(piece.person != requester.pk for piece in situation.holders(tier, start, end)):
        raise SwapError(
            REQUESTER_NOT_ON_CALL.format(requester=requester, tier=tier_name), field="interval"
        )
    for colleague_tier in OnCallTier:
        if any(
            piece.person == colleague.pk for piece in situation.holders(colleague_tier, start, end)
        ):
            raise SwapError(
                COLLEAGUE_ON_CALL.format(
                    colleague=colleague, tier=OnCallTier(colleague_tier).in_sentence
                ),
                field="colleague",
            )
    if _overlaps_override(rotation, tier, start, end):
        raise SwapError(OVERLAPS_OVERRIDE.format(tier=tier_name), field="interval")

    if kind == SwapKind.SWAP:
        assert return_start is not None and return_end is not None
        if any(
            piece.person != colleague.pk
            for piece in situation.holders(tier, return_start, return_end)
        ):
            raise SwapError(
                RETURN_NOT_COLLEAGUES.format(colleague=colleague, tier=tier_name), field="return"
            )
        for requester_tier in OnCallTier:
            if any(
                piece.person == requester.pk
                for piece in situation.holders(requester_tier, return_start, return_end)
            ):
                raise SwapError(
                    REQUESTER_ON_CALL_IN_RETURN.format(
                        requester=requester, tier=OnCallTier(requester_tier).in_sentence
                    ),
                    field="return",
                )
        if _overlaps_override(rotation, tier, return_start, return_end):
            raise SwapError(RETURN_OVERLAPS_OVERRIDE, field="return")


def _check_request(swap: SwapRequest, now: datetime) -> None:
    _check(
        rotation=swap.rotation,
        tier=swap.tier,
        kind=swap.kind,
        requester=swap.requester,
        colleague=swap.colleague,
        start=swap.start,
        end=swap.end,
        return_start=swap.return_start,
        return_end=swap.return_end,
        now=now,
        filing=False,
    )


# --- writes ---------------------------------------------------------------------------------


def _lock(swap: SwapRequest) -> SwapRequest:
    """Lock the rotation, then the request (always in that order: no deadlock between steps)."""
    rotation = Rotation.objects.select_for_update().get(pk=swap.rotation_id)
    locked = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    locked.rotation = rotation
    locked.requester = Person.objects.get(pk=locked.requester_id)
    locked.colleague = Person.objects.get(pk=locked.colleague_id)
    return locked


def _record(
    swap: SwapRequest, action: SwapAction, by: Actor, at: datetime, note: str = ""
) -> SwapRequestEvent:
    event = SwapRequestEvent(
        swap=swap,
        action=action.value,
        actor=by if by.is_authenticated else None,
        at=at,
        note=note[:500],
    )
    event.full_clean()
    event.save()
    enqueue(swap_notices(swap=swap, action=action, actor=by, note=note))
    return event


def _save_check(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise SwapError(" ".join(error.messages)) from None


def _save(instance: models.Model) -> None:
    _save_check(instance)
    instance.save()


def _move(
    swap: SwapRequest, action: SwapAction, by: Actor, now: datetime, note: str = ""
) -> SwapRequest:
    swap.state = TRANSITIONS[action].target
    _save(swap)
    _record(swap, action, by, now, note)
    return swap


@transaction.atomic
def swap_request_create(
    *,
    rotation: Rotation,
    tier: str,
    kind: str,
    requester: Person,
    colleague: Person,
    start: datetime,
    end: datetime,
    return_start: datetime | None = None,
    return_end: datetime | None = None,
    reason: str,
    filed_by: AuthUser,
    submission_key: uuid.UUID,
) -> SwapRequest:
    """File a request (pending the colleague's answer).

    A form is sent once: a second request with the same `submission_key` creates nothing and
    returns the first one.
    """
    existing = SwapRequest.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    if requester.user_id != filed_by.pk and not is_manager(filed_by):
        raise SwapPermissionDenied(ONLY_MANAGERS_FILE_FOR_OTHERS)
    rotation = Rotation.objects.select_for_update().get(pk=rotation.pk)
    now = timezone.now()
    start, end = _whole_second(start), _whole_second(end)
    if return_start is not None and return_end is not None:
        return_start, return_end = _whole_second(return_start), _whole_second(return_end)
    _check(
        rotation=rotation,
        tier=tier,
        kind=kind,
        requester=requester,
        colleague=colleague,
        start=start,
        end=end,
        return_start=return_start,
        return_end=return_end,
        now=now,
        filing=True,
    )
    swap = SwapRequest(
        rotation=rotation,
        tier=tier,
        kind=kind,
        requester=requester,
        colleague=colleague,
        start=start,
        end=end,
        return_start=return_start,
        return_end=return_end,
        reason=reason.strip(),
        filed_by=filed_by,
        submission_key=submission_key,
    )
    # The key's uniqueness is left to the database: a replay racing this one is handled below.
    _save_check(swap, exclude=["submission_key"])
    try:
        with transaction.atomic():
            swap.save()
    except IntegrityError:
        # The same form, sent twice at the same moment: the other one won.
        replayed = SwapRequest.objects.filter(submission_key=submission_key).first()
        if replayed is None:
            raise
        return replayed
    note = "" if requester.user_id == filed_by.pk else f"on behalf of {requester}"
    _record(swap, SwapAction.CREATED, filed_by, now, note)
    return swap


@transaction.atomic
def swap_request_accept(*, swap: SwapRequest, by: AuthUser) -> SwapRequest:
    """The colleague agrees; the request now waits for a manager."""
    swap = _lock(swap)
    _authorize(SwapAction.ACCEPTED, swap, by)
    now = timezone.now()
    _check_request(swap, now)
    return _move(swap, SwapAction.ACCEPTED, by, now)


@transaction.atomic
def swap_request_decline(*, swap: SwapRequest, by: AuthUser, note: str = "") -> SwapRequest:
    """The colleague (pending) or a manager (accepted) says no."""
    swap = _lock(swap)
    _authorize(SwapAction.DECLINED, swap, by)
    return _move(swap, SwapAction.DECLINED, by, timezone.now(), note.strip())


@transaction.atomic
def swap_request_cancel(*, swap: SwapRequest, by: AuthUser) -> SwapRequest:
    """The requester (or a manager) withdraws a request; an approved one ends its overrides now,
    like a revert."""
    swap = _lock(swap)
    _authorize(SwapAction.CANCELLED, swap, by)
    now = timezone.now()
    if swap.state == SwapState.APPROVED:
        _end_overrides(swap, by, now)
    return _move(swap, SwapAction.CANCELLED, by, now)


def _overrides_for(swap: SwapRequest, by: AuthUser, now: datetime) -> list[Override]:
    """Cover: the colleague takes the requester's interval. Swap: that, and the requester takes
    the colleague's return interval. Only what is still ahead: history is not rewritten."""
    reason = f"{swap.get_kind_display().split(' (')[0]} request #{swap.pk}"
    covers = [(swap.colleague, swap.start, swap.end)]
    if swap.kind == SwapKind.SWAP:
        assert swap.return_start is not None and swap.return_end is not None
        covers.append((swap.requester, swap.return_start, swap.return_end))
    return [
        Override(
            rotation=swap.rotation,
            tier=swap.tier,
            person=person,
            start=max(start, _whole_second(now)),
            end=end,
            swap_request=swap,
            reason=reason,
            created_by=by,
        )
        for person, start, end in covers
    ]


@transaction.atomic
def swap_request_approve(*, swap: SwapRequest, by: AuthUser) -> SwapRequest:
    """A manager approves an accepted request: its overrides take effect everywhere."""
    swap = _lock(swap)
    _authorize(SwapAction.APPROVED, swap, by)
    now = timezone.now()
    _check_request(swap, now)
    overrides = _overrides_for(swap, by, now)
    try:
        with transaction.atomic():
            for override in overrides:
                _save(override)
    except IntegrityError:
        raise SwapError(OVERRIDE_CONFLICT) from None
    pagerduty_overrides_push(overrides=overrides)
    swap = _move(swap, SwapAction.APPROVED, by, now)
    _supersede_conflicts(swap, by, now)
    return swap


def _supersede_conflicts(swap: SwapRequest, by: AuthUser, now: datetime) -> None:
    """Close the other open requests for a shift this approval settled, telling their people."""
    others = (
        SwapRequest.objects.conflicting_with(swap)
        .select_for_update(of=("self",))
        .select_related("rotation", "requester", "colleague")
        .order_by("pk")
    )
    for other in others:
        other.state = SwapState.SUPERSEDED
        _save(other)
        _record(other, SwapAction.SUPERSEDED, by, now, SUPERSEDED_BY.format(number=swap.pk))


def _end_overrides(swap: SwapRequest, by: AuthUser, now: datetime) -> None:
    """End the request's overrides at `now`: one under way is cut there, one not yet begun never
    holds, one already over stays as it was."""
    overrides: Iterable[Override] = list(swap.overrides.in_effect())
    if not any(override.end > now for override in overrides):
        raise SwapError(NOTHING_LEFT_TO_REVERT)
    # PagerDuty deletes the ones it has that are not over yet (one under way is cut at now).
    pagerduty_overrides_remove(overrides=overrides)
    cut = _whole_second(now)
    for override in overrides:
        if override.end <= now:
            continue  # it happened: history is not rewritten
        if override.start < cut:
            override.end = cut
            override.reverted_at = cut
        else:
            override.reverted_at = now
        override.reverted_by = by  # type: ignore[assignment]
        _save(override)


@transaction.atomic
def swap_request_revert(*, swap: SwapRequest, by: AuthUser) -> SwapRequest:
    """A manager undoes an approved request from now on: its overrides end at this instant
    (rows are kept, never deleted)."""
    swap = _lock(swap)
    _authorize(SwapAction.REVERTED, swap, by)
    now = timezone.now()
    _end_overrides(swap, by, now)
    return _move(swap, SwapAction.REVERTED, by, now)
