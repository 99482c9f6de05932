"""Generate a large, realistic organisation for benchmarks and demos.

    python manage.py generate_org --people 2000 --services 400 --rotations 60 --years 5 --seed 1

Teams with Slack channels, people (some inactive, some without a phone or Slack, some never
verified), roles (team leads, some TBD), channels, SEV1-SEV4 with responders per tier shaped like
the escalation document's matrix, services, escalation paths with conditions, paging rules,
rotations (ISO week parity in UTC, and alternation of 2-5 slots in local time zones), and
`--years` of overrides and swap requests ending half a year from now.

The same seed gives the same organisation, built around `--today` (default: today). The
generator is `escalation.orgdata`; this command parses the arguments and reports the counts.
"""

import time as clock
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from escalation.orgdata.generate import OrgRefused, generate_org, org_size


class Command(BaseCommand):
    help = "Generate a large, realistic organisation (deterministic for a seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=2000)
        parser.add_argument("--services", type=int, default=400)
        parser.add_argument("--rotations", type=int, default=60)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument(
            "--teams", type=int, default=None, help="Default: people / 50, 3 to 40."
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="YYYY-MM-DD the history is built around (default: today).",
        )
        parser.add_argument(
            "--flush", action="store_true", help="Delete all escalation data first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        began = clock.perf_counter()
        try:
            size = org_size(
                people=options["people"],
                services=options["services"],
                rotations=options["rotations"],
                years=options["years"],
                teams=options["teams"],
            )
            org = generate_org(
                size=size,
                seed=options["seed"],
                today=options["today"] or date.today(),
                flush=options["flush"],
            )
        except OrgRefused as refused:
            raise CommandError(str(refused)) from refused
        elapsed = clock.perf_counter() - began
        width = max(len(name) for name in org.counts)
        self.stdout.write(
            f"Generated an organisation (seed {options['seed']}, history "
            f"{org.since:%Y-%m-%d} to {org.until:%Y-%m-%d}) in {elapsed:.1f} s:"
        )
        for name, count in org.counts.items():
            self.stdout.write(f"  {name:<{width}}  {count:>7,}")
