"""Who is on call: reads for the dashboard, the calendar, the feeds, the API and the profile.

Every read here costs the same few queries whatever the data: the rotation slots with their
rotations, the overrides in effect that overlap the instants or the window shown, and the
people either names (joined to the slots and overrides for the reads of one instant, in a query
of their own for the windows, where the same people cover many times). Time math is the pure
engine's (`escalation.rotation`); this module only loads rows, hands the engine plain values and
maps its person keys back to Person rows.

Reads that depend on the current time also say for how long their answer holds (`validity`:
from the latest handoff or override boundary at or before `at` to the next one), which is what
lets pages cache them exactly (`escalation.cache`).

A rotation whose settings the engine refuses (say, ISO week parity with three slots) is not an
error for the page: it is reported as a `RotationProblem` and the other rotations still show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db.models import Q, Subquery

from .. import rotation as engine
from ..models import FeedToken, Override, Person, Rotation, RotationSlot
from ..validity import ALWAYS, Validity
from .completeness import Completeness, completeness
from .pagerduty import Drift, pagerduty_drift

DEFAULT_WEEKS = 8
MAX_WEEKS = 104
# The feed's window starts and ends at midnight UTC, so it is the same feed all day long.
FEED_PAST = timedelta(weeks=4)
FEED_FUTURE = timedelta(weeks=52)
#: The calendar shows every rotation when there are at most this many; else the viewer's own.
CALENDAR_ALL_UP_TO = 5
#: The dashboard shows every rotation as a card when there are at most this many; else the
#: viewer's own as cards and the others as one line each.
DASHBOARD_CARDS_UP_TO = 5
#: The longest search text the dashboard's filter of the other rotations takes.
DASHBOARD_FIND_MAX = 100
ALL_ROTATIONS = "all"
MINE = "mine"
PROFILE_WEEKS = 12
# How far ahead the calendar looks for the next time ISO week parity repeats a pair. ISO years
# with 53 weeks come every five or six years (at most seven apart), so this always finds one.
REPEAT_YEARS = 7

RotationKey = int


# --- What the pages get -------------------------------------------------------------------


@dataclass(frozen=True)
class RotationProblem:
    """A rotation the engine cannot compute, with the reason in words."""

    rotation: Rotation
    message: str


@dataclass(frozen=True)
class Holder:
    """One stretch of one tier: who holds it, from when to when, and whom they cover for."""

    assignment: engine.Assignment
    person: Person | None
    covering_for: Person | None = None

    @property
    def tier(self) -> engine.Tier:
        return self.assignment.tier

    @property
    def start(self) -> datetime:
        return self.assignment.start

    @property
    def end(self) -> datetime:
        return self.assignment.end

    @property
    def overridden(self) -> bool:
        return self.assignment.overridden


@dataclass(frozen=True)
class RotationOnCall:
    """One rotation's answer at one instant, with Person rows resolved."""

    rotation: Rotation
    schedule: engine.Schedule
    on_call: engine.OnCall
    primary: Person | None
    secondary: Person | None

    @property
    def shift(self) -> engine.Shift:
        return self.on_call.shift

    @property
    def is_repeat(self) -> bool:
        """The slot is on call in the shift before or after this one too (ISO week 53, 1)."""
        return engine.repeat_around(self.schedule, self.shift) is not None


@dataclass(frozen=True)
class OnCallNow:
    """Who holds each tier of each rotation at `at`, and the stretch of time that stays true."""

    at: datetime
    answers: list[RotationOnCall]
    problems: list[RotationProblem]
    validity: Validity
    #: Every rotation's slots, in display order, with their people.
    slots: list[RotationSlot] = field(default_factory=list)


@dataclass(frozen=True)
class TierNow:
    """A tier right now, and what changes before the handoff (an override starting or ending)."""

    now: Holder
    then: Holder | None

    @property
    def tier(self) -> engine.Tier:
        return self.now.tier


@dataclass(frozen=True)
class RotationNow:
    """A dashboard card: the pair on call now, until when, and who takes over next."""

    rotation: Rotation
    shift: engine.Shift
    primary: TierNow
    secondary: TierNow
    next_shift: engine.Shift
    next_primary: Holder
    next_secondary: Holder
    #: The next shift falls to the same slot again (ISO week 53, then week 1).
    repeat: RepeatWarning | None = None

    @property
    def handoff(self) -> datetime:
        return self.shift.end


@dataclass(frozen=True)
class Dashboard:
    at: datetime
    #: The rotations shown in full (cards): every one, or the viewer's own when there are many.
    rotations: list[RotationNow]
    problems: list[RotationProblem]
    completeness: Completeness | None = None
    validity: Validity = ALWAYS
    #: The other rotations, one line each, those matching `find` only.
    others: list[RotationNow] = field(default_factory=list)
    others_total: int = 0
    find: str = ""
    #: Where PagerDuty will page someone else, from now on (PagerDuty connected only).
    drift: Drift = field(default_factory=Drift)


@dataclass(frozen=True)
class TierRow:
    """A tier over one shift: the slot's person and the stretches overrides cut it into."""

    tier: engine.Tier
    scheduled: Person | None
    holders: list[Holder]

    @property
    def overrides(self) -> list[Holder]:
        return [holder for holder in self.holders if holder.overridden]

    @property
    def fully_covered(self) -> bool:
        return len(self.holders) == 1 and self.holders[0].overridden


@dataclass(frozen=True)
class ShiftRow:
    shift: engine.Shift
    primary: TierRow
    secondary: TierRow
    is_current: bool
    is_focus: bool
    repeats_previous: bool

    @property
    def tiers(self) -> tuple[TierRow, TierRow]:
        return (self.primary, self.secondary)

    @property
    def overrides(self) -> list[Holder]:
        return self.primary.overrides + self.secondary.overrides


@dataclass(frozen=True)
class FocusAnswer:
    """Who held each tier of a rotation at the instant asked about (`?at=`)."""

    rotation: Rotation
    shift: engine.Shift
    primary: Holder
    secondary: Holder

    @property
    def holders(self) -> list[Holder]:
        return [self.primary, self.secondary]


#: Why ISO week parity gives the same slot twice in a row (pages and the iCalendar feed say it).
REPEAT_WHY = (
    "ISO year {year} has 53 weeks, so week {week} of {year} and week {next_week} of "
    "{next_year} are both {parity}"
)


@dataclass(frozen=True)
class RepeatWarning:
    """ISO week parity giving the same slot two shifts in a row (after a 53-week ISO year), and
    who of its pair is really on call twice in a row, overrides applied (None for a tier someone
    else covers; a warning is made only when at least one tier repeats)."""

    repeat: engine.ParityRepeat
    primary: Person | None
    secondary: Person | None

    @property
    def long_year(self) -> int:
        return self.repeat.previous.iso_year

    @property
    def people(self) -> list[Person]:
        return [person for person in (self.primary, self.secondary) if person is not None]

    @property
    def why(self) -> str:
        previous, following = self.repeat.previous, self.repeat.following
        return REPEAT_WHY.format(
            year=previous.iso_year,
            week=previous.iso_week,
            next_week=following.iso_week,
            next_year=following.iso_year,
            parity="odd" if previous.iso_week % 2 else "even",
        )


@dataclass(frozen=True)
class RotationCalendar:
    rotation: Rotation
    rows: list[ShiftRow]
    repeats: list[RepeatWarning]
    next_repeat: RepeatWarning | None
    focus: FocusAnswer | None


@dataclass(frozen=True)
class RotationChoice:
    value: str
    label: str


@dataclass(frozen=True)
class CalendarPage:
    at: datetime
    start_date: date
    weeks: int
    focus_at: datetime | None
    rotations: list[RotationCalendar]
    problems: list[RotationProblem]
    #: What `?rotation=` offers (empty when every rotation is shown anyway) and what is shown.
    rotation_choices: list[RotationChoice] = field(default_factory=list)
    rotation: str = ""
    validity: Validity = ALWAYS
    drift: Drift = field(default_factory=Drift)

    @property
    def earlier_start(self) -> date:
        return self.start_date - timedelta(weeks=self.weeks)

    @property
    def later_start(self) -> date:
        return self.start_date + timedelta(weeks=self.weeks)

    @property
    def focus(self) -> list[FocusAnswer]:
        return [calendar.focus for calendar in self.rotations if calendar.focus is not None]

    @property
    def focus_previous(self) -> datetime | None:
        """One second before the latest handoff at or before the instant asked about."""
        answers = self.focus
        if not answers:
            return None
        return max(answer.shift.start for answer in answers) - timedelta(seconds=1)

    @property
    def focus_next(self) -> datetime | None:
        """The first handoff after the instant asked about."""
        answers = self.focus
        if not answers:
            return None
        return min(answer.shift.end for answer in answers)


@dataclass(frozen=True)
class FeedEvent:
    """One calendar event: one tier of one shift, or the part of it an override cuts out."""

    rotation: Rotation
    shift: engine.Shift
    holder: Holder
    #: The parity repeat this shift is part of, when its scheduled person holds this stretch.
    repeat: RepeatWarning | None = None

    @property
    def uid(self) -> str:
        """The rotation, the tier and the stretch's start (to the microsecond when it has any:
        two stretches of a tier never start at the same instant)."""
        start = self.holder.start.astimezone(UTC)
        stamp = f"{start:%Y%m%dT%H%M%S}" + (f".{start:%f}" if start.microsecond else "")
        return f"{self.rotation.slug}-{self.holder.tier}-{stamp}Z"


@dataclass(frozen=True)
class CalendarFeed:
    at: datetime
    start: datetime
    end: datetime
    person: Person | None
    events: list[FeedEvent]
    validity: Validity = ALWAYS


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


# --- Loading ------------------------------------------------------------------------------


@dataclass
class _Loaded:
    """Rotations with their engine schedules, and every Person they or their overrides name."""

    rotations: list[tuple[Rotation, engine.Schedule]]
    problems: list[RotationProblem]
    person_ids: set[int]
    people: dict[int, Person] = field(default_factory=dict)
    overrides: dict[RotationKey, engine.OverrideIndex] = field(default_factory=dict)
    slots: dict[RotationKey, list[RotationSlot]] = field(default_factory=dict)

    def index(self, rotation: Rotation) -> engine.OverrideIndex:
        return self.overrides.get(rotation.pk) or _NO_OVERRIDES

    def holders(self, shift: engine.Shift, tier: engine.Tier, rotation: Rotation) -> list[Holder]:
        return [
            self.holder(shift, assignment)
            for assignment in engine.segments(shift, tier, self.index(rotation))
        ]

    def holder(self, shift: engine.Shift, assignment: engine.Assignment) -> Holder:
        covering_for = None
        if assignment.overridden:
            covering_for = self.person(_slot_person(shift.slot, assignment.tier))
        return Holder(assignment, self.person(assignment.person), covering_for)

    def person(self, key: object) -> Person | None:
        return self.people.get(key) if isinstance(key, int) else None


_NO_OVERRIDES = engine.OverrideIndex(())


def _slot_person(slot: engine.Slot, tier: engine.Tier) -> object:
    return slot.primary if tier == engine.Tier.PRIMARY else slot.secondary


_ROTATION_ORDER = ("rotation__position", "rotation__name", "rotation_id")


def _load_rotations(
    rotation_ids: Iterable[int] | None = None,
    *,
    with_people: bool = False,
    and_first: bool = False,
) -> _Loaded:
    """Rotations that have slots, in display order, with their slots (and their people, when
    `with_people`): all of them, or those of `rotation_ids` (and the first rotation, when
    `and_first`). One query."""
    slots = RotationSlot.objects.select_related("rotation").order_by(*_ROTATION_ORDER, "position")
    if with_people:
        slots = slots.select_related("primary", "secondary")
    if rotation_ids is not None:
        named = Q(rotation_id__in={key for key in rotation_ids if key is not None})
        if and_first:
            first = RotationSlot.objects.order_by(*_ROTATION_ORDER).values("rotation_id")[:1]
            named |= Q(rotation_id=Subquery(first))
        slots = slots.filter(named)
    by_rotation: dict[RotationKey, list[RotationSlot]] = defaultdict(list)
    rotations: dict[RotationKey, Rotation] = {}
    person_ids: set[int] = set()
    people: dict[int, Person] = {}
    for slot in slots:
        rotations.setdefault(slot.rotation_id, slot.rotation)
        by_rotation[slot.rotation_id].append(slot)
        person_ids.add(slot.primary_id)
        if slot.secondary_id is not None:
            person_ids.add(slot.secondary_id)
        if with_people:
            people[slot.primary_id] = slot.primary
            if slot.secondary_id is not None and slot.secondary is not None:
                people[slot.secondary_id] = slot.secondary
    loaded = _Loaded(rotations=[], problems=[], person_ids=person_ids, people=people)
    loaded.slots = by_rotation
    for key, rotation in rotations.items():
        try:
            schedule = rotation.schedule(by_rotation[key])
        except ValueError as error:
            loaded.problems.append(RotationProblem(rotation, str(error)))
            continue
        loaded.rotations.append((rotation, schedule))
    return loaded


def _load_overrides(
    loaded: _Loaded,
    windows: Sequence[tuple[datetime, datetime]],
    *,
    with_people: bool = False,
) -> None:
    """The overrides in effect that overlap any of `windows` (with their people, when
    `with_people`). One query, whatever the windows."""
    overlapping = reduce(or_, (Q(start__lt=end, end__gt=start) for start, end in windows), Q())
    rows = (
        Override.objects.in_effect()
        .filter(overlapping, rotation_id__in=[rotation.pk for rotation, _ in loaded.rotations])
        .order_by("start", "pk")
    )
    if with_people:
        rows = rows.select_related("person")
    else:
        rows = rows.only("id", "rotation", "tier", "person", "start", "end", "reverted_at")
    by_rotation: dict[RotationKey, list[Override]] = defaultdict(list)
    for override in rows:
        by_rotation[override.rotation_id].append(override)
        loaded.person_ids.add(override.person_id)
        if with_people:
            loaded.people[override.person_id] = override.person
    loaded.overrides = {key: Override.index(overrides) for key, overrides in by_rotation.items()}


def _load_overrides_and_people(
    loaded: _Loaded,
    windows: Sequence[tuple[datetime, datetime]],
    extra_people: Iterable[int] = (),
) -> None:
    """The overrides in effect that overlap any of `windows`, then everyone named. Two queries.

    People come in a query of their own rather than joined to each override: over a long window
    a person who covers often would otherwise be built (and their phone number parsed) once per
    override.
    """
    _load_overrides(loaded, windows)
    loaded.person_ids.update(extra_people)
    loaded.people = Person.objects.in_bulk(loaded.person_ids)


def _instant(at: datetime) -> tuple[datetime, datetime]:
    return (at, at + timedelta(microseconds=1))


# --- Reads, one per page ------------------------------------------------------------------


def _load_current_shifts(
    at: datetime,
    rotation_ids: Iterable[int] | None = None,
    *,
    and_next_handoff: bool = False,
    and_first: bool = False,
) -> tuple[_Loaded, list[tuple[Rotation, engine.Schedule, engine.Shift]]]:
    """Each rotation's shift at `at`, with every override touching it (up to and including the
    next handoff instant, when `and_next_handoff`) and everyone either names. Two queries.

    All of the shift's overrides, not only those in effect at `at`: the stretch `at` falls in
    ends where the next override starts, and the answer's `validity` must know it.
    """
    loaded = _load_rotations(rotation_ids, with_people=True, and_first=and_first)
    current = [
        (rotation, schedule, engine.shift_at(schedule, at))
        for rotation, schedule in loaded.rotations
    ]
    window = []
    if current:
        end = max(shift.end for _, _, shift in current)
        if and_next_handoff:
            end += timedelta(microseconds=1)
        window.append((min(shift.start for _, _, shift in current), end))
    _load_overrides(loaded, window, with_people=True)
    return loaded, current


def _holding(stretches: Iterable[engine.Assignment | engine.Shift]) -> Validity:
    """The stretch of time over which all these assignments (or shifts) hold at once."""
    validity = ALWAYS
    for stretch in stretches:
        validity = validity & Validity(stretch.start, stretch.end)
    return validity


def on_call_now(*, at: datetime, rotation_ids: Iterable[int] | None = None) -> OnCallNow:
    """Who holds each tier of each rotation at `at` (or of the rotations of `rotation_ids`),
    overrides applied, and until when that stays true. Two queries.

    Rotations the engine cannot compute are left out of the answers (listed in `problems`).
    """
    return _on_call(at, rotation_ids)


def on_call_named(*, at: datetime, rotation_ids: Iterable[int | None]) -> OnCallNow:
    """`on_call_now` for the rotations a page names (None: none), and the first rotation whose
    shifts the engine can compute, which answers for parties that name no rotation (the first
    of `answers`, as with `on_call_now`). Two queries, whatever the number of rotations in the
    company; two more only when the first rotation is one the engine refuses.
    """
    named = {key for key in rotation_ids if key is not None}
    now = _on_call(at, named, and_first=True)
    refused = [_display_order(problem.rotation) for problem in now.problems]
    if not refused or (now.answers and _display_order(now.answers[0].rotation) < min(refused)):
        return now
    # The first rotation is one the engine refuses: the default is the next one, maybe unread.
    everything = _on_call(at, None)
    default = everything.answers[:1]
    keep = named | {answer.rotation.pk for answer in default}
    before = _display_order(default[0].rotation) if default else None
    return replace(
        everything,
        answers=[answer for answer in everything.answers if answer.rotation.pk in keep],
        problems=[
            problem
            for problem in everything.problems
            if problem.rotation.pk in keep
            or before is None
            or _display_order(problem.rotation) < before
        ],
        slots=[slot for slot in everything.slots if slot.rotation_id in keep],
        validity=_holding(
            assignment
            for answer in everything.answers
            if answer.rotation.pk in keep
            for assignment in (answer.on_call.primary, answer.on_call.secondary)
        ),
    )


def _display_order(rotation: Rotation) -> tuple[int, str, int]:
    return (rotation.position, rotation.name, rotation.pk)


def _on_call(
    at: datetime, rotation_ids: Iterable[int] | None, *, and_first: bool = False
) -> OnCallNow:
    loaded, current = _load_current_shifts(at, rotation_ids, and_first=and_first)
    answers = []
    for rotation, schedule, _shift in current:
        on_call = engine.on_call_at(schedule, at, loaded.index(rotation))
        answers.append(
            RotationOnCall(
                rotation=rotation,
                schedule=schedule,
                on_call=on_call,
                primary=loaded.person(on_call.primary.person),
                secondary=loaded.person(on_call.secondary.person),
            )
        )
    return OnCallNow(
        at=at,
        answers=answers,
        problems=loaded.problems,
        slots=[slot for slots in loaded.slots.values() for slot in slots],
        validity=_holding(
            assignment
            for answer in answers
            for assignment in (answer.on_call.primary, answer.on_call.secondary)
        ),
    )


def dashboard(
    *, at: datetime, for_manager: bool = False, viewer: Person | None = None, find: str = ""
) -> Dashboard:
    """The dashboard: per rotation, the pair on call at `at`, until when, and who is next.

    Up to `DASHBOARD_CARDS_UP_TO` rotations are all cards; beyond, the `viewer`'s own (those of
    their team and those they are on) are, and the others are `others`, one line each, those
    whose name or whose people on call now contain `find` (ignoring case) only.

    Two queries: rotations with their slots and people, and the overrides touching the current
    and the next shift of any rotation, with theirs. Managers also get what the directory still
    lacks (`completeness.completeness`, one more query); with PagerDuty connected, where it
    disagrees (one more). The page holds until the next handoff or
    override boundary of any rotation (or a contact turning stale, for managers).
    """
    loaded, current = _load_current_shifts(at, and_next_handoff=True)
    report = completeness(now=at) if for_manager else None
    cards = []
    for rotation, schedule, shift in current:
        next_on_call = engine.on_call_at(schedule, shift.end, loaded.index(rotation))
        primary, secondary = (
            _tier_now(loaded.holders(shift, tier, rotation), at)
            for tier in (engine.Tier.PRIMARY, engine.Tier.SECONDARY)
        )
        repeat = None
        if (
            engine.is_parity_repeat_possible(schedule)
            and next_on_call.shift.slot_index == shift.slot_index
        ):
            # Who is on call again at the handoff (the next shift's overrides are loaded up to it).
            repeat = _warning_if_repeated(
                engine.ParityRepeat(previous=shift, following=next_on_call.shift),
                *(
                    loaded.person(assignment.person)
                    if assignment.person == _slot_person(shift.slot, assignment.tier)
                    else None
                    for assignment in (next_on_call.primary, next_on_call.secondary)
                ),
            )
        cards.append(
            RotationNow(
                rotation=rotation,
                shift=shift,
                primary=primary,
                secondary=secondary,
                next_shift=next_on_call.shift,
                next_primary=loaded.holder(next_on_call.shift, next_on_call.primary),
                next_secondary=loaded.holder(next_on_call.shift, next_on_call.secondary),
                repeat=repeat,
            )
        )
    validity = _holding(
        tier.now.assignment for card in cards for tier in (card.primary, card.secondary)
    )
    if report is not None:
        validity = validity & report.validity
    others: list[RotationNow] = []
    if len(cards) > DASHBOARD_CARDS_UP_TO:
        mine = _viewers_rotations(loaded, viewer)
        cards, others = (
            [card for card in cards if card.rotation.pk in mine],
            [card for card in cards if card.rotation.pk not in mine],
        )
    find = find.strip()[:DASHBOARD_FIND_MAX]
    drift = pagerduty_drift(start=at)
    if drift:
        validity = validity & Validity(None, min(item.end for item in drift.items))
    return Dashboard(
        at=at,
        rotations=cards,
        problems=loaded.problems,
        completeness=report,
        validity=validity,
        others=[card for card in others if _matches(card, find.casefold())],
        others_total=len(others),
        find=find,
        drift=drift,
    )


def _viewers_rotations(loaded: _Loaded, viewer: Person | None) -> set[RotationKey]:
    """The rotations of the viewer's team and those with a slot of theirs."""
    if viewer is None:
        return set()
    return {
        key
        for key, slots in loaded.slots.items()
        if (viewer.team_id is not None and slots[0].rotation.team_id == viewer.team_id)
        or any(viewer.pk in (slot.primary_id, slot.secondary_id) for slot in slots)
    }


def _matches(card: RotationNow, find: str) -> bool:
    if not find:
        return True
    names = [card.rotation.name] + [
        tier.now.person.display_name
        for tier in (card.primary, card.secondary)
        if tier.now.person is not None
    ]
    return any(find in name.casefold() for name in names)


def _tier_now(holders: list[Holder], at: datetime) -> TierNow:
    for position, holder in enumerate(holders):
        if holder.assignment.contains(at):
            following = holders[position + 1] if position + 1 < len(holders) else None
            return TierNow(now=holder, then=following)
    raise AssertionError("segments cover their shift")  # pragma: no cover


def calendar(
    *,
    at: datetime,
    start_date: date | None = None,
    weeks: int = DEFAULT_WEEKS,
    focus_at: datetime | None = None,
    show: str = "",
    viewer: Person | None = None,
) -> CalendarPage:
    """The on-call calendar: `weeks` weeks of shifts per rotation, overrides and repeats marked.

    Each rotation starts with the shift in progress at the end of `start_date` in its own time
    zone (so a handoff date starts with the shift handed over that day); without a date, with
    the shift in progress at `focus_at`, else at `at`. `focus_at` also gets its own answer (who
    was on call at that instant), for postmortems. Three queries, whatever the weeks or overrides.

    Which rotations: `show` is a rotation's slug, `ALL_ROTATIONS`, or `MINE` (those of the
    `viewer`'s team and those they are on); by default every rotation when there are at most
    `CALENDAR_ALL_UP_TO`, else the viewer's own if they have any. The page holds until the
    current shift of a rotation shown ends.
    """
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be 1 to {MAX_WEEKS}")
    loaded = _load_rotations()
    choices, chosen = _choose_rotations(loaded, show, viewer)
    anchor = focus_at or at
    windows: list[tuple[datetime, datetime]] = []
    plans = []
    for rotation, schedule in loaded.rotations:
        if start_date is None:
            first = engine.shift_at(schedule, anchor)
        else:
            first = engine.shift_at(schedule, _end_of_day(start_date, schedule.time_zone))
        first_local = first.start.astimezone(ZoneInfo(schedule.time_zone)).date()
        end = engine.handoff_at(schedule, first_local + timedelta(weeks=weeks))
        end = max(end, first.end)
        # The next repeat from the weeks viewed on, with its overrides: a repeat someone else
        # covers is no repeat for anyone.
        upcoming = _next_repeat(schedule, first.start - timedelta(microseconds=1))
        plans.append((rotation, schedule, first, end, upcoming))
        windows.append((first.start, end))
        if upcoming is not None:
            windows.append((upcoming.previous.start, upcoming.following.end))
    if focus_at is not None:
        windows.append(_instant(focus_at))
    _load_overrides_and_people(loaded, windows)

    if start_date is None:
        start_date = _default_start_date([plan[:4] for plan in plans], anchor)
    calendars = []
    for rotation, schedule, first, end, upcoming in plans:
        shifts = engine.shifts_between(schedule, first.start, end)
        # From just before the first shift, so a repeat of the shift before the window shows.
        repeats = engine.parity_repeats(schedule, first.start - timedelta(seconds=1), end)
        repeated = {repeat.following.start for repeat in repeats}
        rows = [
            ShiftRow(
                shift=shift,
                primary=_tier_row(loaded, rotation, shift, engine.Tier.PRIMARY),
                secondary=_tier_row(loaded, rotation, shift, engine.Tier.SECONDARY),
                is_current=shift.contains(at),
                is_focus=focus_at is not None and shift.contains(focus_at),
                repeats_previous=shift.start in repeated,
            )
            for shift in shifts
        ]
        next_repeat = _repeat_warning(loaded, rotation, upcoming) if upcoming else None
        focus = None
        if focus_at is not None:
            on_call = engine.on_call_at(schedule, focus_at, loaded.index(rotation))
            focus = FocusAnswer(
                rotation=rotation,
                shift=on_call.shift,
                primary=loaded.holder(on_call.shift, on_call.primary),
                secondary=loaded.holder(on_call.shift, on_call.secondary),
            )
        calendars.append(
            RotationCalendar(
                rotation=rotation,
                rows=rows,
                repeats=[
                    warning
                    for repeat in repeats
                    if repeat.following.start >= first.start
                    and (warning := _repeat_warning(loaded, rotation, repeat)) is not None
                ],
                next_repeat=next_repeat,
                focus=focus,
            )
        )
    return CalendarPage(
        at=at,
        start_date=start_date,
        weeks=weeks,
        focus_at=focus_at,
        rotations=calendars,
        problems=loaded.problems,
        rotation_choices=choices,
        rotation=chosen,
        validity=_holding(engine.shift_at(plan[1], at) for plan in plans),
        drift=pagerduty_drift(
            start=max(at, min((plan[2].start for plan in plans), default=at)),
            end=max((plan[3] for plan in plans), default=at),
        ),
    )


def _choose_rotations(
    loaded: _Loaded, asked: str, viewer: Person | None
) -> tuple[list[RotationChoice], str]:
    """Keep the rotations the calendar shows in `loaded`; returns the choices and the one made.

    An unknown `asked` gets the default (the view says so).
    """
    every = [rotation for rotation, _ in loaded.rotations] + [p.rotation for p in loaded.problems]
    every.sort(key=lambda rotation: (rotation.position, rotation.name, rotation.pk))
    mine = set()
    if viewer is not None:
        for rotation in every:
            slots = loaded.slots.get(rotation.pk, [])
            on_it = any(viewer.pk in (slot.primary_id, slot.secondary_id) for slot in slots)
            if on_it or (viewer.team_id is not None and rotation.team_id == viewer.team_id):
                mine.add(rotation.pk)
    by_slug = {rotation.slug: rotation for rotation in every}
    if asked in by_slug:
        chosen = asked
    elif asked == ALL_ROTATIONS or (asked == MINE and not mine):
        chosen = ALL_ROTATIONS
    elif asked == MINE or (len(every) > CALENDAR_ALL_UP_TO and mine):
        chosen = MINE
    else:
        chosen = ALL_ROTATIONS
    if chosen == MINE:
        keep = mine
    elif chosen == ALL_ROTATIONS:
        keep = {rotation.pk for rotation in every}
    else:
        keep = {by_slug[chosen].pk}
    loaded.rotations = [(r, schedule) for r, schedule in loaded.rotations if r.pk in keep]
    loaded.problems = [problem for problem in loaded.problems if problem.rotation.pk in keep]
    loaded.person_ids = {
        person
        for key in keep
        for slot in loaded.slots.get(key, [])
        for person in (slot.primary_id, slot.secondary_id)
        if person is not None
    }
    if len(every) <= CALENDAR_ALL_UP_TO:
        return [], chosen
    choices = [RotationChoice(ALL_ROTATIONS, f"All {len(every)} rotations")]
    if mine:
        count = len(mine)
        choices.insert(0, RotationChoice(MINE, f"Yours ({count} rotation{'s' * (count != 1)})"))
    choices += [RotationChoice(rotation.slug, rotation.name) for rotation in every]
    return choices, chosen


def _next_repeat(schedule: engine.Schedule, at: datetime) -> engine.ParityRepeat | None:
    """The first parity repeat after `at`, looked for only around the ends of 53-week ISO years.

    Only those year ends can repeat a slot, so the engine checks a few weeks per long year
    instead of six years of shifts.
    """
    if not engine.is_parity_repeat_possible(schedule):
        return None
    for year in range(at.year - 1, at.year + REPEAT_YEARS + 1):
        if date(year, 12, 28).isocalendar().week != 53:
            continue
        around_year_end = datetime(year, 12, 14, tzinfo=UTC), datetime(year + 1, 1, 21, tzinfo=UTC)
        for repeat in engine.parity_repeats(schedule, *around_year_end):
            if repeat.following.start > at:
                return repeat
    return None


def _repeat_warning(
    loaded: _Loaded, rotation: Rotation, repeat: engine.ParityRepeat
) -> RepeatWarning | None:
    """The warning for a repeat, naming per tier the slot's person when they are on call in both
    shifts (overrides applied); None when someone else covers it in every tier."""
    repeated = []
    for tier in (engine.Tier.PRIMARY, engine.Tier.SECONDARY):
        scheduled = _slot_person(repeat.following.slot, tier)
        on_call_in = [
            {holder.assignment.person for holder in loaded.holders(shift, tier, rotation)}
            for shift in (repeat.previous, repeat.following)
        ]
        both = scheduled is not None and all(scheduled in people for people in on_call_in)
        repeated.append(loaded.person(scheduled) if both else None)
    return _warning_if_repeated(repeat, *repeated)


def _warning_if_repeated(
    repeat: engine.ParityRepeat, primary: Person | None, secondary: Person | None
) -> RepeatWarning | None:
    if primary is None and secondary is None:
        return None
    return RepeatWarning(repeat=repeat, primary=primary, secondary=secondary)


def _end_of_day(day: date, time_zone: str) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(time_zone)) - (
        timedelta(microseconds=1)
    )


def _default_start_date(
    plans: list[tuple[Rotation, engine.Schedule, engine.Shift, datetime]], anchor: datetime
) -> date:
    """The date the calendar starts from when none was asked: the first rotation's handoff."""
    if not plans:
        return anchor.date()
    _, schedule, first, _ = plans[0]
    return first.start.astimezone(ZoneInfo(schedule.time_zone)).date()


def _tier_row(
    loaded: _Loaded, rotation: Rotation, shift: engine.Shift, tier: engine.Tier
) -> TierRow:
    return TierRow(
        tier=tier,
        scheduled=loaded.person(_slot_person(shift.slot, tier)),
        holders=loaded.holders(shift, tier, rotation),
    )


def calendar_feed(*, at: datetime, person_id: int | None = None) -> CalendarFeed | None:
    """Events for the iCalendar feed: 4 weeks back and 52 ahead, one per shift, tier and stretch.

    With `person_id`, only that person's stretches; None when there is no such person. Three
    queries, whatever the overrides (the person is looked up with everyone else). The window
    runs from midnight UTC to midnight UTC, so the feed holds for the whole day.
    """
    today = datetime.combine(at.astimezone(UTC).date(), time(0), tzinfo=UTC)
    tomorrow = today + timedelta(days=1)
    start, end = today - FEED_PAST, tomorrow + FEED_FUTURE
    loaded = _load_rotations()
    _load_overrides_and_people(
        loaded, [(start, end)], extra_people=[] if person_id is None else [person_id]
    )
    person = None
    if person_id is not None:
        person = loaded.people.get(person_id)
        if person is None:
            return None
    events = []
    for rotation, schedule in loaded.rotations:
        repeats: dict[datetime, RepeatWarning] = {}
        for repeat in engine.parity_repeats(schedule, start, end):
            slot = repeat.following.slot
            warning = RepeatWarning(
                repeat, loaded.person(slot.primary), loaded.person(slot.secondary)
            )
            repeats[repeat.previous.start] = repeats[repeat.following.start] = warning
        for shift in engine.shifts_between(schedule, start, end):
            for tier in (engine.Tier.PRIMARY, engine.Tier.SECONDARY):
                for holder in loaded.holders(shift, tier, rotation):
                    if holder.person is None:
                        continue
                    if person is not None and holder.person.pk != person.pk:
                        continue
                    # Said to the slot's own people; someone covering is not on call twice.
                    said = None if holder.overridden else repeats.get(shift.start)
                    events.append(FeedEvent(rotation, shift, holder, said))
    return CalendarFeed(
        at=at,
        start=start,
        end=end,
        person=person,
        events=events,
        validity=Validity(today, tomorrow),
    )


def profile(*, user: User, person: Person | None, at: datetime) -> Profile:
    """The profile page: the viewer's person, feed token and next weeks on call. Four queries.

    `person` is the viewer's Person, already loaded by the request (`request.viewer`).
    """
    feed_token = FeedToken.objects.filter(user=user).first()
    until = at + timedelta(weeks=PROFILE_WEEKS)
    if person is None:
        return Profile(person=None, feed_token=feed_token, upcoming=[], until=until)
    loaded = _load_rotations()
    _load_overrides_and_people(loaded, [(at, until)])
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
