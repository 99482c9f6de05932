"""Test data for the swap pages and services: the seed's rotation, with logins.

Weekly, handoff Monday 09:00 UTC, ISO week parity: odd weeks Alex (primary) and Blair
(secondary), even weeks Casey and Drew. Tests run at NOW, Wednesday of ISO week 2 of 2026
(even: Casey and Drew on call), so week 3 (odd) is Alex's and Blair's, week 4 Casey's and Drew's.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from escalation import models
from escalation.services import swaps as service
from tests import factories

NOW = datetime(2026, 1, 7, 12, 0, tzinfo=UTC)
WEEK_2 = (datetime(2026, 1, 5, 9, tzinfo=UTC), datetime(2026, 1, 12, 9, tzinfo=UTC))
WEEK_3 = (datetime(2026, 1, 12, 9, tzinfo=UTC), datetime(2026, 1, 19, 9, tzinfo=UTC))
WEEK_4 = (datetime(2026, 1, 19, 9, tzinfo=UTC), datetime(2026, 1, 26, 9, tzinfo=UTC))
WEEK_5 = (datetime(2026, 1, 26, 9, tzinfo=UTC), datetime(2026, 2, 2, 9, tzinfo=UTC))
DAY = timedelta(days=1)


@dataclass
class Team:
    rotation: models.Rotation
    alex: models.Person
    blair: models.Person
    casey: models.Person
    drew: models.Person
    manager: object  # a User in the Escalation managers group, without a Person
    stranger: object  # a User linked to a Person who is never on call


def build_team(*, suffix: str = "", slug: str = "platform", name: str = "Platform") -> Team:
    people = {}
    for first, tz in (
        ("Alex", "UTC"),
        ("Blair", "UTC"),
        ("Casey", "Europe/Berlin"),
        ("Drew", "UTC"),
    ):
        username = f"{first.lower()}{suffix}"
        user = factories.UserFactory(username=username, first_name=first)
        people[first.lower()] = factories.PersonFactory(
            display_name=f"{first} Doe{suffix}",
            email=f"{username}@example.com",
            time_zone=tz,
            user=user,
        )
    rotation = factories.RotationFactory(
        name=name,
        slug=slug,
        swap_channel="#on-call-swap",
        pairs=[(people["alex"], people["blair"]), (people["casey"], people["drew"])],
    )
    manager = factories.ManagerFactory(username=f"boss{suffix}", email=f"boss{suffix}@example.com")
    stranger_user = factories.UserFactory(username=f"sam{suffix}")
    factories.PersonFactory(display_name=f"Sam Roe{suffix}", user=stranger_user)
    return Team(rotation=rotation, manager=manager, stranger=stranger_user, **people)


def file_request(team: Team, **overrides) -> models.SwapRequest:
    """A request through the service: by default Alex asks Casey to cover week 3 (primary)."""
    arguments = {
        "rotation": team.rotation,
        "tier": models.OnCallTier.PRIMARY,
        "kind": models.SwapKind.COVER,
        "requester": team.alex,
        "colleague": team.casey,
        "start": WEEK_3[0],
        "end": WEEK_3[1],
        "reason": "Family event",
        "submission_key": uuid4(),
    }
    arguments.update(overrides)
    arguments.setdefault("filed_by", arguments["requester"].user)
    return service.swap_request_create(**arguments)


def swap_request(team: Team, **overrides) -> models.SwapRequest:
    """Alex gives Casey week 3 and takes Casey's week 4 in return (primary)."""
    overrides.setdefault("kind", models.SwapKind.SWAP)
    overrides.setdefault("return_start", WEEK_4[0])
    overrides.setdefault("return_end", WEEK_4[1])
    return file_request(team, **overrides)


def accepted_request(team: Team, **overrides) -> models.SwapRequest:
    swap = file_request(team, **overrides)
    return service.swap_request_accept(swap=swap, by=swap.colleague.user)


def approved_request(team: Team, **overrides) -> models.SwapRequest:
    swap = accepted_request(team, **overrides)
    return service.swap_request_approve(swap=swap, by=team.manager)
