"""The shared loaders read plain rows: each rotation and person built once, the same values as
the ORM's own reads, overrides indexed exactly as `Override.index` indexes them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.forms.models import model_to_dict

from escalation import models
from escalation import rotation as engine
from escalation.selectors.oncall import load_overrides, load_rotations, staffed
from tests import factories
from tests.helpers import instances_built
from tests.oncall_data import THURSDAY_EVEN_WEEK, seed_rotation

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_rotations():
    """Two rotations of two slots; one person holds a slot in each (and two slots of one)."""
    seed = seed_rotation()
    other = factories.RotationFactory(
        name="Payments", slug="payments", pairs=[(seed.a, seed.c), (seed.b, seed.a)]
    )
    return seed, other


def values(instance):
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_load_rotations_builds_each_rotation_once_and_slots_and_people_when_read(
    two_rotations, django_assert_num_queries
):
    seed, _other = two_rotations
    with django_assert_num_queries(1), instances_built() as built:
        loaded = load_rotations(with_people=True)

    assert built.by_model == {"Rotation": 2}
    assert len(loaded.rotations) == 2
    with django_assert_num_queries(0), instances_built() as built:
        for rotation, _schedule in loaded.rotations:
            assert all(slot.rotation is rotation for slot in loaded.slots[rotation.pk])
        assert loaded.slots is loaded.slots
    assert built.by_model == {"RotationSlot": 2 + 2}
    with django_assert_num_queries(0), instances_built() as built:
        assert loaded.people[seed.a.pk] is loaded.people.get(seed.a.pk)
    assert built.by_model == {"Person": 1}
    assert len(loaded.people) == 4


def test_a_loaded_persons_name_is_read_without_building_them(two_rotations):
    seed, _other = two_rotations
    models.Person.objects.filter(pk=seed.b.pk).update(display_name="Ana <b>Ruiz</b>")
    loaded = load_rotations(with_people=True)

    with instances_built() as built:
        names = {key: loaded.people.display_name(key) for key in loaded.people}
    assert built.by_model == {}
    assert names == dict(models.Person.objects.values_list("pk", "display_name"))
    assert names[seed.b.pk] == "Ana <b>Ruiz</b>"
    # Once built, the name is the Person's own.
    loaded.people[seed.a.pk].display_name = "Changed in memory"
    assert loaded.people.display_name(seed.a.pk) == "Changed in memory"


def test_load_rotations_without_people_builds_no_person(two_rotations):
    with instances_built() as built:
        loaded = load_rotations()

    assert built.by_model == {"Rotation": 2}
    assert loaded.people == {}
    assert len(loaded.person_ids) == 4


def test_load_rotations_reads_what_the_orm_reads_and_needs_no_other_query(
    two_rotations, django_assert_num_queries
):
    loaded = load_rotations(with_people=True)
    expected = models.RotationSlot.objects.select_related(
        "rotation", "primary", "secondary"
    ).order_by("rotation__position", "rotation__name", "rotation_id", "position")

    with django_assert_num_queries(0):
        read = [
            (values(slot), values(slot.rotation), values(slot.primary), values(slot.secondary))
            for slots in loaded.slots.values()
            for slot in staffed(slots, loaded.people)
        ]
    assert read == [
        (values(slot), values(slot.rotation), values(slot.primary), values(slot.secondary))
        for slot in expected
    ]
    assert all(not slot._state.adding for slots in loaded.slots.values() for slot in slots)
    assert loaded.people == {person.pk: person for person in models.Person.objects.all()}


def test_a_slot_without_a_secondary_reads_none_without_a_query(django_assert_num_queries):
    rotation = factories.RotationFactory(
        slot_rule=models.SlotRule.ALTERNATION, anchor_date=datetime(2026, 11, 23).date()
    )
    factories.RotationSlotFactory(rotation=rotation, position=0, label="Solo", secondary=None)

    loaded = load_rotations(with_people=True)

    [slot] = staffed(loaded.slots[rotation.pk], loaded.people)
    with django_assert_num_queries(0):
        assert slot.secondary is None
        assert slot.primary.pk == slot.primary_id
    assert model_to_dict(slot.rotation) == model_to_dict(rotation)


def test_load_rotations_of_named_rotations_and_the_first(two_rotations):
    seed, other = two_rotations

    loaded = load_rotations([other.pk], and_first=True)

    assert [rotation.name for rotation, _ in loaded.rotations] == ["On-call rotation", "Payments"]
    assert [rotation.name for rotation, _ in load_rotations([other.pk]).rotations] == ["Payments"]
    assert load_rotations([None]).rotations == []


def pieces(index, tier):
    far = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    return [(start, end, spec) for start, end, spec in index.pieces(tier, *far)]


def test_load_overrides_indexes_what_override_index_indexes(
    two_rotations, django_assert_num_queries
):
    seed, other = two_rotations
    start = THURSDAY_EVEN_WEEK
    for n in range(6):
        factories.OverrideFactory(
            rotation=seed.rotation if n % 3 else other,
            tier=models.OnCallTier.PRIMARY if n % 2 else models.OnCallTier.SECONDARY,
            person=seed.d,
            start=start + timedelta(hours=5 * n, microseconds=n),
            end=start + timedelta(hours=5 * n + 3),
        )
    # Reverted before it began: never in effect. Reverted once over: still in effect.
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=seed.b,
        start=start + timedelta(days=2),
        end=start + timedelta(days=3),
        reverted_at=start,
    )
    factories.OverrideFactory(
        rotation=seed.rotation,
        person=seed.b,
        start=start - timedelta(days=3),
        end=start - timedelta(days=2),
        reverted_at=start,
    )
    window = (start - timedelta(days=7), start + timedelta(days=7))
    loaded = load_rotations()

    with django_assert_num_queries(1), instances_built() as built:
        load_overrides(loaded, [window])

    assert built.count == 0
    for rotation in (seed.rotation, other):
        expected = models.Override.index(
            models.Override.objects.filter(rotation=rotation).overlapping(*window)
        )
        for tier in engine.Tier:
            assert pieces(loaded.index(rotation), tier) == pieces(expected, tier)
    assert len(pieces(loaded.index(seed.rotation), engine.Tier.PRIMARY)) == 3
    assert seed.d.pk in loaded.person_ids


def test_load_overrides_with_people_builds_a_person_once_however_often_they_cover(
    two_rotations, django_assert_num_queries
):
    seed, _other = two_rotations
    cover = factories.PersonFactory(display_name="Often Covering")
    for n in range(5):
        factories.OverrideFactory(
            rotation=seed.rotation,
            person=cover,
            start=THURSDAY_EVEN_WEEK + timedelta(days=n),
            end=THURSDAY_EVEN_WEEK + timedelta(days=n, hours=4),
        )
    factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.SECONDARY,
        person=seed.a,
        start=THURSDAY_EVEN_WEEK,
        end=THURSDAY_EVEN_WEEK + timedelta(hours=4),
    )
    loaded = load_rotations(with_people=True)
    slot_people = dict(loaded.people)

    with django_assert_num_queries(1), instances_built() as built:
        load_overrides(
            loaded, [(THURSDAY_EVEN_WEEK, THURSDAY_EVEN_WEEK + timedelta(days=7))], with_people=True
        )

    # The one who covers five times, once, and when read; the slot holder, not again.
    assert built.by_model == {}
    with instances_built() as built:
        assert values(loaded.people[cover.pk]) == values(cover)
    assert built.by_model == {"Person": 1}
    assert loaded.people[seed.a.pk] is slot_people[seed.a.pk]


def test_a_rotations_schedule_follows_its_settings_and_refused_settings_raise_every_time(
    two_rotations,
):
    seed, _other = two_rotations
    rotation = models.Rotation.objects.get(pk=seed.rotation.pk)
    schedule = rotation.schedule()
    assert rotation.schedule() == schedule

    rotation.handoff_time = schedule.handoff_time.replace(
        hour=(schedule.handoff_time.hour + 1) % 24
    )
    moved = rotation.schedule()
    assert moved.handoff_time == rotation.handoff_time
    assert moved.slots == schedule.slots

    rotation.shift_days = 3  # ISO week parity needs weekly shifts
    for _ in range(2):
        with pytest.raises(ValueError, match="weekly shifts"):
            rotation.schedule()
