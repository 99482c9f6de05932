"""Load from `wrk` (a Debian package: `apt-get install wrk`), a C load generator that leaves
the CPU to the server: one thread, 8 connections, for a fixed time per run, cycling through
the addresses given in their order (one address: the same one over and over)."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.benchmarks.knobs import DURATION, HOST, PORT

WRK_MISSING = (
    "wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk`, "
    "then run `make bench` again."
)
CONNECTIONS = 8

#: The script: the addresses in order, the session cookie, and a JSON line at the end.
SCRIPT = """
local paths = {%(paths)s}
local cookie = %(cookie)s
local i = 0
request = function()
  i = i %% #paths + 1
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("GET", paths[i], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "non_2xx": %%d,'
    .. ' "errors": %%d, "p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def settle() -> None:
    """Wait until the server has answered what wrk left in flight when it stopped (up to one
    request per connection), so that the next run starts on an idle server."""
    for _ in range(CONNECTIONS):
        connection = http.client.HTTPConnection(HOST, PORT, timeout=120)
        try:
            connection.request("GET", "/accounts/login/")
            connection.getresponse().read()
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(WRK_MISSING)
    return found


def run(paths: list[str], cookie: str = "", duration: float | None = None) -> dict[str, Any]:
    """Requests per second, p50/p99 (ms), non-2xx answers and errors of one run."""
    seconds = max(1, round(duration or DURATION))
    script = SCRIPT % {
        "paths": ", ".join(lua_string(path) for path in paths),
        "cookie": lua_string(cookie),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        finished = subprocess.run(
            [
                require_wrk(),
                "-t1",
                f"-c{CONNECTIONS}",
                f"-d{seconds}s",
                "--timeout",
                "30s",
                "-s",
                file.name,
                f"http://{HOST}:{PORT}{paths[0]}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    finally:
        Path(file.name).unlink(missing_ok=True)
    settle()
    match = re.search(r"^WRK-JSON (\{.*\})$", finished.stdout, re.MULTILINE)
    if finished.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed: {(finished.stderr or finished.stdout).strip()[-500:]}")
    raw = json.loads(match.group(1))
    elapsed = raw["duration_us"] / 1e6 or 1e-9
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / elapsed,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "bytes": raw["bytes"] / max(raw["requests"], 1),
        "non_2xx": raw["non_2xx"],
        "errors": raw["errors"],
    }
