"""The load runs: `loadgen.py` in its own process for each page, just after a run of the
trivial view that page is compared with."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.benchmarks.knobs import PORT, REQUESTS, THREADS, TIME_LIMIT, WARMUP, log
from tests.benchmarks.pages import Result, Target


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
