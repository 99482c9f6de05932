"""The swap flow in a real browser, with three accounts: the requester files, the colleague
accepts (on a phone), a manager approves, and the calendar shows the override."""

from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.e2e.conftest import AXE_SCRIPT, PHONE, assert_no_horizontal_scroll, log_in
from tests.swaps_data import build_team


def main_violations(page) -> list[dict]:
    """Serious accessibility problems inside the page's own content (the shared header aside)."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async () => await axe.run('#main', {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_a_cover_goes_from_the_form_to_the_calendar(new_page, transactional_db):
    build_team()
    requester = new_page()
    log_in(requester, "alex")
    requester.goto("/swaps/new/")
    shift = requester.eval_on_selector_all(
        "#id_shift option",
        "options => options.filter(o => o.value && !o.textContent.includes('in progress'))"
        ".map(o => o.value)",
    )[0]
    requester.select_option("#id_shift", shift)
    requester.select_option("#id_colleague", label="Drew Doe")
    requester.fill("#id_reason", "Ski trip")
    requester.get_by_role("button", name="Send the request").click()
    expect(requester.locator(".alert-success")).to_contain_text("Drew Doe is asked to accept it")
    request_url = requester.url
    assert main_violations(requester) == []

    colleague = new_page(PHONE)
    log_in(colleague, "drew")
    colleague.goto(request_url)
    assert_no_horizontal_scroll(colleague)
    colleague.get_by_role("button", name="Accept: I'll take it").click()
    expect(colleague.locator(".alert-success")).to_contain_text("You accepted")

    manager = new_page()
    log_in(manager, "boss")
    manager.goto(request_url)
    manager.get_by_role("button", name="Approve").click()
    expect(manager.locator(".alert-success")).to_contain_text("Approved")
    expect(manager.locator(".swap-timeline")).to_contain_text("Drew Doe accepted")
    assert main_violations(manager) == []

    start = datetime.fromtimestamp(int(shift.split(":")[2]), tz=UTC)
    manager.goto(f"/oncall/?start={start:%Y-%m-%d}&weeks=1")
    expect(manager.locator("table")).to_contain_text("Drew Doe")


def test_the_swap_pages_read_well_on_a_phone(new_page, transactional_db):
    build_team()
    page = new_page(PHONE)
    log_in(page, "alex")
    for path in ("/swaps/", "/swaps/new/", "/swaps/?show=past"):
        page.goto(path)
        assert_no_horizontal_scroll(page)
        assert main_violations(page) == [], path
