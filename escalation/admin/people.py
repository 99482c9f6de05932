"""People, teams and roles: where managers fill in the TBDs and keep contact details current."""

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from escalation.models import Person, Role, SwapRequest, SwapState, Team
from escalation.models.people import missing_contact_q, unverified_q
from escalation.selectors.completeness import attention_counts

from .base import HistoryAdmin, missing_badges, tbd_badge

NEVER_VERIFIED = "never verified"
NOT_VERIFIED_RECENTLY = "unverified 90+ days"
MARKED_VERIFIED_MESSAGE = "Marked {count} as verified now."
PENDING_SWAPS = [SwapState.PENDING, SwapState.ACCEPTED]


def tbd_roles_message(count: int) -> str:
    if count == 1:
        return "1 role is TBD: nobody holds it."
    return f"{count} roles are TBD: nobody holds them."


def people_missing_message(count: int) -> str:
    if count == 1:
        return "1 active person is missing contact details or was not verified in the last 90 days."
    return (
        f"{count} active people are missing contact details "
        "or were not verified in the last 90 days."
    )


def contact_gaps(person: Person, now: datetime) -> list[str]:
    gaps = [f"no {field}" for field in person.missing_contact_fields]
    if person.verified_at is None:
        gaps.append(NEVER_VERIFIED)
    elif person.is_unverified(at=now):
        gaps.append(NOT_VERIFIED_RECENTLY)
    return gaps


@admin.register(Team)
class TeamAdmin(HistoryAdmin):
    list_display = ["name", "slack_channel", "lead_role"]
    list_select_related = ["lead_role"]
    search_fields = ["name", "slug", "slack_channel"]
    autocomplete_fields = ["lead_role"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]
    fields = ["name", "slug", "slack_channel", "lead_role", "country", "region"]


class MissingContactFilter(admin.SimpleListFilter):
    title = "missing contact"
    parameter_name = "missing"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("any", "Anything missing"),
            ("phone", "No phone"),
            ("slack", "No Slack handle"),
            ("pagerduty", "No PagerDuty handle"),
            ("unverified", "Unverified 90+ days"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        conditions = {
            "any": missing_contact_q() | unverified_q(at=now),
            "phone": Q(phone=""),
            "slack": Q(slack_handle=""),
            "pagerduty": Q(pagerduty_handle=""),
            "unverified": unverified_q(at=now),
        }
        condition = conditions.get(self.value() or "")
        return queryset.filter(condition) if condition is not None else queryset


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ["name_and_roles", "missing", "phone_international", "handles"]
    list_display_links = ["name_and_roles"]
    list_filter = [MissingContactFilter, "is_active", "team"]
    search_fields = ["display_name", "email", "slack_handle", "pagerduty_handle", "phone"]
    autocomplete_fields = ["team", "user"]
    ordering = ["display_name"]
    actions = ["mark_verified"]
    readonly_fields = ["roles_held"]
    fieldsets = [
        (None, {"fields": ["display_name", "team", "roles_held", "is_active"]}),
        (
            "Public holidays",
            {
                "fields": ["country", "region"],
                "description": "Whose public holidays the calendar marks on their shifts. "
                "Empty: their team's.",
            },
        ),
        (
            "How to reach them",
            {
                "fields": [
                    "phone",
                    "slack_handle",
                    "slack_user_id",
                    "pagerduty_handle",
                    "pagerduty_user_id",
                    "email",
                    "time_zone",
                ]
            },
        ),
        (
            "Verification",
            {
                "fields": ["verified_at"],
                "description": "Details nobody confirmed in the last 90 days are flagged in the "
                "list. “Mark contact details verified now” there sets this for many at once.",
            },
        ),
        (
            "Login",
            {
                "fields": ["user"],
                "description": (
                    "Linked automatically by email at single sign-on; otherwise pick the "
                    "person's login here (add it first under Users if it does not exist)."
                ),
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Person]:
        return super().get_queryset(request).select_related("team").prefetch_related("roles")

    @admin.display(description="Missing")
    def missing(self, person: Person) -> SafeString:
        gaps = contact_gaps(person, timezone.now())
        if not person.is_active:
            return format_html(
                '<span class="badge-inactive">inactive</span> {}', missing_badges(gaps)
            )
        return missing_badges(gaps)

    @admin.display(description="Phone", ordering="phone")
    def phone_international(self, person: Person) -> str:
        return str(person.phone) if person.phone else "—"

    @admin.display(description="Slack / PagerDuty", ordering="slack_handle")
    def handles(self, person: Person) -> SafeString:
        return format_html(
            '<span class="handle-label">Slack</span> {}<br><span class="handle-label">PD</span> {}',
            person.slack_handle or "—",
            person.pagerduty_handle or "—",
        )

    @admin.display(description="Name", ordering="display_name")
    def name_and_roles(self, person: Person) -> SafeString:
        roles = [role.name for role in person.roles.all()]
        if not roles:
            return format_html("{}", person.display_name)
        return format_html(
            '{}<span class="person-roles">{}</span>', person.display_name, ", ".join(roles)
        )

    @admin.display(description="Roles")
    def roles_held(self, person: Person) -> str:
        return ", ".join(role.name for role in person.roles.all()) or "—"

    @admin.action(description="Mark contact details verified now", permissions=["change"])
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Person]) -> None:
        now = timezone.now()
        people = list(queryset)
        for person in people:
            # One save per person, so each gets its own history entry naming the manager.
            person.verified_at = now
            person._history_user = request.user  # type: ignore[attr-defined]
            person.save(update_fields=["verified_at"])
        self.message_user(request, MARKED_VERIFIED_MESSAGE.format(count=len(people)))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        counts = attention_counts(at=timezone.now())
        extra_context = {
            **(extra_context or {}),
            "attention_message": people_missing_message(counts["people_missing"])
            if counts["people_missing"]
            else "",
            "attention_query": "?missing=any&is_active__exact=1",
            "attention_link": "Show them",
        }
        return super().changelist_view(request, extra_context)

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        person = context["object"]
        context["pending_swaps"] = list(
            SwapRequest.objects.filter(
                Q(requester=person) | Q(colleague=person), state__in=PENDING_SWAPS
            ).select_related("requester", "colleague", "rotation")
        )
        return super().render_delete_form(request, context)


class TbdFilter(admin.SimpleListFilter):
    title = "holder"
    parameter_name = "tbd"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "TBD (nobody holds it)"), ("no", "Held by someone")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(holder__isnull=True)
        if self.value() == "no":
            return queryset.filter(holder__isnull=False)
        return queryset


@admin.register(Role)
class RoleAdmin(HistoryAdmin):
    list_display = ["name", "holder_or_tbd", "holder_phone", "aliases", "team"]
    list_select_related = ["holder", "team"]
    list_filter = [TbdFilter, "team"]
    search_fields = ["name", "slug", "slack_alias", "pagerduty_alias", "holder__display_name"]
    autocomplete_fields = ["holder", "team"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "team"]}),
        (
            "Who holds it",
            {"fields": ["holder"], "description": "Leave empty while the role is TBD."},
        ),
        ("Group aliases", {"fields": ["slack_alias", "pagerduty_alias"]}),
        (
            "Published contact table",
            {"fields": ["contact_position"], "classes": ["collapse"]},
        ),
    ]

    @admin.display(description="Holder", ordering="holder__display_name")
    def holder_or_tbd(self, role: Role) -> SafeString:
        if role.holder is None:
            return tbd_badge()
        url = reverse("admin:escalation_person_change", args=[role.holder.pk])
        return format_html('<a href="{}">{}</a>', url, role.holder.display_name)

    @admin.display(description="Holder's phone")
    def holder_phone(self, role: Role) -> SafeString | str:
        if role.holder is None:
            return "—"
        if not role.holder.phone:
            return missing_badges(["no phone"])
        return str(role.holder.phone)

    @admin.display(description="Slack / PagerDuty alias", ordering="slack_alias")
    def aliases(self, role: Role) -> str:
        if role.slack_alias == role.pagerduty_alias:
            return role.slack_alias or "—"
        return f"{role.slack_alias or '—'} / {role.pagerduty_alias or '—'}"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        counts = attention_counts(at=timezone.now())
        extra_context = {
            **(extra_context or {}),
            "attention_message": tbd_roles_message(counts["tbd_roles"])
            if counts["tbd_roles"]
            else "",
            "attention_query": "?tbd=yes",
            "attention_link": "Show the TBD roles",
        }
        return super().changelist_view(request, extra_context)
