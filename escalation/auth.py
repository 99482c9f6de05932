"""Single sign-on: a user who logs in through OpenID Connect is matched to their Person by email."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import Person


class PersonOIDCBackend(OIDCAuthenticationBackend):
    def create_user(self, claims: dict[str, Any]) -> AbstractBaseUser:
        user = super().create_user(claims)
        self._link_person(user, claims)
        return user

    def update_user(self, user: AbstractBaseUser, claims: dict[str, Any]) -> AbstractBaseUser:
        self._link_person(user, claims)
        return user

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
