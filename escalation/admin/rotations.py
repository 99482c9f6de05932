"""Rotations and their slots, overrides, and the (read-only) swap requests and their timelines."""

from typing import Any, cast

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from escalation.models import (
    OnCallTier,
    Override,
    Rotation,
    RotationSlot,
    SlotRule,
    SwapRequest,
    SwapRequestEvent,
    Weekday,
)
from escalation.models.rotations import OverrideQuerySet

from .base import (
    CompactInline,
    EscalationAdmin,
    EscalationForm,
    HistoryAdmin,
    NoHistoryRevertMixin,
    ReadOnlyInline,
    ReadOnlyMixin,
)

ANCHOR_DATE_REQUIRED = (
    "Strict alternation counts from an anchor date: give the date of a handoff at which the "
    "first slot starts."
)
SLOT_SAME_PERSON = "The secondary must be someone other than the primary."
SLOT_PARITY_REQUIRED = (
    "This rotation alternates by ISO week parity: say whether this slot covers odd or even weeks."
)
OVERRIDE_END_BEFORE_START = "The end must be after the start."
OVERRIDE_OVERLAP = (
    "{person} already covers the {tier} position of {rotation} from {start:%Y-%m-%d %H:%M} to "
    "{end:%Y-%m-%d %H:%M} UTC. Two overrides of the same position cannot overlap: change or "
    "delete that one first."
)
SWAPS_DECIDED_ELSEWHERE = (
    "Swap requests are filed, accepted and approved on the portal's Swaps page, which creates "
    "the overrides; here they can only be looked at."
)


class RotationForm(EscalationForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("slot_rule") == SlotRule.ALTERNATION and not cleaned.get("anchor_date"):
            self.add_error("anchor_date", ANCHOR_DATE_REQUIRED)
        return cleaned


class RotationSlotForm(EscalationForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        primary, secondary = cleaned.get("primary"), cleaned.get("secondary")
        if primary is not None and primary == secondary:
            self.add_error("secondary", SLOT_SAME_PERSON)
        rotation = cleaned.get("rotation")
        if (
            rotation is not None
            and rotation.slot_rule == SlotRule.ISO_WEEK_PARITY
            and not cleaned.get("week_parity")
            and "week_parity" not in self.errors
        ):
            self.add_error("week_parity", SLOT_PARITY_REQUIRED)
        return cleaned


class RotationSlotInline(CompactInline):
    model = RotationSlot
    form = RotationSlotForm
    fields = ["position", "label", "week_parity", "primary", "secondary"]
    autocomplete_fields = ["primary", "secondary"]


class UpcomingOverrideInline(ReadOnlyInline):
    model = Override
    fk_name = "rotation"
    fields = ["tier", "person", "start", "end", "reason", "swap_request"]
    verbose_name_plural = "Current and upcoming overrides (change them under Overrides)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Override]:
        overrides = cast(OverrideQuerySet, super().get_queryset(request))
        return (
            overrides.in_effect()
            .filter(end__gte=timezone.now())
            .select_related("person", "swap_request__requester", "swap_request__colleague")
        )


@admin.register(Rotation)
class RotationAdmin(HistoryAdmin):
    form = RotationForm
    list_display = ["name", "team", "handoff", "shift_days", "slot_rule", "slot_count"]
    list_select_related = ["team"]
    list_filter = ["slot_rule", "team"]
    search_fields = ["name", "slug", "team__name"]
    autocomplete_fields = ["team"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "name"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "team", "schedule_note"]}),
        ("Handoff", {"fields": ["handoff_weekday", "handoff_time", "time_zone", "shift_days"]}),
        ("Which slot is on call", {"fields": ["slot_rule", "anchor_date"]}),
        ("Slack", {"fields": ["swap_channel", "handoff_channel"]}),
        (
            "PagerDuty",
            {
                "fields": ["pagerduty_primary_schedule_id", "pagerduty_secondary_schedule_id"],
                "description": "Approved swaps become overrides in these schedules; "
                "`manage.py pagerduty_sync` compares them with the portal.",
            },
        ),
        ("Order", {"fields": ["position"], "classes": ["collapse"]}),
    ]
    inlines = [RotationSlotInline, UpcomingOverrideInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rotation]:
        return super().get_queryset(request).annotate(slot_total=Count("slots"))

    @admin.display(description="Handoff", ordering="handoff_weekday")
    def handoff(self, rotation: Rotation) -> str:
        weekday = Weekday(rotation.handoff_weekday).label
        return f"{weekday} {rotation.handoff_time:%H:%M} {rotation.time_zone}"

    @admin.display(description="Slots", ordering="slot_total")
    def slot_count(self, rotation: Rotation) -> int:
        return rotation.slot_total  # type: ignore[attr-defined]


@admin.register(RotationSlot)
class RotationSlotAdmin(HistoryAdmin):
    form = RotationSlotForm
    list_display = ["rotation", "position", "label", "week_parity", "primary", "secondary"]
    list_select_related = ["rotation", "primary", "secondary"]
    list_filter = ["rotation"]
    search_fields = ["label", "rotation__name", "primary__display_name", "secondary__display_name"]
    autocomplete_fields = ["rotation", "primary", "secondary"]
    ordering = ["rotation__position", "rotation__name", "position"]
    fields = ["rotation", "position", "label", "week_parity", "primary", "secondary"]


class OverrideForm(EscalationForm):
    class Meta:
        model = Override
        fields = ["rotation", "tier", "person", "start", "end", "reason"]
        help_texts = {"start": "UTC.", "end": "UTC; the override ends just before this."}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", OVERRIDE_END_BEFORE_START)
            return cleaned
        rotation, tier = cleaned.get("rotation"), cleaned.get("tier")
        if start and end and rotation and tier and self.instance.reverted_at is None:
            clash = (
                Override.objects.in_effect()
                .filter(rotation=rotation, tier=tier)
                .overlapping(start, end)
                .exclude(pk=self.instance.pk)
                .select_related("person")
                .first()
            )
            if clash is not None:
                self.add_error(
                    "start",
                    OVERRIDE_OVERLAP.format(
                        person=clash.person,
                        tier=OnCallTier(tier).label.lower(),
                        rotation=rotation,
                        start=clash.start,
                        end=clash.end,
                    ),
                )
        return cleaned


@admin.register(Override)
class OverrideAdmin(NoHistoryRevertMixin, HistoryAdmin):
    form = OverrideForm
    list_display = ["person", "rotation", "tier", "start", "end", "in_effect", "swap_request"]
    list_select_related = [
        "person",
        "rotation",
        "swap_request__requester",
        "swap_request__colleague",
    ]
    list_filter = ["rotation", "tier", ("reverted_at", admin.EmptyFieldListFilter)]
    search_fields = ["person__display_name", "rotation__name", "reason"]
    autocomplete_fields = ["rotation", "person"]
    date_hierarchy = "start"
    ordering = ["-start"]
    readonly_fields = ["swap_request", "created_by", "created_at", "reverted_at", "reverted_by"]
    fieldsets = [
        (None, {"fields": ["rotation", "tier", "person", "start", "end", "reason"]}),
        (
            "Where it came from",
            {"fields": ["swap_request", "created_by", "created_at", "reverted_at", "reverted_by"]},
        ),
    ]

    def has_change_permission(self, request: HttpRequest, obj: Override | None = None) -> bool:
        # An approved swap's overrides change only through the swap (revert it on its page).
        if obj is not None and obj.swap_request_id is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Override | None = None) -> bool:
        if obj is not None and obj.swap_request_id is not None:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="In effect", boolean=True)
    def in_effect(self, override: Override) -> bool:
        return override.is_in_effect

    def save_model(self, request: HttpRequest, obj: Override, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class SwapRequestEventInline(ReadOnlyInline):
    model = SwapRequestEvent
    fields = ["at", "action", "actor", "note"]
    show_change_link = False
    verbose_name_plural = "Timeline"

    def get_queryset(self, request: HttpRequest) -> QuerySet[SwapRequestEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(SwapRequest)
class SwapRequestAdmin(NoHistoryRevertMixin, ReadOnlyMixin, HistoryAdmin):
    list_display = ["__str__", "rotation", "tier", "start", "end", "state", "created_at"]
    list_select_related = ["rotation", "requester", "colleague"]
    list_filter = ["state", "kind", "rotation"]
    search_fields = ["requester__display_name", "colleague__display_name", "reason"]
    date_hierarchy = "start"
    ordering = ["-created_at"]
    fieldsets = [
        (
            None,
            {
                "fields": ["state", "on_the_swaps_page", "rotation", "tier", "kind"],
                "description": SWAPS_DECIDED_ELSEWHERE,
            },
        ),
        ("Who", {"fields": ["requester", "colleague", "filed_by"]}),
        ("When", {"fields": ["start", "end", "return_start", "return_end"]}),
        ("Why", {"fields": ["reason"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]
    readonly_fields = ["on_the_swaps_page", "created_at", "updated_at"]
    inlines = [SwapRequestEventInline]

    @admin.display(description="Decide")
    def on_the_swaps_page(self, swap: SwapRequest) -> SafeString:
        url = reverse("escalation:swap_detail", args=[swap.pk])
        return format_html('<a href="{}">Open it on the Swaps page</a>', url)


@admin.register(SwapRequestEvent)
class SwapRequestEventAdmin(ReadOnlyMixin, EscalationAdmin):
    list_display = ["swap", "action", "actor", "at", "note"]
    list_select_related = ["swap__requester", "swap__colleague", "actor"]
    list_filter = ["action"]
    search_fields = ["swap__requester__display_name", "swap__colleague__display_name", "note"]
    ordering = ["-at"]
    fields = ["swap", "action", "actor", "at", "note"]
