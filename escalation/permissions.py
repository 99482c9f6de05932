"""Who may do what: viewers read and file swap requests; Escalation managers edit and approve."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

MANAGERS_GROUP = "Escalation managers"


def is_manager(user: AbstractBaseUser | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:  # type: ignore[union-attr]
        return True
    cached = getattr(user, "_is_escalation_manager", None)
    if cached is None:
        cached = user.groups.filter(name=MANAGERS_GROUP).exists()  # type: ignore[union-attr]
        user._is_escalation_manager = cached  # type: ignore[union-attr]
    return cached
