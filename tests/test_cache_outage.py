"""A cache that accepts connections but never answers (a hung Redis) costs a page one short wait,
then nothing until the circuit breaker's window has passed; the node's health check never waits
on it. The cache is configured as production configures it: from `CACHE_URL`, by the settings.
"""

import runpy
import socket
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from escalation import cache as page_cache
from escalation.circuit_breaker import CircuitBreaker
from escalation.validity import ALWAYS
from portal import settings as portal_settings

pytestmark = pytest.mark.django_db

CALENDAR = reverse("escalation:calendar")
# The cached pages (escalation.cache.render_cached) at other addresses.
PAGES = [f"{CALENDAR}?weeks=4", f"{CALENDAR}?weeks=104", f"{CALENDAR}?rotation=all"]
#: How long the silent server holds a connection before letting go. A client without timeouts
#: waits this long per attempt: the test then fails on time instead of hanging.
HOLD = 10.0
#: Longer than the default connect and read timeouts together, far shorter than HOLD.
ONE_SHORT_WAIT = 2.5


class SilentServer:
    """A TCP server that accepts connections, reads nothing and never answers."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self.port = self._socket.getsockname()[1]
        self.accepted = 0
        self._held: list[tuple[socket.socket, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                pass
            else:
                self.accepted += 1
                self._held.append((connection, time.monotonic()))
            for connection, since in list(self._held):
                if time.monotonic() - since > HOLD:
                    connection.close()
                    self._held.remove((connection, since))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for connection, _ in self._held:
            connection.close()
        self._socket.close()


def production_caches(monkeypatch, url: str) -> dict:
    """CACHES as the portal's settings build them from `CACHE_URL` (defaults for the rest)."""
    monkeypatch.setenv("CACHE_URL", url)
    for name in ("CACHE_CONNECT_TIMEOUT", "CACHE_READ_TIMEOUT", "CACHE_RETRY_AFTER"):
        monkeypatch.delenv(name, raising=False)
    return runpy.run_path(portal_settings.__file__)["CACHES"]


@pytest.fixture
def silent_redis(settings, monkeypatch):
    server = SilentServer()
    settings.CACHES = production_caches(monkeypatch, f"redis://127.0.0.1:{server.port}/10")
    yield server
    server.close()


def timed_get(client, url: str, **extra):
    started = time.monotonic()
    response = client.get(url, **extra)
    return response, time.monotonic() - started


def test_a_hung_cache_costs_a_page_one_short_wait_per_window(
    viewer_client, seeded, silent_redis, settings, monkeypatch
):
    settings.CACHE_RETRY_AFTER = 60
    response, took = timed_get(viewer_client, CALENDAR)
    assert response.status_code == 200
    assert "Engineer" in response.content.decode()
    assert took < ONE_SHORT_WAIT
    assert silent_redis.accepted == 1

    # Within the window no page asks the cache again: no new connection, so no wait.
    for url in [CALENDAR, *PAGES]:
        assert viewer_client.get(url).status_code == 200, url
    assert silent_redis.accepted == 1

    # Once the window has passed, one page tries again, pays one short wait and opens it again.
    later = page_cache.breaker.clock() + 61
    monkeypatch.setattr(page_cache.breaker, "clock", lambda: later)
    response, took = timed_get(viewer_client, CALENDAR)
    assert response.status_code == 200
    assert took < ONE_SHORT_WAIT
    assert silent_redis.accepted == 2
    for url in PAGES:
        assert viewer_client.get(url).status_code == 200, url
    assert silent_redis.accepted == 2


def test_a_hung_cache_never_makes_the_node_health_check_wait(client, silent_redis):
    response, took = timed_get(client, "/healthz/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert took < ONE_SHORT_WAIT
    assert silent_redis.accepted == 0


def test_the_detailed_status_reports_a_hung_cache_after_one_short_wait(client, silent_redis):
    response, took = timed_get(client, "/healthz/status/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["serving"] is True
    assert body["checks"]["cache"].startswith("Unavailable")
    assert took < ONE_SHORT_WAIT


@pytest.fixture
def real_redis(settings, monkeypatch):
    """The Redis on this machine, in database 10, under a key prefix of this test's own."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    caches = production_caches(monkeypatch, "redis://127.0.0.1:6379/10")
    prefix = f"test-{uuid.uuid4().hex}"
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches
    yield
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_a_working_redis_serves_cached_pages_with_the_timeouts_set(
    viewer_client, seeded, real_redis, django_assert_max_num_queries
):
    first = viewer_client.get(CALENDAR)
    assert first.status_code == 200
    with django_assert_max_num_queries(3):  # the viewer's facts; the page from Redis
        again = viewer_client.get(CALENDAR)
    assert again.status_code == 200
    assert "On-call calendar" in again.content.decode()


# --- the breaker on its own ------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_stays_closed_until_a_failure():
    breaker = CircuitBreaker(clock=Clock())
    assert breaker.closed


def test_a_failure_opens_the_breaker_for_the_window_then_it_lets_one_try_through():
    clock = Clock()
    breaker = CircuitBreaker(clock=clock)
    breaker.record_failure(retry_after=30)
    assert not breaker.closed
    clock.now += 29.9
    assert not breaker.closed
    clock.now += 0.1
    assert breaker.closed
    breaker.record_failure(retry_after=30)
    clock.now += 29.9
    assert not breaker.closed


def test_a_broken_cache_is_asked_once_per_window(settings, monkeypatch):
    settings.CACHE_RETRY_AFTER = 30
    clock = Clock()
    monkeypatch.setattr(page_cache.breaker, "clock", clock)
    calls = []

    def down(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("cache.internal:6379 refused the connection")

    def value():
        return page_cache.cached_value(
            1, ("k",), at=datetime.now(UTC), compute=lambda: ("computed", ALWAYS)
        )

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert [value() for _ in range(3)] == ["computed"] * 3
    assert len(calls) == 1  # the read failed: neither the write nor the next pages tried
    clock.now += 30
    assert value() == "computed"
    assert len(calls) == 2
