"""Test data for the on-call pages: the seed's rotation built with factories.

The escalation document's rotation: weekly, handoff Monday 09:00 UTC, ISO week parity, odd
weeks Engineer A (primary) and B (secondary), even weeks Engineer C and D.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from escalation import models
from tests import factories

# Thursday of ISO week 48 of 2026 (even): Engineer C and D.
THURSDAY_EVEN_WEEK = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LAST_SECOND_OF_EVEN_WEEK = datetime(2026, 11, 30, 8, 59, 59, tzinfo=UTC)
HANDOFF_TO_ODD_WEEK = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)


@dataclass
class SeedRotation:
    rotation: models.Rotation
    a: models.Person
    b: models.Person
    c: models.Person
    d: models.Person


def seed_rotation(*, people_suffix: str = "", **rotation_fields) -> SeedRotation:
    people = {
        letter: factories.PersonFactory(
            display_name=f"Engineer {letter}{people_suffix}",
            email=f"engineer.{letter.lower()}{people_suffix}@example.com",
            slack_handle=f"@engineer-{letter.lower()}{people_suffix}",
            pagerduty_handle=f"@pd-engineer-{letter.lower()}{people_suffix}",
            phone=f"+4420794600{ord(letter) - 60:02d}",
        )
        for letter in "ABCD"
    }
    fields = {
        "name": "On-call rotation",
        "slug": "on-call",
        "schedule_note": "Managed in PagerDuty",
    }
    fields.update(rotation_fields)
    rotation = factories.RotationFactory(
        pairs=[(people["A"], people["B"]), (people["C"], people["D"])], **fields
    )
    return SeedRotation(rotation=rotation, **{k.lower(): v for k, v in people.items()})


def many_overrides(rotation: models.Rotation, *, count: int, start: datetime) -> None:
    """`count` one-day overrides, alternating tiers, none overlapping within a tier."""
    cover = factories.PersonFactory(display_name=f"Busy Coverer of {rotation.name}")
    models.Override.objects.bulk_create(
        models.Override(
            rotation=rotation,
            tier=models.OnCallTier.PRIMARY if n % 2 == 0 else models.OnCallTier.SECONDARY,
            person=cover,
            start=start + timedelta(days=n // 2, hours=1),
            end=start + timedelta(days=n // 2, hours=20),
            reason="Load",
        )
        for n in range(count)
    )
