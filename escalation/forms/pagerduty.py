""" "Page via PagerDuty": the short confirmation form (title, service, severity, urgency)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from ..models import Severity, Urgency
from ..models.validators import validate_single_line
from ..selectors.pagerduty_pages import PageFormOptions

SERVICE_CHOICE = "Choose a service that is linked to PagerDuty."
SERVICE_NOT_LINKED = (
    "{service} is not linked to a PagerDuty service, and PagerDuty needs one for every "
    "incident: choose a service that is linked."
)
SERVICE_HELP = (
    "PagerDuty opens every incident on a service: only services linked to one are listed "
    "(managers set a service's PagerDuty service id in the admin)."
)
SEVERITY_CHOICE = "Choose a severity from the list."
SUBMISSION_KEY_INVALID = (
    "The form arrived incomplete, perhaps from an old page: check it and send it again."
)
TITLE_HELP = "What PagerDuty says when it notifies them: keep it short and specific."
URGENT_LEVELS = 2  # SEV1 and SEV2 page at high urgency unless told otherwise


def default_title(service: str, severity: str) -> str:
    if service and severity:
        return f"{severity} incident on {service}"
    if service:
        return f"Incident on {service}"
    return ""


class PageForm(forms.Form):
    title = forms.CharField(max_length=255, validators=[validate_single_line], help_text=TITLE_HELP)
    service = forms.ChoiceField(
        help_text=SERVICE_HELP, error_messages={"invalid_choice": SERVICE_CHOICE}
    )
    severity = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": SEVERITY_CHOICE},
    )
    urgency = forms.ChoiceField(choices=Urgency.choices, widget=forms.RadioSelect)
    submission_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": SUBMISSION_KEY_INVALID, "invalid": SUBMISSION_KEY_INVALID},
    )

    def __init__(self, *args: Any, options: PageFormOptions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options
        asked = options.asked_service
        severity = options.asked_severity
        service_field = self.fields["service"]
        assert isinstance(service_field, forms.ChoiceField)
        service_field.choices = [("", "Choose a service…")] + [
            (choice.slug, choice.name) for choice in options.services
        ]
        severity_field = self.fields["severity"]
        assert isinstance(severity_field, forms.ChoiceField)
        severity_field.choices = [("", "Not said")] + [
            (item.level, f"{item.name}: {item.description}" if item.description else item.name)
            for item in options.severities
        ]
        self.initial.setdefault("submission_key", uuid.uuid4())
        self.initial.setdefault("urgency", self._urgency(severity.level if severity else None))
        if severity is not None:
            self.initial.setdefault("severity", severity.level)
        if asked is not None and asked.linked:
            self.initial.setdefault("service", asked.slug)
        self.initial.setdefault(
            "title",
            default_title(asked.name if asked else "", severity.name if severity else ""),
        )

    @staticmethod
    def _urgency(level: int | None) -> str:
        return Urgency.LOW if level is not None and level > URGENT_LEVELS else Urgency.HIGH

    @property
    def unlinked_service_notice(self) -> str:
        """Said above the form when the page was asked from a service PagerDuty cannot use."""
        asked = self.options.asked_service
        if asked is None or asked.linked:
            return ""
        return SERVICE_NOT_LINKED.format(service=asked.name)

    def chosen_severity(self) -> Severity | None:
        level = self.cleaned_data.get("severity")
        return next((s for s in self.options.severities if s.level == level), None)
