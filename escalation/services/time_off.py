"""A person's own time off, entered on their profile (managers use the admin)."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import Person, TimeOff
from ..time_zones import zone_or_utc

TIME_OFF_NOT_YOURS = "That time off is not yours, or it is already over."


def local_days(*, person: Person, first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """Whole local days of `person`: 00:00 of `first_day` to 00:00 after `last_day`, there."""
    zone = zone_or_utc(person.time_zone)
    return (
        datetime.combine(first_day, time(0), tzinfo=zone),
        datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone),
    )


@transaction.atomic
def time_off_add(
    *, person: Person, first_day: date, last_day: date, kind: str, note: str, by: User
) -> TimeOff:
    """Record `person` away from `first_day` to `last_day`, both included, in their own zone."""
    start, end = local_days(person=person, first_day=first_day, last_day=last_day)
    entry = TimeOff(person=person, start=start, end=end, kind=kind, note=note, created_by=by)
    entry.full_clean()
    setattr(entry, "_history_user", by)  # noqa: B010 (simple-history: who made the change)
    entry.save()
    return entry


@transaction.atomic
def time_off_delete(*, person: Person, entry_id: int, at: datetime, by: User) -> None:
    """Delete one of `person`'s own entries that is not over by `at`; anything else is refused."""
    entry = (
        TimeOff.objects.select_for_update().filter(pk=entry_id, person=person, end__gt=at).first()
    )
    if entry is None:
        raise PermissionDenied(TIME_OFF_NOT_YOURS)
    setattr(entry, "_history_user", by)  # noqa: B010 (simple-history: who made the change)
    entry.delete()
