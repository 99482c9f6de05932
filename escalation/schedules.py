"""Turn rotation rows into the pure engine's values (`escalation.rotation`).

Person keys in the engine are Person primary keys; the caller maps them back to Person rows
it has already loaded, so no query happens here.
"""

from collections.abc import Iterable

from . import rotation as engine
from .models import Override, Rotation, RotationSlot


def schedule_for(
    rotation: Rotation, slots: Iterable[RotationSlot] | None = None
) -> engine.Schedule:
    """The engine's Schedule for a rotation; pass `slots` when they are prefetched or changed."""
    slot_rows = list(rotation.slots.all() if slots is None else slots)
    slot_rows.sort(key=lambda slot: slot.position)
    return engine.Schedule(
        handoff_weekday=rotation.handoff_weekday,
        handoff_time=rotation.handoff_time,
        time_zone=rotation.time_zone,
        shift_days=rotation.shift_days,
        rule=engine.SlotRule(rotation.slot_rule),
        anchor=rotation.anchor_date,
        slots=tuple(
            engine.Slot(
                label=slot.label,
                primary=slot.primary_id,
                secondary=slot.secondary_id,
                week_parity=engine.WeekParity(slot.week_parity) if slot.week_parity else None,
            )
            for slot in slot_rows
        ),
    )


def override_specs(overrides: Iterable[Override]) -> list[engine.OverrideSpec]:
    """Overrides in effect (not reverted) as engine values, ordered by start."""
    return sorted(
        (
            engine.OverrideSpec(
                tier=engine.Tier(override.tier),
                person=override.person_id,
                start=override.start,
                end=override.end,
                key=override.pk,
            )
            for override in overrides
            if override.reverted_at is None
        ),
        key=lambda spec: (spec.start, spec.end),
    )
