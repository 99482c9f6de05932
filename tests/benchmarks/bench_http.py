"""`make bench`: the portal at company scale, served the way production serves it.

1. Drops and recreates the PostgreSQL database `bench` (BENCH_DATABASE_URL; nothing else is
   touched), migrates it and generates a large organisation (`generate_org`: 2,000 people,
   400 services, 60 rotations, 5 years of overrides and swaps), then a manager login that is
   on call, and that user's feed token.
2. Collects the static files (outside the working tree) and starts gunicorn (2 sync workers)
   on 127.0.0.1 with production settings: DEBUG off, a random SECRET_KEY, WhiteNoise, plus
   `/bench/trivial/`, a login-required view returning "ok": the whole middleware stack and
   nothing else, the ceiling every page is compared with.
3. Logs in through the login form, then for each URL runs `loadgen.py` in its own process
   (a warm-up, then a fixed number of requests from a few threads: p50/p99, req/s), with a run
   of the trivial view just before it: a page's ratio is to that run.
4. Counts the SQL queries of a request per URL in process (Django's test client, same database
   and settings), again with the seed document instead of the large organisation (in a
   transaction rolled back), times the importer on the large organisation's document and the
   rotation engine on 10 years with 1,000 overrides, and profiles the slowest pages.
5. Prints the table and writes it, with the machine and the versions, to docs/benchmarks.md.
gunicorn is always stopped (its process group), whatever happens.

Needs PostgreSQL on 127.0.0.1:5432 reachable as `postgres` without a password (or set
BENCH_DATABASE_URL) and `node_modules/` (`make setup`). Knobs: BENCH_PORT (8118),
BENCH_REQUESTS (300), BENCH_WARMUP (20), BENCH_THREADS (4), BENCH_TIME_LIMIT (seconds per URL,
25), BENCH_PEOPLE / BENCH_SERVICES / BENCH_ROTATIONS / BENCH_YEARS, BENCH_REUSE_DB=1 (keep an
already generated `bench` database), BENCH_OUTPUT (default docs/benchmarks.md; empty: none).

    DJANGO_SETTINGS_MODULE=tests.benchmarks.settings_bench .venv/bin/python -m tests.benchmarks.bench_http
"""

from __future__ import annotations

import cProfile
import http.client
import io
import json
import os
import platform
import pstats
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
import traceback
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
PORT = env_int("BENCH_PORT", 8118)
REQUESTS = env_int("BENCH_REQUESTS", 300)
WARMUP = env_int("BENCH_WARMUP", 20)
THREADS = env_int("BENCH_THREADS", 4)
TIME_LIMIT = float(os.environ.get("BENCH_TIME_LIMIT") or 25)
REUSE_DB = os.environ.get("BENCH_REUSE_DB", "") == "1"
OUTPUT = os.environ.get("BENCH_OUTPUT", str(BASE_DIR / "docs" / "benchmarks.md"))
ORG = {
    "people": env_int("BENCH_PEOPLE", 2000),
    "services": env_int("BENCH_SERVICES", 400),
    "rotations": env_int("BENCH_ROTATIONS", 60),
    "years": env_int("BENCH_YEARS", 5),
    "seed": 1,
}
GUNICORN_LOG = Path("/tmp/escalation-portal-bench-gunicorn.log")
BENCH_USERNAME = "bench-manager"
QUERY_BUDGET = 10

# The benchmark runs with production settings; these are what production would set.
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "tests.benchmarks.settings_bench"
        ),
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("PORTAL_TESTING", None)


@dataclass
class Target:
    key: str
    label: str
    path: str
    ratio: float | None  # share of the trivial view's req/s to reach; None: the reference
    session: bool = True


@dataclass
class Result:
    target: Target
    load: dict[str, Any] | None = None
    queries: int | None = None
    cold_queries: int | None = None
    seed_queries: int | None = None
    reference_rps: float | None = None
    in_process_ms: float | None = None
    problem: str = ""
    notes: list[str] = field(default_factory=list)


def log(message: str) -> None:
    print(message, flush=True)


# --- 1. the database -------------------------------------------------------------------------


def recreate_database() -> None:
    import psycopg

    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SystemExit(f"Unexpected database name in BENCH_DATABASE_URL: {name!r}")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare_data() -> dict[str, Any]:
    from django.core.management import call_command

    from escalation.models import Person

    facts: dict[str, Any] = {}
    if REUSE_DB and _database_has_org():
        log(f"Reusing the generated organisation in {DATABASE_URL} (BENCH_REUSE_DB=1).")
        call_command("migrate", verbosity=0)
    else:
        log(f"Creating the database {DATABASE_URL} ...")
        recreate_database()
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        log(f"  migrated in {time.perf_counter() - began:.1f} s")
        out = io.StringIO()
        began = time.perf_counter()
        call_command("generate_org", flush=True, stdout=out, **ORG)
        facts["generate_seconds"] = time.perf_counter() - began
        log(out.getvalue().rstrip())
        log(f"  generate_org took {facts['generate_seconds']:.1f} s (command and all)")
    facts["people"] = Person.objects.count()
    return facts


def _database_has_org() -> bool:
    from django.db import connection
    from django.db.utils import OperationalError, ProgrammingError

    try:
        from escalation.models import Service

        return Service.objects.exists()
    except (OperationalError, ProgrammingError):
        connection.close()
        return False


def make_bench_user() -> tuple[str, str, str]:
    """A manager linked to someone on call; returns (username, password, feed token)."""
    from django.contrib.auth.models import Group, User
    from django.db import transaction

    from escalation.models import Person, RotationSlot
    from escalation.permissions import MANAGERS_GROUP
    from escalation.services.feed_tokens import feed_token_regenerate

    password = secrets.token_urlsafe(16)
    with transaction.atomic():
        user = User.objects.filter(username=BENCH_USERNAME).first()
        if user is None:
            user = User.objects.create_user(BENCH_USERNAME, f"{BENCH_USERNAME}@example.com")
        user.set_password(password)
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
        # The bench user is someone on call (the dashboard then shows "your shifts"), taking
        # over that person's generated login.
        slot = (
            RotationSlot.objects.select_related("primary")
            .filter(primary__is_active=True)
            .order_by("rotation__position", "position")
            .first()
        )
        if slot is not None and not Person.objects.filter(user=user).exists():
            slot.primary.user = user
            slot.primary.save(update_fields=["user"])
    token = feed_token_regenerate(user=user)
    return BENCH_USERNAME, password, token


def targets(token: str) -> list[Target]:
    from escalation.models import EscalationPath, PathKind, Service, Team

    team = Team.objects.order_by("name").first()
    term = (team.name.split()[0] if team else "api").lower()
    services = Service.objects.order_by("position")
    service = services.filter(rotation__isnull=False).first() or services.first()
    service_slug = service.slug if service else "missing-service"
    path = EscalationPath.objects.filter(kind=PathKind.TECHNICAL).order_by("position").first()
    path_slug = path.slug if path else "missing-path"
    quoted = urllib.parse.quote(token)
    return [
        Target("trivial", "trivial view (reference)", "/bench/trivial/", None),
        Target("dashboard", "dashboard", "/", 0.50),
        Target("severity", "severity matrix", "/severity/", 0.25),
        Target("calendar8", "calendar, 8 weeks", "/oncall/?weeks=8", 0.25),
        Target("calendar104", "calendar, 104 weeks", "/oncall/?weeks=104", 0.25),
        Target(
            "calendar104all",
            "calendar, 104 weeks, every rotation",
            "/oncall/?weeks=104&rotation=all",
            0.25,
        ),
        Target("services", f"services, search “{term}”", f"/services/?q={term}", 0.25),
        Target(
            "service",
            "service sheet",
            f"/services/{service_slug}/?severity=1&kind=technical",
            0.25,
        ),
        Target("paths", "escalation paths", "/escalation/", 0.25),
        Target("path", "escalation path", f"/escalation/{path_slug}/", 0.25),
        Target("contacts", "contacts", "/contacts/", 0.25),
        Target("channels", "channels", "/channels/", 0.25),
        Target("paging", "paging guide", "/paging/", 0.25),
        Target("swaps", "swap requests", "/swaps/", 0.25),
        Target("ics", "calendar.ics (token)", f"/oncall/calendar.ics?token={quoted}", 0.25, False),
        Target("api", "API /api/oncall/ (token)", f"/api/oncall/?token={quoted}", 0.50, False),
    ]


# --- 2. gunicorn -------------------------------------------------------------------------------


def collect_static() -> None:
    from django.conf import settings
    from django.core.management import call_command

    if not (BASE_DIR / "node_modules" / "bootstrap").is_dir():
        raise SystemExit("node_modules/ is missing: run `make setup` (npm ci) first.")
    began = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    log(
        f"Collected static files into {settings.STATIC_ROOT} in {time.perf_counter() - began:.1f} s"
    )


def port_in_use(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


def start_gunicorn() -> subprocess.Popen[bytes]:
    if port_in_use(PORT):
        raise SystemExit(f"Port {PORT} is already in use: stop that server or set BENCH_PORT.")
    gunicorn = BIN / "gunicorn"
    command = [
        str(gunicorn),
        "portal.wsgi",
        "--workers",
        "2",
        "--bind",
        f"{HOST}:{PORT}",
        "--log-level",
        "warning",
    ]
    log_file = GUNICORN_LOG.open("wb")
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=dict(os.environ),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{tail(GUNICORN_LOG)}")
        try:
            # JSON: the health check's HTML page needs a template it does not ship here.
            status, _, _ = http_get("/healthz/", Accept="application/json")
            if status == 200:
                log(f"gunicorn (pid {process.pid}, 2 workers) is serving http://{HOST}:{PORT}")
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(process)
    raise SystemExit(f"gunicorn did not answer /healthz/ in 30 s:\n{tail(GUNICORN_LOG)}")


def stop_gunicorn(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass
    log("gunicorn stopped.")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- 3. logging in -----------------------------------------------------------------------------


def http_get(path: str, **headers: str) -> tuple[int, http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def log_in(username: str, password: str) -> str:
    """The Cookie header of a logged-in session, through the real login form."""
    status, response, body = http_get("/accounts/login/")
    if status != 200:
        raise SystemExit(f"GET /accounts/login/ answered {status}")
    csrf_cookie = cookies_of(response).get("csrftoken", "")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not csrf_cookie or not match:
        raise SystemExit("The login page has no CSRF token.")
    form = urllib.parse.urlencode(
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": match.group(1).decode(),
        }
    )
    connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
    try:
        connection.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie}",
            },
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    session = cookies_of(response).get("sessionid")
    if response.status != 302 or not session:
        raise SystemExit(f"Logging in failed: {response.status}, no session cookie.")
    log(f"Logged in as {username} through /accounts/login/.")
    return f"sessionid={session}; csrftoken={csrf_cookie}"


# --- 4. load ---------------------------------------------------------------------------------


def load(target: Target, cookie: str) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).with_name("loadgen.py")),
        "--port",
        str(PORT),
        "--path",
        target.path,
        "--requests",
        str(REQUESTS),
        "--warmup",
        str(WARMUP),
        "--threads",
        str(THREADS),
        "--time-limit",
        str(TIME_LIMIT),
    ]
    if target.session:
        command += ["--cookie", cookie]
    finished = subprocess.run(
        command, capture_output=True, text=True, timeout=2 * TIME_LIMIT + 60, check=False
    )
    if finished.returncode != 0:
        raise RuntimeError(f"loadgen failed: {finished.stderr.strip()[-500:]}")
    return json.loads(finished.stdout)


def measure_load(results: list[Result], cookie: str) -> list[float]:
    """Each page, just after a run of the trivial view: its ratio is to that run, so load from
    elsewhere on the machine shifts both alike. Returns the trivial view's runs (req/s)."""
    log(
        f"\nLoad: {WARMUP} warm-up + {REQUESTS} requests per URL, {THREADS} threads,"
        f" at most {TIME_LIMIT:.0f} s each; the trivial view is run before each page"
    )
    trivial = next(r for r in results if r.target.ratio is None)
    trivial_runs: list[float] = []
    for result in results:
        if result.target.ratio is None:
            continue
        try:
            reference = load(trivial.target, cookie)
        except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as error:
            trivial.problem = f"load generator: {error}"
            break
        if set(reference["statuses"]) != {"200"}:
            trivial.problem = "HTTP " + ", ".join(
                f"{s}×{n}" for s, n in sorted(reference["statuses"].items())
            )
            break
        trivial_runs.append(reference["rps"] or 0.0)
        if trivial.load is None:
            trivial.load = reference
        result.reference_rps = reference["rps"]
        try:
            result.load = load(result.target, cookie)
        except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as error:
            result.problem = f"load generator: {error}"
            log(f"  {result.target.path}: {result.problem}")
            continue
        statuses = result.load["statuses"]
        if set(statuses) != {"200"}:
            result.problem = "HTTP " + ", ".join(f"{s}×{n}" for s, n in sorted(statuses.items()))
        if result.load["errors"]:
            result.problem += f" {result.load['errors']} errors ({result.load['first_error']})"
        if result.load["timed_out"]:
            result.notes.append(f"time limit: {result.load['requests']} requests")
        log(
            f"  {result.target.label:<34} {result.load['rps'] or 0:7.1f} req/s"
            f"  p50 {result.load['p50_ms']:7.1f} ms  p99 {result.load['p99_ms']:7.1f} ms"
            f"  (trivial just before: {reference['rps']:.0f} req/s)  {result.problem}"
        )
    if trivial.load is not None and trivial_runs:
        trivial.load = dict(trivial.load, rps=statistics.fmean(trivial_runs))
        trivial.reference_rps = trivial.load["rps"]
        trivial.notes.append(
            f"mean of {len(trivial_runs)} runs, {min(trivial_runs):.0f} to {max(trivial_runs):.0f}"
        )
    return trivial_runs


# --- 5. queries per request ------------------------------------------------------------------


def client_for(target: Target, username: str) -> Any:
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(SERVER_NAME=HOST, raise_request_exception=True)
    if target.session:
        client.force_login(User.objects.get(username=username))
    return client


def count_queries(results: list[Result], username: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    log("\nSQL queries per request (in process, same database and settings)")
    for result in results:
        path = result.target.path.split("?")[0]
        try:
            resolve(path)
        except Resolver404:
            result.problem = result.problem or "no such URL"
            log(f"  {result.target.path}: not in the URLconf")
            continue
        client = client_for(result.target, username)
        counts, times = [], []
        try:
            for _ in range(2):
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    response = client.get(result.target.path)
                    times.append((time.perf_counter() - began) * 1000)
                counts.append(len(queries))
        except Exception as error:  # noqa: BLE001 - a broken page is reported, not fatal
            result.problem = result.problem or f"{type(error).__name__}: {error}"[:120]
            log(f"  {result.target.path}: {result.problem}")
            continue
        if response.status_code != 200:
            result.problem = result.problem or f"HTTP {response.status_code}"
        result.cold_queries, result.queries = counts[0], counts[-1]
        result.in_process_ms = times[-1]
        log(
            f"  {result.target.label:<34} {result.queries:3d} queries"
            f"{'' if counts[0] == counts[-1] else f' (first request {counts[0]})'}"
            f"   {result.in_process_ms:6.1f} ms in process"
        )


def count_seed_queries(results: list[Result], username: str, token: str) -> None:
    """Each page's queries with the seed document instead of the large organisation (in a
    transaction rolled back): a page whose count differs does a query per row somewhere."""
    from django.contrib.auth.models import User
    from django.core.cache import caches
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from escalation.models import RotationSlot
    from escalation.orgdata.generate import flush_escalation_data

    try:
        from escalation.documents.importer import import_document
    except ImportError:
        log("No importer yet: queries at 1× not measured.")
        return
    seed = BASE_DIR / "escalation" / "data" / "escalation-contacts.md"
    log("\nSQL queries per request with the seed document (1×)")
    caches["default"].clear()
    try:
        with transaction.atomic():
            flush_escalation_data()
            import_document(seed.read_text(encoding="utf-8"), source=str(seed))
            slot = RotationSlot.objects.select_related("primary").order_by("position").first()
            if slot is not None:
                slot.primary.user = User.objects.get(username=username)
                slot.primary.save(update_fields=["user"])
            seed_targets = {target.key: target for target in targets(token)}
            for result in results:
                target = seed_targets.get(result.target.key)
                if target is None or result.queries is None:
                    continue
                client = client_for(target, username)
                try:
                    for _ in range(2):
                        with CaptureQueriesContext(connection) as queries:
                            client.get(target.path)
                except Exception as error:  # noqa: BLE001 - reported, not fatal
                    result.notes.append(f"at 1×: {type(error).__name__}")
                    continue
                result.seed_queries = len(queries)
                log(
                    f"  {target.label:<34} {len(queries):3d} queries  ({display_path(target.path)[:60]})"
                )
            transaction.set_rollback(True)
    except Exception as error:  # noqa: BLE001 - reported, not fatal
        log(f"  could not load the seed document: {type(error).__name__}: {error}")
    finally:
        caches["default"].clear()


# --- profiles of the slowest pages -----------------------------------------------------------


def profile(results: list[Result], username: str, count: int = 4) -> list[tuple[str, str]]:
    """Profiles of the slowest pages (in process), summarised by stage."""
    measured = [r for r in results if r.in_process_ms is not None and r.target.ratio]
    slowest = sorted(measured, key=lambda r: r.in_process_ms or 0, reverse=True)[:count]
    profiles = []
    for result in slowest:
        client = client_for(result.target, username)
        client.get(result.target.path)
        runs = 2
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            client.get(result.target.path)
        profiler.disable()
        profiles.append(
            (
                f"{result.target.label} (`{display_path(result.target.path)}`)",
                summarise_profile(profiler, runs),
            )
        )
    return profiles


#: Stages of a request: (label, does this profile entry belong to it?). The entry with the
#: largest cumulative time of each stage is its outermost call, so nothing is counted twice.
STAGES: list[tuple[str, Callable[[str, str], bool]]] = [
    ("SQL (cursor.execute)", lambda f, n: f.endswith("django/db/backends/utils.py") and n == "_execute"),
    ("template rendering", lambda f, n: f.endswith("django/template/base.py") and n == "render"),
    ("django-tables2", lambda f, n: "django_tables2/" in f),
    ("escalation selectors", lambda f, n: "escalation/selectors/" in f),
    ("rotation engine", lambda f, n: f.endswith("escalation/rotation.py")),
    ("icalendar serialisation", lambda f, n: "icalendar/" in f and n == "to_ical"),
    ("JSON encoding", lambda f, n: f.endswith("json/encoder.py") and n == "encode"),
]  # fmt: skip


def summarise_profile(profiler: cProfile.Profile, runs: int, unit: str = "request") -> str:
    stats = pstats.Stats(profiler)
    entries = [
        (filename, line, name, tt, ct)
        for (filename, line, name), (_cc, _nc, tt, ct, _callers) in stats.stats.items()  # type: ignore[attr-defined]
    ]
    total = max((ct for *_, ct in entries), default=1e-9)
    lines = [
        f"{total / runs * 1000:.0f} ms per {unit} under cProfile (which slows Python 2-3x); share:"
    ]
    for label, belongs in STAGES:
        inside = [e for e in entries if belongs(e[0], e[2])]
        if inside:
            biggest = max(inside, key=lambda e: e[4])
            lines.append(
                f"  {biggest[4] / total:5.0%}  {label:<24} ({biggest[2]}, {short_path(biggest[0])})"
            )
    portal = sorted(
        (e for e in entries if "/escalation/" in e[0] and "/selectors/" not in e[0]),
        key=lambda e: e[4],
        reverse=True,
    )[:6]
    if portal:
        lines.append("Portal code, cumulative:")
        lines += [f"  {e[4] / total:5.0%}  {e[2]} ({short_path(e[0])}:{e[1]})" for e in portal]
    lines.append("Most own time:")
    for filename, line, name, tt, _ct in sorted(entries, key=lambda e: e[3], reverse=True)[:6]:
        lines.append(f"  {tt / total:5.0%}  {name} ({short_path(filename)}:{line})")
    return "\n".join(lines)


def short_path(filename: str) -> str:
    for marker in ("site-packages/", str(BASE_DIR) + "/", "/lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


# --- importer and engine ---------------------------------------------------------------------


def time_importer() -> tuple[str, str]:
    """Import the large organisation's document into an emptied database, in a transaction
    rolled back each time. Returns the figures and a profile of one more run."""
    from django.db import transaction

    from escalation.orgdata.generate import flush_escalation_data

    try:
        from escalation.documents.importer import import_document
    except ImportError:
        return "importer: escalation.documents.importer.import_document is not there yet", ""
    document, how = escalation_document()
    services = document.split("## Service Ownership", 1)[-1].split("\n## ", 1)[0]
    service_rows = max(0, services.count("\n| ") - 1)
    times: list[float] = []
    profiler = cProfile.Profile()
    for run in range(4):
        try:
            with transaction.atomic():
                flush_escalation_data()
                began = time.perf_counter()
                if run == 3:
                    profiler.enable()
                import_document(document, source="generated.md")
                profiler.disable()
                if run < 3:
                    times.append((time.perf_counter() - began) * 1000)
                transaction.set_rollback(True)
        except Exception as failure:  # noqa: BLE001 - reported, not fatal
            profiler.disable()
            error = f"{type(failure).__name__}: {failure}"[:300]
            return f"importer: failed on the {how} document: {error}", ""
    return (
        f"importer: the {how} document of the large organisation ({len(document):,} characters,"
        f" {service_rows} services) into an empty database: min {min(times):.0f} ms, median"
        f" {statistics.median(times):.0f} ms of {len(times)} runs (target < 1000 ms)",
        summarise_profile(profiler, 1, unit="import"),
    )


def escalation_document() -> tuple[str, str]:
    """The generated organisation as the escalation document: the exporter's, or our own."""
    try:
        from escalation.documents.exporter import export_document
    except ImportError:
        return seed_format_document(), "generated Markdown"
    return export_document(), "exported"


def seed_format_document() -> str:
    """The seed document's format with every service, role and channel of the database."""
    from escalation.models import Channel, Role, Service

    rows = [
        "# Escalation Contacts",
        "",
        "## Contact Matrix by Severity",
        "",
        "| Severity | Primary Contact | Secondary Contact | Management | Communication |",
        "|----------|----------------|-------------------|------------|---------------|",
        "| **SEV1** | On-call engineer (PagerDuty) | Backend lead + Frontend lead"
        " | Engineering Manager + VP Eng | Status page + #incidents |",
        "| **SEV2** | On-call engineer (PagerDuty) | Relevant team lead | Engineering Manager"
        " | #incidents |",
        "| **SEV3** | On-call engineer (Slack) | Relevant team lead | _Not required_"
        " | #incidents-low |",
        "| **SEV4** | Team responsible for service | _Not required_ | _Not required_"
        " | Ticket only |",
        "",
        "## On-Call Rotation",
        "",
        "| Week | Primary | Secondary |",
        "|------|---------|-----------|",
        "| Odd weeks | Engineer A | Engineer B |",
        "| Even weeks | Engineer C | Engineer D |",
        "",
        "**On-call schedule:** Managed in PagerDuty",
        "**Rotation cadence:** Weekly, handoff on Monday 09:00 UTC",
        "**Override requests:** Post in #on-call-swap channel",
        "",
        "## Service Ownership",
        "",
        "| Service / Component | Team | Primary Contact | Slack Channel |",
        "|---------------------|------|-----------------|---------------|",
    ]
    for service in Service.objects.select_related("team", "primary_contact").order_by("position"):
        contact = service.primary_contact.name if service.primary_contact else "TBD"
        rows.append(
            f"| {service.name} | {service.team.name} | {contact} | {service.slack_channel} |"
        )
    rows += ["", "## Communication Channels", "", "| Channel | Purpose | Who Posts |"]
    rows.append("|---------|---------|----------|")
    for channel in Channel.objects.exclude(position=None).order_by("position"):
        name = f"`{channel.name}`" if channel.name.startswith("#") else channel.name
        rows.append(f"| {name} | {channel.purpose} | {channel.who_posts} |")
    rows += ["", "## Contact Information", ""]
    rows.append("| Role | Name | Slack | PagerDuty | Phone (emergency) |")
    rows.append("|------|------|-------|-----------|-------------------|")
    for role in Role.objects.select_related("holder").exclude(contact_position=None):
        holder = role.holder
        rows.append(
            f"| {role.name} | {holder.display_name if holder else 'TBD'} |"
            f" {role.slack_alias or 'TBD'} | {role.pagerduty_alias or 'TBD'} |"
            f" {holder.phone if holder and holder.phone else 'TBD'} |"
        )
    return "\n".join(rows) + "\n"


def time_engine() -> list[str]:
    from escalation import rotation as engine

    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    end = start + timedelta(days=3653)
    step = (end - start) / 1000
    specs = [
        engine.OverrideSpec(
            tier=engine.Tier.PRIMARY if n % 2 else engine.Tier.SECONDARY,
            person=100 + n % 17,
            start=start + step * n + timedelta(hours=5),
            end=start + step * n + timedelta(hours=5 + 24 * (1 + n % 3)),
            key=n,
        )
        for n in range(1000)
    ]
    parity = engine.Schedule(
        handoff_weekday=0,
        handoff_time=wall_time(9, 0),
        time_zone="UTC",
        shift_days=7,
        rule=engine.SlotRule.ISO_WEEK_PARITY,
        slots=(
            engine.Slot("Odd weeks", 1, 2, engine.WeekParity.ODD),
            engine.Slot("Even weeks", 3, 4, engine.WeekParity.EVEN),
        ),
    )
    alternation = engine.Schedule(
        handoff_weekday=0,
        handoff_time=wall_time(9, 0),
        time_zone="Europe/Berlin",
        shift_days=7,
        rule=engine.SlotRule.ALTERNATION,
        anchor=date(2026, 1, 5),
        slots=tuple(engine.Slot(f"Slot {n}", 10 + n, 20 + n) for n in range(3)),
    )

    def timeline(schedule: engine.Schedule) -> Callable[[], int]:
        def work() -> int:
            index = engine.OverrideIndex(specs)
            pieces = 0
            for shift in engine.shifts_between(schedule, start, end):
                for tier in engine.Tier:
                    pieces += len(engine.segments(shift, tier, index))
            return pieces

        return work

    lines = []
    for label, work in (
        ("UTC ISO-week parity", timeline(parity)),
        ("Europe/Berlin 3-slot alternation", timeline(alternation)),
    ):
        times = []
        for _ in range(7):
            began = time.perf_counter()
            pieces = work()
            times.append((time.perf_counter() - began) * 1000)
        lines.append(
            f"engine: 10 years of weekly shifts, 1,000 overrides, {label}: {pieces} segments,"
            f" min {min(times):.1f} ms, median {statistics.median(times):.1f} ms"
            " (target well under 100 ms)"
        )
    return lines


# --- 6. the table ----------------------------------------------------------------------------


def verdict(result: Result) -> tuple[str, str, str]:
    """(ratio, target, status) cells."""
    target = result.target
    if target.ratio is None:
        return "100%", "reference", "FAILED" if result.problem else ""
    if result.problem or not result.load:
        return "", f"≥{target.ratio:.0%}, ≤{QUERY_BUDGET} q", "FAILED"
    rps = result.load["rps"] or 0.0
    ratio = rps / result.reference_rps if result.reference_rps else 0.0
    misses = []
    if ratio < target.ratio:
        misses.append("speed")
    if result.queries is None or result.queries > QUERY_BUDGET:
        misses.append("queries")
    cold = result.cold_queries
    if cold is not None and cold != result.queries and cold > QUERY_BUDGET:
        misses.append("first-request queries")
    if result.seed_queries is not None and result.seed_queries != result.queries:
        misses.append("count differs at 1×")
    status = "ok" if not misses else "MISS " + "+".join(misses)
    return f"{ratio:.0%}", f"≥{target.ratio:.0%}, ≤{QUERY_BUDGET} q", status


def table(results: list[Result]) -> list[str]:
    header = (
        "| URL | page | queries | at 1× | KB | p50 ms | p99 ms | req/s | trivial req/s"
        " | ratio | target | result |"
    )
    lines = [header, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|"]
    for result in results:
        ratio, target, status = verdict(result)
        load = result.load or {}
        queries = "" if result.queries is None else str(result.queries)
        if result.cold_queries not in (None, result.queries):
            queries += f" (first {result.cold_queries})"
        note = "; ".join(filter(None, [result.problem, *result.notes]))
        path = display_path(result.target.path)
        size = f"{load['bytes'] / 1024:.0f}" if load else ""
        lines.append(
            f"| `{path}` | {result.target.label} | {queries} "
            f"| {'' if result.seed_queries is None else result.seed_queries} | {size} "
            f"| {fmt(load.get('p50_ms'))} | {fmt(load.get('p99_ms'))} | {fmt(load.get('rps'))} "
            f"| {fmt(result.reference_rps)} | {ratio} | {target} "
            f"| {status}{' — ' + note if note else ''} |"
        )
    return lines


def display_path(path: str) -> str:
    """The path without the secret feed token."""
    return re.sub(r"token=[^&]*", "token=…", path)


def fmt(value: Any) -> str:
    return "" if value is None else f"{value:.1f}"


def machine() -> dict[str, str]:
    import django
    from django.db import connection

    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgres": postgres,
        "os": platform.platform(),
    }


def report(
    results: list[Result],
    trivial_runs: list[float],
    facts: dict[str, Any],
    extra: list[str],
    profiles: list[tuple[str, str]],
) -> str:
    from escalation.models import Override, Person, Rotation, Service, SwapRequest, Team

    info = machine()
    now = datetime.now(UTC)
    org = (
        f"{Person.objects.count():,} people, {Team.objects.count()} teams, "
        f"{Service.objects.count()} services, {Rotation.objects.count()} rotations, "
        f"{Override.objects.count():,} overrides, {SwapRequest.objects.count():,} swap requests"
        f" ({ORG['years']} years of history)"
    )
    trivial = (
        f"{statistics.fmean(trivial_runs):.0f} req/s on average, {min(trivial_runs):.0f} to"
        f" {max(trivial_runs):.0f} over {len(trivial_runs)} runs"
        if trivial_runs
        else "not measured"
    )
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (`tests/benchmarks/bench_http.py`); run it again to refresh.",
        "",
        f"- Date: {now:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {info['cores']} cores, {info['cpu']}; {info['os']}",
        f"- Software: Python {info['python']}, Django {info['django']},"
        f" PostgreSQL {info['postgres']}; gunicorn with 2 sync workers, DEBUG off, WhiteNoise",
        f"- Organisation (`generate_org`, seed {ORG['seed']}): {org}",
        f"- Load: `loadgen.py` in its own process, {THREADS} threads (so p50/p99 include waiting"
        f" for one of the 2 workers), {WARMUP} warm-up then {REQUESTS} requests per URL (at most"
        f" {TIME_LIMIT:.0f} s), logged in as a manager who is on call; the feeds use the feed"
        " token and no session.",
        f'- Trivial view (`/bench/trivial/`, login required, returns "ok"): {trivial}. It runs'
        " just before each page, and a page's ratio is to that run, so load from elsewhere on"
        " the machine moves both alike. The load generator shares the 2 cores with gunicorn and"
        " PostgreSQL, which caps the trivial view most: the ratios are, if anything, flattering.",
        "- Queries: one warm request in process (Django test client, same database and"
        " settings); “first” is the first request when it differs (cold caches); “at 1×” is the"
        " same page with the seed document imported instead of the large organisation.",
        "",
        *table(results),
        *kept_notes(),
        "",
        "## Importer and engine",
        "",
        *[f"- {line}" for line in extra],
    ]
    if "generate_seconds" in facts:
        lines.append(f"- generate_org at this size: {facts['generate_seconds']:.1f} s")
    if profiles:
        lines += ["", "## Where the time goes (cProfile, in process)", ""]
        for label, text in profiles:
            lines += [f"### {label}", "", "```", text, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


#: A section written by hand in the output file, kept when the figures are rewritten.
NOTES_HEADING = "## Before and after"


def kept_notes() -> list[str]:
    """The hand-written `NOTES_HEADING` section of the current output file, if it has one."""
    if not OUTPUT or not Path(OUTPUT).exists():
        return []
    text = Path(OUTPUT).read_text(encoding="utf-8")
    if f"\n{NOTES_HEADING}\n" not in text:
        return []
    section = NOTES_HEADING + text.split(f"\n{NOTES_HEADING}\n", 1)[1].split("\n## ", 1)[0]
    return ["", *section.rstrip().splitlines()]


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    began = time.perf_counter()
    sys.path.insert(0, str(BASE_DIR))
    os.chdir(BASE_DIR)
    import django

    django.setup()
    from django.db import connections

    facts = prepare_data()
    username, password, token = make_bench_user()
    results = [Result(target) for target in targets(token)]
    collect_static()
    connections.close_all()
    server = start_gunicorn()
    try:
        cookie = log_in(username, password)
        trivial_runs = measure_load(results, cookie)
    finally:
        stop_gunicorn(server)
    count_queries(results, username)
    extra: list[str] = []
    log("")
    importer_line, importer_profile = time_importer()
    for line in [importer_line, *time_engine()]:
        log(line)
        extra.append(line)
    try:
        profiles = profile(results, username)
    except Exception:  # noqa: BLE001 - profiles are a bonus
        profiles = [("profile failed", traceback.format_exc(limit=3))]
    if importer_profile:
        profiles.append(("importer", importer_profile))
    count_seed_queries(results, username, token)
    text = report(results, trivial_runs, facts, extra, profiles)
    log("\n" + "\n".join(table(results)))
    for label, summary in profiles:
        log(f"\n{label}:\n{summary}")
    if OUTPUT:
        Path(OUTPUT).parent.mkdir(parents=True, exist_ok=True)
        Path(OUTPUT).write_text(text, encoding="utf-8")
        log(f"\nWrote {OUTPUT}")
    log(f"make bench took {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
