"""`make bench`: the portal at company scale, served the way production serves it.

1. Drops and recreates the PostgreSQL database `bench` (BENCH_DATABASE_URL; nothing else is
   touched), migrates it and generates a large organisation (`generate_org`: 2,000 people,
   400 services, 60 rotations, 5 years of overrides and swaps), then a manager login that is
   on call, and that user's feed token.
2. Collects the static files (outside the working tree) and starts gunicorn (2 sync workers)
   on 127.0.0.1 with production settings: DEBUG off, a random SECRET_KEY, WhiteNoise, plus
   `/bench/trivial/`, a login-required view returning "ok": the whole middleware stack and
   nothing else, the ceiling every page is compared with.
3. Logs in through the login form, then measures three modes with `wrk` (`-t1 -c8`, a fixed
   time per run), each against a run of the trivial view just before: *hot* (each URL over and
   over, the cache on), *mixed* (a few thousand distinct addresses in a fixed order, the cache
   on) and *cold* (each URL again, on a gunicorn started with `CACHE_URL=dummycache://`).
4. Counts the SQL queries of a request per URL in process (Django's test client, same database
   and settings), again with the seed document instead of the large organisation (in a
   transaction rolled back), times the importer on the large organisation's document and the
   rotation engine on 10 years with 1,000 overrides, and profiles the slowest pages. The pages
   whose output does not grow with the company (paging guide, severity matrix, one escalation
   path, one service sheet, the JSON API: `Target.flat`) are timed in process with the cache
   off at the large organisation, then with the seed document in that same rolled-back
   transaction: computed, each must cost at most twice as much at the large size.
5. Prints the tables and writes them, with the machine and the versions, to docs/benchmarks.md.
gunicorn is always stopped (its process group), whatever happens.

This module runs the stages in order; each lives in its own module of tests/benchmarks:
`database` (1), `server` (2, and logging in), `load_runs` and `wrk` (3), `queries`, `sizes`,
`timings` and `profiling` (4), `report` (5). `pages` lists the URLs measured; `knobs` reads the
settings below.

Needs PostgreSQL on 127.0.0.1:5432 reachable as `postgres` without a password (or set
BENCH_DATABASE_URL) and `node_modules/` (`make setup`). Knobs: BENCH_PORT (8118),
BENCH_DURATION (seconds per run, 10), BENCH_MODES (hot,mixed,cold), BENCH_MIXED_ADDRESSES
(4000), BENCH_PEOPLE / BENCH_SERVICES / BENCH_ROTATIONS / BENCH_YEARS, BENCH_REUSE_DB=1 (keep an
already generated `bench` database), BENCH_OUTPUT (default docs/benchmarks.md; empty: none).

    DJANGO_SETTINGS_MODULE=tests.benchmarks.settings_bench .venv/bin/python -m tests.benchmarks.bench_http
"""

from __future__ import annotations

import os
import sys
import time
import traceback

from tests.benchmarks.database import make_bench_user, prepare_data
from tests.benchmarks.knobs import BASE_DIR, MIXED_ADDRESSES, MODES, log
from tests.benchmarks.load_runs import measure_load, measure_mixed
from tests.benchmarks.pages import Result, mixed_paths, targets
from tests.benchmarks.profiling import profile
from tests.benchmarks.queries import count_queries, count_seed_queries, seed_organisation
from tests.benchmarks.report import mode_tables, report, size_section, write_report
from tests.benchmarks.server import collect_static, log_in, start_gunicorn, stop_gunicorn
from tests.benchmarks.sizes import time_flat_pages
from tests.benchmarks.timings import time_engine, time_importer
from tests.benchmarks.wrk import require_wrk


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
    mixed_addresses = mixed_paths(token, MIXED_ADDRESSES) if "mixed" in MODES else []
    require_wrk()
    collect_static()
    trivial_runs: list[float] = []
    mixed = None
    if {"hot", "mixed"} & set(MODES):
        connections.close_all()
        server = start_gunicorn()
        try:
            cookie = log_in(username, password)
            if "hot" in MODES:
                trivial_runs += measure_load(results, cookie, "hot")
            if "mixed" in MODES:
                mixed = measure_mixed(results[0], mixed_addresses, cookie)
        finally:
            stop_gunicorn(server)
    if "cold" in MODES:
        connections.close_all()
        server = start_gunicorn(cache_url="dummycache://")
        try:
            cookie = log_in(username, password)
            trivial_runs += measure_load(results, cookie, "cold")
        finally:
            stop_gunicorn(server)
    count_queries(results, username)
    time_flat_pages(results, username)
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
    with seed_organisation(username, token) as seed_targets:
        if seed_targets is not None:
            count_seed_queries(results, username, seed_targets)
            time_flat_pages(results, username, seed_targets)
    text = report(results, trivial_runs, facts, extra, profiles, mixed)
    log("\n" + "\n".join([*mode_tables(results, mixed), *size_section(results)]))
    for label, summary in profiles:
        log(f"\n{label}:\n{summary}")
    write_report(text)
    log(f"make bench took {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
