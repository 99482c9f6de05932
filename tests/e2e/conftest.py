"""Browser tests: the real portal in Debian's headless Chromium, driven by Playwright.

They run when /usr/bin/chromium exists (CI installs it); otherwise they are skipped with a note
saying how to enable them. `make e2e` runs only these.
"""

import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from uuid import uuid4

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
SKIP_REASON = (
    f"browser tests skipped: Chromium not found at {CHROMIUM} "
    "(install it with `apt-get install chromium`, then run `make e2e`)"
)
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery staple"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            if not HAVE_CHROMIUM and "browser" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh context (its own cookies) at a viewport size."""
    contexts = []

    def open_page(viewport=DESKTOP):
        context = browser.new_context(
            viewport=viewport,
            base_url=live_server.url,
            locale="en-GB",
            reduced_motion="reduce",  # no menu animations to wait for
        )
        context.set_default_timeout(15_000)
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("domcontentloaded")


# The pages run under their real content security policy (nothing inline): what the policy
# blocks is recorded, page by page, for the tests to report.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', event => window.cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} `
    + `(${event.sourceFile}:${event.lineNumber})`));
"""


def csp_violations(page) -> list[str]:
    return page.evaluate("() => window.cspViolations || []")


@cache
def axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_results(page, context: str = "document") -> dict:
    """axe-core's findings on the open page. The script is evaluated by the browser's DevTools
    channel, which the page's content security policy does not govern (a <script> tag would be
    blocked, as it should be)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;undefined")
    return page.evaluate(f"async () => await axe.run({context}, {{resultTypes: ['violations']}})")


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    result = axe_results(page)
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_no_horizontal_scroll(page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"page body scrolls sideways by {overflow}px at {page.url}"


def format_violations(violations: list[dict]) -> str:
    return json.dumps(violations, indent=1)


def section_menu(page):
    """The Sections navigation and, on a phone, the Menu button that opens it."""
    nav = page.get_by_role("navigation", name="Sections")
    return nav, nav.get_by_role("button", name=re.compile(r"^Menu\b"))


def open_section(page, label: str) -> None:
    """Go to a section as a person would: on a phone, open the menu first."""
    nav, toggle = section_menu(page)
    if toggle.is_visible():
        toggle.click()
    nav.get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state("domcontentloaded")


def assert_navigation_reachable(page, active: str | None) -> None:
    """Every section link can be seen without moving the page sideways: in one row on a
    desktop, behind the Menu button on a phone (which opens and closes). The current section
    (the link named `active`, by its URL name) is marked, and the phone's Menu button names it.
    """
    from escalation.context_processors import NAVIGATION

    nav, toggle = section_menu(page)
    links = nav.get_by_role("link")
    labels = {name: label for name, label, _ in NAVIGATION}
    on_phone = toggle.is_visible()
    if on_phone:
        expect(links).to_have_count(0)  # collapsed: hidden from sight and from screen readers
        if active is not None:
            expect(toggle).to_contain_text(labels[active])
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(nav.locator("ul")).to_have_class(re.compile(r"\bshow\b"))  # opened, not opening
    expect(links).to_have_count(len(NAVIGATION))
    drawn = links.evaluate_all(
        """links => links.map(link => ({href: link.getAttribute('href'),
            text: link.textContent.trim(), box: link.getBoundingClientRect().toJSON()}))"""
    )
    assert [link["href"] for link in drawn] == [reverse(name) for name, _, _ in NAVIGATION]
    width = page.evaluate("() => document.documentElement.clientWidth")
    for link in drawn:
        box = link["box"]
        assert box["width"] > 0 and box["height"] > 0, f"{link['text']!r} is not drawn"
        assert box["left"] >= 0 and box["right"] <= width + 1, (
            f"{link['text']!r} is outside the screen at {page.url}: {box}"
        )
    current = nav.locator("[aria-current=page]")
    if active is None:
        expect(current).to_have_count(0)
    else:
        expect(current).to_have_attribute("href", reverse(active))
    assert page.evaluate("() => window.scrollX") == 0, f"the page moved sideways at {page.url}"
    if on_phone:
        toggle.click()
        expect(links).to_have_count(0)


# --- The seeded portal ---------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """Who holds the on-call rotation over one shift, as the engine says."""

    primary: str
    secondary: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class SeededPortal:
    """The bundled escalation document, with logins, phones and what the engine says."""

    now: Pair
    next: Pair
    usernames: dict[str, str]  # Person display name -> username of the linked login

    def username_of(self, display_name: str) -> str:
        return self.usernames[display_name]


VIEWER = "vera"
MANAGER = "morgan"


def on_call_pair(at: datetime):
    """The seed rotation's pair at `at`, from the selector the pages use (overrides applied)."""
    from escalation.selectors.oncall import on_call_now

    (answer,) = on_call_now(at=at).answers
    return Pair(
        primary=answer.primary.display_name,
        secondary=answer.secondary.display_name,
        start=answer.shift.start,
        end=answer.shift.end,
    )


def restore_managers_group() -> None:
    """The managers group as migration 0002 makes it, permissions included.

    Between transactional tests the database is flushed, which drops what data migrations
    wrote; the admin would then treat a manager as a staff user with no permissions.
    """
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "escalation.migrations.0002_override_exclusion_and_managers"
    )
    app_config = apps.get_app_config("escalation")
    models_module = app_config.models_module  # the migration toggles it for create_permissions
    try:
        migration.create_managers_group(apps, None)
    finally:
        app_config.models_module = models_module


def seed_portal() -> SeededPortal:
    """Import the seed, give the four engineers phones, Slack and logins, add a viewer and a
    manager. The pairs are computed now, so assertions hold whatever today's date is."""
    from escalation.documents.importer import import_document
    from escalation.models import Person
    from tests import factories
    from tests.conftest import SEED_DOCUMENT

    restore_managers_group()
    import_document(SEED_DOCUMENT.read_text(encoding="utf-8"), source=str(SEED_DOCUMENT))
    usernames = {}
    for index, person in enumerate(Person.objects.filter(display_name__startswith="Engineer")):
        letter = person.display_name.rsplit(" ", 1)[-1].lower()
        username = f"engineer-{letter}"
        person.user = factories.UserFactory(
            username=username, first_name="Engineer", last_name=letter.upper()
        )
        person.phone = f"+44 20 7946 01{index:02d}"
        person.slack_handle = f"@engineer-{letter}"
        person.pagerduty_handle = f"@engineer-{letter}"
        person.email = f"{username}@example.com"
        person.verified_at = timezone.now()
        person.save()
        usernames[person.display_name] = username
    factories.UserFactory(username=VIEWER, first_name="Vera", last_name="Viewer")
    factories.ManagerFactory(username=MANAGER, first_name="Morgan", last_name="Lee")
    now = timezone.now()
    current = on_call_pair(now)
    return SeededPortal(now=current, next=on_call_pair(current.end), usernames=usernames)


@pytest.fixture
def seeded_portal(transactional_db, live_server) -> SeededPortal:
    return seed_portal()


def file_cover_request(portal: SeededPortal):
    """The next shift's primary asks someone off call then to cover it (pending)."""
    from escalation.models import OnCallTier, Person, Rotation, SwapKind
    from escalation.services.swaps import swap_request_create

    requester = Person.objects.get(display_name=portal.next.primary)
    busy = {portal.next.primary, portal.next.secondary}
    colleague = Person.objects.exclude(display_name__in=busy).filter(user__isnull=False).first()
    return swap_request_create(
        rotation=Rotation.objects.get(),
        tier=OnCallTier.PRIMARY,
        kind=SwapKind.COVER,
        requester=requester,
        colleague=colleague,
        start=portal.next.start,
        end=portal.next.end,
        reason="Family wedding",
        filed_by=requester.user,
        submission_key=uuid4(),
    )
