"""Time zones by the names people and rotations store."""

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
