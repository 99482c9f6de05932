"""What the on-call reminder job (`manage.py send_oncall_reminders`) has to tell people at `at`.

- Before a shift: everyone who holds a tier of a rotation from an instant in the coming `lead`
  gets one reminder, overrides applied (the person covering gets it, not the one covered).
  Someone already on call just before that instant gets none: nothing starts for them.
- Not when a swap told them: a swap's approval (or revert) already emails the people involved.
  A reminder for a stretch that such an email announced less than the lead time before it
  starts would only repeat it, so it is not due.
- Changes made directly (in the admin): for an override, the person covering and the people
  covered are told once when it is added and once when it is withdrawn; for a slot given to
  someone else, its new and former holders. Changes older than `CHANGE_LOOKBACK` are not news.

One read, `reminders_due`, at most seven queries whatever the data. Time math is the pure
engine's (`escalation.rotation`); this module loads rows, hands the engine plain values and
maps its person keys back to Person rows. What the emails say is `escalation.notify.messages`'s,
and their dedupe keys in the outbox make each one sent once however often the job runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Literal

from django.db.models import OuterRef, Prefetch, Q, Subquery

from .. import rotation as engine
from ..models import HandoffNote, OnCallTier, Override, Person, Rotation, RotationSlot
from .handoff_notes import notes_for

#: Overrides added or withdrawn this long ago at most are announced (older news is not news).
CHANGE_LOOKBACK = timedelta(days=1)
#: How far ahead a slot's new holder is told their next shifts (at most three of them).
SLOT_CHANGE_WEEKS = 8
SLOT_CHANGE_SHIFTS = 3

OverrideChangeKind = Literal["created", "reverted"]


# --- What the job gets --------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftReminder:
    """A stretch of on-call that `person` starts within the lead time."""

    person: Person
    rotation: Rotation
    tier: str
    start: datetime
    end: datetime
    #: The override that gives them this stretch, when one does.
    override: Override | None
    #: The note the outgoing pair left for this handoff (the stretch starts at a handoff).
    handoff_note: HandoffNote | None = None


@dataclass(frozen=True)
class OverrideChange:
    """An override a manager added or withdrew, and the people whose shifts it takes."""

    override: Override
    change: OverrideChangeKind
    covered: list[Person]


@dataclass(frozen=True)
class SlotChange:
    """A slot whose holder of `tier` a manager changed, and that slot's next shifts."""

    rotation: Rotation
    slot_label: str
    tier: str
    #: Which history record and tier: the change is announced once.
    change_key: str
    now_holder: Person | None
    before_holder: Person | None
    next_shifts: list[tuple[datetime, datetime]]


@dataclass(frozen=True)
class RemindersDue:
    """Everything due at `at`: the reminders first, then the news of changes made directly."""

    at: datetime
    lead: timedelta
    reminders: list[ShiftReminder]
    override_changes: list[OverrideChange]
    slot_changes: list[SlotChange]

    @property
    def lead_hours(self) -> int:
        return round(self.lead.total_seconds() / 3600)


# --- Loading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LoadedRotation:
    rotation: Rotation
    slots: list[RotationSlot]
    #: None when the engine cannot compute the rotation (no slots, settings it refuses).
    schedule: engine.Schedule | None


@dataclass(frozen=True)
class _Stretch:
    rotation: Rotation
    tier: str
    assignment: engine.Assignment
    person_id: int
    override: Override | None


@dataclass(frozen=True)
class _OverrideNews:
    override: Override
    changes: list[OverrideChangeKind]
    covered_ids: set[int]


@dataclass(frozen=True)
class _SlotNews:
    rotation: _LoadedRotation
    slot_id: int
    slot_label: str
    change_key: str
    tier: str
    before_id: int | None
    now_id: int | None


def _load_rotations() -> dict[int, _LoadedRotation]:
    """Every rotation with its slots in order, and its schedule. Two queries."""
    loaded = {}
    for rotation in Rotation.objects.prefetch_related(
        Prefetch("slots", queryset=RotationSlot.objects.order_by("position"))
    ):
        slots = list(rotation.slots.all())
        try:
            schedule: engine.Schedule | None = rotation.schedule(slots)
        except ValueError:
            schedule = None
        loaded[rotation.pk] = _LoadedRotation(rotation, slots, schedule)
    return loaded


def _stretches_starting(
    rotations: dict[int, _LoadedRotation], *, at: datetime, lead: timedelta
) -> list[_Stretch]:
    """The stretches of on-call starting in `(at, at + lead]` that no swap email announced.
    One query (the overrides around the coming shifts), none when no shift comes."""
    horizon = at + lead
    plans = []
    for loaded in rotations.values():
        if loaded.schedule is None:
            continue
        # A shift starting exactly at the horizon is due now: include it.
        shifts = engine.shifts_between(loaded.schedule, at, horizon + timedelta(seconds=1))
        if shifts:
            plans.append((loaded.rotation, shifts))
    if not plans:
        return []
    span_start = min(shifts[0].start for _, shifts in plans)
    span_end = max(shifts[-1].end for _, shifts in plans)
    in_effect: dict[int, list[Override]] = defaultdict(list)
    withdrawn: dict[int, list[Override]] = defaultdict(list)
    for override in Override.objects.filter(
        rotation__in=[rotation for rotation, _ in plans], start__lt=span_end, end__gt=span_start
    ).filter(
        Q(reverted_at__isnull=True) | Q(reverted_at__gt=at - lead, swap_request__isnull=False)
    ):
        (in_effect if override.reverted_at is None else withdrawn)[override.rotation_id].append(
            override
        )

    stretches = []
    for rotation, shifts in plans:
        rows: dict[Hashable, Override] = {
            override.pk: override for override in in_effect[rotation.pk]
        }
        index = Override.index(rows.values())
        for on_call_tier in OnCallTier:
            tier = on_call_tier.value
            pieces = [
                piece
                for shift in shifts
                for piece in engine.segments(shift, engine.Tier(tier), index)
            ]
            for before, piece in pairwise(pieces):
                if not at < piece.start <= horizon or not isinstance(piece.person, int):
                    continue
                if piece.person == before.person:
                    continue  # already on call: nothing starts here
                row = rows.get(piece.override.key) if piece.override else None
                if row is not None and row.swap_request_id and row.created_at > piece.start - lead:
                    continue  # the swap's approval told them, within the lead time
                if row is None and any(
                    old.tier == tier
                    and old.start <= piece.start < old.end
                    and old.reverted_at is not None
                    and old.reverted_at > piece.start - lead
                    for old in withdrawn[rotation.pk]
                ):
                    continue  # the swap's revert told them, within the lead time
                stretches.append(_Stretch(rotation, tier, piece, piece.person, row))
    return stretches


def _overrides_changed(
    rotations: dict[int, _LoadedRotation], *, at: datetime
) -> list[_OverrideNews]:
    """Overrides added or withdrawn in the admin lately (the swap flow tells its own), with the
    people whose shifts each takes. One query."""
    since = at - CHANGE_LOOKBACK
    news = []
    for override in (
        Override.objects.filter(swap_request__isnull=True, end__gt=at)
        .filter(Q(created_at__gte=since) | Q(reverted_at__gte=since))
        .select_related("rotation", "person")
    ):
        covered: set[int] = set()
        loaded = rotations.get(override.rotation_id)
        if loaded is not None and loaded.schedule is not None:
            for shift in engine.shifts_between(loaded.schedule, override.start, override.end):
                holder = shift.slot.person_for(engine.Tier(override.tier))
                if isinstance(holder, int):
                    covered.add(holder)
        changes: list[OverrideChangeKind] = []
        if override.created_at >= since:
            changes.append("created")
        if override.reverted_at is not None and override.reverted_at >= since:
            changes.append("reverted")
        news.append(_OverrideNews(override, changes, covered))
    return news


def _slots_changed(rotations: dict[int, _LoadedRotation], *, at: datetime) -> list[_SlotNews]:
    """Slots whose primary or secondary a manager changed lately, tier by tier. Two queries
    (the changes, then the record before each), one when there is none."""
    since = at - CHANGE_LOOKBACK
    # Each change's previous record (simple-history's `prev_record`), for all of them at once.
    earlier = RotationSlot.history.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date")
    records = list(
        RotationSlot.history.filter(history_date__gte=since, history_type="~")
        .annotate(before_history_id=Subquery(earlier.values("history_id")[:1]))
        .order_by("history_date")
    )
    befores = RotationSlot.history.in_bulk(
        [record.before_history_id for record in records if record.before_history_id is not None]
    )
    news = []
    for record in records:
        before = befores.get(record.before_history_id)
        rotation = rotations.get(record.rotation_id)
        if before is None or rotation is None:
            continue
        for on_call_tier in OnCallTier:
            field = f"{on_call_tier.value}_id"
            old, new = getattr(before, field), getattr(record, field)
            if old != new:
                news.append(
                    _SlotNews(
                        rotation=rotation,
                        slot_id=record.id,
                        slot_label=record.label,
                        change_key=f"{record.history_id}:{on_call_tier.value}",
                        tier=on_call_tier.value,
                        before_id=old,
                        now_id=new,
                    )
                )
    return news


def _next_shifts(
    rotation: _LoadedRotation, slot_id: int, at: datetime
) -> list[tuple[datetime, datetime]]:
    """The slot's next few shifts, from the one under way at `at`."""
    if rotation.schedule is None:
        return []
    positions = [slot.pk for slot in rotation.slots]
    index = positions.index(slot_id) if slot_id in positions else None
    return [
        (shift.start, shift.end)
        for shift in engine.shifts_between(
            rotation.schedule, at, at + timedelta(weeks=SLOT_CHANGE_WEEKS)
        )
        if shift.slot_index == index and shift.end > at
    ][:SLOT_CHANGE_SHIFTS]


# --- The read -----------------------------------------------------------------------------


def reminders_due(*, at: datetime, lead: timedelta) -> RemindersDue:
    """The reminders due at `at` (one per person and stretch of on-call starting within `lead`)
    and the news of overrides and slots a manager changed within `CHANGE_LOOKBACK`.

    At most eight queries: the rotations and their slots, the overrides around the coming
    shifts, the overrides changed, the slots changed and the record before each change,
    everyone named, and the handoff notes left for the shifts starting.
    """
    rotations = _load_rotations()
    stretches = _stretches_starting(rotations, at=at, lead=lead)
    overrides = _overrides_changed(rotations, at=at)
    slots = _slots_changed(rotations, at=at)
    people = Person.objects.in_bulk(
        {stretch.person_id for stretch in stretches}
        | {pk for news in overrides for pk in news.covered_ids}
        | {pk for news in slots for pk in (news.before_id, news.now_id) if pk is not None}
    )

    handed_over = {
        stretch: key
        for stretch in stretches
        if (key := _handed_over_key(rotations, stretch)) is not None
    }
    notes = notes_for(handed_over.values())
    reminders = []
    for stretch in stretches:
        person = people.get(stretch.person_id)
        if person is None or not person.is_active or not person.email:
            continue
        reminders.append(
            ShiftReminder(
                person=person,
                rotation=stretch.rotation,
                tier=stretch.tier,
                start=stretch.assignment.start,
                end=stretch.assignment.end,
                override=stretch.override,
                handoff_note=notes.get(handed_over[stretch]) if stretch in handed_over else None,
            )
        )
    override_changes = [
        OverrideChange(
            override=news.override,
            change=change,
            covered=[people[pk] for pk in news.covered_ids if pk in people],
        )
        for news in overrides
        for change in news.changes
    ]
    slot_changes = [
        SlotChange(
            rotation=news.rotation.rotation,
            slot_label=news.slot_label,
            tier=news.tier,
            change_key=news.change_key,
            now_holder=people.get(news.now_id) if news.now_id is not None else None,
            before_holder=people.get(news.before_id) if news.before_id is not None else None,
            next_shifts=_next_shifts(news.rotation, news.slot_id, at),
        )
        for news in slots
    ]
    return RemindersDue(
        at=at,
        lead=lead,
        reminders=reminders,
        override_changes=override_changes,
        slot_changes=slot_changes,
    )


def _handed_over_key(
    rotations: dict[int, _LoadedRotation], stretch: _Stretch
) -> tuple[int, datetime] | None:
    """The shift before a stretch that starts at a handoff, as a handoff note's key."""
    schedule = rotations[stretch.rotation.pk].schedule
    start = stretch.assignment.start
    if schedule is None or engine.shift_at(schedule, start).start != start:
        return None
    return (stretch.rotation.pk, engine.shift_at(schedule, start - timedelta(microseconds=1)).start)
