"""The swap request form: the shifts it offers, times typed in the viewer's zone, and the
messages it puts next to each field (its own, and the service's)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from escalation.forms import swaps as forms
from escalation.selectors import swaps as swaps_selectors
from escalation.selectors.swaps import swap_form_options
from escalation.services import swaps as service
from tests import factories
from tests.swaps_data import NOW, WEEK_2, WEEK_3, WEEK_4, build_team

pytestmark = pytest.mark.django_db

KEY = "5b1c7f8e-3d7a-4c55-9a51-3f4f6b7a0c11"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def team(db):
    return build_team()


def value(team, tier, interval, rotation=None):
    rotation = rotation or team.rotation
    start, end = interval
    return f"{rotation.pk}:{tier}:{int(start.timestamp())}:{int(end.timestamp())}"


def make_form(team, data=None, *, person=None, time_zone="UTC"):
    person = person or team.alex
    options = swap_form_options(requester_id=person.pk, at=NOW)
    return forms.SwapRequestForm(data, options=options, time_zone=time_zone, now=NOW)


def data(team, **fields):
    base = {
        "requester": str(team.alex.pk),
        "shift": value(team, "primary", WEEK_3),
        "kind": "cover",
        "colleague": str(team.casey.pk),
        "reason": "Family event",
        "submission_key": KEY,
    }
    base.update(fields)
    return base


def test_it_offers_the_requesters_shifts_of_the_next_26_weeks_in_their_zone(team):
    choices = make_form(team).fields["shift"].choices

    assert choices[0] == ("", "Choose a shift…")
    assert choices[1] == (
        value(team, "primary", WEEK_3),
        "Primary · Mon 12 Jan 09:00 → Mon 19 Jan 09:00 · Odd weeks (week 3)",
    )
    assert len(choices) - 1 == 13  # odd weeks 3 to 27
    assert all(label.startswith("Primary ·") for _, label in choices[1:])


def test_the_shift_in_progress_is_offered_and_marked(team):
    form = make_form(team, person=team.casey, time_zone="Europe/Berlin")

    assert form.fields["shift"].choices[1] == (
        value(team, "primary", WEEK_2),
        "Primary · Mon 5 Jan 10:00 → Mon 12 Jan 10:00 · Even weeks (week 2) · in progress",
    )


def test_return_shifts_are_grouped_by_person(team):
    groups = dict(make_form(team).fields["return_shift"].choices[1:])

    assert sorted(groups) == ["Blair Doe", "Casey Doe", "Drew Doe"]
    assert groups["Casey Doe"][1] == (
        value(team, "primary", WEEK_4),
        "Primary · Mon 19 Jan 09:00 → Mon 26 Jan 09:00 · Even weeks (week 4)",
    )


def test_the_colleague_list_is_the_rotations_active_people_with_a_login(team):
    team.drew.is_active = False
    team.drew.save()
    team.blair.user.is_active = False
    team.blair.user.save()
    # Sam Roe has a login but is on no rotation: he is not offered either.

    form = make_form(team)
    names = [label for _, label in form.fields["colleague"].choices[1:]]

    assert names == ["Casey Doe"]
    assert form.fields["colleague"].help_text == forms.NOT_OFFERED.format(
        people=f"Blair Doe ({swaps_selectors.NOT_OFFERED_NO_LOGIN})"
    )


def test_their_shift_in_return_lists_only_the_chosen_colleagues(team):
    form = make_form(team, data(team, kind="swap"))
    groups = [label for label, _ in form.fields["return_shift"].choices[1:]]
    assert groups == ["Casey Doe"]
    unbound = [label for label, _ in make_form(team).fields["return_shift"].choices[1:]]
    assert unbound == ["Blair Doe", "Casey Doe", "Drew Doe"]


def test_a_whole_shift_becomes_the_services_arguments(team):
    form = make_form(team, data(team))

    assert form.is_valid(), form.errors
    arguments = form.service_arguments()
    assert arguments == {
        "rotation": team.rotation,
        "tier": "primary",
        "kind": "cover",
        "requester": team.alex,
        "colleague": team.casey,
        "start": WEEK_3[0],
        "end": WEEK_3[1],
        "return_start": None,
        "return_end": None,
        "reason": "Family event",
        "submission_key": arguments["submission_key"],
    }
    assert str(arguments["submission_key"]) == KEY


def test_the_shift_in_progress_is_handed_over_from_this_minute(team):
    with time_machine.travel(NOW + timedelta(seconds=42), tick=False):
        form = make_form(
            team,
            data(
                team,
                requester=str(team.casey.pk),
                shift=value(team, "primary", WEEK_2),
                colleague=str(team.alex.pk),
            ),
            person=team.casey,
        )
        assert form.is_valid(), form.errors

    assert form.service_arguments()["start"] == NOW


def test_times_typed_in_are_read_in_the_viewers_time_zone(team):
    form = make_form(
        team,
        data(team, start="2026-01-13T10:00", end="2026-01-14T10:00"),
        time_zone="Europe/Berlin",
    )

    assert form.is_valid(), form.errors
    arguments = form.service_arguments()
    assert arguments["start"] == datetime(2026, 1, 13, 9, tzinfo=UTC)
    assert arguments["end"] == datetime(2026, 1, 14, 9, tzinfo=UTC)


def test_only_an_end_hands_over_the_start_of_the_shift(team):
    form = make_form(team, data(team, end="2026-01-14T09:00"))

    assert form.is_valid(), form.errors
    assert form.service_arguments()["start"] == WEEK_3[0]


def test_a_time_skipped_by_the_clock_change_is_refused(team):
    week_13 = (datetime(2026, 3, 23, 9, tzinfo=UTC), datetime(2026, 3, 30, 8, tzinfo=UTC))
    shift = value(team, "primary", (week_13[0], datetime(2026, 3, 30, 9, tzinfo=UTC)))
    form = make_form(
        team, data(team, shift=shift, start="2026-03-29T02:30"), time_zone="Europe/Berlin"
    )

    assert not form.is_valid()
    assert "Europe/Berlin" in form.errors["start"][0]


def test_a_part_must_stay_inside_the_shift(team):
    form = make_form(team, data(team, start="2026-01-11T09:00"))

    assert not form.is_valid()
    assert form.errors["start"] == [
        forms.PART_OUTSIDE_SHIFT.format(start="Mon 12 Jan 09:00", end="Mon 19 Jan 09:00")
    ]


def test_a_part_must_end_after_it_starts(team):
    form = make_form(team, data(team, start="2026-01-14T09:00", end="2026-01-13T09:00"))

    assert not form.is_valid()
    assert form.errors["end"] == [forms.PART_END_NOT_AFTER_START]


def test_a_shift_no_longer_on_offer_is_refused(team):
    form = make_form(team, data(team, shift=value(team, "primary", WEEK_4)))  # Casey's

    assert not form.is_valid()
    assert form.errors["shift"] == [forms.SHIFT_UNAVAILABLE]


def test_a_swap_needs_a_return_shift(team):
    form = make_form(team, data(team, kind="swap"))

    assert not form.is_valid()
    assert form.errors["return_shift"] == [service.RETURN_REQUIRED]


def test_a_swap_takes_the_return_shift(team):
    form = make_form(team, data(team, kind="swap", return_shift=value(team, "primary", WEEK_4)))

    assert form.is_valid(), form.errors
    arguments = form.service_arguments()
    assert (arguments["return_start"], arguments["return_end"]) == WEEK_4


def test_a_cover_ignores_a_return_shift_left_selected(team):
    form = make_form(team, data(team, return_shift=value(team, "primary", WEEK_4)))

    assert form.is_valid(), form.errors
    assert form.service_arguments()["return_start"] is None


def test_the_return_shift_must_be_in_the_same_rotation(team):
    other = factories.RotationFactory(slug="web", name="Web")
    factories.RotationSlotFactory(
        rotation=other, position=0, week_parity="odd", primary=team.drew, secondary=team.blair
    )
    factories.RotationSlotFactory(
        rotation=other, position=1, week_parity="even", primary=team.casey, secondary=team.alex
    )
    form = make_form(
        team, data(team, kind="swap", return_shift=value(team, "primary", WEEK_4, rotation=other))
    )

    assert not form.is_valid()
    assert form.errors["return_shift"] == [forms.RETURN_OTHER_ROTATION]


def test_the_colleague_must_be_one_of_the_list(team):
    form = make_form(team, data(team, colleague="999999"))

    assert not form.is_valid()
    assert form.errors["colleague"] == [forms.COLLEAGUE_UNKNOWN]


def test_a_reason_is_required(team):
    form = make_form(team, data(team, reason=""))

    assert not form.is_valid()
    assert "reason" in form.errors


def test_the_return_shift_must_be_the_colleagues_in_the_same_tier(team):
    drews = value(team, "secondary", WEEK_4)
    form = make_form(team, data(team, kind="swap", return_shift=drews))

    assert not form.is_valid()
    assert form.errors["return_shift"] == [
        service.RETURN_NOT_COLLEAGUES.format(colleague=team.casey, tier="primary")
    ]


def test_a_rule_of_the_service_lands_on_its_field(team):
    form = make_form(team, data(team, colleague=str(team.blair.pk)))
    assert form.is_valid(), form.errors

    with pytest.raises(service.SwapError) as caught:
        service.swap_request_create(**form.service_arguments(), filed_by=team.alex.user)
    form.add_swap_error(caught.value)

    assert form.errors["colleague"] == [
        service.COLLEAGUE_ON_CALL.format(colleague=team.blair, tier="secondary")
    ]


@pytest.mark.parametrize(
    ("field", "typed", "expected"),
    [
        ("interval", {}, "shift"),
        ("interval", {"start": "2026-01-13T09:00"}, "start"),
        ("colleague", {}, "colleague"),
        ("return", {}, "return_shift"),
        (None, {}, "__all__"),
        ("requester", {}, "__all__"),
    ],
)
def test_service_errors_map_to_fields(team, field, typed, expected):
    form = make_form(team, data(team, **typed))
    assert form.is_valid(), form.errors

    form.add_swap_error(service.SwapError("No.", field=field))

    assert form.errors[expected] == ["No."]


def test_the_time_zone_is_named_next_to_the_times(team):
    form = make_form(team, time_zone="Europe/Berlin")

    assert "Times in Europe/Berlin." in form.fields["start"].help_text
    assert 'type="datetime-local"' in str(form["start"])


def test_each_rendered_form_has_its_own_submission_key(team):
    first, second = make_form(team), make_form(team)

    assert first["submission_key"].value() != second["submission_key"].value()


def test_stretches_given_by_an_override_are_not_offered(team):
    # Drew covers Alex's Wednesday of week 3: Alex may hand over the rest, Drew not that day.
    wednesday = (WEEK_3[0] + timedelta(days=2), WEEK_3[0] + timedelta(days=3))
    factories.OverrideFactory(
        rotation=team.rotation,
        tier="primary",
        person=team.drew,
        start=wednesday[0],
        end=wednesday[1],
    )

    alex_choices = [choice for choice, _ in make_form(team).fields["shift"].choices[1:3]]
    drew_choices = [
        choice for choice, _ in make_form(team, person=team.drew).fields["shift"].choices[1:]
    ]

    assert alex_choices == [
        value(team, "primary", (WEEK_3[0], wednesday[0])),
        value(team, "primary", (wednesday[1], WEEK_3[1])),
    ]
    assert value(team, "primary", wednesday) not in drew_choices
