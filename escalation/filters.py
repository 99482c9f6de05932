"""Search and filter forms of the published pages (all GET: a filtered page is a link)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from .forms import widgets
from .models import Role, Service, Team
from .models.directory import ServiceQuerySet


class ServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="search",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Service, other name, team or contact",
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

    def search(self, queryset: ServiceQuerySet, name: str, value: str) -> ServiceQuerySet:
        """`ServiceQuerySet.matching`: name, other names, team, channel, contact."""
        return queryset.matching(value)


class ContactFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.order_by("name"),
        method="in_team",
        empty_label="All teams",
        # Written in Python: some forty teams, a template include each in Django's own.
        widget=widgets.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Role
        fields = ["team"]

    def in_team(self, queryset: QuerySet[Role], name: str, value: Team | None) -> QuerySet[Role]:
        """Roles of the team, or held by one of its members."""
        if value is None:
            return queryset
        return queryset.filter(Q(team=value) | Q(holder__team=value))
