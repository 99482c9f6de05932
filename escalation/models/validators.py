"""Validators for the names and handles people type into the admin."""

import unicodedata
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

SLACK_HANDLE_MESSAGE = (
    "Enter a Slack handle such as @jane.doe: an @ followed by letters, digits, dots, "
    "dashes or underscores."
)
SLACK_CHANNEL_MESSAGE = (
    "Enter a Slack channel such as #team-backend: a # followed by lowercase letters, digits, "
    "dashes or underscores."
)
PAGERDUTY_HANDLE_MESSAGE = (
    "Enter a PagerDuty handle such as @backend-lead: an @ followed by letters, digits, dots, "
    "dashes or underscores."
)
SLACK_USER_ID_MESSAGE = (
    "Enter a Slack member ID such as U024BE7LH: a U or W followed by capital letters and digits "
    "(in Slack: their profile, ⋮, Copy member ID)."
)
PAGERDUTY_ID_MESSAGE = (
    "Enter a PagerDuty id such as PABC123: capital letters and digits, as PagerDuty shows it in "
    "the address of the user or schedule."
)
TIME_ZONE_MESSAGE = "Enter an IANA time zone name such as Europe/Berlin or UTC."
CONTROL_CHARACTER_MESSAGE = (
    "Remove the control character %(character)s: a name is one line of printable text, "
    "without line breaks, tabs or other control characters."
)
TEXT_CONTROL_CHARACTER_MESSAGE = (
    "Remove the control character %(character)s: only line breaks and tabs are kept in a note."
)

# Control characters (Cc: tab, CR, LF, VT, FF, NEL...) and the line and paragraph separators
# (Zl, Zp: U+2028, U+2029). In a name they break an email's headers, and the Markdown export
# writes them as spaces, so the next import would rename the row.
_CONTROL_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def first_control_character(value: str) -> str | None:
    """The first character of `value` that has no place in a name, or None."""
    for char in value:
        if unicodedata.category(char) in _CONTROL_CATEGORIES:
            return char
    return None


def validate_single_line(value: str) -> None:
    char = first_control_character(value)
    if char is not None:
        raise ValidationError(
            CONTROL_CHARACTER_MESSAGE,
            code="control_character",
            params={"character": f"U+{ord(char):04X}"},
        )


#: What a text of several lines may hold besides printable characters.
_TEXT_WHITESPACE = frozenset("\n\r\t")


def validate_multi_line(value: str) -> None:
    """A text of several lines: line breaks and tabs, but no other control character."""
    for char in value:
        if char not in _TEXT_WHITESPACE and unicodedata.category(char) in _CONTROL_CATEGORIES:
            raise ValidationError(
                TEXT_CONTROL_CHARACTER_MESSAGE,
                code="control_character",
                params={"character": f"U+{ord(char):04X}"},
            )


validate_slack_handle = RegexValidator(r"^@[A-Za-z0-9][A-Za-z0-9._-]{0,79}\Z", SLACK_HANDLE_MESSAGE)
validate_slack_channel = RegexValidator(r"^#[a-z0-9][a-z0-9._-]{0,79}\Z", SLACK_CHANNEL_MESSAGE)
validate_slack_user_id = RegexValidator(r"^[UW][A-Z0-9]{2,30}\Z", SLACK_USER_ID_MESSAGE)
validate_pagerduty_handle = RegexValidator(
    r"^@[A-Za-z0-9][A-Za-z0-9._-]{0,79}\Z", PAGERDUTY_HANDLE_MESSAGE
)

validate_pagerduty_id = RegexValidator(r"^[A-Z0-9]{2,20}\Z", PAGERDUTY_ID_MESSAGE)


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(TIME_ZONE_MESSAGE, code="invalid_time_zone")


_TIME_ZONES: frozenset[str] | None = None


def _time_zones() -> frozenset[str]:
    global _TIME_ZONES
    if _TIME_ZONES is None:
        _TIME_ZONES = frozenset(available_timezones()) | {"UTC"}
    return _TIME_ZONES


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(_time_zones())]
