"""The swap tests' team (tests.swaps_data) linked to a fake PagerDuty: Alex, Blair, Casey and
Drew are PagerDuty users, the rotation's tiers are the schedules PPRIMARY and PSECONDARY, and
PagerDuty's own layers say what the portal's rotation says (so there is no drift to begin with)."""

from datetime import datetime, timedelta

from escalation import rotation as engine
from escalation.models import OnCallTier
from tests.fakes.pagerduty import FakePagerDuty
from tests.swaps_data import Team, build_team

PRIMARY = "PPRIMARY"
SECONDARY = "PSECONDARY"
USER_IDS = {"alex": "PALEX01", "blair": "PBLAIR1", "casey": "PCASEY1", "drew": "PDREW01"}


def linked_team(fake: FakePagerDuty, **kwargs) -> Team:
    team = build_team(**kwargs)
    for name, user_id in USER_IDS.items():
        person = getattr(team, name)
        person.pagerduty_user_id = user_id
        person.save()
        fake.add_user(user_id, person.display_name, person.email.upper())
    team.rotation.pagerduty_primary_schedule_id = PRIMARY
    team.rotation.pagerduty_secondary_schedule_id = SECONDARY
    team.rotation.save()
    return team


def mirror_rotation(
    fake: FakePagerDuty,
    team: Team,
    start: datetime,
    end: datetime,
    *,
    ids: dict[int, str] | None = None,
    schedules: tuple[str, str] = (PRIMARY, SECONDARY),
) -> None:
    """Give the fake's schedules layers that page exactly whom the portal's slots name (no
    overrides) over [start, end)."""
    ids = ids or {getattr(team, name).pk: uid for name, uid in USER_IDS.items()}
    schedule = team.rotation.schedule()
    for tier, schedule_id in zip(
        (OnCallTier.PRIMARY, OnCallTier.SECONDARY), schedules, strict=True
    ):
        entries = []
        for shift in engine.shifts_between(schedule, start - timedelta(weeks=1), end):
            person = shift.slot.primary if tier == OnCallTier.PRIMARY else shift.slot.secondary
            entries.append((shift.start, shift.end, ids[person]))
        fake.add_schedule(schedule_id, f"Platform {tier.value}", entries)
