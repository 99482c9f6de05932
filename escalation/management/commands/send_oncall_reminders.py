"""Remind people of their on-call shift before it starts, and tell them about overrides that a
manager added or withdrew outside the swap flow. Meant for cron (every minute is fine): each
reminder has a dedupe key in the outbox, so it is sent once however often this runs.

- Before a shift: everyone who holds a tier of a rotation from an instant in the coming
  `--lead-hours` (default `REMINDER_LEAD_HOURS`, 24) gets one email, overrides applied (the
  person covering gets it, not the one covered).
- Not when a swap told them: a swap's approval (or revert) already emails the people involved.
  A reminder for a stretch that such an email announced less than the lead time before it
  starts would only repeat it, so it is not sent.
- Changes made directly (in the admin): for an override, the person covering and the people
  covered are told once when it is added and once when it is withdrawn; for a slot given to
  someone else, its new and former holders. Changes older than a day are not news any more.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from escalation import rotation as engine
from escalation.models import (
    MessageStatus,
    OnCallTier,
    OutgoingMessage,
    Override,
    Person,
    Rotation,
    RotationSlot,
)
from escalation.notify import messages, outbox
from escalation.schedules import override_specs, schedule_for

#: Overrides added or withdrawn this long ago at most are announced (older news is not news).
CHANGE_LOOKBACK = timedelta(days=1)
LEAD_HOURS_INVALID = "--lead-hours must be a positive number of hours."


def reminder_notices(*, at: datetime, lead: timedelta) -> list[outbox.Notice]:
    """The reminders due at `at`: one per person and stretch of on-call starting within `lead`."""
    horizon = at + lead
    rotations = list(
        Rotation.objects.prefetch_related(
            Prefetch("slots", queryset=RotationSlot.objects.order_by("position"))
        )
    )
    plans = []
    for rotation in rotations:
        if not rotation.slots.all():
            continue
        try:
            schedule = schedule_for(rotation, rotation.slots.all())
        except ValueError:
            continue
        # A shift starting exactly at the horizon is due now: include it.
        shifts = engine.shifts_between(schedule, at, horizon + timedelta(seconds=1))
        if shifts:
            plans.append((rotation, shifts))
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

    wanted: list[tuple[Rotation, str, engine.Assignment, Override | None]] = []
    for rotation, shifts in plans:
        rows = {override.pk: override for override in in_effect[rotation.pk]}
        index = engine.OverrideIndex(override_specs(rows.values()))
        for on_call_tier in OnCallTier:
            tier = on_call_tier.value
            pieces = [
                piece
                for shift in shifts
                for piece in engine.segments(shift, engine.Tier(tier), index)
            ]
            for before, piece in pairwise(pieces):
                if not at < piece.start <= horizon or piece.person is None:
                    continue
                if piece.person == before.person:
                    continue  # already on call: nothing starts here
                row = rows.get(piece.override.key) if piece.override else None  # type: ignore[call-overload]
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
                wanted.append((rotation, tier, piece, row))

    people = Person.objects.in_bulk({piece.person for _, _, piece, _ in wanted})  # type: ignore[misc]
    lead_hours = round(lead.total_seconds() / 3600)
    notices = []
    for rotation, tier, piece, row in wanted:
        person = people.get(piece.person)  # type: ignore[call-overload]
        if person is None or not person.is_active or not person.email:
            continue
        notices.append(
            messages.reminder_notice(
                person=person,
                rotation_name=rotation.name,
                rotation_key=rotation.slug,
                tier=tier,
                start=piece.start,
                end=piece.end,
                at=at,
                lead_hours=lead_hours,
                override_reason=row.reason if row is not None else None,
            )
        )
    return notices


def override_change_notices(*, at: datetime) -> list[outbox.Notice]:
    """News of overrides added or withdrawn in the admin (the swap flow tells its own)."""
    since = at - CHANGE_LOOKBACK
    overrides = list(
        Override.objects.filter(swap_request__isnull=True, end__gt=at)
        .filter(Q(created_at__gte=since) | Q(reverted_at__gte=since))
        .select_related("rotation", "person")
        .prefetch_related(
            Prefetch("rotation__slots", queryset=RotationSlot.objects.order_by("position"))
        )
    )
    slot_people: set[int] = set()
    covered_by_override: dict[int, set[int]] = {}
    for override in overrides:
        try:
            schedule = schedule_for(override.rotation, override.rotation.slots.all())
        except ValueError:
            continue
        covered = set()
        for shift in engine.shifts_between(schedule, override.start, override.end):
            holder = shift.slot.person_for(engine.Tier(override.tier))
            if holder is not None:
                covered.add(holder)
        covered_by_override[override.pk] = covered  # type: ignore[assignment]
        slot_people |= covered  # type: ignore[arg-type]
    people = Person.objects.in_bulk(slot_people)
    notices = []
    for override in overrides:
        covered_people = [
            people[pk] for pk in covered_by_override.get(override.pk, ()) if pk in people
        ]
        changes = []
        if override.created_at >= since:
            changes.append("created")
        if override.reverted_at is not None and override.reverted_at >= since:
            changes.append("reverted")
        for change in changes:
            notices += messages.override_change_notices(
                override=override, change=change, covered=covered_people
            )
    return notices


def slot_change_notices(*, at: datetime) -> list[outbox.Notice]:
    """News of slots (odd weeks, even weeks...) whose primary or secondary a manager changed."""
    since = at - CHANGE_LOOKBACK
    records = list(
        RotationSlot.history.filter(history_date__gte=since, history_type="~").order_by(
            "history_date"
        )
    )
    if not records:
        return []
    rotations = Rotation.objects.prefetch_related(
        Prefetch("slots", queryset=RotationSlot.objects.order_by("position"))
    ).in_bulk({record.rotation_id for record in records})
    changes = []
    for record in records:
        before = record.prev_record
        rotation = rotations.get(record.rotation_id)
        if before is None or rotation is None:
            continue
        for on_call_tier in OnCallTier:
            field = f"{on_call_tier.value}_id"
            old, new = getattr(before, field), getattr(record, field)
            if old != new:
                changes.append((record, rotation, on_call_tier.value, old, new))
    people = Person.objects.in_bulk(
        {pk for *_, old, new in changes for pk in (old, new) if pk is not None}
    )
    notices = []
    for record, rotation, tier, old, new in changes:
        next_shifts: list[tuple[datetime, datetime]] = []
        try:
            schedule = schedule_for(rotation, rotation.slots.all())
        except ValueError:
            schedule = None
        if schedule is not None:
            positions = [slot.pk for slot in rotation.slots.all()]
            index = positions.index(record.id) if record.id in positions else None
            next_shifts = [
                (shift.start, shift.end)
                for shift in engine.shifts_between(schedule, at, at + timedelta(weeks=8))
                if shift.slot_index == index and shift.end > at
            ][:3]
        notices += messages.slot_change_notices(
            rotation=rotation,
            slot_label=record.label,
            tier=tier,
            change_key=f"{record.history_id}:{tier}",
            now_holder=people.get(new),
            before_holder=people.get(old),
            next_shifts=next_shifts,
        )
    return notices


class Command(BaseCommand):
    help = "Email people before their on-call shift starts, and about overrides made directly."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lead-hours",
            type=float,
            default=None,
            help="How long before a shift starts to remind (default REMINDER_LEAD_HOURS, 24).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; send nothing."
        )

    def handle(self, *args: Any, lead_hours: float | None, dry_run: bool, **options: Any) -> None:
        hours = settings.REMINDER_LEAD_HOURS if lead_hours is None else lead_hours
        if hours <= 0:
            raise CommandError(LEAD_HOURS_INVALID)
        at = timezone.now()
        notices = (
            reminder_notices(at=at, lead=timedelta(hours=hours))
            + override_change_notices(at=at)
            + slot_change_notices(at=at)
        )
        if dry_run:
            for notice in notices:
                self.stdout.write(f"would send to {notice.recipient}: {notice.subject}")
            return
        with transaction.atomic():
            queued = outbox.enqueue(notices)  # delivered as the transaction commits
        retried = outbox.deliver()  # and whatever earlier runs left pending, when due
        sent = OutgoingMessage.objects.filter(
            pk__in=[message.pk for message in queued], status=MessageStatus.SENT
        ).count()
        self.stdout.write(
            f"{len(queued)} new message(s): {sent} sent, {len(queued) - sent} kept for a retry. "
            f"Earlier ones: {retried.sent} sent, {retried.failed} failed again."
        )
