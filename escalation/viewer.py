"""Facts about the person looking at a page."""

from django.http import HttpRequest

from .models import Person

DEFAULT_TIME_ZONE = "UTC"


def viewer_person(request: HttpRequest) -> Person | None:
    """The signed-in user's Person, looked up once per request."""
    if not hasattr(request, "_viewer_person"):
        user = getattr(request, "user", None)
        person = None
        if user is not None and user.is_authenticated:
            person = Person.objects.filter(user=user).first()
        request._viewer_person = person  # type: ignore[attr-defined]
    return request._viewer_person  # type: ignore[attr-defined]


def viewer_time_zone(request: HttpRequest) -> str:
    person = viewer_person(request)
    return person.time_zone if person else DEFAULT_TIME_ZONE
