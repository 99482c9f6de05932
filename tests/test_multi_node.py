"""Several app servers work as one: two gunicorn instances share PostgreSQL and Redis.

The deployment the README describes runs several app servers behind a load balancer. Here two
real gunicorn processes on their own ports serve the test database (committed data: this test
is transactional) with production settings and a shared Redis cache:
- an admin edit made through one is on the other's pages at the next request, although the
  other had the page cached;
- a swap approved through one is on the other's dashboard at the next request;
- an instance killed in the middle of an approval loses nothing and leaves nothing half-written:
  the approval is entirely there or not at all, and its notifications go out exactly once.

The kill lands inside the approval's transaction deterministically: the test holds the data
version's row lock (every write to escalation data moves that row, `escalation.cache`), so the
approval, having written the swap's overrides, waits on it until the process is killed.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from escalation import models
from escalation import rotation as engine
from escalation.models.cache import VERSION_ROW
from tests import factories
from tests.helpers import form_data, page_text
from tests.swaps_data import build_team, file_request

REDIS_URL = "redis://127.0.0.1:6379/12"
BASE_DIR = Path(settings.BASE_DIR)


def _reachable(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several app servers share PostgreSQL (set DATABASE_URL=postgres://... to run it)",
    ),
    pytest.mark.skipif(
        not _reachable("127.0.0.1", 6379), reason="needs Redis on 127.0.0.1:6379 (shared cache)"
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


class Node:
    """One app server: gunicorn with production settings, one sync worker, in its own group."""

    def __init__(self, name: str, log: Path) -> None:
        self.name = name
        self.port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": _database_url(),
            "CACHE_URL": REDIS_URL,
            "DEBUG": "0",
            # The test signs the sessions it hands the nodes: they must share its key.
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "CONN_MAX_AGE": "0",
            "EMAIL_URL": "dummymail://",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("PORTAL_TESTING", None)
        self.log = log
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "portal.wsgi",
                "--workers",
                "1",
                "--timeout",
                "60",
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"{name} exited:\n{log.read_text()}"
            try:
                if self.request("GET", "/healthz/", headers={"Accept": "application/json"})[0]:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"{name} did not start:\n{log.read_text()}")

    def request(self, method, path, *, cookies=None, body=None, headers=None):
        """(status, headers, text) of one request."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {"Host": "127.0.0.1", **(headers or {})}
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            body = urllib.parse.urlencode(body, doseq=True)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            conn.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


class Browser:
    """A signed-in person's cookies, used against either node (the session lives in the
    shared database, so either node knows it)."""

    def __init__(self, user) -> None:
        client = Client()
        client.force_login(user)
        self.cookies = {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value
        }

    def get(self, node: Node, path: str) -> str:
        status, headers, text = node.request("GET", path, cookies=self.cookies)
        assert status == 200, (node.name, path, status, text[:500])
        if "csrftoken=" in headers.get("Set-Cookie", ""):
            self.cookies["csrftoken"] = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"])[1]
        return text

    def csrf_token(self, node: Node, page: str) -> str:
        """The CSRF token of the form on `page`, as a browser that opened it would send it."""
        html = self.get(node, page)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    def post_form(self, node: Node, page: str, action: str, data=None):
        """Open `page` on `node`, then submit to `action` with the page's CSRF token."""
        fields = {"csrfmiddlewaretoken": [self.csrf_token(node, page)], **(data or {})}
        return node.request("POST", action, cookies=self.cookies, body=fields)


@pytest.fixture
def nodes(tmp_path):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    started = []
    try:
        for name in ("node-a", "node-b"):
            started.append(Node(name, tmp_path / f"{name}.log"))
        yield started
    finally:
        for node in started:
            node.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def team(db):
    return build_team()


def _future_shift_of(person: models.Person, rotation: models.Rotation) -> engine.Shift:
    """A shift of `person` as primary at least a week ahead of now (the nodes use the real clock)."""
    schedule = rotation.schedule()
    now = timezone.now()
    for shift in engine.shifts_between(schedule, now + timedelta(days=7), now + timedelta(days=60)):
        if shift.slot.primary == person.pk:
            return shift
    raise AssertionError("no shift found")


def focus_answer(html: str) -> str:
    """The calendar's answer to `?at=`: who was on call then."""
    return page_text(html).split("On call at", 1)[1][:300]


def test_an_admin_edit_on_one_node_shows_on_the_other_at_the_next_request(nodes, team):
    node_a, node_b = nodes
    role = factories.RoleFactory(name="Security Lead", holder=None, contact_position=1)
    # A superuser: the managers group's permissions come from a data migration, which a
    # transactional test's flush before this one may have removed.
    manager = Browser(factories.UserFactory(username="admin", is_staff=True, is_superuser=True))
    before = page_text(manager.get(node_b, "/contacts/"))
    assert "Security Lead TBD" in before

    change = f"/admin/escalation/role/{role.pk}/change/"
    html = manager.get(node_a, change)
    data = form_data(type("Page", (), {"content": html.encode()}), models.Role)
    data["holder"] = [str(team.blair.pk)]
    status, headers, text = node_a.request("POST", change, cookies=manager.cookies, body=data)
    assert status == 302, text[:2000]

    after = page_text(manager.get(node_b, "/contacts/"))
    assert f"Security Lead {team.blair.display_name}" in after


def test_a_swap_approved_on_one_node_is_on_the_others_dashboard(nodes, team):
    node_a, node_b = nodes
    shift = _future_shift_of(team.alex, team.rotation)
    swap = file_request(team, start=shift.start, end=shift.end)
    colleague, manager = Browser(team.casey.user), Browser(team.manager)
    at = f"/oncall/?at={urllib.parse.quote((shift.start + timedelta(hours=1)).isoformat())}"
    assert "Casey Doe" not in focus_answer(manager.get(node_b, at))

    detail = f"/swaps/{swap.pk}/"
    assert colleague.post_form(node_a, detail, f"{detail}accept/")[0] == 302
    assert manager.post_form(node_b, detail, f"{detail}approve/")[0] == 302

    swap.refresh_from_db()
    assert swap.state == models.SwapState.APPROVED
    assert "Casey Doe" in focus_answer(manager.get(node_a, at))


def test_a_node_killed_in_the_middle_of_an_approval_loses_nothing(nodes, team, tmp_path):
    node_a, node_b = nodes
    shift = _future_shift_of(team.alex, team.rotation)
    swap = file_request(team, start=shift.start, end=shift.end)
    colleague, manager = Browser(team.casey.user), Browser(team.manager)
    detail = f"/swaps/{swap.pk}/"
    assert colleague.post_form(node_b, detail, f"{detail}accept/")[0] == 302
    call_command("deliver_notifications", verbosity=0)
    messages_before = models.OutgoingMessage.objects.count()
    assert not models.OutgoingMessage.objects.exclude(status=models.MessageStatus.SENT).exists()
    token = manager.csrf_token(node_a, detail)

    # Hold the data version's row: the approval writes the overrides, then waits on it.
    blocker = psycopg.connect(_database_url(), autocommit=False)
    try:
        blocker.execute(
            f"SELECT 1 FROM {models.DataVersion._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608
            [VERSION_ROW],
        )
        outcome = {}

        def approve():
            try:
                outcome["answer"] = node_a.request(
                    "POST",
                    f"{detail}approve/",
                    cookies=manager.cookies,
                    body={"csrfmiddlewaretoken": [token]},
                )
            except OSError as error:
                outcome["error"] = error

        thread = threading.Thread(target=approve)
        thread.start()
        waiting = 0
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not waiting:
            with psycopg.connect(_database_url(), autocommit=True) as probe:
                waiting = probe.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                ).fetchone()[0]
            time.sleep(0.1)
        assert waiting, "the approval never reached the data version's lock"
        node_a.kill()
        thread.join(timeout=20)
        assert "error" in outcome or outcome["answer"][0] >= 500
    finally:
        blocker.rollback()
        blocker.close()

    # Nothing of the interrupted approval is left: no override, no event, no notice.
    time.sleep(0.5)  # PostgreSQL ends the killed backend's transaction
    swap.refresh_from_db()
    assert swap.state == models.SwapState.ACCEPTED
    assert not models.Override.objects.filter(swap_request=swap).exists()
    assert not swap.events.filter(action=models.SwapAction.APPROVED).exists()
    assert models.OutgoingMessage.objects.count() == messages_before

    # The other node approves it; every notice goes out once, however often delivery runs.
    assert manager.post_form(node_b, detail, f"{detail}approve/")[0] == 302
    swap.refresh_from_db()
    assert swap.state == models.SwapState.APPROVED
    assert models.Override.objects.filter(swap_request=swap).count() == 1
    call_command("deliver_notifications", verbosity=0)
    call_command("deliver_notifications", verbosity=0)
    notices = list(models.OutgoingMessage.objects.order_by("pk"))[messages_before:]
    assert notices, "the approval sent no notice"
    assert {(notice.status, notice.attempts) for notice in notices} == {
        (models.MessageStatus.SENT, 1)
    }
    sent = [(notice.channel, notice.recipient, notice.subject, notice.body) for notice in notices]
    assert len(sent) == len(set(sent))
