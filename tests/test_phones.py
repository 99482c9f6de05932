"""Phone numbers read from the database are parsed and formatted once per process."""

from unittest import mock

import phonenumbers
import pytest
from phonenumber_field.phonenumber import PhoneNumber

from escalation import models
from escalation.models.phones import stored_number
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_number_read_again_is_neither_parsed_nor_formatted_again():
    factories.PersonFactory(phone="+442079460101")
    factories.PersonFactory(phone="+44 20 7946 0101")
    first = [person.phone.as_international for person in models.Person.objects.order_by("pk")]
    with (
        mock.patch.object(phonenumbers, "parse", wraps=phonenumbers.parse) as parse,
        mock.patch.object(
            phonenumbers, "format_number", wraps=phonenumbers.format_number
        ) as format_number,
    ):
        people = list(models.Person.objects.order_by("pk"))
        again = [person.phone.as_international for person in people]
        links = [person.phone.as_e164 for person in people]
    assert first == again == ["+44 20 7946 0101", "+44 20 7946 0101"]
    assert links == ["+442079460101", "+442079460101"]
    assert parse.call_count == 0
    # The E.164 form had not been asked for yet: once, for both rows (the same stored text).
    assert format_number.call_count == 1


def test_a_stored_number_reads_as_the_library_reads_it():
    factories.PersonFactory(phone="+12025550123")
    person = models.Person.objects.get()
    plain = PhoneNumber.from_string("+12025550123")
    assert person.phone == plain
    assert str(person.phone) == str(plain) == "+1 202-555-0123"
    assert person.phone.as_national == plain.as_national


def test_text_that_is_no_number_stays_the_raw_text():
    stored_number.cache_clear()
    number = stored_number("call the desk")
    assert not number.is_valid()
    assert str(number) == "call the desk"


def test_a_person_without_a_phone_reads_as_empty():
    factories.PersonFactory(phone="")
    assert models.Person.objects.get().phone == ""


def test_a_new_number_assigned_replaces_the_shared_one_for_that_row_only():
    factories.PersonFactory(phone="+442079460101")
    factories.PersonFactory(phone="+442079460101")
    changed, other = models.Person.objects.order_by("pk")
    changed.phone = "+442079460102"
    changed.save()
    assert other.phone.as_e164 == "+442079460101"
    assert models.Person.objects.get(pk=changed.pk).phone.as_e164 == "+442079460102"
