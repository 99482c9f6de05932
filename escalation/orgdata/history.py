"""Generated history: `OrgSize.years` of overrides and swap requests on the generated rotations,
ending half a year after today, so pages have a past to show and requests still to decide.

About three shifts in ten get something: a manager's override for part of the shift (a holiday,
a sick day), or a cover or swap request with its timeline (created, accepted, approved,
declined, cancelled, reverted), the approved ones with the overrides they made. A shift and tier
is touched at most once, so overrides in effect never overlap within a rotation and tier.
Rows keep their generated creation times (`explicit_timestamps`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import models

from escalation import rotation as engine
from escalation.models import (
    OnCallTier,
    Override,
    Person,
    Rotation,
    SwapKind,
    SwapRequest,
    SwapRequestEvent,
    SwapState,
)
from escalation.orgdata.org import GeneratedOrg, bulk

OVERRIDE_REASONS = ["Holiday", "Sick leave", "Conference", "Public holiday", "Family event",
                    "Moving house", "Training course", "Doctor's appointment", "Parental leave",
                    "Travelling", ""]  # fmt: skip


@dataclass
class _Occupancy:
    """Shifts of a rotation already touched by an override or request, per tier."""

    taken: set[tuple[str, datetime]] = field(default_factory=set)

    def free(self, tier: str, *starts: datetime) -> bool:
        return all((tier, start) not in self.taken for start in starts)

    def take(self, tier: str, *starts: datetime) -> None:
        self.taken.update((tier, start) for start in starts)


@contextmanager
def explicit_timestamps(*fields: models.DateTimeField) -> Iterator[None]:
    """Generated history needs its own creation times; auto_now(_add) would stamp them all now."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def make_overrides_and_swaps(org: GeneratedOrg) -> None:
    overrides: list[Override] = []
    swaps: list[SwapRequest] = []
    events: list[SwapRequestEvent] = []
    for rotation in org.rotations:
        _rotation_history(org, rotation, overrides, swaps, events)
    with explicit_timestamps(
        SwapRequest._meta.get_field("created_at"),  # type: ignore[arg-type]
        SwapRequest._meta.get_field("updated_at"),  # type: ignore[arg-type]
        Override._meta.get_field("created_at"),  # type: ignore[arg-type]
    ):
        bulk(SwapRequest, swaps)
        bulk(Override, overrides)
    bulk(SwapRequestEvent, events)
    org.count("overrides", overrides)
    org.counts["overrides in effect"] = sum(1 for o in overrides if o.is_in_effect)
    org.count("swap requests", swaps)
    org.count("swap request events", events)


def _rotation_history(
    org: GeneratedOrg,
    rotation: Rotation,
    overrides: list[Override],
    swaps: list[SwapRequest],
    events: list[SwapRequestEvent],
) -> None:
    rng = org.rng
    slots = org.slots[rotation.pk]
    schedule = rotation.schedule(slots)
    shifts = engine.shifts_between(schedule, org.since, org.until)
    occupied = _Occupancy()
    team_people = org.members.get(rotation.team_id or 0) or org.active
    for index, shift in enumerate(shifts):
        if rng.random() > 0.3:
            continue
        tier = OnCallTier.PRIMARY if rng.random() < 0.7 else OnCallTier.SECONDARY
        holder = shift.slot.person_for(engine.Tier(tier))
        if holder is None:
            tier, holder = OnCallTier.PRIMARY, shift.slot.primary
        if not occupied.free(tier, shift.start):
            continue
        colleagues = [p for p in team_people if p.pk != holder]
        if not colleagues:
            continue
        if rng.random() < 0.55:
            occupied.take(tier, shift.start)
            overrides.append(_plain_override(org, rotation, tier, shift, rng.choice(colleagues)))
            continue
        return_shift = None
        if rng.random() < 0.3:
            return_shift = next(
                (
                    later
                    for later in shifts[index + 1 : index + 6]
                    if later.slot.person_for(engine.Tier(tier)) not in (None, holder)
                    and occupied.free(tier, later.start)
                ),
                None,
            )
        if return_shift is not None:
            colleague_pk = return_shift.slot.person_for(engine.Tier(tier))
            assert isinstance(colleague_pk, int)
            colleague = org.by_pk[colleague_pk]
            occupied.take(tier, shift.start, return_shift.start)
        else:
            colleague = rng.choice(colleagues)
            occupied.take(tier, shift.start)
        _swap_request(
            org, rotation, tier, shift, return_shift, holder, colleague, overrides, swaps, events
        )


def _plain_override(
    org: GeneratedOrg, rotation: Rotation, tier: str, shift: engine.Shift, person: Person
) -> Override:
    """A manager's override for part of one shift (a holiday, a sick day...)."""
    rng = org.rng
    hours = int((shift.end - shift.start).total_seconds() // 3600)
    start = shift.start + timedelta(hours=rng.randrange(0, max(1, hours - 4)))
    end = min(shift.end, start + timedelta(hours=rng.choice([4, 8, 12, 24, 48, 72])))
    created = min(start - timedelta(days=rng.randrange(1, 30), hours=rng.randrange(24)), org.now)
    manager = rng.choice(org.managers) if org.managers else None
    reverted = rng.random() < 0.03
    return Override(
        rotation=rotation,
        tier=tier,
        person=person,
        start=start,
        end=end,
        reason=rng.choice(OVERRIDE_REASONS),
        created_by=manager,
        created_at=created,
        reverted_at=min(created + timedelta(hours=rng.randrange(1, 48)), org.now) if reverted else None,
        reverted_by=manager if reverted else None,
    )  # fmt: skip


def _swap_request(
    org: GeneratedOrg,
    rotation: Rotation,
    tier: str,
    shift: engine.Shift,
    return_shift: engine.Shift | None,
    holder: Any,
    colleague: Person,
    overrides: list[Override],
    swaps: list[SwapRequest],
    events: list[SwapRequestEvent],
) -> None:
    """A cover or swap request with its timeline; approved ones made their overrides."""
    rng = org.rng
    requester = org.by_pk[holder]
    if shift.end <= org.now:
        states, weights = [SwapState.APPROVED, SwapState.DECLINED, SwapState.CANCELLED, SwapState.REVERTED], [75, 8, 10, 7]  # fmt: skip
    elif shift.start > org.now:
        states, weights = [SwapState.PENDING, SwapState.ACCEPTED, SwapState.APPROVED, SwapState.CANCELLED], [35, 25, 35, 5]  # fmt: skip
    else:
        states, weights = [SwapState.APPROVED, SwapState.CANCELLED], [90, 10]
    state = rng.choices(states, weights=weights)[0]
    # Filed days or weeks ahead; every step of the timeline has happened by now.
    created = min(shift.start - timedelta(days=rng.randrange(2, 40), hours=rng.randrange(24)), org.now - timedelta(days=2))  # fmt: skip
    answered = min(created + timedelta(hours=rng.randrange(1, 20)), org.now)
    decided = min(answered + timedelta(hours=rng.randrange(1, 20)), org.now)
    withdrawn = min(decided + timedelta(hours=rng.randrange(1, 72)), org.now)
    manager = rng.choice(org.managers) if org.managers else None
    filer = requester.user if rng.random() < 0.9 or manager is None else manager
    trail = {
        SwapState.PENDING: [("created", created, filer)],
        SwapState.ACCEPTED: [("created", created, filer), ("accepted", answered, colleague.user)],
        SwapState.APPROVED: [("created", created, filer), ("accepted", answered, colleague.user), ("approved", decided, manager)],
        SwapState.DECLINED: [("created", created, filer), ("declined", answered, colleague.user)],
        SwapState.CANCELLED: [("created", created, filer), ("cancelled", answered, requester.user)],
        SwapState.REVERTED: [("created", created, filer), ("accepted", answered, colleague.user), ("approved", decided, manager), ("reverted", withdrawn, manager)],
    }[state]  # fmt: skip
    swap = SwapRequest(
        rotation=rotation,
        tier=tier,
        kind=SwapKind.SWAP if return_shift else SwapKind.COVER,
        requester=requester,
        colleague=colleague,
        start=shift.start,
        end=shift.end,
        return_start=return_shift.start if return_shift else None,
        return_end=return_shift.end if return_shift else None,
        reason=rng.choice(OVERRIDE_REASONS),
        state=state,
        filed_by=filer,
        created_at=created,
        updated_at=trail[-1][1],
    )
    swaps.append(swap)
    events.extend(
        SwapRequestEvent(swap=swap, action=action, at=at, actor=actor)
        for action, at, actor in trail
    )
    if state not in (SwapState.APPROVED, SwapState.REVERTED):
        return
    covered = [(colleague, shift.start, shift.end)]
    if return_shift is not None:
        covered.append((requester, return_shift.start, return_shift.end))
    reverted = state == SwapState.REVERTED
    overrides.extend(
        Override(
            rotation=rotation,
            tier=tier,
            person=person,
            start=start,
            # A revert ends an override under way at that instant (`Override`'s rule).
            end=withdrawn if reverted and start < withdrawn < end else end,
            swap_request=swap,
            reason=swap.reason,
            created_by=manager,
            created_at=decided,
            reverted_at=withdrawn if reverted and withdrawn < end else None,
            reverted_by=manager if reverted and withdrawn < end else None,
        )
        for person, start, end in covered
    )
