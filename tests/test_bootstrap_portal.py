"""`manage.py bootstrap_portal` (run by `make run`): loads the bundled document into an empty
database, keeps existing data, and in debug only prints demo logins with a fresh password."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from escalation.management.commands import bootstrap_portal as command
from escalation.models import Person, Service, Severity
from escalation.permissions import MANAGERS_GROUP, is_manager
from tests import factories

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = ["manager", "engineer-a", "engineer-b", "engineer-c", "engineer-d"]


def bootstrap(*args: str) -> str:
    out = StringIO()
    call_command("bootstrap_portal", *args, stdout=out)
    return out.getvalue()


def printed_password(output: str) -> str:
    match = re.search(r"Password \(all\):\s+(\S+)", output)
    assert match, output
    return match.group(1)


def test_empty_database_gets_the_bundled_document(settings):
    settings.DEBUG = False
    output = bootstrap()
    assert command.LOADED.format(path=command.BUNDLED_DOCUMENT) in output
    assert Severity.objects.count() == 4
    assert Service.objects.count() == 8


def test_existing_data_is_kept_as_it_is(settings):
    settings.DEBUG = False
    factories.SeverityFactory(level=1, description="Ours")
    output = bootstrap()
    assert command.KEPT in output
    assert Service.objects.count() == 0
    assert Severity.objects.get().description == "Ours"


def test_a_service_alone_counts_as_existing_data(settings):
    settings.DEBUG = False
    factories.ServiceFactory()
    assert command.KEPT in bootstrap()
    assert Severity.objects.count() == 0


def test_debug_creates_a_manager_and_the_rotations_people_with_one_printed_password(settings):
    settings.DEBUG = True
    output = bootstrap()
    password = printed_password(output)
    assert "http://127.0.0.1:8000/admin/" in output
    for username in DEMO_USERNAMES:
        assert username in output
        assert User.objects.get(username=username).check_password(password)
    manager = User.objects.get(username="manager")
    assert manager.is_staff
    assert manager.groups.filter(name=MANAGERS_GROUP).exists()
    assert is_manager(manager)
    engineer = Person.objects.select_related("user").get(display_name="Engineer A")
    assert engineer.user.username == "engineer-a"
    assert engineer.email == engineer.user.email == "engineer-a@example.com"
    assert not engineer.user.is_staff


def test_every_run_sets_a_new_password_and_creates_no_duplicates(settings):
    settings.DEBUG = True
    first = printed_password(bootstrap())
    second_output = bootstrap()
    second = printed_password(second_output)
    assert command.KEPT in second_output
    assert first != second
    manager = User.objects.get(username="manager")
    assert manager.check_password(second)
    assert not manager.check_password(first)
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERNAMES)
    assert Person.objects.filter(user__isnull=False).count() == 4


def test_a_person_already_linked_to_a_login_keeps_it(settings):
    settings.DEBUG = True
    bootstrap()
    person = Person.objects.get(display_name="Engineer B")
    own = factories.UserFactory(username="bea", email="")
    person.user = own
    person.save()
    password = printed_password(bootstrap())
    person.refresh_from_db()
    assert person.user == own
    own.refresh_from_db()
    assert own.check_password(password)
    assert own.email == "engineer-b@example.com"


def test_without_debug_no_user_is_created_and_it_says_how_to_make_one(settings):
    settings.DEBUG = False
    output = bootstrap()
    assert command.NO_DEMO_USERS in output
    assert "createsuperuser" in output
    assert User.objects.count() == 0
    assert "Password" not in output


@pytest.mark.parametrize(
    ("address", "url"),
    [
        ("127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("9000", "http://127.0.0.1:9000"),
        ("0.0.0.0:8001", "http://127.0.0.1:8001"),
        ("portal.test:8443", "http://portal.test:8443"),
    ],
)
def test_the_printed_links_use_the_address_served(settings, address, url):
    settings.DEBUG = True
    output = bootstrap("--address", address)
    assert f"Escalation portal: {url}\n" in output
    assert f"(admin: {url}/admin/)" in output


def test_the_demo_people_get_fictional_phones_slack_and_pagerduty(settings):
    settings.DEBUG = True
    bootstrap()

    people = {p.display_name: p for p in Person.objects.filter(user__isnull=False)}
    assert sorted(people) == ["Engineer A", "Engineer B", "Engineer C", "Engineer D"]
    phones = {person.phone.as_e164 for person in people.values()}
    assert phones == {"+12025550100", "+12025550101", "+12025550102", "+12025550103"}
    assert people["Engineer A"].slack_handle == "@engineer-a"
    assert people["Engineer A"].pagerduty_handle == "@engineer-a"


def test_the_demo_keeps_contact_details_already_there(settings):
    settings.DEBUG = True
    bootstrap()
    person = Person.objects.get(display_name="Engineer B")
    person.phone = "+442079460123"
    person.slack_handle = "@bee"
    person.save()

    bootstrap()

    person.refresh_from_db()
    assert person.phone.as_e164 == "+442079460123"
    assert person.slack_handle == "@bee"


def test_without_debug_the_imported_people_keep_no_invented_details(settings):
    settings.DEBUG = False
    bootstrap()

    assert not Person.objects.exclude(phone="").exists()
    assert not Person.objects.exclude(slack_handle="").exists()
