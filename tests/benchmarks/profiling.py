"""cProfile of the slowest pages (in process), summarised by stage of a request."""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable

from tests.benchmarks.knobs import BASE_DIR
from tests.benchmarks.pages import Result, display_path
from tests.benchmarks.queries import client_for


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
