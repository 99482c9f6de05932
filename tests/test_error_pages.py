"""Error pages with DEBUG off: 400, 403, 404 and 500 in the portal's layout, saying what to do,
and never a stack trace, a setting, SQL or the exception's own words."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import DatabaseError
from django.test import Client
from django.urls import include, path, reverse

from tests import factories
from tests.helpers import header_problems, inline_code

pytestmark = pytest.mark.django_db

SECRET_WORDS = "SELECT password FROM auth_user WHERE secret = 'hunter2'"


def boom(request):
    raise RuntimeError(SECRET_WORDS)


def database_boom(request):
    raise DatabaseError(f'relation "escalation_person" does not exist: {SECRET_WORDS}')


def refused(request):
    raise PermissionDenied(SECRET_WORDS)


def suspicious(request):
    raise SuspiciousOperation(SECRET_WORDS)


# This module is also the URL conf of its tests: the portal, plus views that fail on purpose.
urlpatterns = [
    path("boom/", boom),
    path("database-boom/", database_boom),
    path("refused/", refused),
    path("suspicious/", suspicious),
    path("", include("portal.urls")),
]


@pytest.fixture
def viewer(client):
    client.force_login(factories.UserFactory(username="viewer"))
    client.raise_request_exception = False
    return client


def leaks(html: str, settings) -> list[str]:
    """What an error page shows that it must not."""
    found = []
    for word in (
        "Traceback",
        'File "',
        "site-packages",
        "SECRET_KEY",
        "DATABASES",
        settings.SECRET_KEY,
        "hunter2",
        "SELECT ",
        "auth_user",
        "escalation_person",
        "RuntimeError",
        "DatabaseError",
        "PermissionDenied",
        "SuspiciousOperation",
        "No Service matches",
        "Using the URLconf",
        "DEBUG = True",
    ):
        if word and word in html:
            found.append(word)
    return found


def assert_portal_error_page(response, status: int, title: str, settings) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert 'class="portal-header"' in html, "not in the portal's layout"
    assert "Escalation portal" in html
    assert title in html
    assert 'href="/"' in html, "no way back to the on-call page"
    assert leaks(html, settings) == []
    assert inline_code(html) == []
    assert header_problems(response) == []
    return html


def test_debug_is_off_in_these_tests(settings):
    assert settings.DEBUG is False


@pytest.mark.urls("tests.test_error_pages")
def test_500_is_the_portals_page_with_nothing_of_the_error(viewer, settings):
    html = assert_portal_error_page(viewer.get("/boom/"), 500, "Something went wrong", settings)
    assert "PagerDuty" in html  # what to do instead, in a hurry


@pytest.mark.urls("tests.test_error_pages")
def test_500_from_the_database_shows_no_sql(viewer, settings):
    assert_portal_error_page(viewer.get("/database-boom/"), 500, "Something went wrong", settings)


@pytest.mark.urls("tests.test_error_pages")
def test_403_is_the_portals_page(viewer, settings):
    assert_portal_error_page(viewer.get("/refused/"), 403, "Not allowed", settings)


@pytest.mark.urls("tests.test_error_pages")
def test_400_is_the_portals_page(viewer, settings):
    assert_portal_error_page(viewer.get("/suspicious/"), 400, "Bad request", settings)


def test_400_for_a_host_the_portal_does_not_serve(settings):
    client = Client(raise_request_exception=False)
    response = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert_portal_error_page(response, 400, "Bad request", settings)


def test_404_for_an_unknown_address(viewer, settings):
    assert_portal_error_page(viewer.get("/no-such-page/"), 404, "Page not found", settings)


@pytest.mark.parametrize("name", ["escalation:service_detail", "escalation:path_detail"])
def test_404_for_an_unknown_slug_does_not_name_the_model(viewer, settings, name):
    response = viewer.get(reverse(name, args=["no-such-thing"]))
    assert_portal_error_page(response, 404, "Page not found", settings)


def test_404_for_an_unknown_swap_request(viewer, settings):
    response = viewer.get(reverse("escalation:swap_detail", args=[987654]))
    assert_portal_error_page(response, 404, "Page not found", settings)


def test_403_in_the_admin_is_the_portals_page(client, settings):
    client.force_login(factories.UserFactory(username="staff", is_staff=True))
    response = client.get(reverse("admin:escalation_person_add"))
    assert_portal_error_page(response, 403, "Not allowed", settings)


def test_a_form_without_its_csrf_token_gets_a_clear_page_in_the_layout(settings):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.post(reverse("login"), {"username": "a", "password": "b"})
    html = assert_portal_error_page(response, 403, "This form has expired", settings)
    assert "reload the page" in html
    assert "cookies" in html  # the test client sent no CSRF cookie


def test_the_health_page_says_unhealthy_without_inline_styles_when_a_check_fails():
    with mock.patch(
        "health_check.checks.Database.run", side_effect=DatabaseError("connection refused")
    ):
        response = Client().get("/healthz/", HTTP_ACCEPT="text/html")
    html = response.content.decode()
    assert response.status_code == 503
    assert "Unhealthy" in html
    assert inline_code(html) == []
