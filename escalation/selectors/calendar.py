"""The on-call calendar (weeks of shifts per rotation, `?at=` answers) and the iCalendar feed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from .. import rotation as engine
from ..availability import Away, overlaps
from ..models import HandoffNote, Person, Rotation
from ..validity import ALWAYS, Validity
from .handoff_notes import notes_for
from .holidays import HolidayMark, holiday_marks
from .oncall import (
    Holder,
    Loaded,
    RotationProblem,
    holding,
    instant,
    load_overrides_and_people,
    load_rotations,
)
from .pagerduty import Drift, pagerduty_drift
from .repeats import RepeatWarning, next_repeat, repeat_warning
from .time_off import ClashMark, away_between, clash_marks

DEFAULT_WEEKS = 8
MAX_WEEKS = 104
# The feed's window starts and ends at midnight UTC, so it is the same feed all day long.
FEED_PAST = timedelta(weeks=4)
FEED_FUTURE = timedelta(weeks=52)
#: The calendar shows every rotation when there are at most this many; else the viewer's own.
CALENDAR_ALL_UP_TO = 5
ALL_ROTATIONS = "all"
MINE = "mine"


# The calendar's rows have no instance dictionaries (`slots`): a 104-week calendar of every
# rotation holds tens of thousands, and each dictionary is one more object for the garbage
# collector to walk again and again while the page is built. Not frozen either, though nothing
# changes one once built (as `FeedEvent`): a frozen dataclass costs several times as much to
# build, and that calendar builds some six thousand rows of two tiers.
@dataclass(slots=True)
class TierRow:
    """A tier over one shift: the slot's person and the stretches overrides cut it into."""

    tier: engine.Tier
    scheduled: Person | None
    shift: engine.Shift
    #: The stretches overrides cut the tier into; None when no override touches the shift, the
    #: slot's person holding it all shift long (most shifts: `holders` is built when read).
    cut: list[Holder] | None

    @property
    def holders(self) -> list[Holder]:
        if self.cut is not None:
            return self.cut
        return [Holder.all_shift(self.shift, self.tier, self.scheduled)]

    @property
    def overrides(self) -> list[Holder]:
        return [holder for holder in self.holders if holder.overridden]

    @property
    def fully_covered(self) -> bool:
        return len(self.holders) == 1 and self.holders[0].overridden


@dataclass(slots=True)
class ShiftRow:
    shift: engine.Shift
    primary: TierRow
    secondary: TierRow
    is_current: bool
    is_focus: bool
    repeats_previous: bool
    #: Holders away for part of their stretch (time off), each with its "ask for cover" link.
    #: Most rows have none: an empty tuple, which every row shares.
    clashes: Sequence[ClashMark] = ()
    #: Public holidays in the holders' own places.
    holidays: Sequence[HolidayMark] = ()

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
    #: The note the pair before left at this shift's start, and this shift's own note.
    handed_over: HandoffNote | None = None
    note: HandoffNote | None = None

    @property
    def holders(self) -> list[Holder]:
        return [self.primary, self.secondary]


@dataclass(frozen=True)
class RotationCalendar:
    rotation: Rotation
    schedule: engine.Schedule
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
    was on call at that instant), for postmortems. Shifts whose holders are away (time off) or
    on a public holiday of their own place are marked. Four queries, whatever the weeks or
    overrides: slots, overrides, people, time off; with `focus_at`, one more for the handoff
    notes of the shifts it falls in (notes stay with their shift).

    Which rotations: `show` is a rotation's slug, `ALL_ROTATIONS`, or `MINE` (those of the
    `viewer`'s team and those they are on); by default every rotation when there are at most
    `CALENDAR_ALL_UP_TO`, else the viewer's own if they have any. The page holds until the
    current shift of a rotation shown ends.
    """
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be 1 to {MAX_WEEKS}")
    loaded = load_rotations()
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
        upcoming = next_repeat(schedule, first.start - timedelta(microseconds=1))
        plans.append((rotation, schedule, first, end, upcoming))
        windows.append((first.start, end))
        if upcoming is not None:
            windows.append((upcoming.previous.start, upcoming.following.end))
    if focus_at is not None:
        windows.append(instant(focus_at))
    load_overrides_and_people(loaded, windows)
    away = (
        away_between(
            person_ids=loaded.person_ids,
            start=min(start for start, _ in windows),
            end=max(end for _, end in windows),
        )
        if windows
        else []
    )

    away_by_person: dict[object, list[Away]] = defaultdict(list)
    for entry in away:
        away_by_person[entry.person].append(entry)

    if start_date is None:
        start_date = _default_start_date([plan[:4] for plan in plans], anchor)
    placed: dict[int, bool] = {}
    calendars = []
    for rotation, schedule, first, end, upcoming in plans:
        # From just before the first shift, so a repeat of the shift before the window shows
        # (`engine.parity_repeats`, over the shifts worked out once for the rows too).
        around = engine.shifts_between(schedule, first.start - timedelta(seconds=1), end)
        shifts = [shift for shift in around if shift.start >= first.start]
        repeats = [
            repeat
            for previous, following in pairwise(around)
            if (repeat := engine.same_slot_again(schedule, previous, following)) is not None
        ]
        repeated = {repeat.following.start for repeat in repeats}
        rows = []
        # Each slot's people, looked up once rather than for every shift of the slot, and
        # whether either is away at some point or has public holidays: a shift no override
        # touches, held by people with neither (most shifts), has no clash and no holiday.
        scheduled = []
        for slot in schedule.slots:
            people = (loaded.person(slot.primary), loaded.person(slot.secondary))
            marked = any(
                person is not None
                and (person.id in away_by_person or _has_holiday_place(person, placed))
                for person in people
            )
            scheduled.append((*people, marked))
        index = loaded.index(rotation)
        for shift, primary_cut, secondary_cut in zip(
            shifts,
            cut_by_overrides(loaded, rotation, shifts, engine.Tier.PRIMARY),
            cut_by_overrides(loaded, rotation, shifts, engine.Tier.SECONDARY),
            strict=True,
        ):
            scheduled_primary, scheduled_secondary, marked = scheduled[shift.slot_index]
            primary = TierRow(engine.Tier.PRIMARY, scheduled_primary, shift, primary_cut)
            secondary = TierRow(engine.Tier.SECONDARY, scheduled_secondary, shift, secondary_cut)
            shift_start, shift_end = shift.start, shift.end
            clashes: Sequence[ClashMark] = ()
            holidays: Sequence[HolidayMark] = ()
            if marked or primary_cut is not None or secondary_cut is not None:
                holders = primary.holders + secondary.holders
                if away_by_person and _anyone_away(holders, away_by_person):
                    clashes = clash_marks(
                        rotation=rotation,
                        shifts=[shift],
                        overrides=index,
                        away=away,
                        people=loaded.people,
                    )
                holidays = holidays_of(holders, placed)
            rows.append(
                ShiftRow(
                    shift,
                    primary,
                    secondary,
                    shift_start <= at < shift_end,
                    focus_at is not None and shift_start <= focus_at < shift_end,
                    shift_start in repeated,
                    clashes,
                    holidays,
                )
            )
        warning_ahead = repeat_warning(loaded, rotation, upcoming) if upcoming else None
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
                schedule=schedule,
                rows=rows,
                repeats=[
                    warning
                    for repeat in repeats
                    if repeat.following.start >= first.start
                    and (warning := repeat_warning(loaded, rotation, repeat)) is not None
                ],
                next_repeat=warning_ahead,
                focus=focus,
            )
        )
    if focus_at is not None:
        calendars = _with_notes(calendars)
    return CalendarPage(
        at=at,
        start_date=start_date,
        weeks=weeks,
        focus_at=focus_at,
        rotations=calendars,
        problems=loaded.problems,
        rotation_choices=choices,
        rotation=chosen,
        validity=holding(engine.shift_at(plan[1], at) for plan in plans),
        drift=pagerduty_drift(
            start=max(at, min((plan[2].start for plan in plans), default=at)),
            end=max((plan[3] for plan in plans), default=at),
        ),
    )


def _with_notes(calendars: list[RotationCalendar]) -> list[RotationCalendar]:
    """The focus answers with the notes of their shift and of the handoff into it. One query."""
    keys = []
    for item in calendars:
        if item.focus is not None:
            keys += [(item.rotation.pk, item.focus.shift.start), _handed_over_key(item)]
    notes = notes_for(keys)
    return [
        replace(
            item,
            focus=replace(
                item.focus,
                note=notes.get((item.rotation.pk, item.focus.shift.start)),
                handed_over=notes.get(_handed_over_key(item)),
            ),
        )
        if item.focus is not None
        else item
        for item in calendars
    ]


def _handed_over_key(item: RotationCalendar) -> tuple[int, datetime]:
    assert item.focus is not None
    schedule = item.schedule
    previous = engine.shift_at(schedule, item.focus.shift.start - timedelta(microseconds=1))
    return (item.rotation.pk, previous.start)


def _choose_rotations(
    loaded: Loaded, asked: str, viewer: Person | None
) -> tuple[list[RotationChoice], str]:
    """Keep the rotations the calendar shows in `loaded`; returns the choices and the one made.
    Whose rotations are whose is read from the slots' values: no slot is built.

    An unknown `asked` gets the default (the view says so).
    """
    every = [rotation for rotation, _ in loaded.rotations] + [p.rotation for p in loaded.problems]
    every.sort(key=lambda rotation: (rotation.position, rotation.name, rotation.pk))
    mine = set()
    if viewer is not None:
        for rotation in every:
            slots = loaded.slot_values.get(rotation.pk, [])
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
        for slot in loaded.slot_values.get(key, [])
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


def cut_by_overrides(
    loaded: Loaded, rotation: Rotation, shifts: Sequence[engine.Shift], tier: engine.Tier
) -> list[list[Holder] | None]:
    """For each of `shifts` (in order, each starting where the one before ends), who holds
    `tier` stretch by stretch (`loaded.holders`) when an override touches it; None for the
    others (most of them), which the slot's person holds all shift long (`Holder.all_shift`).

    The rotation's overrides over all the shifts are looked up once rather than shift by
    shift: the feed and the long calendars ask about every shift.
    """
    if not shifts:
        return []
    index = loaded.overrides.get(rotation.id)
    if index is None:
        return [None] * len(shifts)
    pieces = index.pieces(tier, shifts[0].start, shifts[-1].end)
    cut: list[list[Holder] | None] = []
    upcoming, count = 0, len(pieces)
    for shift in shifts:
        start = shift.start
        while upcoming < count and pieces[upcoming][1] <= start:
            upcoming += 1
        if upcoming < count and pieces[upcoming][0] < shift.end:
            cut.append(loaded.holders(shift, tier, rotation))
        else:
            cut.append(None)
    return cut


def _anyone_away(holders: list[Holder], away: Mapping[object, list[Away]]) -> bool:
    """Whether a holder is away for part of their stretch: whether the shift has clashes (most
    have none, and `clash_marks` works its stretches out again to say so)."""
    return any(
        overlaps(holder.start, holder.end, entry.start, entry.end)
        for holder in holders
        for entry in away.get(holder.assignment.person, ())
    )


def holidays_of(holders: list[Holder], placed: dict[int, bool]) -> Sequence[HolidayMark]:
    """`holiday_marks` of the holders, asking only about those whose place has public
    holidays: `placed` remembers, per person, whether they have one (most have none, and the
    calendar and the feed ask for each of their many stretches)."""
    with_place = []
    for holder in holders:
        person = holder.person
        if person is None:
            continue
        known = placed.get(person.id)
        if known is None:
            known = _has_holiday_place(person, placed)
        if known:
            with_place.append(holder)
    return holiday_marks(with_place) if with_place else ()


def _has_holiday_place(person: Person, placed: dict[int, bool]) -> bool:
    known = placed.get(person.id)
    if known is None:
        known = placed[person.id] = person.holiday_place is not None
    return known


# --- The iCalendar feed ------------------------------------------------------------------


@dataclass(slots=True)
class FeedEvent:
    """One calendar event: one tier of one shift, or the part of it an override cuts out.

    Not frozen, though nothing changes one once built: a feed builds thousands, and a frozen
    dataclass costs several times as much to build.
    """

    rotation: Rotation
    shift: engine.Shift
    holder: Holder
    #: The parity repeat this shift is part of, when its scheduled person holds this stretch.
    repeat: RepeatWarning | None = None
    #: The public holidays of the holder's own place within the stretch.
    holidays: HolidayMark | None = None

    @property
    def uid(self) -> str:
        """The rotation, the tier and the stretch's start (to the microsecond when it has any:
        two stretches of a tier never start at the same instant)."""
        start = self.holder.start.astimezone(UTC)
        # Formatted by hand: strftime is several times slower, and a feed has thousands of UIDs.
        stamp = "%04d%02d%02dT%02d%02d%02d" % (  # noqa: UP031
            start.year,
            start.month,
            start.day,
            start.hour,
            start.minute,
            start.second,
        )
        if start.microsecond:
            stamp += ".%06d" % start.microsecond  # noqa: UP031
        return f"{self.rotation.slug}-{self.holder.tier}-{stamp}Z"


@dataclass(frozen=True)
class CalendarFeed:
    at: datetime
    start: datetime
    end: datetime
    person: Person | None
    events: list[FeedEvent]
    validity: Validity = ALWAYS


def calendar_feed(*, at: datetime, person_id: int | None = None) -> CalendarFeed | None:
    """Events for the iCalendar feed: 4 weeks back and 52 ahead, one per shift, tier and stretch.

    With `person_id`, only that person's stretches; None when there is no such person. Three
    queries, whatever the overrides (the person is looked up with everyone else). The window
    runs from midnight UTC to midnight UTC, so the feed holds for the whole day.
    """
    today = datetime.combine(at.astimezone(UTC).date(), time(0), tzinfo=UTC)
    tomorrow = today + timedelta(days=1)
    start, end = today - FEED_PAST, tomorrow + FEED_FUTURE
    loaded = load_rotations()
    load_overrides_and_people(
        loaded, [(start, end)], extra_people=[] if person_id is None else [person_id]
    )
    person = None
    if person_id is not None:
        person = loaded.people.get(person_id)
        if person is None:
            return None
    events = []
    placed: dict[int, bool] = {}
    for rotation, schedule in loaded.rotations:
        shifts = engine.shifts_between(schedule, start, end)
        # What `engine.parity_repeats` finds, from these shifts rather than listing them again.
        repeats: dict[datetime, RepeatWarning] = {}
        for previous, following in zip(shifts, shifts[1:], strict=False):
            repeat = engine.same_slot_again(schedule, previous, following)
            if repeat is None:
                continue
            slot = following.slot
            warning = RepeatWarning(
                repeat, loaded.person(slot.primary), loaded.person(slot.secondary)
            )
            repeats[previous.start] = repeats[following.start] = warning
        # Each slot's people, looked up once rather than for every shift of the slot.
        scheduled = [
            (loaded.person(slot.primary), loaded.person(slot.secondary)) for slot in schedule.slots
        ]
        for shift, primary_cut, secondary_cut in zip(
            shifts,
            cut_by_overrides(loaded, rotation, shifts, engine.Tier.PRIMARY),
            cut_by_overrides(loaded, rotation, shifts, engine.Tier.SECONDARY),
            strict=True,
        ):
            warned = repeats.get(shift.start)
            scheduled_primary, scheduled_secondary = scheduled[shift.slot_index]
            if primary_cut is None:
                primary_cut = [Holder.all_shift(shift, engine.Tier.PRIMARY, scheduled_primary)]
            if secondary_cut is None:
                secondary_cut = [
                    Holder.all_shift(shift, engine.Tier.SECONDARY, scheduled_secondary)
                ]
            for holders in (primary_cut, secondary_cut):
                for holder in holders:
                    holder_person = holder.person
                    if holder_person is None:
                        continue
                    key = holder_person.id
                    if person is not None and key != person.id:
                        continue
                    # Said to the slot's own people; someone covering is not on call twice.
                    said = None if holder.assignment.override is not None else warned
                    placed_person = placed.get(key)
                    if placed_person is None:
                        placed_person = _has_holiday_place(holder_person, placed)
                    marks = holiday_marks([holder]) if placed_person else None
                    events.append(
                        FeedEvent(rotation, shift, holder, said, marks[0] if marks else None)
                    )
    return CalendarFeed(
        at=at,
        start=start,
        end=end,
        person=person,
        events=events,
        validity=Validity(today, tomorrow),
    )
