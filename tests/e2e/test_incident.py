"""The 3 a.m. path in a browser: “Incident? Start here” walked on a phone (service, severity,
sheet), the general sheet for a service not listed, a services search that ends in it, and
“Reach via PagerDuty” for an on-call person without a phone."""

import re

from playwright.sync_api import expect

from escalation.models import Person, Service
from tests.e2e.conftest import (
    MANAGER,
    PHONE,
    VIEWER,
    assert_no_horizontal_scroll,
    axe_violations,
    csp_violations,
    format_violations,
    log_in,
)

MIN_TAP = 44  # CSS pixels, each way


def assert_tap_targets(page, selector: str) -> None:
    boxes = page.locator(selector).evaluate_all(
        "els => els.map(el => ({text: el.textContent.trim(), "
        "box: el.getBoundingClientRect().toJSON()}))"
    )
    assert boxes, f"nothing matches {selector} at {page.url}"
    for item in boxes:
        box = item["box"]
        assert box["height"] >= MIN_TAP and box["width"] >= MIN_TAP, (item["text"], box)


def assert_clean(page) -> None:
    assert_no_horizontal_scroll(page)
    assert not csp_violations(page), csp_violations(page)
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_the_incident_entry_walked_on_a_phone(new_page, seeded_portal):
    page = new_page(PHONE)
    log_in(page, VIEWER)
    page.goto("/")

    entry = page.get_by_role("link", name=re.compile(r"^Incident\? Start here"))
    expect(entry).to_be_in_viewport()  # no scrolling to find it
    assert_tap_targets(page, ".incident-entry")
    entry.click()

    expect(page.get_by_role("heading", name="1 Which service?")).to_be_visible()
    assert_tap_targets(page, ".incident-button")
    assert_clean(page)
    page.get_by_role("link", name=re.compile(r"^Database \(PostgreSQL\)")).click()

    expect(page.get_by_role("heading", name="2 How bad is it?")).to_be_visible()
    assert_tap_targets(page, ".incident-severity")
    assert_clean(page)
    page.get_by_role("link", name=re.compile(r"^SEV1\b")).click()

    expect(page).to_have_url(re.compile(r"/services/database-postgresql/\?severity=1$"))
    expect(page.locator("#sheet-title")).to_have_text(
        re.compile(r"SEV1\s+Technical incident on Database \(PostgreSQL\)")
    )
    primary = Person.objects.get(display_name=seeded_portal.now.primary)
    call = page.locator(".sheet-reach").get_by_role(
        "link", name=re.compile(f"^Call {primary.display_name} on")
    )
    expect(call.first).to_be_visible()
    expect(call.first).to_have_attribute("href", f"tel:{primary.phone.as_e164}")


def test_a_service_not_listed_leads_to_the_general_sheet_on_a_phone(new_page, seeded_portal):
    page = new_page(PHONE)
    log_in(page, VIEWER)
    page.goto("/incident/")

    page.get_by_role("link", name="Not listed / I don't know").click()
    page.get_by_role("link", name=re.compile(r"^SEV2\b")).click()

    expect(page).to_have_url(re.compile(r"/incident/general/\?severity=2$"))
    expect(page.locator("#sheet-title")).to_have_text(
        re.compile(r"SEV2\s+Technical incident, service not listed")
    )
    reach = page.locator(".sheet-reach")
    expect(reach).to_contain_text(f"On call now: {seeded_portal.now.primary}")
    expect(reach).to_contain_text(f"On call now: {seeded_portal.now.secondary}")
    expect(page.locator("#sheet-escalate")).to_contain_text("Technical Escalation")
    assert_clean(page)


def test_a_service_found_by_another_name_and_a_search_without_match(new_page, seeded_portal):
    service = Service.objects.get(name="Third-party integrations")
    service.aliases = "payments, billing"
    service.save()
    page = new_page()
    log_in(page, VIEWER)

    page.goto("/services/?q=payments")
    expect(page.get_by_role("link", name=re.compile(r"^Third-party integrations"))).to_be_visible()

    page.goto("/services/?q=no-such-thing")
    expect(page.get_by_text("No service matches.")).to_be_visible()
    page.get_by_role("link", name="the general sheet").click()
    expect(page.locator("#sheet-title")).to_contain_text("service not listed")


def test_an_on_call_person_without_a_phone_is_reached_via_pagerduty(new_page, seeded_portal):
    Person.objects.filter(display_name=seeded_portal.now.primary).update(phone="")
    page = new_page(PHONE)
    log_in(page, VIEWER)
    page.goto("/")

    card = page.locator(".oncall-holder").first
    expect(card).to_contain_text(seeded_portal.now.primary)
    expect(card).to_contain_text("Reach via PagerDuty")
    expect(card).not_to_contain_text("on file")

    manager = new_page(PHONE)
    log_in(manager, MANAGER)
    manager.goto("/")
    expect(manager.locator(".oncall-holder").first).to_contain_text("No phone on file")
