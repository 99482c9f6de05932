"""Send the outbox's pending messages that are due (the failed attempts' retries). Cron: every
minute or so. A message that keeps failing is retried with a growing delay, then given up."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from escalation.notify.outbox import deliver


class Command(BaseCommand):
    help = "Send pending email and Slack messages that are due, retrying failed ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=500, help="At most this many messages (default 500)."
        )

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        report = deliver(limit=limit)
        self.stdout.write(
            f"{report.sent} sent, {report.failed} failed (kept for a retry), "
            f"{report.skipped} taken by another sender."
        )
