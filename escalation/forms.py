"""Forms of the portal's pages (the admin has its own).

The published pages' questions (the calendar's, the service sheet's) are GET forms: a page
asked about is a link. Every field of theirs is optional, and a value that cannot be read gets
its message and the default, never an error page.
"""

import re
import uuid
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, cast
from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.http import QueryDict
from django.utils import timezone

from .escalation_clock import incident_start
from .models import OnCallTier, PathKind, Person, SwapKind
from .selectors.oncall import DEFAULT_WEEKS, MAX_WEEKS, CalendarPage
from .selectors.swaps import ShiftOption, SwapFormOptions
from .services.swaps import RETURN_NOT_COLLEAGUES, RETURN_REQUIRED, SwapError
from .time_zones import zone_or_utc

SHIFT_UNAVAILABLE = (
    "That shift is no longer on offer (it may have ended, or changed hands): pick another one."
)
RETURN_UNAVAILABLE = "That shift is no longer on offer: pick another one."
PART_OUTSIDE_SHIFT = "Keep it inside the chosen shift: {start} to {end}."
PART_END_NOT_AFTER_START = "The end must be after the start."
RETURN_OTHER_ROTATION = "The return shift must be in the same rotation as the shift given away."
SUBMISSION_KEY_MISSING = (
    "The form arrived incomplete, perhaps from an old page: check it and send it again."
)
REQUESTER_UNKNOWN = "Pick the person this request is for."
COLLEAGUE_UNKNOWN = "Pick an active colleague from the list."
NOT_OFFERED = (
    "Only people on your rotation who can log in to the portal are listed. Not listed: {people}. "
    "An Escalation manager can give them a login."
)
LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
AT_INVALID = (
    "“{value}” is not a date and time. Use ISO 8601, for example 2026-11-30T09:00:00Z "
    "(UTC) or 2026-11-30T10:00:00+01:00."
)
AT_OUT_OF_RANGE = "Pick an instant between 1970 and 2199."
START_INVALID = (
    "“{value}” is not a date (use YYYY-MM-DD between 1970 and 2199): showing the current shift."
)
WEEKS_INVALID = "Weeks must be a whole number from 1 to {max}: showing {default}."
ROTATION_INVALID = "There is no rotation “{value}”: showing {shown}."

SEVERITY_INVALID = "Choose a severity from the list."
SEVERITY_UNKNOWN = "There is no {severity}: choose a severity from the list."
KIND_INVALID = "Choose the kind of incident from the list."
STARTED_INVALID = "Enter the time the incident started as HH:MM, for example 10:12."

# A "+" in a query string arrives as a space: 09:00:00+01:00 becomes "09:00:00 01:00".
_OFFSET_AS_SPACE = re.compile(
    r"^(\d{4}-?\d{2}-?\d{2}[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?) (\d{2}(?::?\d{2})?)$"
)
_SEVERITY = re.compile(r"^\s*(?:sev)?\s*([1-9])\s*$", re.IGNORECASE)


def when(value: datetime, zone: ZoneInfo, *, year: bool = False) -> str:
    local = value.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b}{f' {local.year}' if year else ''} {local:%H:%M}"


def shift_label(option: ShiftOption, zone: ZoneInfo, *, now: datetime, rotation: bool) -> str:
    """`Primary · Mon 5 Jan 09:00 → Mon 12 Jan 09:00 · Odd weeks (week 2)`, in the reader's zone."""
    year = option.end.astimezone(zone).year != now.astimezone(zone).year
    parts = [
        option.rotation.name if rotation else "",
        option.tier_label,
        f"{when(option.start, zone, year=year)} → {when(option.end, zone, year=year)}",
        f"{option.slot_label} (week {option.iso_week})",
    ]
    label = " · ".join(part for part in parts if part)
    if option.start <= now:
        label += " · in progress"
    return label


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class SwapRequestForm(forms.Form):
    """A swap or cover request. Choices come from `swap_form_options`; times typed in are in the
    viewer's time zone. The rules themselves live in the service (`escalation.services.swaps`):
    its errors land on the matching field (`add_swap_error`)."""

    # Only carries the manager's choice back: the view picks the requester, `clean` checks it.
    requester = forms.Field(widget=forms.HiddenInput, required=False)
    shift = forms.ChoiceField(
        label="Shift",
        error_messages={"invalid_choice": SHIFT_UNAVAILABLE},
    )
    start = forms.DateTimeField(
        label="From",
        required=False,
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LocalDateTimeInput(),
        help_text="Only part of the shift? Leave empty for the whole shift (or from now on).",
    )
    end = forms.DateTimeField(
        label="Until",
        required=False,
        input_formats=LOCAL_INPUT_FORMATS,
        widget=LocalDateTimeInput(),
        help_text="Leave empty for the end of the shift.",
    )
    kind = forms.ChoiceField(
        label="Kind of request",
        choices=SwapKind.choices,
        initial=SwapKind.COVER,
        widget=forms.RadioSelect,
    )
    colleague = forms.ChoiceField(
        label="Colleague", error_messages={"invalid_choice": COLLEAGUE_UNKNOWN}
    )
    return_shift = forms.ChoiceField(
        label="Their shift you take in return",
        required=False,
        help_text="For a swap only: one of the colleague's shifts, in the same rotation and tier.",
        error_messages={"invalid_choice": RETURN_UNAVAILABLE},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A few words for your colleague and the manager: “family event”, “conference”.",
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        options: SwapFormOptions,
        time_zone: str,
        now: datetime,
        on_behalf: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("submission_key", uuid.uuid4())
        if options.requester is not None:
            kwargs["initial"].setdefault("requester", str(options.requester.pk))
        super().__init__(*args, **kwargs)
        self.options = options
        self.time_zone = time_zone
        self.zone = zone_or_utc(time_zone)
        self.now = now
        several = options.several_rotations
        self._own = {option.value: option for option in options.own_shifts}
        self._others = {
            option.value: option for shifts in options.others_shifts.values() for option in shifts
        }
        self._people = {str(person.pk): person for person in options.people}
        self._colleagues = {str(person.pk): person for person in options.colleagues}

        self._choice_field("shift").choices = [("", "Choose a shift…")] + [
            (option.value, shift_label(option, self.zone, now=now, rotation=several))
            for option in options.own_shifts
        ]
        if on_behalf and options.requester is not None:
            self.fields["shift"].label = f"{options.requester}'s shift"
        else:
            self.fields["shift"].label = "Your shift"
        self._choice_field("colleague").choices = [("", "Choose a colleague…")] + [
            (str(person.pk), person.display_name) for person in options.colleagues
        ]
        if options.not_offered:
            self.fields["colleague"].help_text = NOT_OFFERED.format(
                people="; ".join(f"{person} ({why})" for person, why in options.not_offered)
            )
        # Once a colleague is chosen, only their shifts (the page's script does the same before
        # the form is sent).
        chosen = str(self.data.get("colleague") or self.initial.get("colleague") or "")
        self._choice_field("return_shift").choices = [("", "—")] + [
            (
                person.display_name,
                [
                    (option.value, shift_label(option, self.zone, now=now, rotation=several))
                    for option in shifts
                ],
            )
            for person, shifts in options.others_shifts.items()
            if chosen not in self._colleagues or str(person.pk) == chosen
        ]
        for name in ("start", "end"):
            self.fields[name].help_text += f" Times in {time_zone}."
            self.fields[name].widget.attrs["step"] = 60

        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "requester",
            "submission_key",
            Fieldset(
                "What to hand over",
                Field("shift", css_class="form-select"),
                Row(Column("start", css_class="col-sm-6"), Column("end", css_class="col-sm-6")),
            ),
            Fieldset(
                "To whom",
                "kind",
                Field("colleague", css_class="form-select"),
                Field("return_shift", css_class="form-select"),
            ),
            Fieldset("Why", "reason"),
        )

    def _choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def full_clean(self) -> None:
        # Datetimes typed into datetime-local inputs are wall-clock times in the viewer's zone
        # (Django rejects one skipped or repeated by a clock change, with a message).
        with timezone.override(self.zone):
            super().full_clean()
        if self.is_bound and "submission_key" in self.errors:
            # A hidden field's error would show nowhere: say it above the form, and give the form
            # a fresh key so that sending it again works.
            del self.errors["submission_key"]
            data = cast(QueryDict, self.data).copy()
            data["submission_key"] = str(uuid.uuid4())
            self.data = data
            self.add_error(None, SUBMISSION_KEY_MISSING)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        requester = self._people.get(data.get("requester") or "")
        if requester is None or requester != self.options.requester:
            requester = self.options.requester
        if requester is None:
            raise forms.ValidationError(REQUESTER_UNKNOWN)
        data["requester_person"] = requester
        data["colleague_person"] = self._colleagues.get(data.get("colleague") or "")

        option = self._own.get(data.get("shift") or "")
        if option is None:
            return data
        data["rotation"] = option.rotation
        data["tier"] = option.tier
        floor = self.now.replace(second=0, microsecond=0)
        start = data.get("start") or max(option.start, floor)
        end = data.get("end") or option.end
        for name, value in (("start", data.get("start")), ("end", data.get("end"))):
            if value is not None and not option.start <= value <= option.end:
                self.add_error(
                    name,
                    PART_OUTSIDE_SHIFT.format(
                        start=when(option.start, self.zone), end=when(option.end, self.zone)
                    ),
                )
        if data.get("end") is not None and end <= start:
            self.add_error("end", PART_END_NOT_AFTER_START)
        data["interval"] = (start, end)

        data["return_interval"] = (None, None)
        if data.get("kind") == SwapKind.SWAP:
            # Another person's shift is no longer a choice once a colleague is chosen: say why.
            returned = self._others.get(
                data.get("return_shift") or self.data.get("return_shift") or ""
            )
            if returned is not None:
                self.errors.pop("return_shift", None)
            if returned is None:
                if "return_shift" not in self.errors:
                    self.add_error("return_shift", RETURN_REQUIRED)
            elif returned.rotation.pk != option.rotation.pk:
                self.add_error("return_shift", RETURN_OTHER_ROTATION)
            elif data["colleague_person"] is not None and (
                returned.person != data["colleague_person"] or returned.tier != option.tier
            ):
                self.add_error(
                    "return_shift",
                    RETURN_NOT_COLLEAGUES.format(
                        colleague=data["colleague_person"], tier=OnCallTier(option.tier).in_sentence
                    ),
                )
            else:
                data["return_interval"] = (max(returned.start, floor), returned.end)
        return data

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of `swap_request_create` (but `filed_by`)."""
        data = self.cleaned_data
        start, end = data["interval"]
        return_start, return_end = data["return_interval"]
        return {
            "rotation": data["rotation"],
            "tier": data["tier"],
            "kind": data["kind"],
            "requester": data["requester_person"],
            "colleague": data["colleague_person"],
            "start": start,
            "end": end,
            "return_start": return_start,
            "return_end": return_end,
            "reason": data["reason"],
            "submission_key": data["submission_key"],
        }

    def add_swap_error(self, error: SwapError) -> None:
        """Show a rule's message next to the field it is about."""
        field_name: str | None
        if error.field == "interval":
            typed = self.cleaned_data.get("start") or self.cleaned_data.get("end")
            field_name = "start" if typed else "shift"
        elif error.field == "return":
            field_name = "return_shift"
        elif error.field == "colleague":
            field_name = "colleague"
        else:
            field_name = None
        self.add_error(field_name, error.message)


class RequesterChoiceForm(forms.Form):
    """For managers: whose shifts the request form offers (a GET form: works without JavaScript)."""

    requester = forms.ChoiceField(label="Filing for")

    def __init__(self, *args: Any, people: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["requester"]).choices = [("", "Choose a person…")] + [
            (str(person.pk), person.display_name) for person in people
        ]


# --- The published pages' questions ------------------------------------------------------


def parse_instant(value: str, *, naive_zone: tzinfo) -> datetime:
    """An ISO 8601 instant; one without an offset is read in `naive_zone`. ValueError if bad."""
    text = value.strip()
    match = _OFFSET_AS_SPACE.match(text)
    if match:
        text = f"{match.group(1)}+{match.group(2)}"
    if not text or len(text) > 64:
        raise ValueError(AT_INVALID.format(value=value[:64]))
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=naive_zone)
        instant = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(AT_INVALID.format(value=value[:64])) from None
    if not EARLIEST <= instant < LATEST:
        raise ValueError(AT_OUT_OF_RANGE)
    return instant


class StartDateField(forms.Field):
    """A day in ISO 8601 (`2026-11-30`, and the other forms Python reads), from 1970 to 2199."""

    def to_python(self, value: str | None) -> date | None:
        raw = value or ""
        if not raw.strip():
            return None
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError:
            raise forms.ValidationError(START_INVALID.format(value=raw[:64])) from None
        if not EARLIEST.year <= day.year < LATEST.year:
            raise forms.ValidationError(START_INVALID.format(value=raw[:64]))
        return day


class WeeksField(forms.Field):
    """A whole number of weeks, 1 to `MAX_WEEKS`, in ASCII digits."""

    def to_python(self, value: str | None) -> int | None:
        text = (value or "").strip()
        if not text:
            return None
        digits = text.isascii() and text.isdigit()  # isdigit() alone takes "²", which int() refuses
        if digits and len(text) <= 3 and 1 <= int(text) <= MAX_WEEKS:
            return int(text)
        raise forms.ValidationError(WEEKS_INVALID.format(max=MAX_WEEKS, default=DEFAULT_WEEKS))


class InstantField(forms.Field):
    """An instant in ISO 8601; without an offset, a wall-clock time in the active time zone (the
    viewer's), as Django's own `DateTimeField` reads one."""

    def to_python(self, value: str | None) -> datetime | None:
        text = (value or "").strip()
        if not text:
            return None
        try:
            return parse_instant(text, naive_zone=timezone.get_current_timezone())
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class RotationField(forms.Field):
    """Which rotations to show, as given: the calendar says so when it is none of its choices."""

    def to_python(self, value: str | None) -> str:
        return (value or "").strip()[:200]


class PageQuestionForm(forms.Form):
    """A published page's question, read from its address."""

    def _value(self, name: str) -> object:
        """The field's value; None when it was not given or could not be read."""
        if not self.is_bound or name in self.errors:
            return None
        return self.cleaned_data.get(name)


class CalendarForm(PageQuestionForm):
    """The calendar's question: which weeks (`start`, `weeks`), who was on call at an instant
    (`at`), for which rotations (`rotation`). Each defaults to what the calendar shows without it.
    """

    start = StartDateField(required=False)
    weeks = WeeksField(required=False)
    at = InstantField(required=False)
    rotation = RotationField(required=False)

    def start_date(self) -> date | None:
        """None for the weeks from the current shift (or from `focus_at`'s)."""
        value = self._value("start")
        return value if isinstance(value, date) else None

    def week_count(self) -> int:
        value = self._value("weeks")
        return value if isinstance(value, int) else DEFAULT_WEEKS

    def focus_at(self) -> datetime | None:
        value = self._value("at")
        return value if isinstance(value, datetime) else None

    def rotation_asked(self) -> str:
        return str(self._value("rotation") or "")

    def check_rotation(self, page: CalendarPage) -> None:
        """Flag a rotation asked for that the page does not show (it shows its default)."""
        asked = self.rotation_asked()
        if asked and asked != page.rotation:
            shown = next(
                (choice.label for choice in page.rotation_choices if choice.value == page.rotation),
                "every rotation",
            )
            self.add_error("rotation", ROTATION_INVALID.format(value=asked, shown=shown))

    def notices(self) -> list[str]:
        """What could not be read, in the order of the fields."""
        return [str(message) for name in self.fields for message in self.errors.get(name, [])]


class SeverityField(forms.Field):
    """A severity level, given as “1” or “SEV1”."""

    def to_python(self, value: object) -> int | None:
        if value in self.empty_values:
            return None
        match = _SEVERITY.match(str(value))
        if match is None:
            raise forms.ValidationError(SEVERITY_INVALID, code="invalid")
        return int(match.group(1))


class ServiceSheetForm(PageQuestionForm):
    """The service sheet's question: which severity, which kind of incident, since when.

    Every field is optional: the sheet falls back to the first severity, a technical incident
    and now. A field that cannot be read gets its error and its default, never a failure.
    """

    DEFAULT_KIND = PathKind.TECHNICAL.value

    severity = SeverityField(label="Severity", required=False)
    kind = forms.ChoiceField(
        label="Kind of incident",
        choices=[(kind.value, kind.label) for kind in PathKind],
        required=False,
        error_messages={"invalid_choice": KIND_INVALID},
    )
    started = forms.TimeField(
        label="Incident started",
        required=False,
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M", "%H%M"],
        error_messages={"invalid": STARTED_INVALID},
    )

    def severity_level(self) -> int | None:
        """The level asked for; None for the first severity (when absent or invalid)."""
        value = self._value("severity")
        return value if isinstance(value, int) else None

    def path_kind(self) -> str:
        value = self._value("kind")
        return str(value) if value else self.DEFAULT_KIND

    def started_at(self, *, now: datetime, time_zone: str) -> datetime:
        """When the incident started: the typed time today (or yesterday), else now."""
        value = self._value("started")
        if isinstance(value, time):
            return incident_start(value, now=now, time_zone=time_zone)
        return now.replace(second=0, microsecond=0)

    def check_severity(self, levels: list[int]) -> None:
        """Flag a level asked for that no severity has (the sheet then shows the first)."""
        asked = self._value("severity")
        if isinstance(asked, int) and asked not in levels:
            self.add_error("severity", SEVERITY_UNKNOWN.format(severity=f"SEV{asked}"))


class ContactDetailsForm(forms.ModelForm):
    """The viewer's own phone, handles and time zone (`/profile/`), validated like the admin."""

    class Meta:
        model = Person
        fields = ["phone", "slack_handle", "pagerduty_handle", "time_zone"]
        labels = {
            "slack_handle": "Slack",
            "pagerduty_handle": "PagerDuty",
            "time_zone": "Time zone",
        }
