""" "Page via PagerDuty": a PagerDuty incident assigned to one person, asked for in the portal.

The request only writes the page (`PagerDutyIncident`) and an outbox message, in one
transaction; the outbox creates the incident after commit (`pagerduty_page_deliver`), so no
request waits on PagerDuty. A page is not retried on its own: whoever asked watches its status
page and decides (by then they may have phoned instead), except when PagerDuty asks to wait
(429), which the outbox honours. A retry never opens a second incident: the incident carries an
`incident_key` PagerDuty refuses twice for an open incident, a retry looks the key up before
creating, and the incident's id is stored once known.
"""

from __future__ import annotations

import json
import uuid

import pagerduty
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..integrations import pagerduty as pd
from ..models import (
    MessageChannel,
    OutgoingMessage,
    PagerDutyIncident,
    PageState,
    Person,
    Service,
    Severity,
)
from ..notify.outbox import Notice, enqueue

KEY_PREFIX = "escalation-portal-"
NOT_CONNECTED = "PagerDuty is not connected: paging from the portal is off."
NO_PAGERDUTY_USER = "{person} has no PagerDuty user id: they cannot be paged through PagerDuty."
SERVICE_NOT_LINKED = (
    "{service} is not linked to a PagerDuty service, and PagerDuty needs one for every "
    "incident: choose a service that is linked."
)
NOTHING_TO_RETRY = "This page is not failed: there is nothing to retry."
RATE_LIMITED = "PagerDuty asked to wait (too many requests): trying again at {at:%H:%M:%S} UTC."
GAVE_UP = "Gave up after repeated failures: {error}"
DETAILS = "Paged from the escalation portal by {requester}.{severity}"


class PageError(Exception):
    """A page that cannot be sent as asked; `str()` says why, for people."""


def submission_key(key: uuid.UUID) -> str:
    """The `incident_key` of the page a form submission creates."""
    return f"{KEY_PREFIX}{key.hex}"


def _requester_name(user: User) -> str:
    person = Person.objects.filter(user=user).only("display_name").first()
    if person is not None:
        return person.display_name
    return user.get_full_name() or user.get_username()


def _enqueue(page: PagerDutyIncident) -> None:
    enqueue(
        [
            Notice(
                channel=MessageChannel.PAGERDUTY_INCIDENT,
                recipient=page.assignee_user_id,
                subject=f"Page {page.assignee_name}: {page.title}",
                # No dedupe key: a retry is enqueued only by moving a failed page back to
                # pending under its row lock, so a double-clicked retry sends once.
                body=json.dumps({"page": page.pk}),
            )
        ]
    )


@transaction.atomic
def pagerduty_page_create(
    *,
    requested_by: User,
    assignee: Person,
    service: Service,
    severity: Severity | None,
    title: str,
    urgency: str,
    key: uuid.UUID,
) -> tuple[PagerDutyIncident, bool]:
    """Record a page of `assignee` on `service` and have the outbox create the incident after
    commit. Returns the page and whether it is new: a form sent twice (same `key`) gives back
    the page it created the first time."""
    incident_key = submission_key(key)
    existing = PagerDutyIncident.objects.filter(incident_key=incident_key).first()
    if existing is not None:
        return existing, False
    if not pd.is_configured():
        raise PageError(NOT_CONNECTED)
    if not assignee.pagerduty_user_id:
        raise PageError(NO_PAGERDUTY_USER.format(person=assignee.display_name))
    if not service.pagerduty_service_id:
        raise PageError(SERVICE_NOT_LINKED.format(service=service.name))
    page = PagerDutyIncident(
        requested_by=requested_by,
        requested_by_name=_requester_name(requested_by)[:200],
        assignee=assignee,
        assignee_name=assignee.display_name,
        assignee_user_id=assignee.pagerduty_user_id,
        service=service,
        service_name=service.name,
        pagerduty_service_id=service.pagerduty_service_id,
        severity=severity.name if severity is not None else "",
        title=title,
        urgency=urgency,
        incident_key=incident_key,
    )
    page.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            page.save()
    except IntegrityError:  # the same form, sent twice at once: the other one won
        return PagerDutyIncident.objects.get(incident_key=incident_key), False
    _enqueue(page)
    return page, True


@transaction.atomic
def pagerduty_page_retry(*, page: PagerDutyIncident) -> PagerDutyIncident:
    """Send a failed page again (anyone who may page may retry it)."""
    if not pd.is_configured():
        raise PageError(NOT_CONNECTED)
    locked = PagerDutyIncident.objects.select_for_update().get(pk=page.pk)
    if locked.state != PageState.FAILED:
        raise PageError(NOTHING_TO_RETRY)
    locked.state, locked.error = PageState.PENDING, ""
    locked.save(update_fields=["state", "error"])
    _enqueue(locked)
    return locked


# --- delivery (the outbox calls these) ------------------------------------------------------


def _page_of(message: OutgoingMessage) -> PagerDutyIncident | None:
    key = json.loads(message.body)["page"]
    return PagerDutyIncident.objects.filter(pk=key).first()


def _update(page: PagerDutyIncident, **fields: object) -> None:
    PagerDutyIncident.objects.filter(pk=page.pk).update(**fields)


def pagerduty_page_deliver(*, message: OutgoingMessage) -> None:
    """Create the incident `message` names, or adopt the one an earlier attempt created. Raises
    only when PagerDuty asked to wait (429, with `retry_after`); any other failure is recorded
    on the page for its status page, with the reason."""
    page = _page_of(message)
    if page is None or page.state != PageState.PENDING:
        return
    earlier_attempts = page.attempts
    # Counted before calling: an attempt that dies half-way still makes the next one look first.
    _update(page, attempts=earlier_attempts + 1)
    try:
        api = pd.client()
        incident = None
        if earlier_attempts:
            incident = pd.find_incident(api, incident_key=page.incident_key)
        if incident is None:
            incident = _create(api, page)
    except pd.RateLimited as error:
        at = timezone.now() + error.retry_after
        _update(page, error=RATE_LIMITED.format(at=at)[:500])
        raise
    except pd.PagerDutyError as error:
        _update(page, state=PageState.FAILED, error=str(error)[:500])
        return
    _update(
        page,
        state=PageState.CREATED,
        pagerduty_incident_id=incident.id,
        html_url=incident.html_url,
        error="",
        paged_at=timezone.now(),
    )


def _create(api: pagerduty.RestApiV2Client, page: PagerDutyIncident) -> pd.Incident:
    severity = f" Severity: {page.severity}." if page.severity else ""
    try:
        return pd.create_incident(
            api,
            title=page.title,
            service_id=page.pagerduty_service_id,
            user_id=page.assignee_user_id,
            urgency=page.urgency,
            incident_key=page.incident_key,
            details=DETAILS.format(requester=page.requested_by_name, severity=severity),
        )
    except pd.PagerDutyError as error:
        if error.retryable:
            raise
        # Refused: perhaps because an attempt whose answer was lost opened it already.
        found = pd.find_incident(api, incident_key=page.incident_key)
        if found is None:
            raise
        return found


def pagerduty_page_given_up(*, message: OutgoingMessage, error: str) -> None:
    """The outbox stopped retrying (PagerDuty kept asking to wait): the page shows as failed."""
    page = _page_of(message)
    if page is not None and page.state == PageState.PENDING:
        _update(page, state=PageState.FAILED, error=GAVE_UP.format(error=error)[:500])
