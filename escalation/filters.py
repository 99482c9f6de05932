"""Search and filter forms of the published pages (all GET: a filtered page is a link)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import django_filters
import django_filters.fields
from django import forms
from django.db.models import Q, QuerySet

from .forms import widgets
from .models import Role, Service, Team
from .models.directory import ServiceQuerySet
from .selectors.prepared import PreparedQuery

#: The teams a filter offers, as (key, name) pairs in the order shown.
_TEAM_CHOICES = PreparedQuery(lambda: Team.objects.order_by("name").values_list("pk", "name"))


class _TeamChoices(django_filters.fields.ModelChoiceIterator):
    """A team dropdown's options from its (key, name) pairs, read in one query compiled once.

    Django reads the teams through a server-side cursor (a few round trips on PostgreSQL) and
    builds a Team for each of some forty options only to write its key and name. The chosen
    team is still looked up, and checked, by the field's queryset."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from _TEAM_CHOICES.rows()


class _TeamChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _TeamChoices


class TeamFilter(django_filters.ModelChoiceFilter):
    """A filter by team whose dropdown reads only the teams' keys and names."""

    field_class = _TeamChoiceField


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
    team = TeamFilter(
        queryset=Team.objects.order_by("name"),
        empty_label="All teams",
        # Written in Python: some forty teams, a template include each in Django's own.
        widget=widgets.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Service
        fields = ["q", "team"]

    def search(self, queryset: ServiceQuerySet, name: str, value: str) -> ServiceQuerySet:
        """`ServiceQuerySet.matching`: name, other names, team, channel, contact."""
        return queryset.matching(value)


class ContactFilter(django_filters.FilterSet):
    team = TeamFilter(
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
