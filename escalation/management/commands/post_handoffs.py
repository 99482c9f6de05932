"""Tell each rotation's Slack channel who is on call from the handoff on. Meant for cron (every
few minutes): each post has a dedupe key per rotation and handoff instant in the outbox, so it is
posted once however often, or however late (up to `HANDOFF_POST_GRACE`), this runs.

The channel is the rotation's handoff channel, else its swap channel; the post goes through the
Slack app (`SLACK_BOT_TOKEN`), else the incoming webhook, else nowhere.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from escalation.notify.messages import handoff_notices
from escalation.notify.outbox import count_sent, enqueue
from escalation.selectors.handoffs import handoffs_due


class Command(BaseCommand):
    help = "Post who is on call to each rotation's Slack channel at its handoff, once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be posted; post nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        notices = handoff_notices(handoffs_due(at=timezone.now()))
        if dry_run:
            for notice in notices:
                self.stdout.write(f"would post to {notice.recipient}: {notice.subject}")
            return
        with transaction.atomic():
            queued = enqueue(notices)  # delivered as the transaction commits
        sent = count_sent(queued)
        self.stdout.write(
            f"{len(queued)} handoff post(s): {sent} sent, {len(queued) - sent} kept for a retry."
        )
