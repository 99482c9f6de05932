"""Logins (Django's users) in the admin: deleting one that a Person uses is refused."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse

LOGIN_IN_USE_HINT = (
    "A Person uses this login: clear its Login field on the Person's page first (its history "
    "records that), or untick Active here to stop someone who left from logging in."
)

User = get_user_model()


class LoginAdmin(UserAdmin):  # type: ignore[type-arg]
    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        context["login_in_use_hint"] = LOGIN_IN_USE_HINT
        return super().render_delete_form(request, context)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, LoginAdmin)
