"""What the PagerDuty sync found: when each linked schedule was last read, and where PagerDuty
would page someone other than the portal says (`escalation.services.pagerduty_sync`)."""

from django.db import models
from django.db.models import F, Q

from .people import Person
from .rotations import OnCallTier, Rotation


class PagerDutyCheck(models.Model):
    """The last reading of one rotation tier's PagerDuty schedule."""

    rotation = models.ForeignKey(
        Rotation, on_delete=models.CASCADE, related_name="pagerduty_checks"
    )
    tier = models.CharField(max_length=10, choices=OnCallTier.choices)
    schedule_id = models.CharField(max_length=20)
    #: The last reading that succeeded, and the window it compared.
    checked_at = models.DateTimeField(null=True, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_end = models.DateTimeField(null=True, blank=True)
    #: The last attempt, and what went wrong with it ("" when it succeeded).
    attempted_at = models.DateTimeField()
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["rotation", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "tier"], name="pagerduty_check_unique"),
        ]

    def __str__(self) -> str:
        return f"PagerDuty check of {self.rotation} {self.tier}"


class PagerDutyDrift(models.Model):
    """An interval over which PagerDuty would page someone other than the portal's on-call."""

    rotation = models.ForeignKey(
        Rotation, on_delete=models.CASCADE, related_name="pagerduty_drifts"
    )
    tier = models.CharField(max_length=10, choices=OnCallTier.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    #: Whom PagerDuty pages: its user id and name ("" for nobody), and our Person if linked.
    pagerduty_user_id = models.CharField(max_length=20, blank=True)
    pagerduty_name = models.CharField(max_length=200, blank=True)
    pagerduty_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    portal_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["start", "rotation", "tier"]
        indexes = [models.Index(fields=["end", "start"], name="pagerduty_drift_window")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="pagerduty_drift_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"PagerDuty drift on {self.rotation} {self.tier} from {self.start:%Y-%m-%d %H:%M}"

    @property
    def pagerduty_says(self) -> str:
        """Whom PagerDuty will page, as a sentence names them."""
        if self.pagerduty_person is not None:
            return self.pagerduty_person.display_name
        return self.pagerduty_name or "nobody"

    @property
    def portal_says(self) -> str:
        return self.portal_person.display_name if self.portal_person is not None else "nobody"
