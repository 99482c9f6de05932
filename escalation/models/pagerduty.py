"""What the PagerDuty sync found: when each linked schedule was last read, and where PagerDuty
would page someone other than the portal says (`escalation.services.pagerduty_sync`); and the
incidents people asked for with "Page via PagerDuty" (`escalation.services.pagerduty_pages`)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .directory import Service
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


class PageState(models.TextChoices):
    PENDING = "pending", "Paging…"
    CREATED = "created", "Paged"
    FAILED = "failed", "Failed"


class Urgency(models.TextChoices):
    HIGH = "high", "High: notify them now, by every means they set up"
    LOW = "low", "Low: notify them without waking them"


class PagerDutyIncident(models.Model):
    """A "Page via PagerDuty" someone asked for: the incident to create, assigned to one person,
    and what PagerDuty made of it. Names are kept as they were, so the record outlives the rows
    it points at."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(max_length=200)
    assignee = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    assignee_name = models.CharField(max_length=200)
    #: The PagerDuty user assigned, and the service the incident opens on, as sent.
    assignee_user_id = models.CharField(max_length=20)
    service = models.ForeignKey(Service, null=True, on_delete=models.SET_NULL, related_name="+")
    service_name = models.CharField(max_length=200)
    pagerduty_service_id = models.CharField(max_length=20)
    severity = models.CharField(max_length=10, blank=True, help_text="e.g. SEV2; empty: not said.")
    title = models.CharField(max_length=255)
    urgency = models.CharField(max_length=4, choices=Urgency.choices, default=Urgency.HIGH)
    state = models.CharField(max_length=10, choices=PageState.choices, default=PageState.PENDING)
    #: Sent as the incident's `incident_key`: PagerDuty refuses a second open incident with it,
    #: and a retry looks it up before creating. Also the form's submission key.
    incident_key = models.CharField(max_length=64, unique=True)
    pagerduty_incident_id = models.CharField(max_length=20, blank=True)
    html_url = models.URLField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    paged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "PagerDuty page"
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="created") | ~Q(pagerduty_incident_id=""),
                name="pagerduty_page_created_has_incident",
            ),
        ]

    def __str__(self) -> str:
        return f"Page of {self.assignee_name}: {self.title}"
