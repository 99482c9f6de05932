"""The load runs, with `wrk`: each page just after a run of the trivial view that page is
compared with (hot: the same address over and over, the cache on; cold: the same with the
cache off), and the mixed run (a few thousand distinct addresses in a fixed order, the cache
on), also just after the trivial view."""

from __future__ import annotations

import statistics
import subprocess
from typing import Any

from tests.benchmarks import wrk
from tests.benchmarks.knobs import DURATION, log
from tests.benchmarks.pages import Result


def _problem(load: dict[str, Any]) -> str:
    parts = []
    if not load["requests"]:
        parts.append(f"no answer within {DURATION:.0f} s")
    if load["non_2xx"]:
        parts.append(f"{load['non_2xx']} answers not 2xx")
    if load["errors"]:
        parts.append(f"{load['errors']} socket errors")
    return ", ".join(parts)


def measure_load(results: list[Result], cookie: str, mode: str) -> list[float]:
    """Each page in `mode`, just after a run of the trivial view: its ratio is to that run, so
    load from elsewhere on the machine shifts both alike. Returns the trivial view's runs."""
    log(
        f"\nLoad, {mode}: wrk -t1 -c{wrk.CONNECTIONS}, {DURATION:.0f} s per URL;"
        " the trivial view is run before each page"
    )
    trivial = next(r for r in results if r.target.ratio is None)
    runs: list[float] = []
    for result in results:
        if result.target.ratio is None:
            continue
        try:
            reference = wrk.run([trivial.target.path], cookie)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            trivial.problem = f"wrk: {error}"
            break
        if _problem(reference):
            trivial.problem = _problem(reference)
            break
        runs.append(reference["rps"])
        try:
            load = wrk.run([result.target.path], cookie if result.target.session else "")
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            result.modes[mode] = {"problem": f"wrk: {error}", "reference_rps": reference["rps"]}
            log(f"  {result.target.path}: wrk: {error}")
            continue
        result.modes[mode] = {**load, "reference_rps": reference["rps"], "problem": _problem(load)}
        log(
            f"  {result.target.label:<36} {load['rps']:7.1f} req/s  p50 {load['p50_ms']:7.1f} ms"
            f"  p99 {load['p99_ms']:7.1f} ms  (trivial just before: {reference['rps']:.0f} req/s)"
            f"  {_problem(load)}"
        )
    if runs:
        trivial.modes[mode] = {
            "rps": statistics.fmean(runs),
            "reference_rps": statistics.fmean(runs),
            "problem": "",
            "note": f"mean of {len(runs)} runs, {min(runs):.0f} to {max(runs):.0f}",
        }
    return runs


def measure_mixed(trivial: Result, paths: list[str], cookie: str) -> dict[str, Any]:
    """The mixed run (cache on), just after a run of the trivial view; twice as long as the
    others, so that most addresses are asked for at least once."""
    log(f"\nLoad, mixed: {len(paths)} distinct addresses in a fixed order, cache on")
    reference = wrk.run([trivial.target.path], cookie)
    load = wrk.run(paths, cookie, duration=2 * DURATION)
    mixed = {**load, "reference_rps": reference["rps"], "addresses": len(paths)}
    mixed["problem"] = _problem(load)
    log(
        f"  mixed {load['rps']:7.1f} req/s  p50 {load['p50_ms']:7.1f} ms  p99"
        f" {load['p99_ms']:7.1f} ms  (trivial just before: {reference['rps']:.0f} req/s)"
        f"  {mixed['problem']}"
    )
    return mixed
