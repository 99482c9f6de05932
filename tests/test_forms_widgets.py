"""Widgets written in Python: the same markup as Django's templates, value for value."""

import pytest
from django import forms

from escalation.filters import ContactFilter
from escalation.forms import widgets
from escalation.models import Role, Team
from tests import factories

HOSTILE = "R&D <script>alert(\"x\")</script> 'team'"
CHOICES = [("", "All teams"), (1, "Billing"), ("2", HOSTILE), ('3"><b>', "Odd value")]


@pytest.mark.parametrize("value", [None, "", 1, "2", '3"><b>', "missing"])
@pytest.mark.parametrize(
    "attrs",
    [
        {"class": "form-select"},
        {"class": "form-select", "id": "id_team", "required": True, "disabled": False},
        {"data-x": HOSTILE, "aria-label": "Team"},
    ],
)
def test_select_writes_what_djangos_templates_write(value, attrs):
    ours = widgets.Select(attrs=attrs, choices=CHOICES)
    django = forms.Select(attrs=attrs, choices=CHOICES)

    assert ours.render("team", value, {"id": "id_team"}) == django.render(
        "team", value, {"id": "id_team"}
    )


def test_select_with_groups_is_left_to_djangos_templates():
    choices = [("Teams", [(1, "Billing"), (2, HOSTILE)]), ("", "None")]

    assert widgets.Select(choices=choices).render("team", 2) == forms.Select(
        choices=choices
    ).render("team", 2)


def test_contacts_team_filter_is_written_as_django_would(db):
    for name in ("Billing", HOSTILE, "Ads"):
        factories.TeamFactory(name=name)
    for data in ({}, {"team": "1"}, {"team": "not a team"}):
        form = ContactFilter(data, queryset=Role.objects.all()).form
        ours = str(form["team"])
        form.fields["team"].widget.__class__ = forms.Select  # the same widget, Django's way
        assert ours == str(form["team"])
        assert ours.count("<option") == 4


def test_contacts_team_filter_offers_the_teams_django_would_read_from_its_queryset(db):
    for name in ("Billing", HOSTILE, "Ads"):
        factories.TeamFactory(name=name)
    chosen = str(factories.TeamFactory(name="Zebra").pk)
    django = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), empty_label="All teams")

    for data in ({}, {"team": chosen}):
        form = ContactFilter(data, queryset=Role.objects.all()).form
        expected = forms.Select(attrs={"class": "form-select"}, choices=django.choices).render(
            "team", data.get("team"), {"id": "id_team"}
        )
        assert str(form["team"]) == expected


@pytest.mark.parametrize("team", ["not a team", "999999", "1.5"])
def test_contacts_team_filter_refuses_a_team_that_does_not_exist(db, team):
    factories.TeamFactory(name="Billing")

    form = ContactFilter({"team": team}, queryset=Role.objects.all()).form

    assert not form.is_valid()
    assert "Select a valid choice" in form.errors["team"][0]


def test_contacts_team_filter_reads_its_options_in_one_query(db, django_assert_num_queries):
    for name in ("Billing", "Ads", "Search"):
        factories.TeamFactory(name=name)
    form = ContactFilter({}, queryset=Role.objects.all()).form

    with django_assert_num_queries(1):
        assert str(form["team"]).count("<option") == 4
