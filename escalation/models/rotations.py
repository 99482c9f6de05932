"""On-call rotations, their slots, overrides and the swap requests that produce overrides."""

import uuid
from collections.abc import Iterable
from datetime import date, time
from functools import lru_cache
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from simple_history.models import HistoricalRecords

from .. import rotation as engine
from ..links import reverse
from .people import Person, Team
from .validators import (
    validate_pagerduty_id,
    validate_single_line,
    validate_slack_channel,
    validate_time_zone,
)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class SlotRule(models.TextChoices):
    ISO_WEEK_PARITY = "iso_week_parity", "ISO week parity (odd / even weeks)"
    ALTERNATION = "alternation", "Strict alternation from an anchor date"


class WeekParity(models.TextChoices):
    ODD = "odd", "Odd ISO weeks"
    EVEN = "even", "Even ISO weeks"


class OnCallTier(models.TextChoices):
    """A position of a rotation. The pure engine has the same values as `rotation.Tier`."""

    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"

    @property
    def in_sentence(self) -> str:
        """The tier as a sentence says it: "primary"."""
        return str(self.label).lower()


class Rotation(models.Model):
    name = models.CharField(max_length=120, unique=True, validators=[validate_single_line])
    slug = models.SlugField(max_length=120, unique=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="rotations"
    )
    handoff_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY
    )
    handoff_time = models.TimeField(default=time(9, 0))
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    shift_days = models.PositiveSmallIntegerField(default=7, help_text="7 = weekly.")
    slot_rule = models.CharField(
        max_length=20, choices=SlotRule.choices, default=SlotRule.ISO_WEEK_PARITY
    )
    anchor_date = models.DateField(
        null=True,
        blank=True,
        help_text="Alternation: the date of a handoff at which the first slot starts.",
    )
    schedule_note = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="“Managed in PagerDuty”.",
    )
    swap_channel = models.CharField(
        max_length=81, blank=True, validators=[validate_slack_channel], help_text="#on-call-swap"
    )
    handoff_channel = models.CharField(
        max_length=81,
        blank=True,
        validators=[validate_slack_channel],
        help_text="Told who is on call at each handoff (needs the Slack app). Empty: the swap channel.",
    )
    pagerduty_primary_schedule_id = models.CharField(
        "PagerDuty schedule (primary)",
        max_length=20,
        blank=True,
        validators=[validate_pagerduty_id],
        help_text="The PagerDuty schedule of this rotation's primary tier, e.g. PSCHED1.",
    )
    pagerduty_secondary_schedule_id = models.CharField(
        "PagerDuty schedule (secondary)",
        max_length=20,
        blank=True,
        validators=[validate_pagerduty_id],
        help_text="The PagerDuty schedule of the secondary tier.",
    )
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shift_days__gte=1), name="rotation_shift_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(handoff_weekday__gte=0) & Q(handoff_weekday__lte=6),
                name="rotation_handoff_weekday_valid",
            ),
            models.CheckConstraint(
                condition=~Q(slot_rule=SlotRule.ALTERNATION) | Q(anchor_date__isnull=False),
                name="rotation_alternation_has_anchor",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def handoff_post_channel(self) -> str:
        """Where handoffs are announced: the handoff channel, else the swap channel."""
        return self.handoff_channel or self.swap_channel

    def pagerduty_schedule_id(self, tier: str) -> str:
        """The PagerDuty schedule linked to `tier` ("" when none is)."""
        if tier == OnCallTier.PRIMARY:
            return self.pagerduty_primary_schedule_id
        return self.pagerduty_secondary_schedule_id

    def schedule(self, slots: Iterable["RotationSlot"] | None = None) -> engine.Schedule:
        """This rotation as the pure engine's `Schedule` (`escalation.rotation`); pass `slots`
        when they are prefetched or changed. Person keys in the engine are Person primary keys:
        the caller maps them back to Person rows it has already loaded, so nothing is queried
        when `slots` is given."""
        slot_rows = sorted(self.slots.all() if slots is None else slots, key=_position)
        return _schedule(
            self.handoff_weekday,
            self.handoff_time,
            self.time_zone,
            self.shift_days,
            self.slot_rule,
            self.anchor_date,
            tuple(
                (slot.label, slot.primary_id, slot.secondary_id, slot.week_parity)
                for slot in slot_rows
            ),
        )


def _position(slot: "RotationSlot") -> int:
    return slot.position


@lru_cache(maxsize=1024)
def _schedule(
    handoff_weekday: int,
    handoff_time: time,
    time_zone: str,
    shift_days: int,
    slot_rule: str,
    anchor_date: date | None,
    slots: tuple[tuple[str, int, int | None, str], ...],
) -> engine.Schedule:
    """The engine's `Schedule` of these settings and slots (label, primary, secondary, parity).

    A schedule is a frozen value of exactly these: the same settings give an equal one, so it
    is built and checked once per process and settings, not on every request that reads the
    rotation (a settings change is a new key). A schedule the engine refuses is not kept: it
    raises its `ValueError` again each time.
    """
    return engine.Schedule(
        handoff_weekday=handoff_weekday,
        handoff_time=handoff_time,
        time_zone=time_zone,
        shift_days=shift_days,
        rule=engine.SlotRule(slot_rule),
        anchor=anchor_date,
        slots=tuple(
            engine.Slot(
                label=label,
                primary=primary,
                secondary=secondary,
                week_parity=engine.WeekParity(week_parity) if week_parity else None,
            )
            for label, primary, secondary, week_parity in slots
        ),
    )


class RotationSlot(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(
        max_length=120, validators=[validate_single_line], help_text="“Odd weeks”."
    )
    week_parity = models.CharField(
        max_length=4,
        choices=WeekParity.choices,
        blank=True,
        help_text="For the ISO week parity rule.",
    )
    primary = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="primary_slots")
    secondary = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="secondary_slots"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["rotation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["rotation", "position"], name="rotation_slot_position_unique"
            ),
            models.UniqueConstraint(
                fields=["rotation", "label"], name="rotation_slot_label_unique"
            ),
            models.UniqueConstraint(
                fields=["rotation", "week_parity"],
                condition=~Q(week_parity=""),
                name="rotation_slot_parity_unique",
            ),
            models.CheckConstraint(
                condition=Q(secondary__isnull=True) | ~Q(secondary=F("primary")),
                name="rotation_slot_distinct_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rotation}: {self.label}"


class OverrideQuerySet(models.QuerySet["Override"]):
    def in_effect(self) -> "OverrideQuerySet":
        """Overrides that hold for some time (`Override.is_in_effect`, in SQL)."""
        return self.filter(Q(reverted_at__isnull=True) | Q(reverted_at__gte=F("end")))

    def overlapping(self, start, end) -> "OverrideQuerySet":  # type: ignore[no-untyped-def]
        return self.filter(start__lt=end, end__gt=start)


class PagerDutyPushState(models.TextChoices):
    """Where an override stands in PagerDuty. Empty: not for PagerDuty (its tier is not linked)."""

    PENDING = "pending", "pending"
    IN_PAGERDUTY = "in_pagerduty", "in PagerDuty"
    FAILED = "failed", "failed"
    REMOVED = "removed", "removed from PagerDuty"


class Override(models.Model):
    """A person covering one tier of a rotation for an interval. Reverting keeps the row.

    A revert ends an override at that instant and never rewrites the past: an override under way
    is cut (`end` and `reverted_at` both the instant of the revert), one not yet begun is only
    marked (`reverted_at` at or before its `start`: it never held), one already over is left
    alone. So an override is in effect, over `[start, end)`, unless it was reverted before it
    ended.
    """

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="overrides")
    tier = models.CharField(max_length=10, choices=OnCallTier.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="overrides")
    start = models.DateTimeField()
    end = models.DateTimeField()
    swap_request = models.ForeignKey(
        "SwapRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="overrides"
    )
    reason = models.CharField(max_length=500, blank=True, validators=[validate_single_line])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pagerduty_state = models.CharField(
        max_length=15, choices=PagerDutyPushState.choices, blank=True, default=""
    )
    pagerduty_override_id = models.CharField(
        max_length=40, blank=True, help_text="The override PagerDuty made of this one."
    )
    pagerduty_error = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    objects = OverrideQuerySet.as_manager()

    class Meta:
        ordering = ["rotation", "start"]
        indexes = [
            models.Index(fields=["rotation", "tier", "start", "end"], name="override_lookup")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="override_start_before_end"
            ),
        ]
        # PostgreSQL also gets an exclusion constraint (migration 0002): overrides in effect for
        # the same rotation and tier cannot overlap.

    def __str__(self) -> str:
        return f"{self.person} covers {self.rotation} {self.tier}"

    @property
    def is_in_effect(self) -> bool:
        """It holds over `[start, end)`: never reverted, or reverted once it had ended."""
        return self.reverted_at is None or self.reverted_at >= self.end

    @property
    def ended_early(self) -> bool:
        """A revert cut it short while it was under way."""
        return self.reverted_at is not None and self.reverted_at == self.end

    @staticmethod
    def index(overrides: Iterable["Override"]) -> engine.OverrideIndex:
        """The pure engine's index of the overrides in effect, ordered by start."""
        return override_index(
            (override.tier, override.person_id, override.start, override.end, override.pk)
            for override in overrides
            if override.is_in_effect
        )


#: The columns `override_index` reads, in its order: tier, person, start, end, key.
OVERRIDE_INDEX_COLUMNS = ("tier", "person_id", "start", "end", "id")


def override_index(rows: Iterable[tuple[str, int, Any, Any, int]]) -> engine.OverrideIndex:
    """`Override.index` of overrides in effect given as rows of `OVERRIDE_INDEX_COLUMNS` (from
    `values_list`, when no Override row is needed)."""
    return engine.OverrideIndex(
        engine.OverrideSpec(_TIERS.get(tier) or engine.Tier(tier), person, start, end, key)
        for tier, person, start, end, key in sorted(rows, key=_START_AND_END)
    )


#: The engine's tiers by the value stored.
_TIERS: dict[str, engine.Tier] = {tier.value: tier for tier in engine.Tier}
_START_AND_END = itemgetter(2, 3)


class SwapKind(models.TextChoices):
    COVER = "cover", "Cover (a colleague takes it)"
    SWAP = "swap", "Swap (take one of the colleague's shifts in return)"


class SwapState(models.TextChoices):
    PENDING = "pending", "Pending colleague"
    ACCEPTED = "accepted", "Accepted, awaiting approval"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    REVERTED = "reverted", "Reverted"
    SUPERSEDED = "superseded", "Superseded"


#: Requests still waiting for an answer: the colleague's, then a manager's.
OPEN_SWAP_STATES = (SwapState.PENDING, SwapState.ACCEPTED)
#: Requests that ended without a cover still to come: nothing about them is upcoming.
ENDED_SWAP_STATES = (
    SwapState.DECLINED,
    SwapState.CANCELLED,
    SwapState.REVERTED,
    SwapState.SUPERSEDED,
)


def _overlapping_requests(start: Any, end: Any, return_start: Any, return_end: Any) -> Q:
    """Requests whose shift given away or shift in return overlaps any of these two intervals
    (values, or `OuterRef`s to another request's; a missing return interval overlaps nothing)."""
    overlap = Q(start__lt=end, end__gt=start) | Q(return_start__lt=end, return_end__gt=start)
    if return_start is not None and return_end is not None:
        overlap |= Q(start__lt=return_end, end__gt=return_start)
        overlap |= Q(return_start__lt=return_end, return_end__gt=return_start)
    return overlap


class SwapRequestQuerySet(models.QuerySet["SwapRequest"]):
    def conflicting_with(self, swap: "SwapRequest") -> "SwapRequestQuerySet":
        """Other open requests for the same rotation and tier that concern a shift `swap` also
        concerns: approving one makes the others impossible."""
        return self.filter(
            _overlapping_requests(swap.start, swap.end, swap.return_start, swap.return_end),
            rotation_id=swap.rotation_id,
            tier=swap.tier,
            state__in=OPEN_SWAP_STATES,
        ).exclude(pk=swap.pk)

    def with_first_conflict(self) -> "SwapRequestQuerySet":
        """Each open request with `first_conflict`, the key of the first other open request
        `conflicting_with` it (None when there is none, or when it is not open)."""
        conflicts = (
            SwapRequest.objects.filter(
                _overlapping_requests(
                    OuterRef("start"),
                    OuterRef("end"),
                    OuterRef("return_start"),
                    OuterRef("return_end"),
                ),
                rotation_id=OuterRef("rotation_id"),
                tier=OuterRef("tier"),
                state__in=OPEN_SWAP_STATES,
            )
            .exclude(pk=OuterRef("pk"))
            .order_by("pk")
            .values("pk")[:1]
        )
        return self.annotate(
            first_conflict=Case(
                When(state__in=OPEN_SWAP_STATES, then=Subquery(conflicts)), default=Value(None)
            )
        )


class SwapRequest(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.PROTECT, related_name="swap_requests")
    tier = models.CharField(max_length=10, choices=OnCallTier.choices)
    kind = models.CharField(max_length=10, choices=SwapKind.choices, default=SwapKind.COVER)
    requester = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="swap_requests_made"
    )
    colleague = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="swap_requests_received"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    return_start = models.DateTimeField(null=True, blank=True)
    return_end = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(max_length=2000, blank=True)
    state = models.CharField(max_length=10, choices=SwapState.choices, default=SwapState.PENDING)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submission_key = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        help_text="One per form shown: a replayed form creates nothing.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = SwapRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("decide_swaprequest", "Can approve, decline or revert swap requests")]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="swap_start_before_end"),
            models.CheckConstraint(
                condition=~Q(requester=F("colleague")), name="swap_colleague_is_someone_else"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=SwapKind.COVER, return_start__isnull=True, return_end__isnull=True)
                    | Q(
                        kind=SwapKind.SWAP,
                        return_start__isnull=False,
                        return_end__isnull=False,
                        return_start__lt=F("return_end"),
                    )
                ),
                name="swap_return_shift_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.requester} → {self.colleague}"

    def get_absolute_url(self) -> str:
        return reverse("escalation:swap_detail", args=[self.pk])


class SwapAction(models.TextChoices):
    """What happened to a request: `SwapRequestEvent.action`, and the verbs of its timeline."""

    CREATED = "created", "filed the request"
    ACCEPTED = "accepted", "accepted"
    DECLINED = "declined", "declined"
    APPROVED = "approved", "approved"
    CANCELLED = "cancelled", "cancelled"
    REVERTED = "reverted", "reverted"
    SUPERSEDED = "superseded", "approved another request for this shift"


class SwapRequestEvent(models.Model):
    """One line of a request's timeline: who did what, when."""

    swap = models.ForeignKey(SwapRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=SwapAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["swap", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M}"
