"""The handoffs to announce in Slack: each rotation's shift that started lately, with who holds
each tier over it (overrides cut a tier into stretches) and the ISO week 53 repeat when it
applies. Two queries (`oncall`'s current shifts), whatever the rotations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import rotation as engine
from ..models import Rotation
from .oncall import Holder, load_current_shifts

#: A handoff is announced by a cron run up to this long after it; later, "from now" would lie.
HANDOFF_POST_GRACE = timedelta(hours=12)


@dataclass(frozen=True)
class Handoff:
    rotation: Rotation
    shift: engine.Shift
    primary: list[Holder]
    secondary: list[Holder]
    #: The same slot was on call the shift before (ISO week 53 followed by week 1).
    repeat: engine.ParityRepeat | None

    @property
    def key(self) -> str:
        """One per rotation and handoff instant: the post's dedupe key in the outbox."""
        return f"handoff:{self.rotation.pk}:{self.shift.start:%Y-%m-%dT%H:%M:%SZ}"


def handoffs_due(*, at: datetime, grace: timedelta = HANDOFF_POST_GRACE) -> list[Handoff]:
    """Rotations with a channel to tell whose current shift started within `grace` before `at`."""
    loaded, current = load_current_shifts(at)
    handoffs = []
    for rotation, schedule, shift in current:
        if not rotation.handoff_post_channel or not shift.start <= at < shift.start + grace:
            continue
        repeats = engine.parity_repeats(schedule, shift.start - timedelta(seconds=1), shift.end)
        handoffs.append(
            Handoff(
                rotation=rotation,
                shift=shift,
                primary=loaded.holders(shift, engine.Tier.PRIMARY, rotation),
                secondary=loaded.holders(shift, engine.Tier.SECONDARY, rotation),
                repeat=next((r for r in repeats if r.following.start == shift.start), None),
            )
        )
    return handoffs
