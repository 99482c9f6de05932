"""Time zones by the names people and rotations store, and what a wall-clock time means in one."""

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

UTC_NAME = "UTC"


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The IANA zone `name`, or UTC when the name is empty or names no zone.

    A stored name is validated when it is saved, but a row written around that check (a bulk
    import, a zone gone from a newer tz database) may still hold one: pages then show UTC
    rather than fail.
    """
    try:
        return ZoneInfo(name or UTC_NAME)
    except (KeyError, ValueError, OSError):
        return ZoneInfo(UTC_NAME)


@dataclass(frozen=True)
class WallClockReading:
    """What a wall-clock time (no offset) means in a zone: the instants, in UTC and in order.

    One instant, usually. Two when the clocks went back over it (the repeated hour of autumn):
    it happened twice. When the clocks skipped it (spring forward, or a whole day, as Samoa did
    on 30 December 2011), it never happened: `exists` is False and the two instants are the
    time read with the offset before and the offset after the jump, the nearest readings.
    """

    instants: tuple[datetime, ...]
    exists: bool

    @property
    def instant(self) -> datetime | None:
        """The one instant it names; None when it names none or two."""
        return self.instants[0] if self.exists and len(self.instants) == 1 else None


def read_wall_clock(local: datetime, zone: tzinfo) -> WallClockReading:
    """`local` (naive) read in `zone`, both offsets tried (PEP 495's `fold`)."""
    readings = []
    for fold in (0, 1):
        instant = local.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        readings.append((instant, instant.astimezone(zone).replace(tzinfo=None) == local))
    existing = sorted({instant for instant, round_trips in readings if round_trips})
    if existing:
        return WallClockReading(tuple(existing), exists=True)
    return WallClockReading(tuple(sorted({instant for instant, _ in readings})), exists=False)
