"""Single sign-on: a user who logs in through OpenID Connect is matched to their Person by email.

An email address is only as good as the provider's word for it: a provider that says
`email_verified: false` is not vouching for it, so the sign-on is refused. And a sign-on never
takes over an account with rights (staff, superuser, Escalation manager) by its address: those
keep their local log-in, and an administrator links anything by hand.
"""

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import SuspiciousOperation
from django.db.models import Q, QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import Person
from .permissions import MANAGERS_GROUP

logger = logging.getLogger(__name__)

EMAIL_NOT_VERIFIED = (
    "Your company account's email address is not verified, so it cannot log you in here. "
    "Verify it with the identity provider, or log in with your portal account."
)
PRIVILEGED_ACCOUNT = (
    "This email address belongs to a portal account with administrative rights, which single "
    "sign-on never logs in to. Log in with that account's username and password."
)


def _says_false(value: object) -> bool:
    """Providers send booleans, some send "false" as a string."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def privileged_q() -> Q:
    """Accounts with rights beyond viewing: staff, superusers and Escalation managers."""
    return Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name=MANAGERS_GROUP)


class PersonOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not super().verify_claims(claims):
            return False
        if _says_false(claims.get("email_verified")):
            logger.warning("single sign-on refused: the provider did not verify the email")
            self._tell(EMAIL_NOT_VERIFIED)
            return False
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Any]:
        users = super().filter_users_by_claims(claims)
        if users.filter(privileged_q()).exists():
            self._tell(PRIVILEGED_ACCOUNT)
            # Caught by the library's authenticate(): logged, nobody logged in.
            raise SuspiciousOperation("single sign-on refused: the email is a privileged account's")
        return users

    def create_user(self, claims: dict[str, Any]) -> AbstractBaseUser:
        user = super().create_user(claims)
        self._link_person(user, claims)
        return user

    def update_user(self, user: AbstractBaseUser, claims: dict[str, Any]) -> AbstractBaseUser:
        self._link_person(user, claims)
        return user

    def _tell(self, message: str) -> None:
        request = getattr(self, "request", None)
        if request is not None and hasattr(request, "_messages"):
            messages.error(request, message)

    def _link_person(self, user: AbstractBaseUser, claims: dict[str, Any]) -> None:
        email = (claims.get("email") or "").strip()
        if not email or Person.objects.filter(user_id=user.pk).exists():
            return
        matches = list(Person.objects.filter(email__iexact=email, user__isnull=True)[:2])
        if len(matches) != 1:
            # Two entries whose addresses differ only in case: a manager links the right one.
            return
        (person,) = matches
        person.user_id = user.pk
        person.save(update_fields=["user"])  # saved, not updated, so that its history records it
