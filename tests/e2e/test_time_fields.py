"""Times are typed and shown on the 24-hour clock whatever the browser's language."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, PHONE, VIEWER, axe_violations, log_in


@pytest.mark.parametrize(
    "sheet", ["/services/database-postgresql/?severity=1&kind=technical", "/incident/general/?"]
)
def test_the_sheets_start_time_is_24_hour_in_an_american_browser(
    browser, live_server, seeded_portal, sheet
):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="en-US")
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(VIEWER)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{sheet}&started=14:05")

        started = page.get_by_label("Incident started")
        expect(started).to_have_value("14:05")  # not "02:05 PM"
        assert started.get_attribute("type") == "text"
        expect(page.locator("#sheet-started-help")).to_contain_text("24-hour")
        started.fill("21:40")
        page.get_by_role("button", name="Show sheet").click()
        expect(page.locator(".sheet-when")).to_contain_text("Started 21:40")
        started.fill("9pm")  # what the browser's own control would have allowed
        assert not started.evaluate("field => field.checkValidity()")
    finally:
        context.close()


def test_who_was_on_call_at_keeps_the_instant_and_says_when_a_time_never_was(
    new_page, seeded_portal
):
    from escalation.models import Person

    engineer = Person.objects.get(display_name="Engineer A")
    engineer.time_zone = "Europe/Berlin"
    engineer.save()
    page = new_page(PHONE)
    log_in(page, seeded_portal.username_of("Engineer A"))
    heading = page.locator("#focus-title")

    # The second 02:30 of Berlin's autumn night, looked up again from the form as it stands.
    page.goto("/oncall/?at=2026-10-25T01:30:00Z")
    expect(heading).to_contain_text("Sun 25 Oct 2026, 02:30 CET")
    page.get_by_role("button", name="Look up").click()
    expect(heading).to_contain_text("Sun 25 Oct 2026, 02:30 CET")
    expect(heading).to_contain_text("01:30 UTC")

    # A time the spring change skipped: said, with the two nearest readings to choose from.
    page.get_by_label("Date and time").fill("2026-03-29T02:30:00")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("alert")).to_contain_text("never happened in Europe/Berlin")
    expect(heading).to_have_count(0)
    choices = page.get_by_role("navigation", name="Choose the instant")
    choices.get_by_role("link", name="03:30 CEST").click()
    expect(heading).to_contain_text("Sun 29 Mar 2026, 03:30 CEST")
    assert axe_violations(page) == []
