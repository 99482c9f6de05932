"""Email, Slack and PagerDuty delivery through the outbox (`OutgoingMessage`).

Callers write messages inside their own transaction (`enqueue`), so a request and the notices
about it commit or roll back together. Nothing a request does waits on the mail server or Slack:
`manage.py deliver_notifications` (cron, every minute) sends what is pending, outside any
request. Only with `NOTIFY_DELIVER_IN_REQUEST` (development: on with DEBUG) does delivery start
as the transaction commits (`transaction.on_commit`), inside the request. A delivery that fails
is logged and stays pending, to be tried again later with a growing delay; it never raises into
the request that caused it and never loses the message. After `MAX_ATTEMPTS` it is marked failed.

How often a message arrives: email at least once (a mail server that took the message but did
not confirm it in `EMAIL_TIMEOUT` gets it again on the retry; mail clients show duplicates side
by side). Slack at most once once sent: a Slack incoming webhook has no idempotency key, so a
post Slack received but did not answer in `SLACK_TIMEOUT` may have been posted; it is marked
failed with `SLACK_OUTCOME_UNKNOWN` instead of being posted again. Slack is retried only when
it certainly did not post (no connection, or a refusal it answered).

Slack goes through an incoming webhook (`settings.SLACK_WEBHOOK_URL`; no webhook, no Slack
messages), or through the Slack app's bot (`SLACK_BOT_TOKEN`, `escalation.integrations.slack`):
messages with buttons, edited in place later (`Notice.updates_key`), and answers to one person
through the `response_url` of their click; email through Django's email backend (`EMAIL_URL`);
PagerDuty override pushes through `escalation.services.pagerduty_push` and "page now"
incidents through `escalation.services.pagerduty_pages` (a 429's `ratelimit-reset` sets the next
attempt). What the messages say is
`escalation.notify.messages`'s business: this module sends them as they are.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from slack_sdk.errors import SlackApiError

from ..integrations.slack import client as slack_client
from ..models import MessageChannel, MessageStatus, OutgoingMessage

logger = logging.getLogger(__name__)

SLACK_TIMEOUT_SECONDS = 5.0  # unless settings.SLACK_TIMEOUT says otherwise
#: A message being sent is held back from other senders this long (longer than any timeout).
CLAIM_LEASE = timedelta(minutes=2)
#: Delay before the next attempt after the first, second... failure (the last one repeats).
RETRY_DELAYS = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 15, 60, 180, 360))
MAX_ATTEMPTS = 10
NO_WEBHOOK = "SLACK_WEBHOOK_URL is not set."
SLACK_NOT_OK = "Slack answered {status}: {body}"
NOT_POSTED_YET = "The message to update is not posted yet."
SUPERSEDED = "A later edit of the same message replaced this one."
SLACK_OUTCOME_UNKNOWN = (
    "Slack received the message but did not answer ({error}); it may have been posted, so it "
    "is not posted again."
)


class SlackOutcomeUnknown(Exception):
    """The webhook got the whole request, then no answer came: posted or not, nobody knows."""


@dataclass(frozen=True)
class Notice:
    """A message to write to the outbox."""

    channel: MessageChannel
    recipient: str
    subject: str
    body: str
    dedupe_key: str | None = None
    #: Block Kit blocks (the Slack app only).
    blocks: list[dict[str, Any]] | None = None
    #: The dedupe key of an earlier Slack app message on the same channel to edit in place.
    updates_key: str | None = None


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
        updates = None
        if notice.updates_key:
            updates = OutgoingMessage.objects.filter(
                channel=notice.channel,
                recipient=notice.recipient,
                dedupe_key=notice.updates_key,
                updates__isnull=True,
            ).first()
            if updates is None:
                continue  # never posted by the app (say, before it was set up): nothing to edit
        message = OutgoingMessage(
            channel=notice.channel,
            recipient=notice.recipient,
            subject=notice.subject[:300],
            body=notice.body,
            blocks=notice.blocks or [],
            updates=updates,
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
    if messages and getattr(settings, "NOTIFY_DELIVER_IN_REQUEST", False):
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
        except SlackOutcomeUnknown as error:
            OutgoingMessage.objects.filter(pk=message.pk).update(
                attempts=attempts,
                last_error=SLACK_OUTCOME_UNKNOWN.format(error=error)[:2000],
                status=MessageStatus.FAILED,
                next_attempt_at=None,
            )
            logger.warning(
                "Slack message %s may or may not have been posted: %s", message.pk, error
            )
            report.failed += 1
        except Exception as error:  # any failure: log it, keep the message for a retry
            gave_up = attempts >= MAX_ATTEMPTS
            delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
            if isinstance(error, SlackApiError) and error.response.status_code == 429:
                delay = timedelta(seconds=slack_client.retry_after_seconds(error.response.headers))
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
            if gave_up and message.channel == MessageChannel.PAGERDUTY_INCIDENT:
                from ..services.pagerduty_pages import pagerduty_page_given_up

                pagerduty_page_given_up(message=message, error=str(error))
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
    if message.channel == MessageChannel.PAGERDUTY_INCIDENT:
        from ..services.pagerduty_pages import pagerduty_page_deliver

        pagerduty_page_deliver(message=message)
        return
    if message.channel == MessageChannel.EMAIL:
        EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
        ).send()
        return
    if message.channel == MessageChannel.SLACK_APP:
        _send_with_app(message)
        return
    if message.channel == MessageChannel.SLACK_RESPONSE:
        answer = slack_client.response_client(message.recipient).send(
            text=message.body,
            blocks=message.blocks or None,
            response_type="ephemeral",
            replace_original=False,
        )
        if answer.status_code != 200:
            raise RuntimeError(SLACK_NOT_OK.format(status=answer.status_code, body=answer.body))
        return
    url = settings.SLACK_WEBHOOK_URL
    if not url:
        raise RuntimeError(NO_WEBHOOK)
    post_to_slack(url, {"channel": message.recipient, "text": message.body})


def _send_with_app(message: OutgoingMessage) -> None:
    """chat.postMessage, keeping where it landed; or chat.update of an earlier message."""
    client = slack_client.web_client()
    blocks = message.blocks or None
    original = message.updates
    if original is None:
        answer = client.chat_postMessage(
            channel=message.recipient, text=message.body, blocks=blocks
        )
        OutgoingMessage.objects.filter(pk=message.pk).update(
            slack_channel_id=str(answer.get("channel") or ""), slack_ts=str(answer.get("ts") or "")
        )
        return
    if OutgoingMessage.objects.filter(updates=original, pk__gt=message.pk).exists():
        logger.info("Message %s: %s", message.pk, SUPERSEDED)
        return
    original.refresh_from_db(fields=["slack_channel_id", "slack_ts"])
    if not original.slack_ts:
        raise RuntimeError(NOT_POSTED_YET)
    client.chat_update(
        channel=original.slack_channel_id or original.recipient,
        ts=original.slack_ts,
        text=message.body,
        blocks=blocks or [],
    )


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
        timeout = getattr(settings, "SLACK_TIMEOUT", SLACK_TIMEOUT_SECONDS)
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = response.status
            body = response.read(200).decode("utf-8", "replace")
    except urllib.error.URLError as error:
        if not isinstance(error, urllib.error.HTTPError):
            # Raised while connecting or sending (urllib wraps those): Slack got no message.
            raise
        raise RuntimeError(
            SLACK_NOT_OK.format(status=error.code, body=error.read(200).decode("utf-8", "replace"))
        ) from None
    except (OSError, http.client.HTTPException) as error:
        # Raised while waiting for or reading the answer: the request had been sent whole.
        raise SlackOutcomeUnknown(f"{type(error).__name__}: {error}") from error
    if not 200 <= status < 300:
        raise RuntimeError(SLACK_NOT_OK.format(status=status, body=body))
