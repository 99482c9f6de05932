"""What every escalation admin shares.

Any active staff member may *look* at every escalation model; adding, changing and deleting
stay with the model permissions (the "Escalation managers" group holds them). History-tracked
models use simple-history's admin, so the History button shows who changed which field, when,
from what to what.
"""

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied
from django.db.models import Model, URLField
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from escalation.models.validators import time_zone_choices

TBD = "TBD"
# Field names Django would spell "Pagerduty"; the models are frozen, so the labels are set here.
FIELD_LABELS = {
    "pagerduty_handle": "PagerDuty handle",
    "pagerduty_alias": "PagerDuty alias",
    "slack_alias": "Slack alias",
}


def is_active_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff)  # type: ignore[union-attr]


class EscalationForm(forms.ModelForm):  # type: ignore[type-arg]
    """The base of every admin form here.

    The admin's date/time widgets show seconds, not microseconds: saving a form would quietly
    truncate an untouched `verified_at`, and the history would list a change nobody made.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in cleaned.items():
            initial = self.initial.get(name)
            if (
                isinstance(value, datetime)
                and isinstance(initial, datetime)
                and value == initial.replace(microsecond=0)
            ):
                cleaned[name] = initial
        return cleaned


class StaffMayViewMixin:
    """Every active staff member may view; the other permissions stay model permissions."""

    empty_value_display = "—"

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_active_staff(request) or super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_active_staff(request) or super().has_module_permission(request)  # type: ignore[misc]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "time_zone":
            kwargs["widget"] = forms.Select(choices=time_zone_choices())
        if isinstance(db_field, URLField):
            kwargs["assume_scheme"] = "https"
        if db_field.name in FIELD_LABELS:
            kwargs["label"] = FIELD_LABELS[db_field.name]
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)  # type: ignore[misc]
        if protected:
            # Django also counts the *protected* objects' delete permissions, and then shows
            # "your account doesn't have permission" instead of why deleting is refused.
            # Nothing is deleted while anything is protected, so those permissions don't matter.
            perms_needed = set()
        return deleted, counts, perms_needed, protected


class EscalationAdmin(StaffMayViewMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """For the models without history (the read-only ones)."""


class ReadableChange(HistoricalRecordContextHelper):
    """Old and new values as a manager reads them: choice labels, nothing for empty."""

    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        value = super().prepare_delta_change_value(change, value)
        if value is None:
            return ""
        if isinstance(value, datetime):
            return f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        field = self.model._meta.get_field(change.field)
        choices = getattr(field, "flatchoices", None)
        if choices and isinstance(value, str | int):
            return dict(choices).get(value, value)
        return value


class HistoryAdmin(StaffMayViewMixin, SimpleHistoryAdmin):
    """For every model a manager edits: the History page lists each change field by field."""

    form = EscalationForm
    object_history_list_template = "admin/escalation/object_history_list.html"

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> HistoricalRecordContextHelper:
        return ReadableChange(self.model, historical_record)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # simple-history lets anyone who may *view* the history POST a revert; only people who
        # may change the model may revert it.
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class NoHistoryRevertMixin:
    """For the rows the swap workflow owns (overrides, swap requests): their history is read,
    never reverted. A revert would write an old version back as it was, bringing a reverted
    override back into effect while its swap request still says Reverted; their state changes
    go through the swap service (`escalation.services.swaps`)."""

    def revert_disabled(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )


class ReadOnlyMixin:
    """Shown to every staff member, changed by nobody in the admin (not even superusers)."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CompactInline(admin.TabularInline):  # type: ignore[type-arg]
    """A table row per item: no add/change/delete/view icons under each related field."""

    extra = 0

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return formfield


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return self.fields or ()


def tbd_badge(title: str = "Nobody holds this role") -> SafeString:
    return format_html('<span class="badge-tbd" title="{}">{}</span>', title, TBD)


def missing_badges(missing: list[str]) -> SafeString:
    """One amber badge per missing contact detail, or a quiet tick when nothing is missing."""
    if not missing:
        return format_html('<span class="contact-complete">{}</span>', "complete")
    return format_html(
        '<span class="badge-list">{}</span>',
        format_html_join(" ", '<span class="badge-missing">{}</span>', ((m,) for m in missing)),
    )
