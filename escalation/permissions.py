"""Who may do what: viewers read and file swap requests; Escalation managers edit and approve."""

from typing import Any

MANAGERS_GROUP = "Escalation managers"


def is_manager(user: Any) -> bool:
    """Members of the Escalation managers group, and superusers. Cached on the user object."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_escalation_manager", None)
    if cached is None:
        cached = user.groups.filter(name=MANAGERS_GROUP).exists()
        user._is_escalation_manager = cached
    return bool(cached)
