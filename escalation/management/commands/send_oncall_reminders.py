"""Remind people of their on-call shift before it starts, and tell them about overrides and slots
that a manager changed outside the swap flow. Meant for cron (every minute is fine): each
reminder has a dedupe key in the outbox, so it is sent once however often this runs.

Who is told what, and when, is `escalation.selectors.reminders`'s to decide (`reminders_due`);
the wording is `escalation.notify.messages`'s. The lead time is `--lead-hours` (default
`REMINDER_LEAD_HOURS`, 24).
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from escalation.notify.messages import reminders_due_notices
from escalation.notify.outbox import count_sent, deliver, enqueue
from escalation.selectors.reminders import reminders_due

LEAD_HOURS_INVALID = "--lead-hours must be a positive number of hours."


class Command(BaseCommand):
    help = "Email people before their on-call shift starts, and about overrides made directly."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lead-hours",
            type=float,
            default=None,
            help="How long before a shift starts to remind (default REMINDER_LEAD_HOURS, 24).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; send nothing."
        )

    def handle(self, *args: Any, lead_hours: float | None, dry_run: bool, **options: Any) -> None:
        hours = settings.REMINDER_LEAD_HOURS if lead_hours is None else lead_hours
        if hours <= 0:
            raise CommandError(LEAD_HOURS_INVALID)
        notices = reminders_due_notices(
            reminders_due(at=timezone.now(), lead=timedelta(hours=hours))
        )
        if dry_run:
            for notice in notices:
                self.stdout.write(f"would send to {notice.recipient}: {notice.subject}")
            return
        with transaction.atomic():
            queued = enqueue(notices)  # (in development, sent as it commits)
        deliver([message.pk for message in queued])
        retried = deliver()  # whatever earlier runs left pending, when due
        sent = count_sent(queued)
        self.stdout.write(
            f"{len(queued)} new message(s): {sent} sent, {len(queued) - sent} kept for a retry. "
            f"Earlier ones: {retried.sent} sent, {retried.failed} failed again."
        )
