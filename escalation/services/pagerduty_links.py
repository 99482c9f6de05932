"""Linking the directory to PagerDuty: people to PagerDuty users (by e-mail, ignoring case) and
each rotation tier to a PagerDuty schedule (a suggestion by name, for a manager to confirm).
`manage.py pagerduty_link` shows the plan; with `--apply` it stores it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pagerduty
from django.db import transaction

from ..cache import bump_data_version
from ..integrations import pagerduty as pd
from ..models import OnCallTier, Person, Rotation


@dataclass(frozen=True)
class PersonLink:
    person: Person
    user: pd.User


@dataclass(frozen=True)
class ScheduleLink:
    rotation: Rotation
    tier: OnCallTier
    current: str
    suggested: pd.Schedule | None


@dataclass
class LinkPlan:
    people: list[PersonLink] = field(default_factory=list)
    #: Active people with an e-mail that no PagerDuty user has, and people without an e-mail.
    unmatched: list[Person] = field(default_factory=list)
    schedules: list[ScheduleLink] = field(default_factory=list)
    #: Every schedule of the account, for the manager choosing by hand.
    available: list[pd.Schedule] = field(default_factory=list)


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9]+", text.lower()) if len(word) > 2}


def suggest_schedule(
    rotation: Rotation, tier: OnCallTier, schedules: list[pd.Schedule], taken: set[str]
) -> pd.Schedule | None:
    """The schedule whose name says `tier` ("primary") and shares most words with the rotation
    (or its team); None when no name says the tier."""
    context = _words(rotation.name) | _words(rotation.slug)
    best: tuple[int, str] | None = None
    chosen = None
    for schedule in schedules:
        words = _words(schedule.name)
        if schedule.id in taken or tier.value not in words:
            continue
        score = (len(words & context), schedule.name)
        if best is None or score[0] > best[0]:
            best, chosen = score, schedule
    return chosen


def pagerduty_link_plan(*, api: pagerduty.RestApiV2Client | None = None) -> LinkPlan:
    """What linking would change: reads PagerDuty's users and schedules (two paginated reads)."""
    api = api or pd.client()
    users = pd.by_email(pd.users(api))
    schedules = pd.schedules(api)
    plan = LinkPlan(available=schedules)
    for person in Person.objects.active().order_by("display_name"):
        user = users.get(person.email.strip().lower()) if person.email else None
        if user is None:
            if not person.pagerduty_user_id:
                plan.unmatched.append(person)
        elif person.pagerduty_user_id != user.id:
            plan.people.append(PersonLink(person, user))
    rotations = list(Rotation.objects.order_by("position", "name"))
    taken = {
        schedule_id
        for rotation in rotations
        for schedule_id in (
            rotation.pagerduty_primary_schedule_id,
            rotation.pagerduty_secondary_schedule_id,
        )
        if schedule_id
    }
    for rotation in rotations:
        for tier in OnCallTier:
            current = rotation.pagerduty_schedule_id(tier)
            suggested = None
            if not current:
                suggested = suggest_schedule(rotation, tier, schedules, taken)
                if suggested is not None:
                    taken.add(suggested.id)
            plan.schedules.append(ScheduleLink(rotation, tier, current, suggested))
    return plan


@transaction.atomic
def pagerduty_links_apply(*, plan: LinkPlan) -> tuple[int, int]:
    """Store the plan's people and suggested schedules; returns (people, tiers) linked."""
    people = 0
    for link in plan.people:
        person = Person.objects.select_for_update().get(pk=link.person.pk)
        person.pagerduty_user_id = link.user.id
        person.full_clean()
        person.save()
        people += 1
    tiers = 0
    for schedule in plan.schedules:
        if schedule.suggested is None:
            continue
        rotation = Rotation.objects.select_for_update().get(pk=schedule.rotation.pk)
        field_name = f"pagerduty_{schedule.tier.value}_schedule_id"
        setattr(rotation, field_name, schedule.suggested.id)
        rotation.full_clean()
        rotation.save()
        tiers += 1
    bump_data_version()
    return people, tiers
