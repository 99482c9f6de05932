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

from tests.benchmarks.knobs import DURATION, MIXED_ADDRESSES, MODES, ORG, OUTPUT, log
from tests.benchmarks.pages import ColdTime, Result, display_path
from tests.benchmarks.sizes import RUNS, WARM_UPS
from tests.benchmarks.wrk import CONNECTIONS

QUERY_BUDGET = 10


MIXED_TARGET = 0.25
MODE_TITLES = {
    "hot": "Hot: the same address over and over, the cache on",
    "cold": "Cold: the cache off (`CACHE_URL=dummycache://`), every request computed",
}


def ratio_of(run: dict[str, Any]) -> float:
    return (run.get("rps") or 0.0) / run["reference_rps"] if run.get("reference_rps") else 0.0


def verdict(result: Result, mode: str) -> tuple[str, str, str]:
    """(ratio, target, status) cells of one mode."""
    target = result.target
    run = result.modes.get(mode)
    if target.ratio is None:
        return "100%", "reference", "FAILED" if result.problem else ""
    wanted = target.ratio if mode == "hot" else target.cold_ratio
    wanted_text = "" if wanted is None else f"≥{wanted:.0%}"
    if mode == "hot":
        wanted_text += f", ≤{QUERY_BUDGET} q"
    if result.problem or not run or run.get("problem") or "rps" not in run:
        return "", wanted_text, "FAILED"
    ratio = ratio_of(run)
    misses = []
    if wanted is not None and ratio < wanted:
        misses.append("speed")
    if mode == "hot":
        if result.queries is None or result.queries > QUERY_BUDGET:
            misses.append("queries")
        cold = result.cold_queries
        if cold is not None and cold != result.queries and cold > QUERY_BUDGET:
            misses.append("first-request queries")
        if result.seed_queries is not None and result.seed_queries != result.queries:
            misses.append("count differs at 1×")
    status = "ok" if not misses else "MISS " + "+".join(misses)
    return f"{ratio:.1%}" if ratio < 0.1 else f"{ratio:.0%}", wanted_text, status


def table(results: list[Result], mode: str = "hot") -> list[str]:
    header = (
        "| URL | page | queries | at 1× | KB | p50 ms | p99 ms | req/s | trivial req/s"
        " | ratio | target | result |"
    )
    lines = [header, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|"]
    for result in results:
        ratio, target, status = verdict(result, mode)
        run = result.modes.get(mode) or {}
        queries = "" if result.queries is None else str(result.queries)
        if mode == "hot" and result.cold_queries not in (None, result.queries):
            queries += f" (first {result.cold_queries})"
        if mode == "cold":
            # Every request computes its page: what the first request of the hot mode costs.
            queries = "" if result.cold_queries is None else str(result.cold_queries)
        note = "; ".join(filter(None, [result.problem, run.get("problem"), run.get("note")]))
        path = display_path(result.target.path)
        size = f"{run['bytes'] / 1024:.0f}" if run.get("bytes") is not None else ""
        lines.append(
            f"| `{path}` | {result.target.label} | {queries} "
            f"| {'' if result.seed_queries is None else result.seed_queries} | {size} "
            f"| {fmt(run.get('p50_ms'))} | {fmt(run.get('p99_ms'))} | {fmt(run.get('rps'))} "
            f"| {fmt(run.get('reference_rps'))} | {ratio} | {target} "
            f"| {status}{' — ' + note if note else ''} |"
        )
    return lines


def mixed_table(mixed: dict[str, Any] | None) -> list[str]:
    if not mixed:
        return ["Not measured."]
    ratio = ratio_of(mixed)
    status = "FAILED" if mixed.get("problem") else ("ok" if ratio >= MIXED_TARGET else "MISS")
    return [
        "| addresses | requests | p50 ms | p99 ms | req/s | trivial req/s | ratio | target"
        " | result |",
        "|--:|--:|--:|--:|--:|--:|--:|---|---|",
        f"| {mixed['addresses']} | {mixed['requests']} | {fmt(mixed['p50_ms'])}"
        f" | {fmt(mixed['p99_ms'])} | {fmt(mixed['rps'])} | {fmt(mixed['reference_rps'])}"
        f" | {ratio:.0%} | ≥{MIXED_TARGET:.0%} | {status}"
        f"{' — ' + mixed['problem'] if mixed.get('problem') else ''} |",
    ]


def mode_tables(results: list[Result], mixed: dict[str, Any] | None) -> list[str]:
    lines: list[str] = []
    for mode in MODES:
        title = MODE_TITLES.get(mode)
        if mode == "mixed":
            lines += ["", "### Mixed: distinct addresses in a fixed order, the cache on", ""]
            lines += mixed_table(mixed)
        elif title:
            lines += ["", f"### {title}", "", *table(results, mode)]
    return lines


#: How many times a page whose output does not grow with the company (`Target.flat`) may cost,
#: computed, at the large organisation against the seed document.
SIZE_TARGET = 2.0
SIZE_TITLE = "Size: cold time at the large organisation against the seed document (in process)"


def size_verdict(result: Result) -> tuple[str, str]:
    """(ratio, status) cells of a flat page: its wall time decides, what a reader waits for."""
    large, seed = result.large_cold, result.seed_cold
    if large is None or seed is None or seed.wall_ms <= 0:
        return "", "FAILED"
    ratio = large.wall_ms / seed.wall_ms
    cpu = f" (CPU {large.cpu_ms / seed.cpu_ms:.2f}×)" if seed.cpu_ms > 0 else ""
    return f"{ratio:.2f}×{cpu}", "ok" if ratio <= SIZE_TARGET else "MISS"


def size_section(results: list[Result]) -> list[str]:
    """The flat pages' cold time at both sizes, under its own heading."""
    lines = [
        "",
        f"### {SIZE_TITLE}",
        "",
        "Each page computed (a dummy cache), in process with Django's test client: the median of"
        f" {RUNS} requests after {WARM_UPS} warm-ups, wall ms with the CPU ms of the process in"
        " brackets; at"
        " 1× the seed document is imported instead of the large organisation (in a transaction"
        " rolled back). The ratio is of the wall times.",
        "",
        f"| page | ms at 1× | ms at large | ratio | target (≤{SIZE_TARGET:g}×) | result |",
        "|---|--:|--:|--:|---|---|",
    ]
    for result in results:
        if not result.target.flat:
            continue
        ratio, status = size_verdict(result)
        note = f" — {result.size_problem}" if result.size_problem else ""
        lines.append(
            f"| {result.target.label} | {cold_cell(result.seed_cold)}"
            f" | {cold_cell(result.large_cold)} | {ratio} | ≤{SIZE_TARGET:g}× | {status}{note} |"
        )
    return lines


def cold_cell(cold: ColdTime | None) -> str:
    return "" if cold is None else f"{cold.wall_ms:.1f} ({cold.cpu_ms:.1f})"


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
    mixed: dict[str, Any] | None = None,
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
        f"- Load: `wrk -t1 -c{CONNECTIONS}` for {DURATION:.0f} s per URL and mode (the mixed run"
        f" {2 * DURATION:.0f} s), logged in as a manager who is on call; the feeds use the feed"
        " token and no session. Modes: hot (the same address over and over, the cache on),"
        f" mixed ({MIXED_ADDRESSES} distinct addresses in a fixed pseudo-random order: service"
        " sheets for service × severity × kind, `/api/oncall/?at=` over two years,"
        " `/oncall/?start=` dates, service searches and the main pages; the cache on), cold"
        " (a second gunicorn with `CACHE_URL=dummycache://`).",
        f'- Trivial view (`/bench/trivial/`, login required, returns "ok"): {trivial}. It runs'
        " just before each page and before the mixed run, and a ratio is to that run, so load"
        " from elsewhere on the machine moves both alike.",
        "- Queries: one warm request in process (Django test client, same database and"
        " settings); “first” is the first request when it differs (cold caches); “at 1×” is the"
        " same page with the seed document imported instead of the large organisation.",
        *mode_tables(results, mixed),
        *size_section(results),
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
    body = text.split(f"\n{NOTES_HEADING}\n", 1)[1].split("\n## ", 1)[0]
    section = f"{NOTES_HEADING}\n{body}"
    return ["", *section.rstrip().splitlines()]


def write_report(text: str) -> None:
    """The report into OUTPUT; an empty BENCH_OUTPUT writes nothing."""
    if OUTPUT:
        Path(OUTPUT).parent.mkdir(parents=True, exist_ok=True)
        Path(OUTPUT).write_text(text, encoding="utf-8")
        log(f"\nWrote {OUTPUT}")
