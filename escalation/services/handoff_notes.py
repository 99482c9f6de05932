"""Writing a shift's handoff note: the outgoing pair during the shift's last day, or a manager."""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction

from .. import rotation as engine
from ..models import HandoffNote, Override, Person, Rotation
from ..selectors.handoff_notes import may_write, writing_window

NOT_A_SHIFT = "There is no shift of {rotation} starting then."
NOT_YOURS_TO_WRITE = (
    "Only the people on call during the last day of this shift (and Escalation managers) write "
    "its handoff note."
)


class HandoffNoteError(Exception):
    pass


def shift_starting(
    rotation: Rotation, start: datetime, *, any_instant: bool = False
) -> engine.Shift:
    """The shift of `rotation` that starts at `start` (that holds `start`, with `any_instant`),
    or HandoffNoteError."""
    try:
        shift = engine.shift_at(rotation.schedule(), start)
    except ValueError:  # a rotation without slots has no shifts
        raise HandoffNoteError(NOT_A_SHIFT.format(rotation=rotation)) from None
    if shift.start != start and not any_instant:
        raise HandoffNoteError(NOT_A_SHIFT.format(rotation=rotation))
    return shift


@transaction.atomic
def handoff_note_save(
    *,
    rotation: Rotation,
    shift_start: datetime,
    text: str,
    by: User,
    person: Person | None,
    manager: bool,
    at: datetime,
) -> HandoffNote | None:
    """Write (or, with an empty `text`, remove) the note of `rotation`'s shift from `shift_start`.

    Returns the note, None once removed. HandoffNoteError when it is not the writer's to write.
    """
    shift = shift_starting(rotation, shift_start)
    window_start, window_end = writing_window(shift)
    overrides = Override.index(
        Override.objects.filter(rotation=rotation)
        .in_effect()
        .overlapping(window_start - timedelta(seconds=1), window_end)
    )
    if not may_write(
        shift=shift,
        overrides=overrides,
        person_id=person.pk if person is not None else None,
        manager=manager,
        at=at,
    ):
        raise HandoffNoteError(NOT_YOURS_TO_WRITE)
    note = (
        HandoffNote.objects.select_for_update()
        .filter(rotation=rotation, shift_start=shift.start)
        .first()
    )
    if not text.strip():
        if note is not None:
            setattr(note, "_history_user", by)  # noqa: B010 (simple-history: who made the change)
            note.delete()
        return None
    if note is None:
        note = HandoffNote(rotation=rotation, shift_start=shift.start, shift_end=shift.end)
    note.text = text
    note.updated_by = by
    note.full_clean()
    setattr(note, "_history_user", by)  # noqa: B010 (simple-history: who made the change)
    note.save()
    return note
