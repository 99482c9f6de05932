"""The profile's "My time off" form: whole days in the person's own time zone."""

from datetime import date, timedelta
from typing import Any

from django import forms

from ..models import TimeOff, TimeOffKind
from ..models.validators import validate_single_line

TIME_OFF_LAST_BEFORE_FIRST = "The last day must not be before the first."
TIME_OFF_TOO_LONG = "Enter at most a year at a time."
TIME_OFF_IN_THE_PAST = "Enter time off that is not over yet."
MAX_DAYS = 366


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeOffForm(forms.Form):
    first_day = forms.DateField(label="First day away", widget=DateInput())
    last_day = forms.DateField(label="Last day away", widget=DateInput())
    kind = forms.ChoiceField(
        label="Kind", choices=TimeOffKind.choices, initial=TimeOffKind.VACATION
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=TimeOff._meta.get_field("note").max_length,
        validators=[validate_single_line],
        help_text="Optional, one line: “skiing”, “conference”.",
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", TIME_OFF_LAST_BEFORE_FIRST)
            elif last - first >= timedelta(days=MAX_DAYS):
                self.add_error("last_day", TIME_OFF_TOO_LONG)
            elif last < self.today:
                self.add_error("last_day", TIME_OFF_IN_THE_PAST)
        return cleaned
