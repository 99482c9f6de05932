"""Feed tokens and the notification outbox: written by the portal itself, read-only here."""

from django.contrib import admin

from escalation.models import FeedToken, OutgoingMessage

from .base import EscalationAdmin, ReadOnlyMixin


@admin.register(FeedToken)
class FeedTokenAdmin(ReadOnlyMixin, EscalationAdmin):
    # The hash never leaves the database: only its owner's first characters identify a token.
    list_display = ["user", "hint_shown", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    ordering = ["-created_at"]
    fields = ["user", "hint_shown", "created_at", "last_used_at"]
    readonly_fields = ["hint_shown", "created_at"]

    @admin.display(description="Token starts with")
    def hint_shown(self, token: FeedToken) -> str:
        return f"{token.hint}…"


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(ReadOnlyMixin, EscalationAdmin):
    list_display = [
        "created_at",
        "channel",
        "recipient",
        "subject",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject", "body"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["channel", "recipient", "subject", "body"]}),
        (
            "Delivery",
            {
                "fields": [
                    "status",
                    "attempts",
                    "last_error",
                    "dedupe_key",
                    "created_at",
                    "next_attempt_at",
                    "sent_at",
                ]
            },
        ),
    ]
