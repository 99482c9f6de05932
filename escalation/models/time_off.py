"""A person's time off: when they cannot be on call."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .people import Person
from .validators import validate_single_line

TIME_OFF_END_NOT_AFTER_START = "The time off must end after it starts."


class TimeOffKind(models.TextChoices):
    VACATION = "vacation", "Vacation"
    SICK = "sick", "Sick leave"
    OTHER = "other", "Other"


class TimeOffQuerySet(models.QuerySet["TimeOff"]):
    def overlapping(self, start: datetime, end: datetime) -> "TimeOffQuerySet":
        """Time off sharing some instant with `[start, end)` (both half-open)."""
        return self.filter(start__lt=end, end__gt=start)


class TimeOff(models.Model):
    """A person away over `[start, end)`, two instants.

    Entered as whole days on the profile page (the person's local days: from 00:00 of the first
    to 00:00 after the last, in their time zone) or as instants by managers in the admin.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    kind = models.CharField(
        max_length=10, choices=TimeOffKind.choices, default=TimeOffKind.VACATION
    )
    note = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = TimeOffQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = "time off"
        verbose_name_plural = "time off"
        indexes = [models.Index(fields=["person", "start", "end"], name="time_off_lookup")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="time_off_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.person}: {self.get_kind_display()} {self.start:%Y-%m-%d} → {self.end:%Y-%m-%d}"
        )

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": TIME_OFF_END_NOT_AFTER_START})
