"""Two health endpoints, probed for real:

- `/healthz/`, the load balancer's check: can this node serve (the process answers, the database
  does)? 503 only when it cannot. The cache is not asked: with a shared Redis, a cache outage
  would otherwise take every node out although every page still works.
- `/healthz/status/`, the detailed status for people and monitoring: the database, the cache and
  the outbox backlog (messages not yet delivered, the oldest one's age). The cache and the outbox
  are reported, and never turn the answer into a 503.

Both answer plain HTTP in production (no HTTPS redirect), so a load balancer probing over HTTP
sees 200 or 503.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.utils import timezone

from escalation.models import MessageStatus, OutgoingMessage
from escalation.views.health import CACHE_DOWN, DATABASE_DOWN, OUTBOX_UNREADABLE
from tests import factories

pytestmark = pytest.mark.django_db

REFUSED = 'connection to server at "db.internal" (10.1.2.3), port 5432 failed: refused'
HEALTHZ = "/healthz/"
STATUS = "/healthz/status/"


class UnreachableCache(LocMemCache):
    """A cache server that is down: every read and write fails as a network client's would."""

    def set(self, *args, **kwargs):
        raise ConnectionError("cache.internal:11211 refused the connection")

    def get(self, *args, **kwargs):
        raise ConnectionError("cache.internal:11211 refused the connection")


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {"default": {"BACKEND": "tests.test_health.UnreachableCache"}}


@pytest.fixture
def database_down():
    # Patched on the class: the check runs in a worker thread, with a connection of its own.
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError(REFUSED)):
        yield


def status(client, url=HEALTHZ, accept="application/json"):
    return client.get(url, HTTP_ACCEPT=accept)


# --- /healthz/: can this node serve? ---------------------------------------------------------


def test_healthy_answers_200_without_a_login_and_checks_only_the_database(client):
    response = status(client)
    assert response.status_code == 200
    body = response.json()
    assert list(body.values()) == ["OK"]
    assert [name for name in body if name.startswith("Database")]


def test_database_down_answers_503(client, database_down):
    response = status(client)
    assert response.status_code == 503
    [database] = response.json().values()
    assert database == f"Unavailable: {DATABASE_DOWN}"


def test_cache_down_leaves_the_node_in_service(client, cache_down):
    response = status(client)
    assert response.status_code == 200
    assert list(response.json().values()) == ["OK"]


@pytest.mark.parametrize("url", [HEALTHZ, STATUS])
def test_both_answer_plain_http_while_pages_redirect_to_https(client, settings, url):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/accounts/login/").status_code == 301  # the production redirect is on
    response = status(client, url)
    assert response.status_code == 200


@pytest.mark.parametrize("url", [HEALTHZ, STATUS])
def test_an_unhealthy_node_says_503_over_plain_http_too(client, settings, database_down, url):
    settings.SECURE_SSL_REDIRECT = True
    assert status(client, url).status_code == 503


# --- /healthz/status/: what the node relies on ------------------------------------------------


def test_the_detailed_status_reports_every_check_and_an_empty_outbox(client):
    response = status(client, STATUS)
    assert response.status_code == 200
    assert response.json() == {
        "serving": True,
        "checks": {"database": "OK", "cache": "OK", "outbox": "OK"},
        "outbox": {"pending": 0, "oldest_pending_seconds": None},
    }


def test_the_detailed_status_reports_a_cache_outage_without_failing_the_node(client, cache_down):
    response = status(client, STATUS)
    assert response.status_code == 200
    body = response.json()
    assert body["serving"] is True
    assert body["checks"] == {
        "database": "OK",
        "cache": f"Unavailable: {CACHE_DOWN}",
        "outbox": "OK",
    }


def test_the_detailed_status_reports_the_outbox_backlog_without_failing_the_node(client):
    now = timezone.now()
    waiting = factories.OutgoingMessageFactory.create_batch(3)
    factories.OutgoingMessageFactory(status=MessageStatus.SENT, sent_at=now)
    factories.OutgoingMessageFactory(status=MessageStatus.FAILED)
    # Two hours ago for the oldest waiting one, and longer ago for delivered and failed ones.
    OutgoingMessage.objects.filter(pk=waiting[0].pk).update(created_at=now - timedelta(hours=2))
    OutgoingMessage.objects.exclude(pk__in=[m.pk for m in waiting]).update(
        created_at=now - timedelta(days=3)
    )

    response = status(client, STATUS)
    assert response.status_code == 200
    body = response.json()
    assert body["serving"] is True and body["checks"]["outbox"] == "OK"
    assert body["outbox"]["pending"] == 3
    assert 7200 <= body["outbox"]["oldest_pending_seconds"] < 7200 + 60


def test_the_detailed_status_with_the_database_down_answers_503(client, database_down):
    response = status(client, STATUS)
    assert response.status_code == 503
    body = response.json()
    assert body["serving"] is False
    assert body["checks"]["database"] == f"Unavailable: {DATABASE_DOWN}"
    assert body["checks"]["outbox"] == f"Unavailable: {OUTBOX_UNREADABLE}"
    assert body["outbox"] == {"pending": None, "oldest_pending_seconds": None}


@pytest.mark.parametrize("url", [HEALTHZ, STATUS])
@pytest.mark.parametrize("accept", ["application/json", "text/html", "text/plain"])
def test_a_failure_names_no_host_address_or_port(client, database_down, url, accept):
    response = status(client, url, accept)
    assert response.status_code == 503
    text = response.content.decode()
    for secret in ("db.internal", "10.1.2.3", "5432"):
        assert secret not in text


def test_the_status_page_renders_for_a_browser(client):
    response = status(client, HEALTHZ, "text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "System status" in html and "Healthy" in html
    assert "Database" in html
    assert 'href="/healthz/status/"' in html


def test_the_detailed_status_page_shows_the_backlog_and_a_degraded_cache(client, cache_down):
    factories.OutgoingMessageFactory.create_batch(2)
    response = status(client, STATUS, "text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Degraded" in html and "Unhealthy" not in html
    assert CACHE_DOWN in html
    assert "2 messages waiting" in html


def test_the_detailed_status_in_plain_text_shows_the_backlog(client):
    factories.OutgoingMessageFactory()
    response = status(client, STATUS, "text/plain")
    assert response.status_code == 200
    text = response.content.decode()
    assert "serving: yes" in text
    assert "outbox: 1 message waiting" in text
