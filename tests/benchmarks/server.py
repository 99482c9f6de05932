"""gunicorn serving the portal as production does, and logging in through its login form.

Static files are collected first (WhiteNoise serves them); gunicorn runs in its own process
group, so `stop_gunicorn` stops its workers too.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from tests.benchmarks.knobs import BASE_DIR, BIN, GUNICORN_LOG, HOST, PORT, log


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


def start_gunicorn(cache_url: str | None = None) -> subprocess.Popen[bytes]:
    """gunicorn with the production settings; with `cache_url`, that cache (say, none)."""
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
        env={**os.environ, **({"CACHE_URL": cache_url} if cache_url else {})},
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{tail(GUNICORN_LOG)}")
        try:
            # JSON: the health check's HTML page needs a template it does not ship here. With
            # no cache at all, the health check fails by design: the login page says it serves.
            probe = "/accounts/login/" if cache_url == "dummycache://" else "/healthz/"
            status, _, _ = http_get(probe, Accept="application/json")
            if status == 200:
                log(
                    f"gunicorn (pid {process.pid}, 2 workers) is serving http://{HOST}:{PORT}"
                    f"{f' with CACHE_URL={cache_url}' if cache_url else ''}"
                )
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(process)
    raise SystemExit(f"gunicorn did not answer in 30 s:\n{tail(GUNICORN_LOG)}")


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
