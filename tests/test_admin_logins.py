"""Logins in the admin: managers add plain logins and link them to People, and nothing more."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from escalation.admin.logins import PLAIN_LOGIN_NOTE
from escalation.models import Person
from escalation.models.validators import CONTROL_CHARACTER_MESSAGE
from escalation.permissions import MANAGERS_GROUP
from tests import factories
from tests.helpers import post_change

pytestmark = pytest.mark.django_db

ADD = reverse("admin:auth_user_add")
PASSWORD = "a long enough passphrase 42"


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def add_login(client, username="jdoe", **extra):
    data = {"username": username, "password1": PASSWORD, "password2": PASSWORD}
    data |= {"usable_password": "true", **extra}
    return client.post(ADD, data)


def test_a_manager_adds_a_plain_login(manager_client):
    response = add_login(manager_client)
    assert response.status_code == 302
    user = User.objects.get(username="jdoe")
    assert user.check_password(PASSWORD)
    assert user.is_active and not user.is_staff and not user.is_superuser


def test_a_manager_cannot_give_a_login_rights_when_adding_or_changing_it(manager_client):
    managers = Group.objects.get(name=MANAGERS_GROUP)
    rights = {"is_staff": "on", "is_superuser": "on", "groups": [managers.pk]}
    add_login(manager_client, **rights)
    user = User.objects.get(username="jdoe")
    page = manager_client.get(change_url(user)).content.decode()
    assert PLAIN_LOGIN_NOTE in page
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    assert 'name="groups"' not in page and 'name="user_permissions"' not in page
    data = {"username": "jdoe", "first_name": "Jane", "last_name": "Doe", "is_active": "on"}
    response = manager_client.post(change_url(user), {**data, "email": "j@example.com", **rights})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.email) == ("Jane", "j@example.com")
    assert not user.is_staff and not user.is_superuser and not user.groups.exists()
    assert not user.user_permissions.exists()


@pytest.mark.parametrize(
    "rights",
    [{"is_staff": True}, {"is_superuser": True}, {"manager": True}],
    ids=["staff", "superuser", "manager"],
)
def test_a_manager_cannot_change_an_account_with_rights(manager_client, rights):
    if rights.pop("manager", False):
        account = factories.ManagerFactory(username="other", email="other@example.com")
    else:
        account = factories.UserFactory(username="other", **rights)
    before = User.objects.values().get(pk=account.pk)
    page = manager_client.get(change_url(account))
    assert page.status_code == 200  # shown, read-only
    assert 'name="email"' not in page.content.decode()
    response = manager_client.post(
        change_url(account), {"username": "other", "email": "mine@example.com", "is_active": "on"}
    )
    assert response.status_code == 403
    password = reverse("admin:auth_user_password_change", args=[account.pk])
    assert manager_client.get(password).status_code == 403
    assert (
        manager_client.post(password, {"password1": PASSWORD, "password2": PASSWORD}).status_code
        == 403
    )
    assert User.objects.values().get(pk=account.pk) == before


def test_a_manager_sets_a_plain_logins_password(manager_client):
    user = factories.UserFactory(username="jdoe")
    password = reverse("admin:auth_user_password_change", args=[user.pk])
    data = {"password1": PASSWORD, "password2": PASSWORD, "usable_password": "true"}
    assert manager_client.post(password, data).status_code == 302
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_manager_links_a_person_to_a_login_and_the_history_says_so(manager_client, manager):
    user = factories.UserFactory(username="jdoe")
    person = factories.PersonFactory(display_name="Jane Doe")
    response = post_change(manager_client, person, user=str(user.pk))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user == user
    latest = person.history.first()
    assert latest.user_id == user.pk and latest.history_user == manager


def test_the_login_picker_offers_only_logins_no_person_uses(manager_client):
    taken = factories.UserFactory(username="jane-taken")
    factories.PersonFactory(user=taken)
    free = factories.UserFactory(username="jane-free")
    response = manager_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "escalation", "model_name": "person", "field_name": "user", "term": "jane"},
    )
    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(free.pk)]


def test_staff_outside_the_group_cannot_add_logins(client, staff_user):
    client.force_login(staff_user)
    assert add_login(client).status_code == 403
    assert not User.objects.filter(username="jdoe").exists()


def test_a_logins_name_is_one_line(manager_client):
    user = factories.UserFactory(username="jdoe")
    data = {"username": "jdoe", "first_name": "Jane\r\nBcc: x@example.com", "is_active": "on"}
    response = manager_client.post(change_url(user), data)
    assert response.status_code == 200
    expected = CONTROL_CHARACTER_MESSAGE % {"character": "U+000D"}
    assert expected in response.context["adminform"].form.errors["first_name"]
    user.refresh_from_db()
    assert user.first_name == ""
    assert not Person.objects.exists()
