"""Pages whose output does not grow with the company (`Target.flat`: the paging guide, the
severity matrix, one escalation path, one service sheet, the JSON API) must cost about the same
at any size. Each is timed computed (the cache off), in process with Django's test client: at
the large organisation, then with the seed document inside `queries.seed_organisation`, so no
second database is needed. The report compares the two (`report.size_section`)."""

from __future__ import annotations

import statistics
import time

from tests.benchmarks.knobs import log
from tests.benchmarks.pages import ColdTime, Result, Target
from tests.benchmarks.queries import client_for

#: Requests before the timed ones, which fill the process's own memos (the URL resolver's,
#: the templates'), as in a gunicorn worker that has served a few pages.
WARM_UPS = 2
#: Requests timed per page and size; the median is kept.
RUNS = 15
#: Every request computes its page, as on the cold gunicorn (`CACHE_URL=dummycache://`).
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def time_cold(target: Target, username: str) -> ColdTime:
    """The median wall and CPU time of `target`'s request with the cache off."""
    from django.test import override_settings

    client = client_for(target, username)
    walls, cpus = [], []
    with override_settings(CACHES=NO_CACHE):
        for run in range(WARM_UPS + RUNS):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(target.path)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}")
            if run >= WARM_UPS:
                walls.append(wall * 1000)
                cpus.append(cpu * 1000)
    return ColdTime(wall_ms=statistics.median(walls), cpu_ms=statistics.median(cpus))


def time_flat_pages(
    results: list[Result], username: str, seed_targets: dict[str, Target] | None = None
) -> None:
    """Each flat page's cold time at the large organisation or, given the seed document's
    targets (inside `seed_organisation`), at the seed document."""
    size = "the large organisation" if seed_targets is None else "the seed document (1×)"
    log(f"\nCold time in process, cache off, at {size} (median of {RUNS} requests)")
    for result in results:
        if not result.target.flat:
            continue
        target = result.target if seed_targets is None else seed_targets.get(result.target.key)
        if target is None:
            continue
        try:
            cold = time_cold(target, username)
        except Exception as error:  # noqa: BLE001 - a broken page is reported, not fatal
            where = "large" if seed_targets is None else "1×"
            result.size_problem = f"at {where}: {type(error).__name__}: {error}"[:120]
            log(f"  {target.label:<34} {result.size_problem}")
            continue
        if seed_targets is None:
            result.large_cold = cold
        else:
            result.seed_cold = cold
        log(f"  {target.label:<34} {cold.wall_ms:7.1f} ms  ({cold.cpu_ms:.1f} ms CPU)")
