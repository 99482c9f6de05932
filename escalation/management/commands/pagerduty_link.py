"""Match people to PagerDuty users by e-mail and suggest a PagerDuty schedule per rotation tier;
`--apply` stores the matches. Managers can also set the ids in the admin."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from escalation.integrations.pagerduty import PagerDutyError
from escalation.services.pagerduty_links import pagerduty_link_plan, pagerduty_links_apply


class Command(BaseCommand):
    help = "Link people and rotation tiers to PagerDuty users and schedules (--apply to store)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Store the matches shown.")

    def handle(self, *args: Any, apply: bool, **options: Any) -> None:
        try:
            plan = pagerduty_link_plan()
        except PagerDutyError as error:
            raise CommandError(str(error)) from None
        write = self.stdout.write
        write("People matched by e-mail:")
        for link in plan.people:
            write(
                f"  {link.person.display_name} <{link.person.email}> → {link.user.id} ({link.user.name})"
            )
        if not plan.people:
            write("  (nothing new)")
        if plan.unmatched:
            write("People without a PagerDuty user of the same e-mail:")
            for person in plan.unmatched:
                write(f"  {person.display_name} <{person.email or 'no e-mail'}>")
        write("Schedules of the rotation tiers:")
        for tier_link in plan.schedules:
            name = f"  {tier_link.rotation.name} {tier_link.tier.in_sentence}: "
            if tier_link.current:
                write(f"{name}linked to {tier_link.current}")
            elif tier_link.suggested:
                write(f"{name}suggested {tier_link.suggested.id} ({tier_link.suggested.name})")
            else:
                write(
                    f"{name}no schedule's name says “{tier_link.tier.in_sentence}”; set it in the admin"
                )
        write("Schedules in PagerDuty: " + ", ".join(f"{s.id} ({s.name})" for s in plan.available))
        if not apply:
            write("Nothing stored: run again with --apply to store these matches.")
            return
        people, tiers = pagerduty_links_apply(plan=plan)
        write(f"Stored: {people} people and {tiers} rotation tiers linked.")
