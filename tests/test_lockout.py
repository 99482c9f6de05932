"""Brute force: django-axes locks a username from one address after AXES_FAILURE_LIMIT wrong
passwords, says so clearly, refuses even the right password until the cool-off has passed, and
leaves other usernames and other addresses alone.

The address is the client's own: the socket's when the portal is reached directly (an
X-Forwarded-For header is then anyone's invention and ignored), the one the outermost of
TRUSTED_PROXY_COUNT proxies saw when it is behind them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from escalation.templatetags.security_tags import duration_words
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password
LOCKED_TITLE = "Too many failed log-ins"
LOCKED_STATUS = 429
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
HERE, ELSEWHERE = "10.1.1.1", "10.2.2.2"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def engineer():
    return factories.UserFactory(username="engineer")


def log_in(
    username: str,
    password: str,
    *,
    address: str = HERE,
    url: str | None = None,
    forwarded_for: str | None = None,
):
    client = Client(REMOTE_ADDR=address)
    headers = {} if forwarded_for is None else {"X-Forwarded-For": forwarded_for}
    response = client.post(
        url or reverse("login"), {"username": username, "password": password}, headers=headers
    )
    return client, response


def fail(
    times: int,
    username: str = "engineer",
    *,
    address: str = HERE,
    url: str | None = None,
    forwarded_for: str | None = None,
):
    responses = [
        log_in(username, "wrong", address=address, url=url, forwarded_for=forwarded_for)[1]
        for _ in range(times)
    ]
    return responses[-1]


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_below_the_limit_just_say_the_password_is_wrong(engineer):
    response = fail(settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200
    assert LOCKED_TITLE not in response.content.decode()
    assert "Please enter a correct username and password" in response.content.decode()
    client, response = log_in("engineer", PASSWORD)
    assert response.status_code == 302 and is_logged_in(client)


def test_the_limit_locks_the_account_with_a_clear_message_in_the_portal_layout(engineer):
    response = fail(settings.AXES_FAILURE_LIMIT)
    html = response.content.decode()
    assert response.status_code == LOCKED_STATUS
    assert LOCKED_TITLE in html
    assert f"after {settings.AXES_FAILURE_LIMIT} wrong passwords" in html
    assert "for 1 hour" in html
    assert "Escalation portal" in html and 'class="portal-header' in html
    assert response["Content-Security-Policy"]


def test_once_locked_the_right_password_is_refused_too(engineer):
    fail(settings.AXES_FAILURE_LIMIT)
    client, response = log_in("engineer", PASSWORD)
    assert response.status_code == LOCKED_STATUS
    assert LOCKED_TITLE in response.content.decode()
    assert not is_logged_in(client)
    assert client.get(reverse("escalation:dashboard")).status_code == 302


def test_another_username_from_the_same_address_still_logs_in(engineer):
    factories.UserFactory(username="colleague")
    fail(settings.AXES_FAILURE_LIMIT)
    client, response = log_in("colleague", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_the_same_username_from_another_address_still_logs_in(engineer):
    fail(settings.AXES_FAILURE_LIMIT)
    client, response = log_in("engineer", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302
    assert is_logged_in(client)


def cool_off() -> timedelta:
    return settings.AXES_COOLOFF_TIME * timedelta(hours=1)


def test_the_lock_lifts_after_the_cool_off(engineer, frozen_clock):
    fail(settings.AXES_FAILURE_LIMIT)
    frozen_clock.shift(cool_off() + timedelta(minutes=1))
    client, response = log_in("engineer", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_trying_again_while_locked_restarts_the_cool_off(engineer, frozen_clock):
    fail(settings.AXES_FAILURE_LIMIT)
    frozen_clock.shift(cool_off() - timedelta(minutes=1))
    assert log_in("engineer", PASSWORD)[1].status_code == LOCKED_STATUS
    frozen_clock.shift(timedelta(minutes=2))
    assert log_in("engineer", PASSWORD)[1].status_code == LOCKED_STATUS
    frozen_clock.shift(cool_off() + timedelta(minutes=1))
    client, response = log_in("engineer", PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_successful_log_in_starts_the_count_again(engineer):
    fail(settings.AXES_FAILURE_LIMIT - 1)
    assert log_in("engineer", PASSWORD)[1].status_code == 302
    response = fail(settings.AXES_FAILURE_LIMIT - 1)
    assert response.status_code == 200


def test_the_limit_and_the_cool_off_are_configurable(engineer, settings, frozen_clock):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = 0.5
    assert fail(1).status_code == 200
    response = fail(1)
    assert response.status_code == LOCKED_STATUS
    assert "after 2 wrong passwords in a row, for 30 minutes" in response.content.decode()
    frozen_clock.shift(timedelta(minutes=31))
    client, response = log_in("engineer", PASSWORD)
    assert response.status_code == 302 and is_logged_in(client)


def test_unknown_usernames_are_locked_alike_so_the_lock_tells_nothing_about_accounts():
    response = fail(settings.AXES_FAILURE_LIMIT, username="nobody-by-that-name")
    assert response.status_code == LOCKED_STATUS
    assert LOCKED_TITLE in response.content.decode()


def test_the_admin_login_form_is_guarded_by_the_same_lock(engineer):
    admin_login = reverse("admin:login")
    fail(settings.AXES_FAILURE_LIMIT, url=admin_login)
    client, response = log_in("engineer", PASSWORD)
    assert response.status_code == LOCKED_STATUS
    assert not is_logged_in(client)


def test_the_lock_is_recorded_for_an_administrator_to_lift(engineer, admin_client):
    fail(settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username="engineer", ip_address=HERE)
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    response = admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    client, response = log_in("engineer", PASSWORD)
    assert response.status_code == 302 and is_logged_in(client)


# --- whose address: the socket's, or the one the trusted proxies saw ----------------------

BALANCER, OTHER_BALANCER = "10.0.0.2", "10.0.0.3"
CLIENT, OTHER_CLIENT = "192.0.2.10", "192.0.2.20"


def test_directly_reached_a_forged_forwarded_for_does_not_dodge_the_lock(engineer, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in("engineer", "wrong", forwarded_for=f"198.51.100.{n}")
    client, response = log_in("engineer", PASSWORD, forwarded_for="198.51.100.99")
    assert response.status_code == LOCKED_STATUS
    assert not is_logged_in(client)
    assert AccessAttempt.objects.get(username="engineer").ip_address == HERE


def test_directly_reached_a_forged_forwarded_for_does_not_lock_its_address(engineer, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    fail(settings.AXES_FAILURE_LIMIT, forwarded_for=ELSEWHERE)
    client, response = log_in("engineer", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302 and is_logged_in(client)


@pytest.mark.parametrize(
    ("proxies", "forwarded_for"),
    [
        (1, "{client}"),
        # A header the client sent itself comes first; the balancer appends what it saw.
        (1, "203.0.113.7, {client}"),
        (2, "{client}, " + OTHER_BALANCER),
    ],
)
def test_behind_the_balancer_two_clients_are_locked_separately(
    engineer, settings, proxies, forwarded_for
):
    settings.TRUSTED_PROXY_COUNT = proxies
    fail(
        settings.AXES_FAILURE_LIMIT,
        address=BALANCER,
        forwarded_for=forwarded_for.format(client=CLIENT),
    )
    locked, response = log_in(
        "engineer", PASSWORD, address=BALANCER, forwarded_for=forwarded_for.format(client=CLIENT)
    )
    assert response.status_code == LOCKED_STATUS and not is_logged_in(locked)

    other, response = log_in(
        "engineer",
        PASSWORD,
        address=BALANCER,
        forwarded_for=forwarded_for.format(client=OTHER_CLIENT),
    )
    assert response.status_code == 302 and is_logged_in(other)
    assert AccessAttempt.objects.get(username="engineer").ip_address == CLIENT


def test_behind_the_balancer_a_forged_address_locks_only_the_forger(engineer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The attacker at CLIENT claims to be OTHER_CLIENT; the balancer appends CLIENT.
    fail(settings.AXES_FAILURE_LIMIT, address=BALANCER, forwarded_for=f"{OTHER_CLIENT}, {CLIENT}")
    client, response = log_in("engineer", PASSWORD, address=BALANCER, forwarded_for=OTHER_CLIENT)
    assert response.status_code == 302 and is_logged_in(client)


def test_behind_the_balancer_a_request_without_the_header_falls_back_to_the_socket(
    engineer, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    fail(settings.AXES_FAILURE_LIMIT)
    client, response = log_in("engineer", PASSWORD)
    assert response.status_code == LOCKED_STATUS and not is_logged_in(client)
    assert AccessAttempt.objects.get(username="engineer").ip_address == HERE


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(hours=1, minutes=30), "1 hour 30 minutes"),
        (timedelta(days=1, hours=2), "1 day 2 hours"),
        (timedelta(seconds=5), "1 minute"),
        (None, ""),
    ],
)
def test_the_cool_off_reads_in_words(duration, words):
    assert duration_words(duration) == words
