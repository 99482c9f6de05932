"""Who may open what: every URL of the URL conf, walked, filled with real rows and requested at
every level of access — anonymous, viewer, staff, Escalation manager, superuser.

The portal's own pages are listed by name in PAGES; a page missing from it fails
`test_every_url_pattern_is_known_to_the_access_tests`, so a new page cannot be forgotten. The
admin's URLs follow the admin's rules (by the kind of view and the model's permissions).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from escalation import models
from tests.security_urls import (
    Endpoint,
    UnknownEndpoint,
    admin_model,
    endpoints,
    fill,
    security_data,
)

pytestmark = pytest.mark.django_db

ANONYMOUS, VIEWER, STAFF, MANAGER, SUPERUSER = (
    "anonymous",
    "viewer",
    "staff",
    "manager",
    "superuser",
)
LEVELS = (ANONYMOUS, VIEWER, STAFF, MANAGER, SUPERUSER)

LOGIN = "login"  # a redirect to the login page with ?next= the page asked for
POST_ONLY = 405


@dataclass(frozen=True)
class Page:
    """What a GET answers: without login, and for anyone logged in."""

    anonymous: int | str = LOGIN
    logged_in: int = 200


# Every page of the portal outside the admin. Public ones answer the anonymous visitor
# themselves: the login form, the health check, the feeds that take a token instead of a
# session (without one: 401 from the API, 403 from the calendar feed), and Slack's endpoints,
# which take a signature instead (without one: 401).
PAGES: dict[str, Page] = {
    "login": Page(anonymous=200),
    "logout": Page(logged_in=POST_ONLY),
    "healthz": Page(anonymous=200),
    "healthz_status": Page(anonymous=200),
    "escalation:dashboard": Page(),
    "escalation:calendar": Page(),
    "escalation:fairness": Page(),
    "escalation:calendar_ics": Page(anonymous=403),
    "escalation:api_oncall": Page(anonymous=401),
    "escalation:profile": Page(),
    "escalation:severity": Page(),
    "escalation:services": Page(),
    "escalation:service_detail": Page(),
    "escalation:paths": Page(),
    "escalation:path_detail": Page(),
    "escalation:contacts": Page(),
    "escalation:channels": Page(),
    "escalation:paging": Page(),
    "escalation:incident": Page(),
    "escalation:incident_general": Page(),
    "escalation:wall": Page(),
    "escalation:swaps": Page(),
    "escalation:swap_new": Page(),
    "escalation:swap_detail": Page(),
    "escalation:swap_accept": Page(logged_in=POST_ONLY),
    "escalation:swap_decline": Page(logged_in=POST_ONLY),
    "escalation:swap_approve": Page(logged_in=POST_ONLY),
    "escalation:swap_cancel": Page(logged_in=POST_ONLY),
    "escalation:swap_revert": Page(logged_in=POST_ONLY),
    # Slack's endpoints: public but signed (tests/test_slack_*.py), POST only.
    "escalation:slack_commands": Page(anonymous=POST_ONLY, logged_in=POST_ONLY),
    "escalation:slack_interactions": Page(anonymous=POST_ONLY, logged_in=POST_ONLY),
    "escalation:swap_pagerduty_retry": Page(logged_in=POST_ONLY),
    "escalation:pagerduty_page_new": Page(),
    "escalation:pagerduty_page": Page(),
    "escalation:pagerduty_page_retry": Page(logged_in=POST_ONLY),
}
#: Public, but acting only on requests signed with Slack's signing secret.
SIGNED_BY_SLACK = {"escalation:slack_commands", "escalation:slack_interactions"}
PUBLIC = {name for name, page in PAGES.items() if page.anonymous != LOGIN} | {"admin:login"}

# The admin's own views (not a model's), for staff and above.
ADMIN_SITE_VIEWS = {
    "admin:index": 200,
    "admin:login": 302,  # already logged in: on to the admin index
    "admin:logout": POST_ONLY,
    "admin:password_change": 200,
    "admin:password_change_done": 200,
    "admin:autocomplete": 403,  # without the field it completes, nothing to answer
    "admin:jsi18n": 200,
    "admin:view_on_site": 302,  # to the swap request's page
    "admin:app_list": 200,
    None: 404,  # the admin's catch-all: an unknown admin page
}
MODEL_VIEWS = ("changelist", "add", "change", "delete", "history", "simple_history")
READS = {"changelist", "change", "history", "simple_history"}
WRITES = {"add", "delete"}
# Shown in the admin, written only by the portal itself (swaps through their pages, tokens and
# messages by their services): nobody adds or deletes them there, not even a superuser.
READ_ONLY_MODELS = {
    models.FeedToken,
    models.OutgoingMessage,
    models.PagerDutyCheck,
    models.PagerDutyDrift,
    models.PagerDutyIncident,
    models.SwapRequest,
    models.SwapRequestEvent,
}


def model_view(endpoint: Endpoint, model: type) -> str:
    """changelist, add, change... or "redirect" for the bare object URL (it goes to change)."""
    if endpoint.name is None:
        return "redirect"
    if endpoint.name == "admin:auth_user_password_change":
        return "change"
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
    view = endpoint.name.removeprefix(prefix)
    if not endpoint.name.startswith(prefix) or view not in MODEL_VIEWS:
        raise UnknownEndpoint(f"{endpoint.route}: an admin view the access tests do not know")
    return view


def admin_expected(endpoint: Endpoint, level: str) -> int | str:
    if level == ANONYMOUS:
        return 200 if endpoint.name == "admin:login" else LOGIN
    if level == VIEWER:
        # Not staff: the admin sends them to its login form, which says they may not enter.
        return 200 if endpoint.name == "admin:login" else "admin-login"
    model = admin_model(endpoint)
    if model is None:
        if endpoint.name not in ADMIN_SITE_VIEWS:
            raise UnknownEndpoint(f"{endpoint.route}: an admin page the access tests do not know")
        return ADMIN_SITE_VIEWS[endpoint.name]
    view = model_view(endpoint, model)
    if view == "redirect":
        return 302
    if model is User and level == MANAGER:
        # Managers add and change plain logins (the first login is the viewer's), never delete.
        return 403 if view == "delete" else 200
    if model._meta.app_label != "escalation":
        # Logins, groups and lockouts: superusers only (axes records are never added by hand).
        if level != SUPERUSER or (model._meta.app_label == "axes" and view == "add"):
            return 403
        return 200
    if view in READS:
        return 200  # every active staff member may read the escalation data
    if model in READ_ONLY_MODELS or level == STAFF:
        return 403
    return 200


def expected(endpoint: Endpoint, level: str) -> int | str:
    """The status a GET of `endpoint` answers at `level`; LOGIN for the login redirect."""
    if endpoint.is_admin:
        return admin_expected(endpoint, level)
    if endpoint.name not in PAGES:
        raise UnknownEndpoint(
            f"{endpoint.route} ({endpoint.name}) is a new page: add it to PAGES in "
            "tests/test_access.py with who may open it"
        )
    page = PAGES[endpoint.name]
    return page.anonymous if level == ANONYMOUS else page.logged_in


def client_for(level: str, data) -> Client:
    client = Client(raise_request_exception=False)
    user = {
        ANONYMOUS: None,
        VIEWER: data.viewer,
        STAFF: data.staff,
        MANAGER: data.manager,
        SUPERUSER: data.superuser,
    }[level]
    if user is not None:
        client.force_login(user)
    return client


def check(response, path: str, want: int | str) -> str | None:
    """What is wrong with the response, or None."""
    location = response.get("Location", "")
    if want == LOGIN:
        accepted = {f"{reverse('login')}?next={quote(path)}"}
        if path.startswith("/admin/"):
            # The admin's own views send anonymous visitors to its login form instead.
            accepted.add(f"{reverse('admin:login')}?next={quote(path)}")
        if response.status_code == 302 and location in accepted:
            return None
        return f"{response.status_code} → {location!r}, expected a redirect to log in"
    if want == "admin-login":
        if response.status_code == 302 and location.startswith("/admin/"):
            return None
        return f"{response.status_code} → {location!r}, expected the admin to turn them away"
    if response.status_code != want:
        return f"{response.status_code}, expected {want}"
    return None


# --- The walk ---------------------------------------------------------------------------------


def test_every_url_pattern_is_known_to_the_access_tests():
    data = security_data()
    unknown = []
    for endpoint in endpoints():
        try:
            fill(endpoint, data)
            for level in LEVELS:
                expected(endpoint, level)
        except UnknownEndpoint as error:
            unknown.append(str(error))
    assert not unknown, "\n".join(unknown)


def test_a_new_page_unknown_to_the_tests_is_caught():
    new_page = Endpoint(route="reports/", name="escalation:reports")
    with pytest.raises(UnknownEndpoint, match="add it to PAGES"):
        expected(new_page, VIEWER)
    new_admin_page = Endpoint(route="admin/reports/", name="admin:reports")
    with pytest.raises(UnknownEndpoint):
        expected(new_admin_page, MANAGER)


def test_the_walk_covers_the_portal_and_every_model_admin():
    names = {endpoint.name for endpoint in endpoints()}
    assert set(PAGES) <= names
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        assert "admin:{}_{}_changelist".format(*info) in names
    assert len(names) > 150


@pytest.mark.parametrize("level", LEVELS)
def test_every_url_answers_as_the_access_ladder_says(level):
    data = security_data()
    client = client_for(level, data)
    wrong, covered = [], 0
    for endpoint in endpoints():
        path = fill(endpoint, data)
        want = expected(endpoint, level)
        response = client.get(path)
        covered += 1
        assert response.status_code != 500, f"{path} crashed for the {level}"
        problem = check(response, path, want)
        if problem:
            wrong.append(f"{level} GET {path} ({endpoint.name}): {problem}")
    assert not wrong, "\n".join(wrong)
    assert covered == len(endpoints()) > 150


def test_anonymous_posts_are_sent_to_log_in_and_change_nothing():
    data = security_data()
    client = Client(raise_request_exception=False)
    before = models.SwapRequest.objects.values_list("pk", "state").order_by("pk")
    before = list(before)
    wrong = []
    for endpoint in endpoints():
        if endpoint.name in PUBLIC or endpoint.name == "admin:login":
            continue
        path = fill(endpoint, data)
        response = client.post(path, {"action": "regenerate", "post": "yes"})
        problem = check(response, path, LOGIN)
        if problem:
            wrong.append(f"anonymous POST {path}: {problem}")
    assert not wrong, "\n".join(wrong)
    assert list(models.SwapRequest.objects.values_list("pk", "state").order_by("pk")) == before
    assert models.Person.objects.filter(pk=data.person.pk).exists()


@pytest.mark.parametrize("level", LEVELS)
def test_unsigned_posts_to_the_slack_endpoints_get_401_and_change_nothing(settings, level):
    settings.SLACK_SIGNING_SECRET = "a-secret"
    data = security_data()
    client = client_for(level, data)
    before = list(models.SwapRequest.objects.values_list("pk", "state").order_by("pk"))
    for endpoint in endpoints():
        if endpoint.name not in SIGNED_BY_SLACK:
            continue
        response = client.post(
            fill(endpoint, data),
            {"payload": f'{{"type": "block_actions", "swap": {data.swap.pk}}}', "text": ""},
        )
        assert response.status_code == 401, endpoint.name
    assert list(models.SwapRequest.objects.values_list("pk", "state").order_by("pk")) == before
    assert models.OutgoingMessage.objects.count() == 1  # security_data()'s own


def test_the_login_redirect_leads_back_to_the_page_asked_for():
    data = security_data()
    client = Client()
    response = client.get("/contacts/?team=backend-team")
    assert response.status_code == 302
    login_page = client.get(response["Location"])
    assert login_page.status_code == 200
    assert 'name="next" value="/contacts/?team=backend-team"' in login_page.content.decode()
    data.viewer.set_password("a long enough password")
    data.viewer.save()
    logged_in = client.post(
        reverse("login"),
        {
            "username": "viewer",
            "password": "a long enough password",
            "next": "/contacts/?team=backend-team",
        },
    )
    assert logged_in.status_code == 302
    assert logged_in["Location"] == "/contacts/?team=backend-team"


def test_the_login_page_refuses_to_send_anyone_to_another_site():
    data = security_data()
    data.viewer.set_password("a long enough password")
    data.viewer.save()
    response = Client().post(
        reverse("login"),
        {"username": "viewer", "password": "a long enough password", "next": "https://evil.test/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("escalation:dashboard")


def test_static_files_need_no_login():
    response = Client().get("/static/css/portal.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


@pytest.mark.parametrize("name", ["escalation:calendar_ics", "escalation:api_oncall"])
def test_a_feed_with_a_wrong_token_is_refused_even_to_a_logged_in_user(name):
    data = security_data()
    client = client_for(VIEWER, data)
    response = client.get(reverse(name), {"token": "not-a-token"})
    assert response.status_code == 403


def test_a_viewer_cannot_approve_a_swap_request():
    data = security_data()
    swap = data.swap
    response = client_for(VIEWER, data).post(reverse("escalation:swap_approve", args=[swap.pk]))
    assert response.status_code == 403
    swap.refresh_from_db()
    assert swap.state == models.SwapState.PENDING
