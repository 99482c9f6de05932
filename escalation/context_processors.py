from functools import cache

from django.conf import settings
from django.urls import reverse

from .viewer import PortalRequest

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


@cache
def navigation_links() -> list[tuple[str, str, str, str]]:
    """(view name, URL, label, icon) of each section: the URLs are reversed once per process."""
    return [(name, reverse(name), label, icon) for name, label, icon in NAVIGATION]


def portal(request: PortalRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    # A request with a user went through `ViewerMiddleware` (next to the one that sets the user).
    facts = request.viewer if signed_in else None
    match = getattr(request, "resolver_match", None)
    return {
        "navigation": navigation_links(),
        # The section a page belongs to: its own view's, unless the view names one (nav_section).
        "nav_current": match.view_name if match else "",
        "viewer_is_manager": bool(facts and facts.is_manager),
        "oidc_enabled": settings.OIDC_ENABLED,
    }
