from django.conf import settings
from django.http import HttpRequest

from .permissions import is_manager
from .viewer import viewer_time_zone

NAVIGATION = [
    ("escalation:dashboard", "On call now", "bi-telephone-outbound"),
    ("escalation:calendar", "Calendar", "bi-calendar-week"),
    ("escalation:severity", "Severity", "bi-exclamation-octagon"),
    ("escalation:services", "Services", "bi-hdd-stack"),
    ("escalation:paths", "Escalation", "bi-diagram-3"),
    ("escalation:contacts", "Contacts", "bi-person-lines-fill"),
    ("escalation:channels", "Channels", "bi-chat-square-text"),
    ("escalation:paging", "Page or Slack", "bi-bell"),
    ("escalation:swaps", "Swaps", "bi-arrow-left-right"),
]


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "navigation": NAVIGATION,
        "viewer_is_manager": bool(user) and is_manager(user),  # type: ignore[arg-type]
        "viewer_time_zone": viewer_time_zone(request),
        "oidc_enabled": settings.OIDC_ENABLED,
    }
