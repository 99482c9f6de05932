"""How long a computed answer stays right.

Who is on call changes with time as well as with data: every read that depends on the clock
says over which stretch of time its answer holds (from the last handoff or override boundary
before `at` to the next one). The page cache (`escalation.cache`) uses an entry only inside
that stretch; the selectors compute it. A plain value: no cache, no ORM, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Validity:
    """The stretch of time `[start, end)` over which a computed answer stays right.

    None on either side: unbounded. Answers that do not depend on the time hold forever.
    """

    start: datetime | None = None
    end: datetime | None = None

    def contains(self, at: datetime) -> bool:
        return (self.start is None or self.start <= at) and (self.end is None or at < self.end)

    def __and__(self, other: Validity) -> Validity:
        starts = [value for value in (self.start, other.start) if value is not None]
        ends = [value for value in (self.end, other.end) if value is not None]
        return Validity(max(starts, default=None), min(ends, default=None))


ALWAYS = Validity()
