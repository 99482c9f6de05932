"""The dashboard: per rotation, the pair on call now, until when, and who takes over next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .. import rotation as engine
from ..availability import Away
from ..models import HandoffNote, Person, Rotation
from ..validity import ALWAYS, Validity
from .completeness import Completeness, completeness
from .handoff_notes import NoteKey, may_write, notes_near, writing_window
from .oncall import (
    Holder,
    Loaded,
    RotationKey,
    RotationProblem,
    holding,
    load_current_shifts,
    slot_person,
)
from .pagerduty import Drift, pagerduty_drift
from .repeats import RepeatWarning, warning_if_repeated
from .time_off import ClashMark, away_of_rotation_people, clash_marks

#: The dashboard shows every rotation as a card when there are at most this many; else the
#: viewer's own as cards and the others as one line each.
DASHBOARD_CARDS_UP_TO = 5
_INSTANT = timedelta(microseconds=1)
#: The longest search text the dashboard's filter of the other rotations takes.
DASHBOARD_FIND_MAX = 100


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
    #: The note the pair before left at the handoff to this shift.
    handed_over: HandoffNote | None = None
    #: This shift's own note, shown from the start of its last day (`writing`).
    note: HandoffNote | None = None
    writing: bool = False
    #: The viewer may write this shift's note now (one of the outgoing pair, or a manager).
    may_write_note: bool = False
    #: Holders of this shift or the next away for part of it: the viewer's own, or every one
    #: for a manager.
    clashes: list[ClashMark] = field(default_factory=list)

    @property
    def handoff(self) -> datetime:
        return self.shift.end


@dataclass(frozen=True)
class RotationLine:
    """Another rotation, on one line of the dashboard: the pair on call now, until the handoff;
    for a manager, also its clashes, which the completeness panel lists."""

    rotation: Rotation
    shift: engine.Shift
    primary: TierNow
    secondary: TierNow
    clashes: list[ClashMark] = field(default_factory=list)

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
    others: list[RotationLine] = field(default_factory=list)
    others_total: int = 0
    find: str = ""
    #: Where PagerDuty will page someone else, from now on (PagerDuty connected only).
    drift: Drift = field(default_factory=Drift)

    @property
    def clashes(self) -> list[ClashMark]:
        """Every clash the viewer may see, of the rotations shown in full and the others."""
        shown: list[RotationNow | RotationLine] = [*self.rotations, *self.others]
        return sorted(
            (mark for card in shown for mark in card.clashes),
            key=lambda mark: mark.clash.start,
        )


def dashboard(
    *,
    at: datetime,
    for_manager: bool = False,
    viewer: Person | None = None,
    find: str = "",
    with_notes: bool = True,
    all_in_full: bool = False,
) -> Dashboard:
    """The dashboard: per rotation, the pair on call at `at`, until when, and who is next.

    Up to `DASHBOARD_CARDS_UP_TO` rotations are all cards; beyond, the `viewer`'s own (those of
    their team and those they are on) are, and the others are `others`, one line each, those
    whose name or whose people on call now contain `find` (ignoring case) only. With
    `all_in_full` (Slack's `/oncall`, which names the next pair too), every rotation is a card.

    Four queries: rotations with their slots, the overrides touching the current and the next
    shift of any rotation with their people and those of the slots on call now and next, the
    time off over both shifts of everyone on a rotation or an override
    (`away_of_rotation_people`), and the handoff notes of the current and the previous shifts.
    Managers also get what the directory still lacks (`completeness.completeness`, one more
    query); with PagerDuty connected, where it disagrees (one more). The page holds until the
    next handoff or override boundary of any rotation, or a shift's note-writing day beginning
    (or a contact turning stale, for managers). Without `with_notes` (who is on call, and nothing else, as
    Slack's `/oncall` answers), neither time off nor notes are read: two queries.
    """
    loaded, current = load_current_shifts(
        at, and_next_handoff=True, and_next_shift=True, only_on_call=True
    )
    viewer_id = viewer.pk if viewer is not None else None
    # Each rotation's shift before this one, and the pair on call at the handoff.
    around = [
        (
            rotation,
            schedule,
            shift,
            engine.shift_at(schedule, shift.start - _INSTANT),
            engine.on_call_at(schedule, shift.end, loaded.index(rotation)),
        )
        for rotation, schedule, shift in current
    ]
    away: list[Away] = []
    notes: dict[NoteKey, HandoffNote] = {}
    if around and with_notes:
        away = away_of_rotation_people(
            start=min(shift.start for _, _, shift, _, _ in around),
            end=max(next_on_call.shift.end for *_, next_on_call in around),
        )
        notes = notes_near(
            key
            for rotation, _, shift, previous, _ in around
            for key in ((rotation.pk, shift.start), (rotation.pk, previous.start))
        )
    # The clashes the viewer may see: every one for a manager, else their own.
    visible_away = away if for_manager else [entry for entry in away if entry.person == viewer_id]
    writing_starts = []
    report = completeness(now=at) if for_manager else None

    def clashes(
        rotation: Rotation, shift: engine.Shift, next_shift: engine.Shift
    ) -> list[ClashMark]:
        """The clashes the viewer may see in `shift` or the next, those not over at `at`."""
        marks = clash_marks(
            rotation=rotation,
            shifts=[shift, next_shift],
            overrides=loaded.index(rotation),
            away=visible_away,
            people=loaded.people,
        )
        return [mark for mark in marks if mark.clash.end > at]

    # With many rotations, only the viewer's are cards; the others are one line each, which
    # shows the pair on call now and until when: neither the next pair, a repeat warning nor a
    # note is worked out for them, and their clashes only for a manager's panel.
    mine = None
    if len(around) > DASHBOARD_CARDS_UP_TO and not all_in_full:
        mine = _viewers_rotations(loaded, viewer)
    cards = []
    others: list[RotationLine] = []
    for rotation, schedule, shift, previous, next_on_call in around:
        primary, secondary = (
            _tier_now(loaded.holders(shift, tier, rotation), at)
            for tier in (engine.Tier.PRIMARY, engine.Tier.SECONDARY)
        )
        if mine is not None and rotation.pk not in mine:
            others.append(
                RotationLine(
                    rotation=rotation,
                    shift=shift,
                    primary=primary,
                    secondary=secondary,
                    clashes=clashes(rotation, shift, next_on_call.shift) if for_manager else [],
                )
            )
            continue
        repeat = None
        same_slot = engine.same_slot_again(schedule, shift, next_on_call.shift)
        if same_slot is not None:
            # Who is on call again at the handoff (the next shift's overrides are loaded up to it).
            repeat = warning_if_repeated(
                same_slot,
                *(
                    loaded.person(assignment.person)
                    if assignment.person == slot_person(shift.slot, assignment.tier)
                    else None
                    for assignment in (next_on_call.primary, next_on_call.secondary)
                ),
            )
        window_start, _ = writing_window(shift)
        writing = window_start <= at
        if not writing:
            writing_starts.append(window_start)
        index = loaded.index(rotation)
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
                handed_over=notes.get((rotation.pk, previous.start)),
                note=notes.get((rotation.pk, shift.start)),
                writing=writing,
                may_write_note=may_write(
                    shift=shift, overrides=index, person_id=viewer_id, manager=for_manager, at=at
                )
                and writing,
                clashes=clashes(rotation, shift, next_on_call.shift),
            )
        )
    shown: list[RotationNow | RotationLine] = [*cards, *others]
    validity = holding(
        tier.now.assignment for card in shown for tier in (card.primary, card.secondary)
    )
    if writing_starts:
        validity = validity & Validity(None, min(writing_starts))
    # A clash stops being flagged when it ends.
    clash_ends = [mark.clash.end for card in shown for mark in card.clashes]
    if clash_ends:
        validity = validity & Validity(None, min(clash_ends))
    if report is not None:
        validity = validity & report.validity
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


def _viewers_rotations(loaded: Loaded, viewer: Person | None) -> set[RotationKey]:
    """The rotations of the viewer's team and those with a slot of theirs."""
    if viewer is None:
        return set()
    team, person = viewer.team_id, viewer.pk
    return {
        rotation.pk
        for rotation, _ in loaded.rotations
        if (team is not None and rotation.team_id == team)
        or any(
            person in (slot.primary_id, slot.secondary_id)
            for slot in loaded.slot_values[rotation.pk]
        )
    }


def _matches(card: RotationLine, find: str) -> bool:
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
