"""Handoff notes: who may write one, and the notes of the shifts a page shows.

A note belongs to a shift, identified by its rotation and its start, so it stays with that shift:
a page asked about an earlier instant (`?at=`) shows the notes of then.

Rules
- The outgoing people write it during the shift's last day: `[end - 24 h, end)` (all of a
  shift shorter than a day). They are whoever holds either tier at some instant of that day,
  overrides applied.
- Escalation managers may write or correct any shift's note, at any time.
- Everyone logged in reads every note.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from .. import rotation as engine
from ..availability import overlaps
from ..model_rows import attnames, from_row
from ..models import HandoffNote
from .prepared import PreparedQuery

#: How long before the handoff the outgoing people write their note.
NOTE_WINDOW = timedelta(hours=24)

NoteKey = tuple[int, datetime]  # (rotation id, shift start)


def writing_window(shift: engine.Shift) -> tuple[datetime, datetime]:
    return max(shift.start, shift.end - NOTE_WINDOW), shift.end


def is_writing_time(shift: engine.Shift, at: datetime) -> bool:
    start, end = writing_window(shift)
    return start <= at < end


def outgoing_people(shift: engine.Shift, overrides: engine.Overrides) -> set[Hashable]:
    """Whoever holds either tier of `shift` at some instant of its last day."""
    start, end = writing_window(shift)
    return {
        stretch.person
        for tier in engine.Tier
        for stretch in engine.segments(shift, tier, overrides)
        if stretch.person is not None and overlaps(stretch.start, stretch.end, start, end)
    }


def may_write(
    *,
    shift: engine.Shift,
    overrides: engine.Overrides,
    person_id: Hashable | None,
    manager: bool,
    at: datetime,
) -> bool:
    """`person_id` (or a manager) may write this shift's note at `at`."""
    if manager:
        return True
    return (
        person_id is not None
        and is_writing_time(shift, at)
        and person_id in outgoing_people(shift, overrides)
    )


def notes_for(keys: Iterable[NoteKey]) -> dict[NoteKey, HandoffNote]:
    """The notes of the shifts `keys` names, by key. One query (none for no keys)."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = HandoffNote.objects.filter(
        rotation_id__in={rotation_id for rotation_id, _ in wanted},
        shift_start__in={start for _, start in wanted},
    )
    found = {(note.rotation_id, note.shift_start): note for note in rows}
    return {key: note for key, note in found.items() if key in wanted}


_NOTE_FIELDS = attnames(HandoffNote)
_ROTATION, _SHIFT_START = _NOTE_FIELDS.index("rotation_id"), _NOTE_FIELDS.index("shift_start")


def _notes_starting(first: datetime, last: datetime) -> QuerySet[Any]:
    return HandoffNote.objects.filter(shift_start__gte=first, shift_start__lte=last).values_list(
        *_NOTE_FIELDS
    )


#: Compiled once per process: the dashboard asks it on every request, a few days apart.
_NOTES_STARTING = PreparedQuery(_notes_starting, instants=2)


def notes_near(keys: Iterable[NoteKey]) -> dict[NoteKey, HandoffNote]:
    """`notes_for(keys)`, for keys of many rotations whose shifts start close together (the
    dashboard's current and previous shifts): the notes of every rotation starting between the
    first and the last of them are read, without naming each rotation and instant, and only
    those `keys` names are built. One query (none for no keys)."""
    wanted = set(keys)
    if not wanted:
        return {}
    starts = [start for _, start in wanted]
    notes = {}
    for row in _NOTES_STARTING.rows(min(starts), max(starts), using=DEFAULT_DB_ALIAS):
        key = (row[_ROTATION], row[_SHIFT_START])
        if key in wanted:
            notes[key] = from_row(HandoffNote, _NOTE_FIELDS, row)
    return notes
