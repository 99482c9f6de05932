"""Email, Slack and PagerDuty delivery through the outbox (`OutgoingMessage`).

Callers write messages inside their own transaction (`enqueue`), so a request and the notices
about it commit or roll back together; delivery starts once the transaction has committed
(`transaction.on_commit`). A delivery that fails is logged and stays pending, to be tried again
later with a growing delay by `manage.py deliver_notifications` (cron): it never raises into the
request that caused it and never loses the message. After `MAX_ATTEMPTS` it is marked failed.

Slack goes through an incoming webhook (`settings.SLACK_WEBHOOK_URL`; no webhook, no Slack
messages); email through Django's email backend (`EMAIL_URL`); PagerDuty override pushes
through `escalation.services.pagerduty_push` (a 429's `ratelimit-reset` sets the next attempt). What the messages say is
`escalation.notify.messages`'s business: this module sends them as they are.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import MessageChannel, MessageStatus, OutgoingMessage

logger = logging.getLogger(__name__)

SLACK_TIMEOUT_SECONDS = 5
#: A message being sent is held back from other senders this long (longer than any timeout).
CLAIM_LEASE = timedelta(minutes=2)
#: Delay before the next attempt after the first, second... failure (the last one repeats).
RETRY_DELAYS = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 15, 60, 180, 360))
MAX_ATTEMPTS = 10
NO_WEBHOOK = "SLACK_WEBHOOK_URL is not set."
SLACK_NOT_OK = "Slack answered {status}: {body}"


@dataclass(frozen=True)
class Notice:
    """A message to write to the outbox."""

    channel: MessageChannel
    recipient: str
    subject: str
    body: str
    dedupe_key: str | None = None


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0


def enqueue(notices: Iterable[Notice]) -> list[OutgoingMessage]:
    """Write the notices to the outbox and deliver them after the transaction commits.

    A notice whose dedupe key was already used for the same channel and recipient is dropped:
    that is how a reminder is never sent twice.
    """
    messages = []
    for notice in notices:
        if not notice.recipient:
            continue
        if (
            notice.dedupe_key
            and OutgoingMessage.objects.filter(
                channel=notice.channel, recipient=notice.recipient, dedupe_key=notice.dedupe_key
            ).exists()
        ):
            continue
        message = OutgoingMessage(
            channel=notice.channel,
            recipient=notice.recipient,
            subject=notice.subject[:300],
            body=notice.body,
            dedupe_key=notice.dedupe_key,
        )
        # The dedupe constraint was checked just above; the database has the final word.
        message.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            continue
        messages.append(message)
    if messages:
        transaction.on_commit(partial(_deliver_after_commit, [m.pk for m in messages]))
    return messages


def _deliver_after_commit(ids: list[int]) -> None:
    try:
        deliver(ids)
    except Exception:  # the request has committed; never fail it for a notification
        logger.exception("Delivering messages %s failed; they stay pending", ids)


def deliver(ids: Sequence[int] | None = None, *, limit: int = 200) -> DeliveryReport:
    """Send the pending messages that are due (only those among `ids` when given).

    Each message is claimed first (a conditional update), so the cron job and a request
    delivering after commit never send the same message twice.
    """
    report = DeliveryReport()
    now = timezone.now()
    due = OutgoingMessage.objects.filter(status=MessageStatus.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    for message in due.order_by("created_at", "pk")[:limit]:
        claimed = (
            OutgoingMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .update(next_attempt_at=now + CLAIM_LEASE)
        )
        if not claimed:
            report.skipped += 1
            continue
        attempts = message.attempts + 1
        try:
            _send(message)
        except Exception as error:  # any failure: log it, keep the message for a retry
            gave_up = attempts >= MAX_ATTEMPTS
            delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
            # A service that says when to come back (PagerDuty's `ratelimit-reset`) is obeyed.
            retry_after = getattr(error, "retry_after", None)
            if isinstance(retry_after, timedelta):
                delay = retry_after
            OutgoingMessage.objects.filter(pk=message.pk).update(
                attempts=attempts,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                status=MessageStatus.FAILED if gave_up else MessageStatus.PENDING,
                next_attempt_at=None if gave_up else timezone.now() + delay,
            )
            logger.warning(
                "Could not deliver %s message %s to %s (attempt %s%s): %s",
                message.channel,
                message.pk,
                message.recipient,
                attempts,
                ", giving up" if gave_up else "",
                error,
            )
            if gave_up and message.channel == MessageChannel.PAGERDUTY:
                from ..services.pagerduty_push import pagerduty_push_given_up

                pagerduty_push_given_up(message=message, error=str(error))
            report.failed += 1
        else:
            OutgoingMessage.objects.filter(pk=message.pk).update(
                attempts=attempts,
                status=MessageStatus.SENT,
                sent_at=timezone.now(),
                last_error="",
                next_attempt_at=None,
            )
            report.sent += 1
    return report


def count_sent(messages: Iterable[OutgoingMessage]) -> int:
    """How many of `messages` have been sent by now (delivery after commit may have sent them)."""
    return OutgoingMessage.objects.filter(
        pk__in=[message.pk for message in messages], status=MessageStatus.SENT
    ).count()


def _send(message: OutgoingMessage) -> None:
    if message.channel == MessageChannel.PAGERDUTY:
        # Imported here: the services enqueue through this module.
        from ..services.pagerduty_push import pagerduty_push_deliver

        pagerduty_push_deliver(message=message)
        return
    if message.channel == MessageChannel.EMAIL:
        EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
        ).send()
        return
    url = settings.SLACK_WEBHOOK_URL
    if not url:
        raise RuntimeError(NO_WEBHOOK)
    post_to_slack(url, {"channel": message.recipient, "text": message.body})


def post_to_slack(url: str, payload: dict[str, str]) -> None:
    """POST a JSON payload to a Slack incoming webhook; raise unless Slack says ok."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"Not an http(s) URL: {url!r}")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=SLACK_TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
            body = response.read(200).decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        raise RuntimeError(
            SLACK_NOT_OK.format(status=error.code, body=error.read(200).decode("utf-8", "replace"))
        ) from None
    if not 200 <= status < 300:
        raise RuntimeError(SLACK_NOT_OK.format(status=status, body=body))
