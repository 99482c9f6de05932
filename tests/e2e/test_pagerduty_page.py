""" "Page via PagerDuty" in a real browser: from the dashboard to the confirmation form, to the
page's status once the fake PagerDuty has opened the incident."""

import re

from playwright.sync_api import expect

from escalation.models import PagerDutyIncident, Person, Service
from tests.e2e.conftest import (
    PHONE,
    VIEWER,
    assert_no_horizontal_scroll,
    axe_violations,
    csp_violations,
    log_in,
)

SERVICE_ID = "PSVCAPI"


def test_dashboard_page_confirm_and_the_status_says_paged(new_page, seeded_portal, pagerduty_fake):
    primary = Person.objects.get(display_name=seeded_portal.now.primary)
    primary.pagerduty_user_id = "PENGPRI"
    primary.save()
    pagerduty_fake.add_user("PENGPRI", primary.display_name, primary.email)
    service = Service.objects.order_by("position").first()
    service.pagerduty_service_id = SERVICE_ID
    service.save()
    pagerduty_fake.add_service(SERVICE_ID, service.name)

    page = new_page(PHONE)
    log_in(page, VIEWER)
    page.goto("/")
    page.get_by_role("link", name=f"Page {primary.display_name} via PagerDuty").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Page {primary.display_name} via PagerDuty"
    )
    assert_no_horizontal_scroll(page)
    assert axe_violations(page) == []
    page.get_by_label("Service").select_option(label=service.name)
    page.get_by_label("Title").fill(f"{service.name} is down")
    expect(page.get_by_role("radio", name=re.compile(r"High"))).to_be_checked()
    page.get_by_role("button", name=f"Page {primary.display_name} now").click()

    status = page.locator(".pagerduty-page-status")
    expect(status).to_contain_text("Paged ✓")
    [incident] = pagerduty_fake.incidents
    link = page.get_by_role("link", name="Open the incident in PagerDuty")
    expect(link).to_have_attribute("href", incident["html_url"])
    assert incident["assignments"][0]["assignee"]["id"] == "PENGPRI"
    assert incident["service"]["id"] == SERVICE_ID
    assert incident["from"] == "oncall-portal@example.com"
    assert PagerDutyIncident.objects.get().title == f"{service.name} is down"
    assert_no_horizontal_scroll(page)
    assert axe_violations(page) == []
    assert csp_violations(page) == []
