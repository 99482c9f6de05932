"""The profile page's read: the viewer's person, feed token and next weeks on call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import User

from .. import rotation as engine
from ..availability import Away
from ..models import FeedToken, Person, Rotation, TimeOff
from .oncall import Holder, RotationProblem, load_overrides_and_people, load_rotations
from .time_off import ClashMark, clash_marks, own_time_off

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
    #: Their time off not over yet, soonest first, and where it clashes with their shifts.
    time_off: list[TimeOff] = field(default_factory=list)
    clashes: list[ClashMark] = field(default_factory=list)


def profile(*, user: User, person: Person | None, at: datetime) -> Profile:
    """The profile page: the viewer's person, feed token, next weeks on call and time off (with
    its clashes with those weeks). Five queries.

    `person` is the viewer's Person, already loaded by the request (`request.viewer`).
    """
    feed_token = FeedToken.objects.filter(user=user).first()
    until = at + timedelta(weeks=PROFILE_WEEKS)
    if person is None:
        return Profile(person=None, feed_token=feed_token, upcoming=[], until=until)
    loaded = load_rotations()
    load_overrides_and_people(loaded, [(at, until)])
    time_off = own_time_off(person=person, at=at)
    away = [Away(person.pk, entry.start, entry.end, entry.kind, entry.pk) for entry in time_off]
    upcoming = []
    clashes = []
    for rotation, schedule in loaded.rotations:
        shifts = engine.shifts_between(schedule, at, until)
        clashes += clash_marks(
            rotation=rotation,
            shifts=shifts,
            overrides=loaded.index(rotation),
            away=away,
            people=loaded.people,
        )
        for shift in shifts:
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
        time_off=time_off,
        clashes=sorted((c for c in clashes if c.clash.end > at), key=lambda c: c.clash.start),
    )
