"""Times are typed and shown on the 24-hour clock whatever the browser's language."""

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, PHONE, VIEWER


def test_the_service_sheets_start_time_is_24_hour_in_an_american_browser(
    browser, live_server, seeded_portal
):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="en-US")
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(VIEWER)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto("/services/database-postgresql/?severity=1&kind=technical&started=14:05")

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
