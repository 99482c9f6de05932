"""PagerDuty's REST API v2 through its official client (`pagerduty.RestApiV2Client`).

Only this module talks to PagerDuty. Every call has a short timeout and one network attempt:
a slow or absent PagerDuty costs a cron run or an outbox delivery a few seconds, never more. The
client retries a 429 itself, briefly; when PagerDuty still says "too many requests", the error
carries its `ratelimit-reset` so the caller can wait that long (`RateLimited.retry_after`).
Nothing here writes to the database: the services decide what to do with the answers.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pagerduty
from django.conf import settings

#: How long the client itself waits before its first retry of a 429 (doubled on the second).
RATE_LIMIT_FIRST_WAIT = 0.25
#: How many 429s the client retries by itself before the caller waits for `ratelimit-reset`.
RATE_LIMIT_RETRIES = 2
#: When PagerDuty sends no (or a nonsensical) `ratelimit-reset`.
DEFAULT_RETRY_AFTER = timedelta(minutes=1)
#: `GET /schedules/{id}` renders at most this far ahead in one call (PagerDuty's own limit on
#: on-call reads is 90 days).
MAX_WINDOW = timedelta(days=90)

NOT_CONFIGURED = "PagerDuty is not connected (PAGERDUTY_API_KEY is not set)."
NO_FROM_EMAIL = "PAGERDUTY_FROM_EMAIL is not set: PagerDuty needs it to create incidents."
UNREACHABLE = "PagerDuty could not be reached: {error}"
REFUSED = "PagerDuty answered {status}: {message}"


class PagerDutyError(Exception):
    """PagerDuty could not be reached or refused a call; `str()` says why, for people.
    `retryable`: trying the same call later may work (no answer, 5xx, 429), unlike a refusal."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class RateLimited(PagerDutyError):
    """PagerDuty said "too many requests" until `retry_after` from now."""

    def __init__(self, message: str, retry_after: timedelta) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def is_configured() -> bool:
    return bool(settings.PAGERDUTY_API_KEY)


def has_from_email() -> bool:
    """Whether incidents can be created: PagerDuty wants a `From` on incident writes."""
    return bool(settings.PAGERDUTY_FROM_EMAIL)


def client() -> pagerduty.RestApiV2Client:
    """A client for the configured account, with the portal's timeouts and retry policy."""
    if not is_configured():
        raise PagerDutyError(NOT_CONFIGURED)
    api = pagerduty.RestApiV2Client(
        settings.PAGERDUTY_API_KEY,
        default_from=settings.PAGERDUTY_FROM_EMAIL or None,
        verify=(
            ssl.create_default_context(cafile=settings.PAGERDUTY_CA_BUNDLE)
            if settings.PAGERDUTY_CA_BUNDLE
            else True
        ),
    )
    api.url = settings.PAGERDUTY_API_URL
    api.timeout = settings.PAGERDUTY_TIMEOUT_SECONDS
    api.max_network_attempts = 1
    api.sleep_timer = RATE_LIMIT_FIRST_WAIT / 2  # the client doubles it before each wait
    api.retry = {429: RATE_LIMIT_RETRIES}
    return api


def _error_from(error: Exception) -> PagerDutyError:
    """The client's exception as ours, with PagerDuty's own message when it sent one."""
    response = getattr(error, "response", None)
    if response is None:
        return PagerDutyError(UNREACHABLE.format(error=error))
    message = ""
    try:
        body = response.json()
        details = body.get("error", {})
        message = details.get("message", "")
        if details.get("errors"):
            message = f"{message} ({'; '.join(str(e) for e in details['errors'])})"
    except (ValueError, AttributeError):
        message = response.text[:200]
    text = REFUSED.format(status=response.status_code, message=message or "no reason given")
    if response.status_code == 429:
        return RateLimited(text, _retry_after(response.headers.get("ratelimit-reset")))
    return PagerDutyError(text, retryable=response.status_code >= 500)


def _retry_after(header: str | None) -> timedelta:
    try:
        seconds = int(header or "")
    except ValueError:
        return DEFAULT_RETRY_AFTER
    return timedelta(seconds=seconds) if 0 < seconds <= 3600 else DEFAULT_RETRY_AFTER


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except pagerduty.Error as error:
        raise _error_from(error) from None
    except Exception as error:  # the HTTP layer's own errors (a timeout, a refused connection)
        raise PagerDutyError(UNREACHABLE.format(error=error)) from None


def iso(value: datetime) -> str:
    """An instant as PagerDuty reads it: UTC, to the second."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# --- reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    id: str
    name: str
    email: str


@dataclass(frozen=True)
class Schedule:
    id: str
    name: str


@dataclass(frozen=True)
class Entry:
    """Someone PagerDuty pages for a schedule over [start, end)."""

    start: datetime
    end: datetime
    user_id: str
    user_name: str


def users(api: pagerduty.RestApiV2Client) -> list[User]:
    """Every user of the account (paginated by the client)."""
    rows = _call(api.list_all, "/users")
    return [User(row["id"], row.get("name", ""), row.get("email", "")) for row in rows]


def schedules(api: pagerduty.RestApiV2Client) -> list[Schedule]:
    rows = _call(api.list_all, "/schedules")
    return [Schedule(row["id"], row.get("name") or row.get("summary", "")) for row in rows]


def final_schedule(
    api: pagerduty.RestApiV2Client, schedule_id: str, since: datetime, until: datetime
) -> list[Entry]:
    """Whom PagerDuty will page for `schedule_id` over [since, until), overrides applied: the
    schedule's rendered final layer. One call (PagerDuty renders up to `MAX_WINDOW`)."""
    schedule = _call(
        api.rget,
        f"/schedules/{schedule_id}",
        params={"since": iso(since), "until": iso(until), "time_zone": "UTC"},
    )
    rendered = (schedule.get("final_schedule") or {}).get("rendered_schedule_entries") or []
    return [
        Entry(
            start=parse_time(row["start"]),
            end=parse_time(row["end"]),
            user_id=(row.get("user") or {}).get("id", ""),
            user_name=(row.get("user") or {}).get("summary", ""),
        )
        for row in rendered
    ]


def existing_overrides(
    api: pagerduty.RestApiV2Client, schedule_id: str, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """The schedule's overrides overlapping [since, until)."""
    return _call(
        api.rget,
        f"/schedules/{schedule_id}/overrides",
        params={"since": iso(since), "until": iso(until)},
    )


# --- writes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverrideSpec:
    key: int  # the portal's Override id
    start: datetime
    end: datetime
    user_id: str

    def matches(self, override: dict[str, Any]) -> bool:
        """Whether PagerDuty's `override` is this one (same user, same interval to the second)."""
        try:
            return (
                (override.get("user") or {}).get("id") == self.user_id
                and parse_time(override["start"]) == parse_time(iso(self.start))
                and parse_time(override["end"]) == parse_time(iso(self.end))
            )
        except (KeyError, ValueError):
            return False


@dataclass(frozen=True)
class OverrideOutcome:
    key: int
    override_id: str = ""
    error: str = ""


def create_overrides(
    api: pagerduty.RestApiV2Client, schedule_id: str, specs: Sequence[OverrideSpec]
) -> list[OverrideOutcome]:
    """Create `specs` in one call; PagerDuty answers each one on its own (201 or 400)."""
    body = [
        {
            "start": iso(spec.start),
            "end": iso(spec.end),
            "user": {"id": spec.user_id, "type": "user_reference"},
            "time_zone": "UTC",
        }
        for spec in specs
    ]
    answers = _call(api.rpost, f"/schedules/{schedule_id}/overrides", json=body)
    outcomes = []
    for spec, answer in zip(specs, answers, strict=False):
        if answer.get("status") == 201 and (answer.get("override") or {}).get("id"):
            outcomes.append(OverrideOutcome(spec.key, override_id=answer["override"]["id"]))
        else:
            errors = answer.get("errors") or [f"status {answer.get('status')}"]
            outcomes.append(OverrideOutcome(spec.key, error="; ".join(map(str, errors))[:500]))
    for spec in specs[len(answers) :]:
        outcomes.append(OverrideOutcome(spec.key, error="PagerDuty did not answer for it."))
    return outcomes


def delete_override(api: pagerduty.RestApiV2Client, schedule_id: str, override_id: str) -> str:
    """Delete an override; "deleted" (204), "cut short" (200: it was in progress) or "gone"
    (PagerDuty no longer knows it)."""
    try:
        response = api.rdelete(f"/schedules/{schedule_id}/overrides/{override_id}")
    except pagerduty.HttpError as error:
        if error.response is not None and error.response.status_code == 404:
            return "gone"
        raise _error_from(error) from None
    except pagerduty.Error as error:
        raise _error_from(error) from None
    except Exception as error:
        raise PagerDutyError(UNREACHABLE.format(error=error)) from None
    return "cut short" if response.status_code == 200 else "deleted"


@dataclass(frozen=True)
class Incident:
    id: str
    html_url: str


def create_incident(
    api: pagerduty.RestApiV2Client,
    *,
    title: str,
    service_id: str,
    user_id: str,
    urgency: str,
    incident_key: str = "",
    details: str = "",
) -> Incident:
    """Open an incident on `service_id` assigned to `user_id` (`From`: the client's
    `default_from`). With `incident_key`, PagerDuty refuses a second open incident with the same
    key on the same service: a call whose answer was lost can be repeated safely."""
    if not settings.PAGERDUTY_FROM_EMAIL:
        raise PagerDutyError(NO_FROM_EMAIL, retryable=False)
    body: dict[str, Any] = {
        "type": "incident",
        "title": title,
        "service": {"id": service_id, "type": "service_reference"},
        "urgency": urgency,
        "assignments": [{"assignee": {"id": user_id, "type": "user_reference"}}],
        "body": {"type": "incident_body", "details": details},
    }
    if incident_key:
        body["incident_key"] = incident_key
    incident = _call(api.rpost, "/incidents", json=body)
    return Incident(incident["id"], incident.get("html_url", ""))


def find_incident(api: pagerduty.RestApiV2Client, *, incident_key: str) -> Incident | None:
    """The incident opened with `incident_key`, whatever its status and age, if any."""
    rows = _call(
        api.list_all, "/incidents", params={"incident_key": incident_key, "date_range": "all"}
    )
    for row in rows:
        if row.get("incident_key") == incident_key and row.get("id"):
            return Incident(row["id"], row.get("html_url", ""))
    return None


def user_url(user_id: str) -> str:
    """The person's page in PagerDuty's web app ("" without `PAGERDUTY_SUBDOMAIN`)."""
    if not settings.PAGERDUTY_SUBDOMAIN or not user_id:
        return ""
    return f"https://{settings.PAGERDUTY_SUBDOMAIN}.pagerduty.com/users/{user_id}"


def schedule_url(schedule_id: str) -> str:
    if not settings.PAGERDUTY_SUBDOMAIN or not schedule_id:
        return ""
    return f"https://{settings.PAGERDUTY_SUBDOMAIN}.pagerduty.com/schedules/{schedule_id}"


def by_email(people: Iterable[User]) -> dict[str, User]:
    """PagerDuty users by e-mail, ignoring case."""
    return {user.email.strip().lower(): user for user in people if user.email}
