"""Logins (Django's users) in the admin.

Escalation managers add plain logins and link them to People (Person → Login): they see every
login, and change only those without rights. What gives rights — staff status, superuser
status, groups, permissions — and any account that has them stay with superusers, so a manager
can neither grant rights nor take over an account that has them (by its password or email).

Deleting a login that a Person uses is refused (`Person.user` protects it).
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from escalation.auth import privileged_q
from escalation.models.validators import validate_single_line

LOGIN_IN_USE_HINT = (
    "A Person uses this login: clear its Login field on the Person's page first (its history "
    "records that), or untick Active here to stop someone who left from logging in."
)
PLAIN_LOGIN_NOTE = (
    "Escalation managers add and change logins without rights. Staff status, groups and "
    "superuser status are given by a superuser."
)

User = get_user_model()

# What a manager edits on a login: who it is, and whether it may log in at all.
MANAGER_FIELDSETS = [
    (None, {"fields": ["username", "password"], "description": PLAIN_LOGIN_NOTE}),
    ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
    ("Status", {"fields": ["is_active", "last_login", "date_joined"]}),
]


def _is_privileged(user: Any) -> bool:
    return User.objects.filter(privileged_q(), pk=user.pk).exists()


class LoginAdmin(UserAdmin):  # type: ignore[type-arg]
    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> Any:
        if obj is None or request.user.is_superuser:  # type: ignore[union-attr]
            return super().get_fieldsets(request, obj)
        return MANAGER_FIELDSETS

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        if request.user.is_superuser:  # type: ignore[union-attr]
            return super().get_readonly_fields(request, obj)
        return ["last_login", "date_joined"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:  # type: ignore[union-attr]
            return True
        return not _is_privileged(obj)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in {"first_name", "last_name"} and field is not None:
            # A name goes into emails' headers: one line of printable text.
            field.validators.append(validate_single_line)
        return field

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "person" and request.GET.get("field_name") == "user":
            # Person → Login offers the logins no Person uses yet.
            queryset = queryset.filter(person__isnull=True, is_active=True)
        return queryset, may_have_duplicates

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        context["login_in_use_hint"] = LOGIN_IN_USE_HINT
        return super().render_delete_form(request, context)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, LoginAdmin)
