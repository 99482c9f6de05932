"""Time off and public-holiday places on the models: constraints, validation, inheritance."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from escalation.models import TimeOff
from escalation.models.time_off import TIME_OFF_END_NOT_AFTER_START
from escalation.public_holidays import COUNTRY_UNKNOWN, Place

from .factories import PersonFactory, TeamFactory, TimeOffFactory

pytestmark = pytest.mark.django_db


def test_person_names_their_own_country_and_region():
    person = PersonFactory(country="DE", region="BY")
    person.full_clean()
    assert person.holiday_place == Place("DE", "BY")


def test_person_without_a_country_inherits_their_teams():
    team = TeamFactory(country="GB", region="")
    person = PersonFactory(team=team)
    assert person.holiday_place == Place("GB", "")
    assert PersonFactory(team=None).holiday_place is None


def test_unknown_country_or_region_is_refused():
    with pytest.raises(ValidationError) as error:
        PersonFactory.build(country="XX").full_clean(exclude=["team", "user"])
    assert error.value.message_dict["country"] == [COUNTRY_UNKNOWN]
    with pytest.raises(ValidationError) as error:
        TeamFactory.build(country="DE", region="ZZ").full_clean()
    assert "DE has no region “ZZ”" in error.value.message_dict["region"][0]


def test_time_off_must_end_after_it_starts():
    entry = TimeOffFactory.build(
        person=PersonFactory(),
        start=datetime(2026, 3, 2, tzinfo=UTC),
        end=datetime(2026, 3, 2, tzinfo=UTC),
    )
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert error.value.message_dict["end"] == [TIME_OFF_END_NOT_AFTER_START]
    with pytest.raises(IntegrityError):
        entry.save()


def test_time_off_keeps_history():
    entry = TimeOffFactory(note="Skiing")
    entry.note = "Skiing in Tyrol"
    entry.save()
    assert [h.note for h in entry.history.order_by("history_id")] == ["Skiing", "Skiing in Tyrol"]


def test_overlapping_is_half_open():
    entry = TimeOffFactory(
        start=datetime(2026, 3, 2, tzinfo=UTC), end=datetime(2026, 3, 9, 9, tzinfo=UTC)
    )
    after = TimeOff.objects.overlapping(
        datetime(2026, 3, 9, 9, tzinfo=UTC), datetime(2026, 3, 16, 9, tzinfo=UTC)
    )
    assert list(after) == []
    before = TimeOff.objects.overlapping(
        datetime(2026, 3, 9, 8, 59, 59, tzinfo=UTC), datetime(2026, 3, 16, 9, tzinfo=UTC)
    )
    assert list(before) == [entry]


def test_manager_enters_time_off_in_the_admin(manager_client, manager):
    from tests.helpers import admin_url

    person = PersonFactory()
    response = manager_client.post(
        admin_url(TimeOff, "add"),
        {
            "person": str(person.pk),
            "kind": "sick",
            "start_0": "2026-03-10",
            "start_1": "00:00:00",
            "end_0": "2026-03-12",
            "end_1": "00:00:00",
            "note": "Flu",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = TimeOff.objects.get()
    assert (entry.person, entry.kind, entry.created_by) == (person, "sick", manager)
    assert entry.end == datetime(2026, 3, 12, tzinfo=UTC)
