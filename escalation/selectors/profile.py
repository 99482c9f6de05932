"""The profile page's read: the viewer's person, feed token and next weeks on call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import User

from .. import rotation as engine
from ..models import FeedToken, Person, Rotation
from .oncall import Holder, RotationProblem, load_overrides_and_people, load_rotations

PROFILE_WEEKS = 12


@dataclass(frozen=True)
class UpcomingShift:
    """One of the viewer's stretches on call, or one that someone else now covers for them."""

    rotation: Rotation
    shift: engine.Shift
    holder: Holder
    covered_by_someone_else: bool


@dataclass(frozen=True)
class Profile:
    person: Person | None
    feed_token: FeedToken | None
    upcoming: list[UpcomingShift]
    until: datetime
    problems: list[RotationProblem] = field(default_factory=list)
    weeks: int = PROFILE_WEEKS


def profile(*, user: User, person: Person | None, at: datetime) -> Profile:
    """The profile page: the viewer's person, feed token and next weeks on call. Four queries.

    `person` is the viewer's Person, already loaded by the request (`request.viewer`).
    """
    feed_token = FeedToken.objects.filter(user=user).first()
    until = at + timedelta(weeks=PROFILE_WEEKS)
    if person is None:
        return Profile(person=None, feed_token=feed_token, upcoming=[], until=until)
    loaded = load_rotations()
    load_overrides_and_people(loaded, [(at, until)])
    upcoming = []
    for rotation, schedule in loaded.rotations:
        for shift in engine.shifts_between(schedule, at, until):
            for tier in (engine.Tier.PRIMARY, engine.Tier.SECONDARY):
                for holder in loaded.holders(shift, tier, rotation):
                    if holder.end <= at:
                        continue
                    mine = holder.person is not None and holder.person.pk == person.pk
                    covered = holder.covering_for is not None and (
                        holder.covering_for.pk == person.pk
                    )
                    if mine or covered:
                        upcoming.append(
                            UpcomingShift(
                                rotation=rotation,
                                shift=shift,
                                holder=holder,
                                covered_by_someone_else=covered and not mine,
                            )
                        )
    upcoming.sort(key=lambda item: (item.holder.start, item.rotation.position, item.holder.tier))
    return Profile(
        person=person,
        feed_token=feed_token,
        upcoming=upcoming,
        until=until,
        problems=loaded.problems,
    )
