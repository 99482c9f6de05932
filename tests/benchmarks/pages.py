"""The pages the benchmark measures (`Target`), and what it records of each (`Result`)."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Target:
    key: str
    label: str
    path: str
    ratio: float | None  # share of the trivial view's req/s to reach; None: the reference
    session: bool = True
    #: The share to reach with the cache off (`CACHE_URL=dummycache://`).
    cold_ratio: float | None = None
    #: The page's output does not grow with the company (one path, one sheet, the matrix...):
    #: computed, it must cost about the same at the large organisation as at the seed document.
    flat: bool = False


@dataclass(frozen=True)
class ColdTime:
    """One page computed in process with the cache off: median milliseconds per request."""

    wall_ms: float
    #: `time.process_time()`: the Python side alone, without waiting for PostgreSQL.
    cpu_ms: float


@dataclass
class Result:
    target: Target
    #: Per mode ("hot", "cold"): wrk's figures for the page and the trivial view's req/s just
    #: before it ("reference_rps").
    modes: dict[str, dict[str, Any]] = field(default_factory=dict)
    queries: int | None = None
    cold_queries: int | None = None
    seed_queries: int | None = None
    in_process_ms: float | None = None
    #: A `flat` page's cold time at the large organisation and with the seed document.
    large_cold: ColdTime | None = None
    seed_cold: ColdTime | None = None
    size_problem: str = ""
    problem: str = ""
    notes: list[str] = field(default_factory=list)


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
        Target("dashboard", "dashboard", "/", 0.50, cold_ratio=0.1),
        Target("severity", "severity matrix", "/severity/", 0.25, cold_ratio=0.25, flat=True),
        Target("calendar8", "calendar, 8 weeks", "/oncall/?weeks=8", 0.25, cold_ratio=0.1),
        Target("calendar104", "calendar, 104 weeks", "/oncall/?weeks=104", 0.25, cold_ratio=0.03),
        Target(
            "calendar104all",
            "calendar, 104 weeks, every rotation",
            "/oncall/?weeks=104&rotation=all",
            0.25,
            cold_ratio=0.03,
        ),
        Target(
            "services", f"services, search “{term}”", f"/services/?q={term}", 0.25, cold_ratio=0.1
        ),
        Target(
            "service",
            "service sheet",
            f"/services/{service_slug}/?severity=1&kind=technical",
            0.25,
            cold_ratio=0.25,
            flat=True,
        ),
        Target("paths", "escalation paths", "/escalation/", 0.25, cold_ratio=0.1),
        Target(
            "path",
            "escalation path",
            f"/escalation/{path_slug}/",
            0.25,
            cold_ratio=0.25,
            flat=True,
        ),
        Target("contacts", "contacts", "/contacts/", 0.25, cold_ratio=0.1),
        Target("channels", "channels", "/channels/", 0.25, cold_ratio=0.25),
        Target("paging", "paging guide", "/paging/", 0.25, cold_ratio=0.25, flat=True),
        Target("swaps", "swap requests", "/swaps/", 0.25, cold_ratio=0.1),
        Target(
            "ics",
            "calendar.ics (token)",
            f"/oncall/calendar.ics?token={quoted}",
            0.25,
            False,
            cold_ratio=0.02,
        ),
        Target(
            "api",
            "API /api/oncall/ (token)",
            f"/api/oncall/?token={quoted}",
            0.50,
            False,
            cold_ratio=0.25,
            flat=True,
        ),
    ]


def display_path(path: str) -> str:
    """The path without the secret feed token."""
    return re.sub(r"token=[^&]*", "token=…", path)


def mixed_paths(token: str, count: int, seed: int = 1) -> list[str]:
    """`count` distinct addresses in a fixed pseudo-random order: service sheets (every service
    × severity × kind of path), `/api/oncall/?at=` instants over two years, `/oncall/?start=`
    dates, service searches, and the main pages."""
    import random
    from datetime import UTC, datetime, timedelta

    from escalation.models import PathKind, Service, Severity, Team

    chooser = random.Random(seed)
    quoted = urllib.parse.quote(token)
    sheets = [
        f"/services/{slug}/?severity={level}&kind={kind}"
        for slug in Service.objects.order_by("position").values_list("slug", flat=True)
        for level in Severity.objects.order_by("level").values_list("level", flat=True)
        for kind in PathKind.values
    ]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    instants = [
        f"/api/oncall/?at={(start + timedelta(hours=hours)):%Y-%m-%dT%H:%M:%SZ}&token={quoted}"
        for hours in range(0, 2 * 365 * 24, 3)
    ]
    dates = [f"/oncall/?start={(start + timedelta(days=day)):%Y-%m-%d}" for day in range(730)]
    words = sorted({word.lower() for name in Team.objects.values_list("name", flat=True)
                    for word in name.split() if len(word) > 2})  # fmt: skip
    searches = [f"/services/?q={urllib.parse.quote(word)}" for word in words]
    main = [target.path for target in targets(token) if target.ratio is not None]
    shares = [(sheets, 0.5), (instants, 0.25), (dates, 0.15)]
    chosen = list(main) + searches
    for addresses, share in shares:
        chosen += chooser.sample(addresses, min(len(addresses), int(count * share)))
    chosen = list(dict.fromkeys(chosen))
    # Topped up with more service sheets, the most numerous addresses.
    taken = set(chosen)
    unused = [sheet for sheet in sheets if sheet not in taken]
    chosen += chooser.sample(unused, max(0, min(len(unused), count - len(chosen))))
    chosen = chosen[:count]
    chooser.shuffle(chosen)
    return chosen
