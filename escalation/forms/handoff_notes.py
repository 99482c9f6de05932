"""The dashboard's handoff note form: the text, and which shift it belongs to."""

from datetime import datetime
from typing import Any

from django import forms

from ..models.handoff_notes import HANDOFF_NOTE_MAX_LENGTH
from ..models.validators import validate_multi_line

SHIFT_UNREADABLE = "The form arrived without its shift, perhaps from an old page: reload it."


class HandoffNoteForm(forms.Form):
    rotation = forms.SlugField(widget=forms.HiddenInput, max_length=120)
    shift_start = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**33)
    text = forms.CharField(
        label="Handoff note",
        required=False,
        strip=False,
        max_length=HANDOFF_NOTE_MAX_LENGTH,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Open incidents, things to watch. The incoming pair reads it on the dashboard, "
        "in their reminder and in the handoff post. Empty removes the note.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors.get("rotation") or self.errors.get("shift_start"):
            self.errors.pop("rotation", None)
            self.errors.pop("shift_start", None)
            self.add_error(None, SHIFT_UNREADABLE)
        return cleaned

    @staticmethod
    def initial_for(*, rotation_slug: str, shift_start: datetime, text: str) -> dict[str, Any]:
        return {
            "rotation": rotation_slug,
            "shift_start": int(shift_start.timestamp()),
            "text": text,
        }
