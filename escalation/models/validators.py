"""Validators for the handles people type into the admin."""

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
PAGERDUTY_ID_MESSAGE = (
    "Enter a PagerDuty id such as PABC123: capital letters and digits, as PagerDuty shows it in "
    "the address of the user or schedule."
)
TIME_ZONE_MESSAGE = "Enter an IANA time zone name such as Europe/Berlin or UTC."

validate_slack_handle = RegexValidator(r"^@[A-Za-z0-9][A-Za-z0-9._-]{0,79}\Z", SLACK_HANDLE_MESSAGE)
validate_slack_channel = RegexValidator(r"^#[a-z0-9][a-z0-9._-]{0,79}\Z", SLACK_CHANNEL_MESSAGE)
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
