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


@dataclass
class Result:
    target: Target
    load: dict[str, Any] | None = None
    queries: int | None = None
    cold_queries: int | None = None
    seed_queries: int | None = None
    reference_rps: float | None = None
    in_process_ms: float | None = None
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
        Target("dashboard", "dashboard", "/", 0.50),
        Target("severity", "severity matrix", "/severity/", 0.25),
        Target("calendar8", "calendar, 8 weeks", "/oncall/?weeks=8", 0.25),
        Target("calendar104", "calendar, 104 weeks", "/oncall/?weeks=104", 0.25),
        Target(
            "calendar104all",
            "calendar, 104 weeks, every rotation",
            "/oncall/?weeks=104&rotation=all",
            0.25,
        ),
        Target("services", f"services, search “{term}”", f"/services/?q={term}", 0.25),
        Target(
            "service",
            "service sheet",
            f"/services/{service_slug}/?severity=1&kind=technical",
            0.25,
        ),
        Target("paths", "escalation paths", "/escalation/", 0.25),
        Target("path", "escalation path", f"/escalation/{path_slug}/", 0.25),
        Target("contacts", "contacts", "/contacts/", 0.25),
        Target("channels", "channels", "/channels/", 0.25),
        Target("paging", "paging guide", "/paging/", 0.25),
        Target("swaps", "swap requests", "/swaps/", 0.25),
        Target("ics", "calendar.ics (token)", f"/oncall/calendar.ics?token={quoted}", 0.25, False),
        Target("api", "API /api/oncall/ (token)", f"/api/oncall/?token={quoted}", 0.50, False),
    ]


def display_path(path: str) -> str:
    """The path without the secret feed token."""
    return re.sub(r"token=[^&]*", "token=…", path)
