"""Time off, entered by managers for anyone, and the handoff notes left at each shift's end."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from escalation.models import HandoffNote, TimeOff

from .base import EscalationForm, HistoryAdmin

TIME_OFF_END_BEFORE_START = "The end must be after the start."


class TimeOffForm(EscalationForm):
    class Meta:
        model = TimeOff
        fields = ["person", "kind", "start", "end", "note"]
        help_texts = {"start": "UTC.", "end": "UTC; the time off ends just before this."}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", TIME_OFF_END_BEFORE_START)
        return cleaned


@admin.register(TimeOff)
class TimeOffAdmin(HistoryAdmin):
    form = TimeOffForm
    list_display = ["person", "kind", "start", "end", "note"]
    list_select_related = ["person"]
    list_filter = ["kind"]
    search_fields = ["person__display_name", "note"]
    autocomplete_fields = ["person"]
    date_hierarchy = "start"
    ordering = ["-start"]
    readonly_fields = ["created_by", "created_at"]
    fields = ["person", "kind", "start", "end", "note", "created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: TimeOff, form: Any, change: bool) -> None:
        if not change:
            obj.created_by_id = request.user.pk
        super().save_model(request, obj, form, change)


@admin.register(HandoffNote)
class HandoffNoteAdmin(HistoryAdmin):
    list_display = ["rotation", "shift_start", "shift_end", "updated_by", "updated_at"]
    list_select_related = ["rotation", "updated_by"]
    list_filter = ["rotation"]
    search_fields = ["text"]
    date_hierarchy = "shift_start"
    ordering = ["-shift_start"]
    readonly_fields = ["rotation", "shift_start", "shift_end", "updated_by", "updated_at"]
    fields = ["rotation", "shift_start", "shift_end", "text", "updated_by", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A note belongs to a shift: it is written on the dashboard, where the shift is known.
        return False

    def save_model(self, request: HttpRequest, obj: HandoffNote, form: Any, change: bool) -> None:
        obj.updated_by_id = request.user.pk
        super().save_model(request, obj, form, change)
