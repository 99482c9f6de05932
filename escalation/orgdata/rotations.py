"""Generated rotations and their slots.

Half the rotations are the escalation document's: weekly, handing off on Monday 09:00 UTC, the
slot picked by ISO week parity (odd and even weeks). The other half alternate 2-5 slots from an
anchor date, handing off on a weekday and time in a local time zone, some every two weeks, a
few slots without a secondary. Each slot's people come from the rotation's team first.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from django.utils.text import slugify

from escalation.models import Rotation, RotationSlot, SlotRule, WeekParity
from escalation.orgdata.org import GeneratedOrg, bulk
from escalation.orgdata.people import team_people

ROTATION_ZONES = ["Europe/Berlin", "America/New_York", "Europe/London", "America/Los_Angeles",
                  "Asia/Singapore", "Australia/Sydney", "Asia/Kolkata"]  # fmt: skip


def make_rotations(org: GeneratedOrg) -> None:
    rng = org.rng
    rotations: list[Rotation] = []
    slots: list[RotationSlot] = []
    org.team_rotation = {}
    for n in range(org.size.rotations):
        team = org.teams[n % len(org.teams)]
        domain = org.domains[n % len(org.teams)]
        round_ = n // len(org.teams)
        name = f"{domain} on-call" if round_ == 0 else f"{domain} on-call {round_ + 1}"
        parity = n % 2 == 0
        if parity:
            rotation = Rotation(
                name=name,
                slug=slugify(name),
                team=team,
                time_zone="UTC",
                slot_rule=SlotRule.ISO_WEEK_PARITY,
                schedule_note="Managed in PagerDuty" if rng.random() < 0.5 else "",
                swap_channel="#on-call-swap",
                position=n,
            )
            slot_count = 2
        else:
            weekday = rng.choice([0, 0, 1, 2, 3])
            anchor = date(2024, 1, 1) + timedelta(days=weekday + 7 * rng.randrange(52))
            rotation = Rotation(
                name=name,
                slug=slugify(name),
                team=team,
                handoff_weekday=weekday,
                handoff_time=rng.choice([time(9, 0), time(10, 0), time(17, 30)]),
                time_zone=rng.choice(ROTATION_ZONES),
                shift_days=7 if rng.random() < 0.85 else 14,
                slot_rule=SlotRule.ALTERNATION,
                anchor_date=anchor,
                swap_channel=team.slack_channel,
                position=n,
            )
            slot_count = rng.randint(2, 5)
        rotations.append(rotation)
        org.team_rotation.setdefault(team.pk, rotation)
        people = team_people(org, team, 2 * slot_count)
        for k in range(slot_count):
            slots.append(
                RotationSlot(
                    rotation=rotation,
                    position=k,
                    label=(["Odd weeks", "Even weeks"][k] if parity else f"Slot {k + 1}"),
                    week_parity=([WeekParity.ODD, WeekParity.EVEN][k] if parity else ""),
                    primary=people[2 * k],
                    secondary=(None if not parity and rng.random() < 0.1 else people[2 * k + 1]),
                )
            )
    bulk(Rotation, rotations)
    bulk(RotationSlot, slots)
    org.rotations = rotations
    org.slots = {rotation.pk: [] for rotation in rotations}
    for slot in slots:
        org.slots[slot.rotation.pk].append(slot)
    org.count("rotations", rotations)
    org.count("rotation slots", slots)
