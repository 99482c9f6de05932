"""Channels, severities and their responders, services, escalation paths and paging rules."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from escalation.models import (
    Channel,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    PagingAction,
    PagingRule,
    PartyKind,
    ResponderTier,
    Service,
    Severity,
    SeverityResponder,
)

from .base import CompactInline, EscalationForm, HistoryAdmin, tbd_badge
from .party_picker import PartyChoicesAdminMixin, PartyChoicesInlineMixin, PartyForm

SUSTAINED_MINUTES_REQUIRED = "Say for how many minutes the signal must last before paging."
LIMITED_STEP = "Escalation step: {step} (only for this severity: change it first)"

PARTY_FIELDS = ["position", "who", "label", "via"]
TIER_ORDER = Case(
    *[When(tier=tier, then=Value(index)) for index, tier in enumerate(ResponderTier.values)],
    output_field=IntegerField(),
)


@admin.register(Channel)
class ChannelAdmin(HistoryAdmin):
    list_display = ["name", "kind", "purpose", "who_posts", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "purpose", "who_posts"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "name"]
    fields = ["name", "slug", "kind", "purpose", "who_posts", "url", "position"]


class SeverityResponderInline(PartyChoicesInlineMixin, CompactInline):
    model = SeverityResponder
    form = PartyForm
    fields = ["tier", *PARTY_FIELDS]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SeverityResponder]:
        return (
            super()
            .get_queryset(request)
            .select_related("role", "person", "channel", "rotation")
            .order_by(TIER_ORDER, "position")
        )


@admin.register(Severity)
class SeverityAdmin(HistoryAdmin):
    list_display = ["name", "description", "responder_count"]
    search_fields = ["level", "description"]
    ordering = ["level"]
    fields = ["level", "description"]
    inlines = [SeverityResponderInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Severity]:
        return super().get_queryset(request).annotate(responder_total=Count("responders"))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # Managers type "SEV2"; the level is 2.
        term = search_term.strip()
        if term.upper().startswith("SEV"):
            term = term[3:].strip()
        return super().get_search_results(request, queryset, term)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # A step limited to a severity ("SEV1 only") would quietly apply to every severity once
        # the severity is gone: refused, naming the steps to change first.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        limited = (
            EscalationStep.objects.filter(only_severities__in=list(objs))
            .select_related("path")
            .distinct()
        )
        limits = [LIMITED_STEP.format(step=step) for step in limited]
        if limits:
            perms_needed = set()
        return deleted, counts, perms_needed, [*protected, *limits]

    @admin.display(description="Severity", ordering="level")
    def name(self, severity: Severity) -> str:
        return severity.name

    @admin.display(description="Responders", ordering="responder_total")
    def responder_count(self, severity: Severity) -> int:
        return severity.responder_total  # type: ignore[attr-defined]


class PartyAdmin(PartyChoicesAdminMixin, HistoryAdmin):
    form = PartyForm
    list_filter = ["kind", "via"]
    search_fields = ["label", "role__name", "person__display_name", "channel__name"]
    list_select_related = ["role", "person", "channel"]

    @admin.display(description="Links to")
    def target(self, party: SeverityResponder | EscalationStepParty) -> SafeString | str:
        if party.kind == PartyKind.ROLE and party.role is not None:
            return tbd_badge() if party.role.is_tbd else f"{party.role} ({party.role.holder})"
        return str(party.person or party.channel or party.get_kind_display())


@admin.register(SeverityResponder)
class SeverityResponderAdmin(PartyAdmin):
    list_display = ["severity", "tier", "position", "label", "kind", "target", "via"]
    list_filter = ["severity", "tier", *PartyAdmin.list_filter]
    list_select_related = ["severity", "role__holder", "person", "channel"]
    autocomplete_fields = ["severity"]
    ordering = ["severity__level", "tier", "position"]
    fields = ["severity", "tier", *PARTY_FIELDS]


class ContactTbdFilter(admin.SimpleListFilter):
    title = "primary contact"
    parameter_name = "contact_tbd"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "TBD (role unheld or none)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(
                Q(primary_contact__isnull=True) | Q(primary_contact__holder__isnull=True)
            )
        return queryset


@admin.register(Service)
class ServiceAdmin(HistoryAdmin):
    list_display = [
        "name",
        "team",
        "primary_contact",
        "contact_holder",
        "slack_channel",
        "rotation",
    ]
    list_select_related = ["team", "primary_contact__holder", "rotation"]
    list_filter = [ContactTbdFilter, "team"]
    search_fields = [
        "name",
        "slug",
        "team__name",
        "primary_contact__name",
        "slack_channel",
        "pagerduty_service_id",
        "aliases",
    ]
    autocomplete_fields = ["team", "primary_contact", "rotation"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "name"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "aliases", "team", "description"]}),
        ("Who answers for it", {"fields": ["primary_contact", "slack_channel", "rotation"]}),
        ("PagerDuty", {"fields": ["pagerduty_service_id"]}),
        ("Order on the services page", {"fields": ["position"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Contact holder")
    def contact_holder(self, service: Service) -> SafeString | str:
        role = service.primary_contact
        if role is None or role.holder is None:
            return tbd_badge("Nobody holds the primary contact role")
        return role.holder.display_name


def step_conditions(step: EscalationStep) -> str:
    parts = []
    severities = [severity.name for severity in step.only_severities.all()]
    if severities:
        parts.append(" / ".join(severities) + " only")
    if step.after_minutes:
        parts.append(f"after {step.after_minutes} min")
    if step.condition:
        parts.append(f"if {step.condition}")
    return ", ".join(parts) or "always"


def step_parties(step: EscalationStep) -> str:
    return " + ".join(party.label for party in step.parties.all()) or "—"


class EscalationStepInline(CompactInline):
    model = EscalationStep
    fields = ["position", "parties", "only_severities", "after_minutes", "condition", "note"]
    readonly_fields = ["parties"]
    formfield_overrides = {
        EscalationStep.only_severities.field.__class__: {"widget": forms.CheckboxSelectMultiple}
    }
    show_change_link = True
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[EscalationStep]:
        return super().get_queryset(request).prefetch_related("parties", "only_severities")

    @admin.display(description="Who (edit on the step's page)")
    def parties(self, step: EscalationStep) -> str:
        return step_parties(step)


@admin.register(EscalationPath)
class EscalationPathAdmin(HistoryAdmin):
    list_display = ["name", "kind", "step_count", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["position", "name"]
    fields = ["name", "slug", "kind", "description", "position"]
    inlines = [EscalationStepInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EscalationPath]:
        return super().get_queryset(request).annotate(step_total=Count("steps"))

    @admin.display(description="Steps", ordering="step_total")
    def step_count(self, path: EscalationPath) -> int:
        return path.step_total  # type: ignore[attr-defined]


class EscalationStepPartyInline(PartyChoicesInlineMixin, CompactInline):
    model = EscalationStepParty
    form = PartyForm
    fields = [*PARTY_FIELDS]


@admin.register(EscalationStep)
class EscalationStepAdmin(HistoryAdmin):
    list_display = ["__str__", "path", "position", "who", "conditions"]
    list_select_related = ["path"]
    list_filter = ["path"]
    search_fields = ["path__name", "condition", "note", "parties__label"]
    autocomplete_fields = ["path"]
    ordering = ["path__position", "path__name", "position"]
    fields = ["path", "position", "only_severities", "after_minutes", "condition", "note"]
    formfield_overrides = EscalationStepInline.formfield_overrides
    inlines = [EscalationStepPartyInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EscalationStep]:
        return super().get_queryset(request).prefetch_related("parties", "only_severities")

    @admin.display(description="Who")
    def who(self, step: EscalationStep) -> str:
        return step_parties(step)

    @admin.display(description="Moves on")
    def conditions(self, step: EscalationStep) -> str:
        return step_conditions(step)


@admin.register(EscalationStepParty)
class EscalationStepPartyAdmin(PartyAdmin):
    list_display = ["step", "position", "label", "kind", "target", "via"]
    list_filter = ["step__path", *PartyAdmin.list_filter]
    list_select_related = ["step__path", "role__holder", "person", "channel"]
    autocomplete_fields = ["step"]
    search_fields = [*PartyAdmin.search_fields, "step__path__name"]
    ordering = ["step__path__position", "step__position", "position"]
    fields = ["step", *PARTY_FIELDS]


class PagingRuleForm(EscalationForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == PagingAction.PAGE_IF_SUSTAINED and not cleaned.get(
            "sustained_minutes"
        ):
            self.add_error("sustained_minutes", SUSTAINED_MINUTES_REQUIRED)
        return cleaned


@admin.register(PagingRule)
class PagingRuleAdmin(HistoryAdmin):
    form = PagingRuleForm
    list_display = ["signal", "action_display", "channel", "alternative_channel", "position"]
    list_select_related = ["channel", "alternative_channel"]
    list_filter = ["action"]
    search_fields = ["signal", "channel__name"]
    autocomplete_fields = ["channel", "alternative_channel"]
    ordering = ["position", "signal"]
    fields = ["signal", "action", "sustained_minutes", "channel", "alternative_channel", "position"]

    @admin.display(description="Action", ordering="action")
    def action_display(self, rule: PagingRule) -> SafeString | str:
        if rule.is_urgent:
            return format_html('<strong class="text-urgent">{}</strong>', rule.action_text)
        return rule.action_text
