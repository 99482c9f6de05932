"""What the outgoing on-call pair tells the incoming one at a handoff."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .rotations import Rotation
from .validators import validate_multi_line

HANDOFF_NOTE_MAX_LENGTH = 4000


class HandoffNote(models.Model):
    """One note per shift, kept with it: the rotation and the shift's start identify the shift."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="handoff_notes")
    shift_start = models.DateTimeField()
    shift_end = models.DateTimeField()
    text = models.TextField(max_length=HANDOFF_NOTE_MAX_LENGTH, validators=[validate_multi_line])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rotation", "shift_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["rotation", "shift_start"], name="handoff_note_one_per_shift"
            ),
        ]

    def __str__(self) -> str:
        return f"Handoff note for {self.rotation}, shift of {self.shift_start:%Y-%m-%d %H:%M}"
