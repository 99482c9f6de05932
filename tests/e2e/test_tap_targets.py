"""Every link and button on the main pages is at least 44×44 px on a phone (390 px wide), and
says what it does in words where an icon alone would not."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    MANAGER,
    PHONE,
    VIEWPORTS,
    axe_violations,
    file_cover_request,
    format_violations,
    log_in,
)

MIN_TARGET = 44  # CSS pixels: WCAG 2.5.5 and Apple's and Google's guidance for touch targets

MAIN_PAGES = [
    "/",
    "/oncall/",
    "/severity/",
    "/services/",
    "/services/database-postgresql/",
    "/escalation/",
    "/escalation/technical-escalation/",
    "/contacts/",
    "/channels/",
    "/paging/",
    "/swaps/",
    "/swaps/new/",
    "/profile/",
]

# The targets drawn on screen, with their size and accessible text. A link inside a sentence
# is exempt (WCAG 2.5.8's inline exception): it is as tall as the line it sits in.
DRAWN_TARGETS = """() => {
  const targets = document.querySelectorAll(
    'a[href], button, input[type=submit], input[type=button], summary, [role=button]');
  return Array.from(targets).flatMap(el => {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || !el.checkVisibility({visibilityProperty: true})) {
      return [];
    }
    if (el.closest('p, .prose') || el.matches('.visually-hidden-focusable:not(:focus)')) {
      return [];
    }
    const label = (el.getAttribute('aria-label') || el.innerText || el.value || '').trim();
    return [{html: el.outerHTML.slice(0, 160), label: label,
             width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10}];
  });
}"""


def small_targets(page) -> list[dict]:
    return [
        target
        for target in page.evaluate(DRAWN_TARGETS)
        if target["width"] < MIN_TARGET or target["height"] < MIN_TARGET
    ]


@pytest.mark.parametrize("who", ["engineer", MANAGER])
def test_every_action_is_a_44px_target_with_words_on_a_phone(new_page, seeded_portal, who):
    swap = file_cover_request(seeded_portal)  # its page has the requester's or manager's buttons
    username = who if who == MANAGER else seeded_portal.username_of(seeded_portal.next.primary)
    page = new_page(PHONE)
    log_in(page, username)
    problems = {}
    for path in [*MAIN_PAGES, f"/swaps/{swap.pk}/"]:
        page.goto(path)
        small = small_targets(page)
        unlabelled = [t for t in page.evaluate(DRAWN_TARGETS) if not t["label"]]
        if small or unlabelled:
            problems[path] = {"small": small, "no words": unlabelled}
    assert problems == {}, format_violations(problems)


def cover(portal, *, tier, who: str, start, end):
    from escalation.models import Person, Rotation
    from tests.factories import OverrideFactory

    return OverrideFactory(
        rotation=Rotation.objects.get(),
        tier=tier,
        person=Person.objects.get(display_name=who),
        start=start,
        end=end,
        reason="Family wedding",
    )


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_overrides_are_marked_legibly_where_they_show(new_page, seeded_portal, viewport):
    """Overrides on the dashboard, on the calendar's yellow row for the instant asked about, on
    the contacts page and on the covering person's profile: axe finds nothing serious."""
    from escalation.models import OnCallTier

    now, following = seeded_portal.now, seeded_portal.next
    free = {"Engineer A", "Engineer B", "Engineer C", "Engineer D"} - {now.primary, now.secondary}
    helper = sorted(free)[0]
    cover(seeded_portal, tier=OnCallTier.PRIMARY, who=helper, start=now.start, end=now.end)
    cover(
        seeded_portal,
        tier=OnCallTier.SECONDARY,
        who=now.primary,
        start=following.start,
        end=following.start + (following.end - following.start) / 2,
    )
    page = new_page(VIEWPORTS[viewport])
    log_in(page, seeded_portal.username_of(helper))
    asked = (now.start + (now.end - now.start) / 2).strftime("%Y-%m-%dT%H:%M:%SZ")
    problems = {}
    for path, shows in [
        ("/", "Covering for"),
        (f"/oncall/?at={asked}", "covering for"),
        ("/contacts/", "override"),
        ("/profile/", "you cover for"),
    ]:
        page.goto(path)
        expect(page.locator("#main")).to_contain_text(shows)
        if violations := axe_violations(page):
            problems[path] = violations
    assert problems == {}, format_violations(problems)


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_log_out_button_says_log_out_once(new_page, seeded_portal, viewport):
    page = new_page(VIEWPORTS[viewport])
    log_in(page, MANAGER)
    header = page.get_by_role("navigation", name="Main")
    expect(header.get_by_role("button", name="Log out", exact=True)).to_be_visible()
    expect(header.get_by_role("link", name="Edit contacts", exact=True)).to_be_visible()
