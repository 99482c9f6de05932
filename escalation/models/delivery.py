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
    #: Override pushes to PagerDuty: the recipient is the schedule id, the body says what to do.
    PAGERDUTY = "pagerduty", "PagerDuty"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"


class OutgoingMessage(models.Model):
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    recipient = models.CharField(
        max_length=320, blank=True, help_text="Email address, or the Slack channel."
    )
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
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
