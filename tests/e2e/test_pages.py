"""Every page at phone (390 px) and desktop (1280 px) width: the body never scrolls sideways,
every section can be reached (in one row on a desktop, behind the Menu button on a phone), and
axe-core finds no serious or critical accessibility problem. The login page and the admin a
manager uses are checked too. Each viewport is one test that visits every page and reports
every problem at once."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    MANAGER,
    VIEWPORTS,
    assert_navigation_reachable,
    assert_no_horizontal_scroll,
    axe_violations,
    csp_violations,
    file_cover_request,
    format_violations,
    log_in,
)

# (path or "swap", the nav section marked current, what the page must show)
PAGES = [
    ("/", "escalation:dashboard", "On call now"),
    ("/oncall/", "escalation:calendar", "On-call calendar"),
    ("/oncall/fairness/", "escalation:calendar", "Fairness report"),
    ("/severity/", "escalation:severity", "Contact matrix by severity"),
    ("/services/", "escalation:services", "Backend API (FastAPI)"),
    ("/services/database-postgresql/", "escalation:services", "Database (PostgreSQL)"),
    ("/escalation/", "escalation:paths", "Escalation paths"),
    ("/escalation/technical-escalation/", "escalation:paths", "Technical Escalation"),
    ("/contacts/", "escalation:contacts", "DBA Lead"),
    ("/channels/", "escalation:channels", "#incidents"),
    ("/paging/", "escalation:paging", "Service completely down"),
    ("/swaps/", "escalation:swaps", "{requester}"),
    ("/swaps/new/", "escalation:swaps", "How it works"),
    ("swap", "escalation:swaps", "Family wedding"),
    ("/profile/", None, "feed"),
    ("/incident/", None, "Which service?"),
    ("/incident/?service=database-postgresql", None, "How bad is it?"),
    ("/incident/general/", None, "service not listed"),
    ("/print/", None, "Odd weeks"),
]


# The admin, as a manager uses it: (path, what the page must show).
ADMIN_PAGES = [
    ("/admin/", "Contacts, rotations and escalation paths"),
    ("/admin/escalation/role/", "Select role to change"),
    ("/admin/escalation/role/?holder__isnull=1", "TBD"),
]

BROKEN_PAGE = """<!doctype html><html lang="en"><title>Broken</title><body>
<main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><p style="color:#ccc">faint</p>
<input type="text"><div style="width:1000px">wide</div><script>document.title='ran'</script>
</main></body></html>"""

NO_NAVIGATION = "no navigation"
ADMIN = "the admin's own"


def check_page(page, path: str, active: str | None, content: str, problems: dict) -> None:
    if page.url != path:
        page.goto(path)
    expect(page.locator("#content" if active == ADMIN else "#main")).to_contain_text(content)
    found = []
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 1:
        found.append(f"scrolls sideways by {overflow}px")
    try:
        if active == ADMIN:
            assert_admin_navigation_reachable(page)
        elif active != NO_NAVIGATION:
            assert_navigation_reachable(page, active)
    except AssertionError as error:
        found.append(f"navigation: {error}")
    violations = axe_violations(page)
    if violations:
        found.append(f"axe: {format_violations(violations)}")
    blocked = csp_violations(page)
    if blocked:
        found.append(f"content security policy: {blocked}")
    if found:
        problems[path] = found


def assert_admin_navigation_reachable(page) -> None:
    """The admin's way back to the portal and its way out are on screen."""
    width = page.evaluate("() => document.documentElement.clientWidth")
    tools = page.locator("#user-tools")
    for control in (
        tools.get_by_role("link", name="View site"),
        tools.get_by_role("button", name="Log out"),
    ):
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (page.url, box)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_every_page_fits_the_screen_keeps_its_navigation_and_passes_axe(
    new_page, seeded_portal, viewport
):
    # On a phone, the on-call engineer whose shift is next (their swap is on the list); on a
    # desktop, a manager (who also sees the completeness panel and the edit links).
    swap = file_cover_request(seeded_portal)
    username = (
        seeded_portal.username_of(seeded_portal.next.primary) if viewport == "phone" else MANAGER
    )
    problems: dict[str, list[str]] = {}

    page = new_page(VIEWPORTS[viewport])
    page.goto("/")  # anonymous: sent to the login page, which has no section navigation
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Sections")).to_have_count(0)
    check_page(page, page.url, NO_NAVIGATION, "For colleagues only", problems)
    log_in(page, username)
    for path, active, content in PAGES:
        url = f"/swaps/{swap.pk}/" if path == "swap" else path
        content = content.format(requester=swap.requester, colleague=swap.colleague)
        check_page(page, url, active, content, problems)
    if username != MANAGER:
        page = new_page(VIEWPORTS[viewport])
        log_in(page, MANAGER)
    for path, content in ADMIN_PAGES:
        check_page(page, path, ADMIN, content, problems)
    assert problems == {}, format_violations(problems)


def test_the_checks_catch_what_they_look_for(new_page, live_server):
    """A deliberately broken page: axe reports its serious problems, the policy blocks its
    inline script, and the body scrolls sideways (so a clean report above means something)."""
    page = new_page(VIEWPORTS["phone"])
    page.route(
        f"{live_server.url}/broken/",
        lambda route: route.fulfill(
            content_type="text/html",
            headers={"Content-Security-Policy": "script-src 'self'"},
            body=BROKEN_PAGE,
        ),
    )
    page.goto("/broken/")
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"image-alt", "color-contrast", "label"} <= found
    assert any("script-src" in blocked for blocked in csp_violations(page))
    with pytest.raises(AssertionError, match="scrolls sideways"):
        assert_no_horizontal_scroll(page)


def test_every_section_is_reachable_at_tablet_and_laptop_widths(new_page, seeded_portal):
    page = new_page({"width": 768, "height": 1024})
    log_in(page, MANAGER)
    for width in (768, 1024, 1100):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/paging/")
        assert_navigation_reachable(page, "escalation:paging")
        assert_no_horizontal_scroll(page)
