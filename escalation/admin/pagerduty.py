"""What the PagerDuty sync found (written by `pagerduty_sync`) and the pages people sent from
the portal: read-only here."""

from django.contrib import admin

from escalation.models import PagerDutyCheck, PagerDutyDrift, PagerDutyIncident

from .base import EscalationAdmin, ReadOnlyMixin


@admin.register(PagerDutyCheck)
class PagerDutyCheckAdmin(ReadOnlyMixin, EscalationAdmin):
    list_display = ["rotation", "tier", "schedule_id", "checked_at", "attempted_at", "error"]
    list_select_related = ["rotation"]
    list_filter = ["tier"]
    search_fields = ["rotation__name", "schedule_id", "error"]


@admin.register(PagerDutyDrift)
class PagerDutyDriftAdmin(ReadOnlyMixin, EscalationAdmin):
    list_display = ["rotation", "tier", "start", "end", "pagerduty_name", "portal_person"]
    list_select_related = ["rotation", "portal_person"]
    list_filter = ["tier"]
    search_fields = ["rotation__name", "pagerduty_name", "portal_person__display_name"]


@admin.register(PagerDutyIncident)
class PagerDutyIncidentAdmin(ReadOnlyMixin, EscalationAdmin):
    list_display = [
        "created_at",
        "assignee_name",
        "service_name",
        "severity",
        "urgency",
        "state",
        "requested_by_name",
        "pagerduty_incident_id",
    ]
    list_filter = ["state", "urgency"]
    search_fields = ["assignee_name", "service_name", "title", "requested_by_name", "error"]
