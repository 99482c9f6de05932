"""Compare whom PagerDuty will page over the coming weeks with the portal, and store the drift
the dashboard, the calendar and the API show. Cron: every few minutes."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from escalation.integrations.pagerduty import PagerDutyError
from escalation.services.pagerduty_sync import SYNC_WEEKS, pagerduty_sync


class Command(BaseCommand):
    help = "Read the linked PagerDuty schedules and store where they disagree with the portal."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--weeks",
            type=int,
            default=SYNC_WEEKS,
            help=f"How far ahead (default {SYNC_WEEKS}, at most 12).",
        )

    def handle(self, *args: Any, weeks: int, **options: Any) -> None:
        if not 1 <= weeks <= 12:
            raise CommandError("--weeks must be 1 to 12 (PagerDuty reads at most 90 days ahead).")
        try:
            report = pagerduty_sync(now=timezone.now(), weeks=weeks)
        except PagerDutyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{report.checked} schedules read, {report.failed} failed, "
            f"{report.drifts} differences, {report.calls} calls to PagerDuty."
        )
        for problem in report.errors:
            self.stderr.write(problem)
        if report.failed:
            raise CommandError(f"{report.failed} schedules could not be read.")
