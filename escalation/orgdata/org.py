"""The organisation under way: its size, its one random source, the instants its history hangs
off, the rows already written that later topics refer to, and the counts reported at the end.

Each topic module (`people`, `directory`, `rotations`, `history`) takes a `GeneratedOrg` and adds
its rows. The same seed gives the same organisation only because every choice comes from
`GeneratedOrg.rng`, drawn in the same order: `generate.generate_org` runs the topics in a fixed
sequence, and a change to what one topic draws changes everything generated after it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import models

from escalation.models import (
    Channel,
    EscalationPath,
    Person,
    Role,
    Rotation,
    RotationSlot,
    Service,
    Severity,
    Team,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BATCH_SIZE = 1000


@dataclass
class OrgSize:
    people: int
    services: int
    rotations: int
    years: int
    teams: int


class GeneratedOrg:
    # people.make_teams, make_people, make_roles
    domains: list[str]
    teams: list[Team]
    team_zone: dict[int, str]
    people: list[Person]
    by_pk: dict[int, Person]
    members: dict[int, list[Person]]
    active: list[Person]
    org_roles: dict[str, Role]
    team_lead: dict[int, Role]
    team_roles: dict[int, list[Role]]
    roles: list[Role]
    managers: list[User]
    # directory.make_channels, make_severities, make_services, make_paths
    channels: dict[str, Channel]
    severities: dict[int, Severity]
    services: list[Service]
    paths: list[EscalationPath]
    # rotations.make_rotations
    rotations: list[Rotation]
    team_rotation: dict[int, Rotation]
    slots: dict[int, list[RotationSlot]]

    def __init__(self, *, size: OrgSize, seed: int, today: date) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.today = today
        monday = today - timedelta(days=today.weekday())
        self.now = datetime.combine(today, time(12, 0), tzinfo=UTC)
        self.until = datetime.combine(monday, time(0, 0), tzinfo=UTC) + timedelta(weeks=26)
        self.since = self.until - timedelta(days=round(365.25 * size.years))
        self.counts: dict[str, int] = {}

    def count(self, name: str, rows: Sequence[Any]) -> None:
        self.counts[name] = self.counts.get(name, 0) + len(rows)


def bulk(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
