"""Single sign-on: with the OIDC_* settings, the company's OpenID Connect provider logs people in
and the portal matches them to their Person by email; without them, only Django's own form.

The provider is not called: its three answers (the token, its verification, the user's claims)
are stubbed on the backend; everything else — the portal's URLs, the session state, axes in
front of every backend, the redirect back — is the real thing.
"""

from __future__ import annotations

import importlib
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import clear_url_caches, reverse, set_urlconf
from django.utils.html import escape

import portal.urls
from escalation.auth import EMAIL_NOT_VERIFIED, PRIVILEGED_ACCOUNT, PersonOIDCBackend
from tests import factories

pytestmark = pytest.mark.django_db

PROVIDER = "https://sso.example.com"
SSO_BUTTON = "Log in with the company account"
OIDC_SETTINGS = {
    "OIDC_ENABLED": True,
    "OIDC_RP_CLIENT_ID": "escalation-portal",
    "OIDC_RP_CLIENT_SECRET": "not-a-real-secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{PROVIDER}/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": f"{PROVIDER}/token",
    "OIDC_OP_USER_ENDPOINT": f"{PROVIDER}/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": f"{PROVIDER}/jwks",
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_RP_SCOPES": "openid email profile",
    "OIDC_CREATE_USER": True,
    "LOGIN_REDIRECT_URL_FAILURE": "/accounts/login/",
}


def reload_urls() -> None:
    importlib.reload(portal.urls)
    clear_url_caches()
    set_urlconf(None)


@pytest.fixture
def oidc(settings):
    """The portal as portal/settings.py configures it when OIDC_RP_CLIENT_ID is set."""
    for name, value in OIDC_SETTINGS.items():
        setattr(settings, name, value)
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "mozilla_django_oidc"]
    backends = list(settings.AUTHENTICATION_BACKENDS)
    backends.insert(1, "escalation.auth.PersonOIDCBackend")
    settings.AUTHENTICATION_BACKENDS = backends
    reload_urls()
    try:
        yield
    finally:
        settings.OIDC_ENABLED = False
        reload_urls()


def start_sso(client: Client, next_url: str = "/contacts/") -> str:
    """Follow the portal to the provider; the state the provider would send back."""
    response = client.get(reverse("oidc_authentication_init"), {"next": next_url})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{PROVIDER}/authorize?")
    return parse_qs(urlsplit(response["Location"]).query)["state"][0]


def come_back(client: Client, state: str, claims: dict):
    """The provider sends the browser back with a code; the backend exchanges it for `claims`."""
    with (
        mock.patch.object(
            PersonOIDCBackend, "get_token", return_value={"id_token": "id", "access_token": "at"}
        ),
        mock.patch.object(PersonOIDCBackend, "verify_token", return_value={"sub": "1"}),
        mock.patch.object(PersonOIDCBackend, "get_userinfo", return_value=claims),
    ):
        return client.get(reverse("oidc_authentication_callback"), {"code": "c", "state": state})


def logged_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


# --- Without OIDC settings --------------------------------------------------------------------


def test_without_oidc_settings_the_login_page_has_no_sso_button(client, settings):
    assert settings.OIDC_ENABLED is False
    html = client.get(reverse("login")).content.decode()
    assert SSO_BUTTON not in html
    assert 'name="password"' in html


def test_without_oidc_settings_there_are_no_sso_addresses(client):
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=c&state=s").status_code == 404


# --- With OIDC settings -----------------------------------------------------------------------


def test_the_login_page_offers_sso_and_keeps_where_the_user_was_going(oidc, client):
    html = client.get(reverse("login"), {"next": "/contacts/?team=backend"}).content.decode()
    assert SSO_BUTTON in html
    assert 'href="/oidc/authenticate/?next=/contacts/%3Fteam%3Dbackend"' in html
    assert 'name="password"' in html  # Django's own form stays, for break-glass accounts


def test_sso_starts_without_a_login_and_sends_the_browser_to_the_provider(oidc, client):
    response = client.get(reverse("oidc_authentication_init"))
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["client_id"] == ["escalation-portal"]
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32


def test_a_new_user_is_created_and_linked_to_the_person_with_that_email(oidc, client):
    person = factories.PersonFactory(display_name="Jane Doe", email="Jane.Doe@example.com")
    state = start_sso(client, "/contacts/")
    response = come_back(client, state, {"email": "jane.doe@example.com", "sub": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/contacts/"
    user = logged_in_user(client)
    assert user is not None and user.email == "jane.doe@example.com"
    person.refresh_from_db()
    assert person.user == user
    assert client.get("/contacts/").status_code == 200


def test_an_existing_user_is_matched_by_email_not_duplicated(oidc, client):
    user = factories.UserFactory(username="jdoe", email="jane.doe@example.com")
    person = factories.PersonFactory(email="jane.doe@example.com")
    users_before = User.objects.count()
    come_back(client, start_sso(client), {"email": "JANE.DOE@example.com", "sub": "1"})
    assert logged_in_user(client) == user
    assert User.objects.count() == users_before
    person.refresh_from_db()
    assert person.user == user


def test_a_person_linked_to_another_login_is_not_taken_over(oidc, client):
    owner = factories.UserFactory(username="owner", email="owner@example.com")
    person = factories.PersonFactory(email="shared@example.com", user=owner)
    come_back(client, start_sso(client), {"email": "shared@example.com", "sub": "1"})
    newcomer = logged_in_user(client)
    assert newcomer is not None and newcomer != owner
    person.refresh_from_db()
    assert person.user == owner


def test_someone_in_no_directory_entry_logs_in_without_a_person(oidc, client):
    come_back(client, start_sso(client), {"email": "contractor@example.com", "sub": "1"})
    user = logged_in_user(client)
    assert user is not None
    assert not hasattr(user, "person") or user.person is None


def test_claims_without_an_email_are_refused(oidc, client):
    response = come_back(client, start_sso(client), {"sub": "1", "name": "No Mail"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert logged_in_user(client) is None


def test_two_logins_with_the_same_email_are_refused_rather_than_guessed(oidc, client):
    factories.UserFactory(username="one", email="dup@example.com")
    factories.UserFactory(username="two", email="dup@example.com")
    response = come_back(client, start_sso(client), {"email": "dup@example.com", "sub": "1"})
    assert response["Location"] == "/accounts/login/"
    assert logged_in_user(client) is None


def test_an_inactive_user_is_refused(oidc, client):
    factories.UserFactory(username="gone", email="gone@example.com", is_active=False)
    response = come_back(client, start_sso(client), {"email": "gone@example.com", "sub": "1"})
    assert response["Location"] == "/accounts/login/"
    assert logged_in_user(client) is None


def test_a_callback_with_a_forged_state_logs_nobody_in(oidc, client):
    start_sso(client)
    client.raise_request_exception = False
    response = come_back(client, "forged-state", {"email": "jane@example.com", "sub": "1"})
    assert response.status_code == 400
    assert logged_in_user(client) is None


def test_the_backend_links_on_create_and_on_update(oidc):
    person = factories.PersonFactory(email="sam@example.com")
    backend = PersonOIDCBackend()
    user = backend.create_user({"email": "sam@example.com"})
    person.refresh_from_db()
    assert person.user == user
    person.user = None
    person.save()
    assert backend.update_user(user, {"email": " Sam@Example.com "}) == user
    person.refresh_from_db()
    assert person.user == user


def test_a_login_already_linked_to_a_person_keeps_it_and_logs_in(oidc, client):
    # A manager linked jdoe to "Jane Doe"; an old entry still carries the SSO address.
    user = factories.UserFactory(username="jdoe", email="jane.doe@example.com")
    linked = factories.PersonFactory(display_name="Jane Doe", email="jane@example.com", user=user)
    old = factories.PersonFactory(display_name="J. Doe (old)", email="jane.doe@example.com")
    response = come_back(client, start_sso(client), {"email": "jane.doe@example.com", "sub": "1"})
    assert response.status_code == 302 and response["Location"] == "/contacts/"
    assert logged_in_user(client) == user
    linked.refresh_from_db()
    old.refresh_from_db()
    assert linked.user == user and old.user is None


def test_two_people_whose_addresses_differ_only_in_case_are_left_for_a_manager(oidc, client):
    first = factories.PersonFactory(email="Sam@example.com")
    second = factories.PersonFactory(email="sam@example.com")
    response = come_back(client, start_sso(client), {"email": "SAM@example.com", "sub": "1"})
    assert response.status_code == 302 and response["Location"] == "/contacts/"
    assert logged_in_user(client) is not None
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.user is None and second.user is None


def test_linking_a_person_is_kept_in_their_history(oidc, client):
    person = factories.PersonFactory(email="kim@example.com")
    come_back(client, start_sso(client), {"email": "kim@example.com", "sub": "1"})
    person.refresh_from_db()
    latest = person.history.first()
    assert latest.user_id == person.user_id is not None
    assert latest.history_type == "~"


# --- What single sign-on never does ---------------------------------------------------------


@pytest.mark.parametrize("verified", [False, "false", "FALSE"])
def test_an_email_the_provider_did_not_verify_is_refused(oidc, client, verified):
    person = factories.PersonFactory(email="jane.doe@example.com")
    users_before = User.objects.count()
    claims = {"email": "jane.doe@example.com", "email_verified": verified, "sub": "1"}
    response = come_back(client, start_sso(client), claims)
    assert response["Location"] == "/accounts/login/"
    assert logged_in_user(client) is None
    assert User.objects.count() == users_before
    person.refresh_from_db()
    assert person.user is None
    assert escape(EMAIL_NOT_VERIFIED) in client.get(response["Location"]).content.decode()


def test_an_email_the_provider_verified_logs_in(oidc, client):
    claims = {"email": "jane.doe@example.com", "email_verified": True, "sub": "1"}
    come_back(client, start_sso(client), claims)
    assert logged_in_user(client) is not None


@pytest.mark.parametrize(
    "make_account",
    [
        lambda: factories.UserFactory(username="ops", email="ops@example.com", is_staff=True),
        lambda: factories.UserFactory(username="ops", email="ops@example.com", is_superuser=True),
        lambda: factories.ManagerFactory(username="ops", email="ops@example.com"),
    ],
    ids=["staff", "superuser", "manager"],
)
def test_a_sign_on_never_takes_over_an_account_with_rights(oidc, client, make_account):
    account = make_account()
    person = factories.PersonFactory(email="ops@example.com")
    users_before = User.objects.count()
    claims = {"email": "OPS@example.com", "email_verified": True, "sub": "1"}
    response = come_back(client, start_sso(client), claims)
    assert response["Location"] == "/accounts/login/"
    assert logged_in_user(client) is None
    assert User.objects.count() == users_before  # no twin account either
    person.refresh_from_db()
    assert person.user is None
    assert escape(PRIVILEGED_ACCOUNT) in client.get(response["Location"]).content.decode()
    # The account's own log-in still works.
    client.post(reverse("login"), {"username": "ops", "password": "correct horse battery staple"})
    assert logged_in_user(client) == account


def test_a_plain_account_with_the_email_is_still_matched(oidc, client):
    user = factories.UserFactory(username="viewer", email="viewer@example.com")
    come_back(client, start_sso(client), {"email": "viewer@example.com", "sub": "1"})
    assert logged_in_user(client) == user
