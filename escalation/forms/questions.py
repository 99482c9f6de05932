"""The published pages' questions (the calendar's, the service sheet's), and reading an instant.

They are GET forms: a page asked about is a link. Every field of theirs is optional, and a value
that cannot be read gets its message and the default, never an error page.
"""

import re
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any

from django import forms
from django.utils import timezone

from ..escalation_clock import incident_start
from ..models import PathKind
from ..selectors.calendar import DEFAULT_WEEKS, MAX_WEEKS, CalendarPage
from ..templatetags.oncall_tags import format_instant
from ..time_zones import read_wall_clock

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
AT_INVALID = (
    "“{value}” is not a date and time. Use ISO 8601, for example 2026-11-30T09:00:00Z "
    "(UTC) or 2026-11-30T10:00:00+01:00."
)
AT_OUT_OF_RANGE = "Pick an instant between 1970 and 2199."
AT_TWICE = (
    "{local} came twice in {zone}, as the clocks went back: which one? {choices}. "
    "Nothing is shown for it until you choose."
)
AT_NEVER = (
    "{local} never happened in {zone}: the clocks jumped past it. "
    "The nearest readings are {choices}. Nothing is shown for it until you choose."
)
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


def read_iso(value: str) -> datetime:
    """An ISO 8601 date and time as written: aware with its offset, naive without one.
    ValueError if it cannot be read or lies outside 1970–2199."""
    text = value.strip()
    match = _OFFSET_AS_SPACE.match(text)
    if match:
        text = f"{match.group(1)}+{match.group(2)}"
    if not text or len(text) > 64:
        raise ValueError(AT_INVALID.format(value=value[:64]))
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(AT_INVALID.format(value=value[:64])) from None
    naive = parsed.replace(tzinfo=None)
    if not EARLIEST.replace(tzinfo=None) <= naive < LATEST.replace(tzinfo=None):
        raise ValueError(AT_OUT_OF_RANGE)
    return parsed


def parse_instant(value: str, *, naive_zone: tzinfo) -> datetime:
    """An ISO 8601 instant; one without an offset is read in `naive_zone`. ValueError if bad."""
    parsed = read_iso(value)
    if parsed.tzinfo is None:
        try:
            parsed = parsed.replace(tzinfo=naive_zone).astimezone(UTC)
        except (ValueError, OverflowError):
            raise ValueError(AT_INVALID.format(value=value[:64])) from None
    if not EARLIEST <= parsed < LATEST:
        raise ValueError(AT_OUT_OF_RANGE)
    return parsed


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


class WallClockField(forms.Field):
    """A date and time in ISO 8601 as typed: aware when it has an offset, else naive (a
    wall-clock time, which the form reads in the viewer's zone, where it may name two instants
    or none)."""

    def to_python(self, value: str | None) -> datetime | None:
        text = (value or "").strip()
        if not text:
            return None
        try:
            return read_iso(text)
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
    at = WallClockField(required=False)
    #: The instant the page showed in `at` (a hidden field): sent back unchanged, it keeps the
    #: exact instant, which the wall-clock time alone cannot in a repeated hour.
    exact = InstantField(required=False)
    rotation = RotationField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: When `at` names two instants in the viewer's zone, or none: the ones to choose from.
        self.at_choices: tuple[datetime, ...] = ()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        at = cleaned.get("at")
        if isinstance(at, datetime) and at.tzinfo is None:
            instant = self._wall_clock_instant(at, cleaned.get("exact"))
            if instant is not None:
                cleaned["at"] = instant
        return cleaned

    def _wall_clock_instant(self, local: datetime, exact: object) -> datetime | None:
        zone = timezone.get_current_timezone()
        if isinstance(exact, datetime) and exact.astimezone(zone).replace(tzinfo=None) == local:
            return exact
        reading = read_wall_clock(local, zone)
        if reading.instant is not None:
            if not EARLIEST <= reading.instant < LATEST:
                self.add_error("at", AT_OUT_OF_RANGE)
                return None
            return reading.instant
        self.at_choices = reading.instants
        message = AT_TWICE if reading.exists else AT_NEVER
        self.add_error(
            "at",
            message.format(
                local=f"{local:%Y-%m-%d %H:%M:%S}",
                zone=zone,
                choices=" or ".join(
                    f"{format_instant(instant)} ({format_instant(instant, 'UTC')})"
                    for instant in reading.instants
                ),
            ),
        )
        return None

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

    def typed_at(self) -> str:
        """The date and time typed, as a date and time field takes it back, when it named no
        single instant (so the field keeps it for the next try); else empty."""
        value = self.data.get("at", "") if self.at_choices else ""
        return value.strip() if re.fullmatch(r"\s*[0-9T:.-]{10,26}\s*", value) else ""

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
