"""The pull: whom PagerDuty will page for each linked schedule over the coming weeks, compared
with the portal's own shifts (overrides included). PagerDuty sends no webhook when a schedule
changes, so `manage.py pagerduty_sync` polls (cron, every few minutes).

One call per linked schedule (`GET /schedules/{id}`, its rendered final layer), whatever the
weeks: 60 linked schedules cost 60 calls a run, far below PagerDuty's 960 a minute. A tier whose
reading fails keeps its previous drift and records why; a 429 that outlasts the client's own
retries ends the run (the next run starts over).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pagerduty
from django.db import transaction

from .. import rotation as engine
from ..cache import bump_data_version
from ..integrations import pagerduty as pd
from ..models import OnCallTier, Override, PagerDutyCheck, PagerDutyDrift, Person, Rotation

SYNC_WEEKS = 8


@dataclass
class SyncReport:
    checked: int = 0
    failed: int = 0
    drifts: int = 0
    calls: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Piece:
    start: datetime
    end: datetime
    pagerduty_user_id: str
    pagerduty_name: str
    portal_person: int | None


def _second(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def compare(
    *,
    pagerduty_entries: Sequence[pd.Entry],
    portal: Sequence[engine.Assignment],
    user_ids: dict[int, str],
    start: datetime,
    end: datetime,
) -> list[Piece]:
    """The stretches of [start, end) where PagerDuty's user is not the portal's person's
    PagerDuty user, adjacent stretches with the same pair merged. Compared to the second (what
    PagerDuty keeps)."""
    start, end = _second(start), _second(end)
    bounds = {start, end}
    edges = [(e.start, e.end) for e in pagerduty_entries] + [(a.start, a.end) for a in portal]
    for edge in edges:
        for instant in map(_second, edge):
            if start < instant < end:
                bounds.add(instant)
    ordered = sorted(bounds)
    pieces: list[Piece] = []
    for left, right in zip(ordered, ordered[1:], strict=False):
        entry = next(
            (e for e in pagerduty_entries if _second(e.start) <= left < _second(e.end)), None
        )
        holder = next((a for a in portal if _second(a.start) <= left < _second(a.end)), None)
        person = holder.person if holder is not None and isinstance(holder.person, int) else None
        pagerduty_user = entry.user_id if entry else ""
        if pagerduty_user == (user_ids.get(person, "") if person is not None else ""):
            continue
        piece = Piece(left, right, pagerduty_user, entry.user_name if entry else "", person)
        last = pieces[-1] if pieces else None
        if (
            last is not None
            and last.end == left
            and (last.pagerduty_user_id, last.portal_person) == (pagerduty_user, person)
        ):
            pieces[-1] = Piece(last.start, right, pagerduty_user, last.pagerduty_name, person)
        else:
            pieces.append(piece)
    return pieces


def pagerduty_sync(
    *, now: datetime, weeks: int = SYNC_WEEKS, api: pagerduty.RestApiV2Client | None = None
) -> SyncReport:
    """Read every linked schedule over [now, now + weeks) and store where PagerDuty disagrees."""
    api = api or pd.client()
    end = min(now + timedelta(weeks=weeks), now + pd.MAX_WINDOW)
    report = SyncReport()
    rotations = list(
        Rotation.objects.exclude(
            pagerduty_primary_schedule_id="", pagerduty_secondary_schedule_id=""
        )
        .prefetch_related("slots")
        .order_by("position", "name")
    )
    _forget_unlinked(rotations)
    overrides: dict[int, list[Override]] = defaultdict(list)
    for override in (
        Override.objects.in_effect().overlapping(now, end).filter(rotation__in=rotations)
    ):
        overrides[override.rotation_id].append(override)
    people = Person.objects.exclude(pagerduty_user_id="")
    user_ids = dict(people.values_list("pk", "pagerduty_user_id"))
    by_user_id = {user_id: pk for pk, user_id in user_ids.items()}
    calls_before = api.total_call_count
    stop = False
    for rotation in rotations:
        try:
            schedule = rotation.schedule(rotation.slots.all())
        except ValueError as error:
            report.errors.append(f"{rotation}: {error}")
            continue
        index = Override.index(overrides[rotation.pk])
        for tier in OnCallTier:
            schedule_id = rotation.pagerduty_schedule_id(tier)
            if not schedule_id:
                continue
            if stop:
                _record_failure(rotation, tier, schedule_id, now, "Not read: rate limited")
                report.failed += 1
                continue
            try:
                entries = pd.final_schedule(api, schedule_id, now, end)
            except pd.PagerDutyError as error:
                stop = isinstance(error, pd.RateLimited)
                _record_failure(rotation, tier, schedule_id, now, str(error))
                report.failed += 1
                report.errors.append(f"{rotation} {tier.in_sentence}: {error}")
                continue
            portal = [
                assignment
                for shift in engine.shifts_between(schedule, now, end)
                for assignment in engine.segments(shift, engine.Tier(tier), index)
            ]
            pieces = compare(
                pagerduty_entries=entries, portal=portal, user_ids=user_ids, start=now, end=end
            )
            _store(rotation, tier, schedule_id, now, end, pieces, by_user_id)
            report.checked += 1
            report.drifts += len(pieces)
    report.calls = api.total_call_count - calls_before
    bump_data_version()
    return report


def _forget_unlinked(rotations: list[Rotation]) -> None:
    """A tier no longer linked has nothing to compare: its readings and drift go."""
    linked = {
        (rotation.pk, tier.value)
        for rotation in rotations
        for tier in OnCallTier
        if rotation.pagerduty_schedule_id(tier)
    }
    for model in (PagerDutyCheck, PagerDutyDrift):
        stale = [
            pk
            for pk, rotation_id, tier in model.objects.values_list("pk", "rotation_id", "tier")
            if (rotation_id, tier) not in linked
        ]
        if stale:
            model.objects.filter(pk__in=stale).delete()


def _record_failure(
    rotation: Rotation, tier: OnCallTier, schedule_id: str, now: datetime, error: str
) -> None:
    PagerDutyCheck.objects.update_or_create(
        rotation=rotation,
        tier=tier,
        defaults={"schedule_id": schedule_id, "attempted_at": now, "error": error[:500]},
    )


@transaction.atomic
def _store(
    rotation: Rotation,
    tier: OnCallTier,
    schedule_id: str,
    now: datetime,
    end: datetime,
    pieces: list[Piece],
    by_user_id: dict[str, int],
) -> None:
    PagerDutyDrift.objects.filter(rotation=rotation, tier=tier).delete()
    rows = [
        PagerDutyDrift(
            rotation=rotation,
            tier=tier,
            start=piece.start,
            end=piece.end,
            pagerduty_user_id=piece.pagerduty_user_id,
            pagerduty_name=piece.pagerduty_name[:200],
            pagerduty_person_id=by_user_id.get(piece.pagerduty_user_id),
            portal_person_id=piece.portal_person,
            found_at=now,
        )
        for piece in pieces
    ]
    for row in rows:
        row.full_clean(exclude=["rotation", "pagerduty_person", "portal_person"])
    PagerDutyDrift.objects.bulk_create(rows)
    PagerDutyCheck.objects.update_or_create(
        rotation=rotation,
        tier=tier,
        defaults={
            "schedule_id": schedule_id,
            "checked_at": now,
            "window_start": now,
            "window_end": end,
            "attempted_at": now,
            "error": "",
        },
    )
