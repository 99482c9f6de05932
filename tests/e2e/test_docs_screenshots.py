"""The README's screenshots, taken from the seeded portal with a few TBD roles filled in.

Opt-in: `E2E_WRITE_SCREENSHOTS=1 make e2e` (or pytest on this file) rewrites
docs/screenshots/*.png; otherwise only the README's references to them are checked.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from escalation.models import Override, Person, Role, Rotation, SwapRequest
from escalation.rotation import on_call_at
from tests.e2e.conftest import DESKTOP, MANAGER, PHONE, log_in

OUTPUT = Path(settings.BASE_DIR) / "docs" / "screenshots"
MAX_BYTES = 300_000

README = Path(settings.BASE_DIR) / "README.md"

# Role -> (holder, phone, Slack handle): enough filled in to look like a real directory.
HOLDERS = {
    "Backend Tech Lead": ("Priya Nair", "+44 20 7946 0201", "@priya.nair"),
    "Frontend Tech Lead": ("Tomás Ortega", "+44 20 7946 0202", "@tomas.ortega"),
    "Engineering Manager": ("Grace Okafor", "+44 20 7946 0203", "@grace.okafor"),
    "VP of Engineering": ("Daniel Weiss", "+44 20 7946 0204", "@daniel.weiss"),
}

# file name -> (viewport, path, full page?)
SHOTS = {
    "dashboard-desktop": (DESKTOP, "/", False),
    "dashboard-phone": (PHONE, "/", True),
    "calendar-desktop": (DESKTOP, "/oncall/?weeks=4", False),
    "escalation-desktop": (DESKTOP, "/escalation/", False),
    # An incident that began twelve minutes ago: every escalation time still ahead.
    "service-sheet-desktop": (
        DESKTOP,
        "/services/backend-api-fastapi/?severity=1&kind=technical&started={started:%H:%M}",
        True,
    ),
    "contacts-phone": (PHONE, "/contacts/", False),
    "fairness-desktop": (DESKTOP, "/oncall/fairness/", True),
    "fairness-phone": (PHONE, "/oncall/fairness/", True),
}


def fill_roles() -> None:
    for role_name, (name, phone, slack) in HOLDERS.items():
        person = Person.objects.create(
            display_name=name,
            phone=phone,
            slack_handle=slack,
            pagerduty_handle=slack,
            email=f"{slack[1:]}@example.com",
            verified_at=timezone.now(),
        )
        Role.objects.filter(name=role_name).update(holder=person)


def add_weekend_cover() -> None:
    """A colleague covered a weekend two weeks ago, and the person covered asked for it."""
    rotation = Rotation.objects.get()
    saturday = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    saturday -= timedelta(days=(saturday.weekday() - 5) % 7 + 14)
    holder = Person.objects.get(pk=on_call_at(rotation.schedule(), saturday).primary.person)
    cover = Person.objects.get(display_name="Priya Nair")
    Override.objects.create(
        rotation=rotation,
        tier="primary",
        person=cover,
        start=saturday,
        end=saturday + timedelta(days=2),
    )
    SwapRequest.objects.create(
        rotation=rotation,
        tier="primary",
        requester=holder,
        colleague=cover,
        start=saturday,
        end=saturday + timedelta(days=2),
        state="approved",
    )


def test_the_readme_shows_only_screenshots_that_exist_and_every_one_is_kept():
    shown = set(re.findall(r"docs/screenshots/([\w-]+\.png)", README.read_text()))
    kept = {path.name for path in OUTPUT.glob("*.png")}
    assert shown and shown <= kept, f"the README shows missing files: {shown - kept}"
    assert kept == {f"{name}.png" for name in SHOTS}, "docs/screenshots/ and SHOTS differ"


@pytest.mark.skipif(
    os.environ.get("E2E_WRITE_SCREENSHOTS") != "1",
    reason="writes docs/screenshots/*.png only with E2E_WRITE_SCREENSHOTS=1",
)
def test_write_the_readme_screenshots(new_page, seeded_portal):
    fill_roles()
    add_weekend_cover()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pages = {}
    for name, (viewport, path, full_page) in SHOTS.items():
        size = "phone" if viewport == PHONE else "desktop"
        if size not in pages:
            pages[size] = new_page(viewport)
            # A manager on the desktop (with the completeness panel), an engineer on the phone.
            log_in(
                pages[size],
                MANAGER if size == "desktop" else seeded_portal.username_of("Engineer A"),
            )
        page = pages[size]
        page.goto(path.format(started=timezone.now() - timedelta(minutes=12)))
        expect(page.locator("#main h1")).to_be_visible()
        target = OUTPUT / f"{name}.png"
        page.screenshot(path=target, full_page=full_page, animations="disabled")
        assert target.stat().st_size < MAX_BYTES, f"{target} is too large"
