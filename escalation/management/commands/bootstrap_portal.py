"""First-run set-up, called by `make run` after `migrate`; fast and safe to run every time.

- An empty database (no severity, no service) gets the bundled escalation document.
- In debug only: a demo manager `manager` and a login for each person of the rotation
  (`engineer-a`…), all with one fresh random password, printed; and, where they have none, a
  clearly fictional phone, Slack and PagerDuty handle for those people, so the demo shows the
  real one-tap actions. Never when a real document is imported: only this demo does it.
"""

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.text import slugify

from escalation.documents.importer import import_document
from escalation.models import Person, RotationSlot, Service, Severity
from escalation.permissions import MANAGERS_GROUP

BUNDLED_DOCUMENT = Path(__file__).resolve().parents[2] / "data" / "escalation-contacts.md"
DEFAULT_ADDRESS = "127.0.0.1:8000"
DEMO_MANAGER = "manager"
DEMO_EMAIL_DOMAIN = "example.com"
#: North American numbers 555-0100 to 555-0199 are reserved for fiction: they ring nobody.
DEMO_PHONE = "+1 202 555 01{index:02d}"


LOADED = "Loaded the bundled escalation document ({path}) into the empty database."
KEPT = "The database already holds escalation data: kept as it is."
NO_DEMO_USERS = (
    "Debug is off: no demo users were created. "
    "Create an administrator with: python manage.py createsuperuser"
)


def portal_url(address: str) -> str:
    """`http://127.0.0.1:8080` for runserver's `127.0.0.1:8080`, `8080` or `0.0.0.0:8080`."""
    host, _, port = address.rpartition(":")
    if host in ("", "0.0.0.0", "[::]"):  # noqa: S104 (read, not bound)
        host = "127.0.0.1"
    return f"http://{host}:{port or '8000'}"


def demo_contacts(person: Person, *, index: int, username: str) -> dict[str, str]:
    """Fictional values for the demo person's empty phone, Slack and PagerDuty handle."""
    demo = {
        "phone": DEMO_PHONE.format(index=index % 100),
        "slack_handle": f"@{username}",
        "pagerduty_handle": f"@{username}",
    }
    return {name: value for name, value in demo.items() if not getattr(person, name)}


class Command(BaseCommand):
    help = "Load the bundled escalation document into an empty database; demo logins in debug."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--address",
            default=DEFAULT_ADDRESS,
            help=f"host:port the portal is served at, for the printed links ({DEFAULT_ADDRESS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.load_document()
        if settings.DEBUG:
            self.demo_users(portal_url=portal_url(options["address"]))
        else:
            self.stdout.write(NO_DEMO_USERS)

    def load_document(self) -> None:
        if Severity.objects.exists() or Service.objects.exists():
            self.stdout.write(KEPT)
            return
        import_document(BUNDLED_DOCUMENT.read_text(encoding="utf-8"), source=str(BUNDLED_DOCUMENT))
        self.stdout.write(LOADED.format(path=BUNDLED_DOCUMENT))

    @transaction.atomic
    def demo_users(self, *, portal_url: str) -> None:
        password = secrets.token_urlsafe(12)
        users = get_user_model().objects
        manager, _ = users.get_or_create(
            username=DEMO_MANAGER, defaults={"email": f"{DEMO_MANAGER}@{DEMO_EMAIL_DOMAIN}"}
        )
        manager.is_staff = True
        manager.is_active = True
        manager.set_password(password)
        manager.save()
        manager.groups.add(Group.objects.get_or_create(name=MANAGERS_GROUP)[0])
        usernames = [DEMO_MANAGER]
        slots = RotationSlot.objects.select_related("primary", "secondary")
        people = {
            person.pk: person
            for slot in slots.order_by("rotation__position", "position")
            for person in (slot.primary, slot.secondary)
            if person is not None
        }
        for index, person in enumerate(sorted(people.values(), key=lambda p: p.display_name)):
            username = slugify(person.display_name)
            if person.user_id is not None:
                user = person.user
                assert user is not None
            else:
                user, _ = users.get_or_create(username=username)
            email = person.email or f"{user.username}@{DEMO_EMAIL_DOMAIN}"
            user.email = user.email or email
            user.is_active = True
            user.set_password(password)
            user.save()
            filled = demo_contacts(person, index=index, username=user.get_username())
            for name, value in filled.items():
                setattr(person, name, value)
            if person.user_id != user.pk or not person.email or filled:
                person.user = user
                person.email = person.email or email
                person.full_clean()
                person.save()
            usernames.append(user.get_username())
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "=" * 60,
                    f"  Escalation portal: {portal_url}",
                    f"  Manager login:     {DEMO_MANAGER} (admin: {portal_url}/admin/)",
                    f"  Other demo logins: {', '.join(usernames[1:]) or '(none)'}",
                    f"  Password (all):    {password}",
                    "  A new password is generated every time this runs.",
                    "=" * 60,
                    "",
                ]
            )
        )
