"""Feed tokens and the outbox of notifications (delivered after commit, retried on failure)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class FeedToken(models.Model):
    """A revocable secret that lets calendar clients read one user's feeds. Only its hash is kept."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="The first characters, to recognise it.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Feed token {self.hint}… of {self.user}"


class MessageChannel(models.TextChoices):
    SLACK = "slack", "Slack webhook"
    EMAIL = "email", "Email"
    #: Posted (or, with `updates`, edited in place) by the Slack app's bot: blocks and buttons.
    SLACK_APP = "slack_app", "Slack app"
    #: An answer to one person in Slack, through the `response_url` of their command or click.
    SLACK_RESPONSE = "slack_response", "Slack answer"
    #: Override pushes to PagerDuty: the recipient is the schedule id, the body says what to do.
    PAGERDUTY = "pagerduty", "PagerDuty"
    #: "Page now": the recipient is the PagerDuty user paged, the body names the portal's
    #: `PagerDutyIncident` to create.
    PAGERDUTY_INCIDENT = "pagerduty_page", "PagerDuty page"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"


class OutgoingMessage(models.Model):
    channel = models.CharField(max_length=20, choices=MessageChannel.choices)
    recipient = models.CharField(
        max_length=500,
        blank=True,
        help_text="Email address, the Slack channel, or the response address of a Slack click.",
    )
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    blocks = models.JSONField(default=list, blank=True, help_text="Slack Block Kit blocks.")
    updates = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="updated_by",
        help_text="The Slack message this one edits in place.",
    )
    slack_channel_id = models.CharField(max_length=32, blank=True)
    slack_ts = models.CharField(
        max_length=32, blank=True, help_text="Slack's id of the posted message, to edit it."
    )
    dedupe_key = models.CharField(
        max_length=300, null=True, blank=True, help_text="Messages with the same key are sent once."
    )
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "recipient", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="outbox_dedupe",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient}: {self.subject}"


class SlackReceipt(models.Model):
    """A signed Slack request that was acted on: a retried or replayed one is not acted on twice."""

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the request body.")
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Slack request {self.key[:12]}…"
