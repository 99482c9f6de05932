"""The report: the table of each page's figures against its targets, the machine and the
versions, as Markdown written to BENCH_OUTPUT (docs/benchmarks.md), whose hand-written notes
section it keeps."""

from __future__ import annotations

import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.benchmarks.knobs import ORG, OUTPUT, REQUESTS, THREADS, TIME_LIMIT, WARMUP, log
from tests.benchmarks.pages import Result, display_path

QUERY_BUDGET = 10


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


def write_report(text: str) -> None:
    """The report into OUTPUT; an empty BENCH_OUTPUT writes nothing."""
    if OUTPUT:
        Path(OUTPUT).parent.mkdir(parents=True, exist_ok=True)
        Path(OUTPUT).write_text(text, encoding="utf-8")
        log(f"\nWrote {OUTPUT}")
