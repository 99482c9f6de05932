"""Search and filter forms of the published pages (all GET: a filtered page is a link)."""

from __future__ import annotations

import re
from datetime import datetime, time

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from .models import PathKind, Role, Service, Team
from .sheet import incident_start

SEVERITY_INVALID = "Choose a severity from the list."
SEVERITY_UNKNOWN = "There is no {severity}: choose a severity from the list."
KIND_INVALID = "Choose the kind of incident from the list."
STARTED_INVALID = "Enter the time the incident started as HH:MM, for example 10:12."

_SEVERITY = re.compile(r"^\s*(?:sev)?\s*([1-9])\s*$", re.IGNORECASE)


class ServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Service, team or contact",
                "class": "form-control",
            }
        ),
    )
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.order_by("name"),
        empty_label="All teams",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Service
        fields = ["q", "team"]

    def search(self, queryset: QuerySet[Service], name: str, value: str) -> QuerySet[Service]:
        """Service name or description, team, Slack channel, contact role or its holder."""
        for word in value.split()[:8]:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(team__name__icontains=word)
                | Q(slack_channel__icontains=word)
                | Q(primary_contact__name__icontains=word)
                | Q(primary_contact__holder__display_name__icontains=word)
            )
        return queryset


class ContactFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.order_by("name"),
        method="in_team",
        empty_label="All teams",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Role
        fields = ["team"]

    def in_team(self, queryset: QuerySet[Role], name: str, value: Team | None) -> QuerySet[Role]:
        """Roles of the team, or held by one of its members."""
        if value is None:
            return queryset
        return queryset.filter(Q(team=value) | Q(holder__team=value))


class SeverityField(forms.Field):
    """A severity level, given as “1” or “SEV1”."""

    def to_python(self, value: object) -> int | None:
        if value in self.empty_values:
            return None
        match = _SEVERITY.match(str(value))
        if match is None:
            raise forms.ValidationError(SEVERITY_INVALID, code="invalid")
        return int(match.group(1))


class ServiceSheetForm(forms.Form):
    """The service sheet's question: which severity, which kind of incident, since when.

    Every field is optional: the sheet falls back to the first severity, a technical incident
    and now. A field that cannot be read gets its error and its default, never a failure.
    """

    DEFAULT_KIND = PathKind.TECHNICAL.value

    severity = SeverityField(label="Severity", required=False)
    kind = forms.ChoiceField(
        label="Kind of incident",
        choices=[(kind.value, kind.label) for kind in PathKind],
        required=False,
        error_messages={"invalid_choice": KIND_INVALID},
    )
    started = forms.TimeField(
        label="Incident started",
        required=False,
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M", "%H%M"],
        error_messages={"invalid": STARTED_INVALID},
    )

    def _value(self, name: str) -> object:
        if not self.is_bound or not self.is_valid() and name in self.errors:
            return None
        return self.cleaned_data.get(name)

    def severity_level(self) -> int | None:
        """The level asked for; None for the first severity (when absent or invalid)."""
        value = self._value("severity")
        return value if isinstance(value, int) else None

    def path_kind(self) -> str:
        value = self._value("kind")
        return str(value) if value else self.DEFAULT_KIND

    def started_at(self, *, now: datetime, time_zone: str) -> datetime:
        """When the incident started: the typed time today (or yesterday), else now."""
        value = self._value("started")
        if isinstance(value, time):
            return incident_start(value, now=now, time_zone=time_zone)
        return now.replace(second=0, microsecond=0)

    def check_severity(self, levels: list[int]) -> None:
        """Flag a level asked for that no severity has (the sheet then shows the first)."""
        asked = self._value("severity")
        if isinstance(asked, int) and asked not in levels:
            self.add_error("severity", SEVERITY_UNKNOWN.format(severity=f"SEV{asked}"))
