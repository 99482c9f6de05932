"""`/healthz/`: the database and the cache, probed for real; 503 as soon as one of them fails."""

from unittest import mock

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError

from escalation.views.health import CACHE_DOWN, DATABASE_DOWN

pytestmark = pytest.mark.django_db

REFUSED = 'connection to server at "db.internal" (10.1.2.3), port 5432 failed: refused'


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


def status(client, accept="application/json"):
    return client.get("/healthz/", HTTP_ACCEPT=accept)


def test_healthy_answers_200_without_a_login_and_names_both_checks(client):
    response = status(client)
    assert response.status_code == 200
    body = response.json()
    assert sorted(body.values()) == ["OK", "OK"]
    assert [name for name in body if name.startswith("Database")]
    assert [name for name in body if name.startswith("Cache")]


def test_database_down_answers_503(client, database_down):
    response = status(client)
    assert response.status_code == 503
    body = response.json()
    database = next(value for name, value in body.items() if name.startswith("Database"))
    cache = next(value for name, value in body.items() if name.startswith("Cache"))
    assert database == f"Unavailable: {DATABASE_DOWN}" and cache == "OK"


def test_cache_down_answers_503(client, cache_down):
    response = status(client)
    assert response.status_code == 503
    body = response.json()
    cache = next(value for name, value in body.items() if name.startswith("Cache"))
    assert cache == f"Unavailable: {CACHE_DOWN}"


@pytest.mark.parametrize("accept", ["application/json", "text/html", "text/plain"])
def test_a_failure_names_no_host_address_or_port(client, database_down, accept):
    response = status(client, accept)
    assert response.status_code == 503
    text = response.content.decode()
    for secret in ("db.internal", "10.1.2.3", "5432"):
        assert secret not in text


def test_the_status_page_renders_for_a_browser(client):
    response = status(client, "text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "System status" in html and "Healthy" in html
    assert "Database" in html and "Cache" in html
