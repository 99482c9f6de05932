"""Instances made from rows read as values (`model_rows.from_row`): the instances `from_db`
makes, without going through `Model.__init__`."""

from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_init

from escalation.model_rows import from_row
from escalation.models import Person, Rotation
from tests import factories

PERSON_FIELDS = [field.attname for field in Person._meta.concrete_fields]


def values_of(person):
    return Person.objects.values_list(*PERSON_FIELDS).get(pk=person.pk)


def from_row_heard(model, columns, values):
    """`from_row` while someone listens to `post_init` (it then goes through `from_db`): the
    instance, and the instances the listener heard of."""
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=model)
    try:
        return from_row(model, columns, values), seen
    finally:
        post_init.disconnect(receiver, sender=model)


def fields_of(instance):
    return {name: value for name, value in vars(instance).items() if name != "_state"}


def test_an_instance_from_a_row_is_the_one_from_db_makes(db):
    team = factories.TeamFactory()
    stored = factories.PersonFactory(team=team, phone="+44 20 7946 0958", slack_handle="@ada")
    values = values_of(stored)

    person = from_row(Person, PERSON_FIELDS, values)
    expected = Person.from_db(DEFAULT_DB_ALIAS, PERSON_FIELDS, list(values))

    assert fields_of(person) == fields_of(expected)
    assert (person._state.adding, person._state.db) == (False, DEFAULT_DB_ALIAS)
    assert person == stored
    assert person.phone.as_e164 == "+442079460958"
    assert person.team == team  # its relations are read as usual


def test_it_saves_as_a_row_read_from_the_database(db):
    stored = factories.PersonFactory(display_name="Ada")
    person = from_row(Person, PERSON_FIELDS, values_of(stored))

    person.display_name = "Ada Lovelace"
    person.save(update_fields=["display_name"])

    stored.refresh_from_db()
    assert stored.display_name == "Ada Lovelace"
    assert Person.objects.count() == 1


def test_fields_not_read_are_deferred(db, django_assert_num_queries):
    stored = factories.PersonFactory(display_name="Ada", slack_handle="@ada")

    person = from_row(Person, ["id", "display_name"], [stored.pk, "Ada"])

    assert person.get_deferred_fields() >= {"slack_handle", "phone"}
    with django_assert_num_queries(1):
        assert person.slack_handle == "@ada"


def test_a_model_with_an_init_receiver_is_made_by_from_db(db):
    rotation = factories.RotationFactory()
    fields = [field.attname for field in Rotation._meta.concrete_fields]
    values = Rotation.objects.values_list(*fields).get(pk=rotation.pk)
    built, seen = from_row_heard(Rotation, fields, values)

    assert seen == [built]
    assert built == rotation


def test_annotations_are_set_as_attributes_either_way(db):
    team = factories.TeamFactory(country="FR", region="")
    stored = factories.PersonFactory(team=team)
    columns = [*PERSON_FIELDS, "team_country", "team_region"]
    values = Person.objects.filter(pk=stored.pk).with_holiday_place().values_list(*columns).get()
    plain = from_row(Person, columns, values)
    heard, seen = from_row_heard(Person, columns, values)

    assert seen == [heard]
    for person in (plain, heard):
        assert (person.team_country, person.team_region) == ("FR", "")
        assert fields_of(person) == fields_of(plain)
