"""A person's own contact details, corrected by themselves (managers use the admin)."""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ..models import Person

#: The details a person may change about themselves on their profile.
OWN_CONTACT_FIELDS = ("phone", "slack_handle", "pagerduty_handle", "time_zone")


@transaction.atomic
def person_contact_update(*, person: Person, by: User, **details: Any) -> Person:
    """Set `person`'s own phone, handles and time zone, validated like the admin, and mark them
    confirmed now. The change is kept in the person's history, made by `by`."""
    unknown = set(details) - set(OWN_CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"not a contact detail a person edits: {', '.join(sorted(unknown))}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    for name, value in details.items():
        setattr(person, name, value)
    person.verified_at = timezone.now()
    person.full_clean()
    person._history_user = by  # type: ignore[attr-defined]
    person.save()
    return person
