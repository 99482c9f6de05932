"""The swap flow in a real browser, with three accounts: the requester files, the colleague
accepts (on a phone), a manager approves, and the calendar and the dashboard show the override."""

from datetime import UTC, datetime

from django.utils import timezone
from playwright.sync_api import expect

from escalation.models import Person
from tests.e2e.conftest import (
    PHONE,
    assert_no_horizontal_scroll,
    axe_violations,
    log_in,
    on_call_pair,
)
from tests.swaps_data import build_team


def test_a_cover_goes_from_the_form_to_the_calendar_and_the_dashboard(new_page, transactional_db):
    team = build_team()
    # Whoever holds the primary tier of the next shift asks a colleague who is off that week;
    # the engine says who, so the test holds on any date.
    upcoming = on_call_pair(on_call_pair(timezone.now()).end)
    asking = Person.objects.get(display_name=upcoming.primary)
    taking = team.drew if asking == team.alex else team.blair

    requester = new_page()
    log_in(requester, asking.user.username)
    requester.goto("/swaps/new/")
    shift = requester.eval_on_selector_all(
        "#id_shift option",
        "options => options.filter(o => o.value && !o.textContent.includes('in progress'))"
        ".map(o => o.value)",
    )[0]
    start = datetime.fromtimestamp(int(shift.split(":")[2]), tz=UTC)
    assert start == upcoming.start
    requester.select_option("#id_shift", shift)
    requester.select_option("#id_colleague", label=taking.display_name)
    requester.fill("#id_reason", "Ski trip")
    requester.get_by_role("button", name="Send the request").click()
    expect(requester.locator(".alert-success")).to_contain_text(
        f"{taking.display_name} is asked to accept it"
    )
    request_url = requester.url
    assert axe_violations(requester) == []

    colleague = new_page(PHONE)
    log_in(colleague, taking.user.username)
    colleague.goto(request_url)
    assert_no_horizontal_scroll(colleague)
    colleague.get_by_role("button", name="Accept: I'll take it").click()
    expect(colleague.locator(".alert-success")).to_contain_text("You accepted")

    manager = new_page()
    log_in(manager, "boss")
    manager.goto(request_url)
    manager.get_by_role("button", name="Approve").click()
    expect(manager.locator(".alert-success")).to_contain_text("Approved")
    expect(manager.locator(".swap-timeline")).to_contain_text(f"{taking.display_name} accepted")
    assert axe_violations(manager) == []

    manager.goto(f"/oncall/?start={start:%Y-%m-%d}&weeks=1")
    row = manager.locator(".oncall-table tbody tr").first
    expect(row.locator("td[data-label=Primary]")).to_contain_text(f"{taking.display_name} covers")
    expect(row.locator("td[data-label=Overrides]")).to_contain_text(
        f"{taking.display_name} covering for {asking.display_name}"
    )

    # The override is the next shift's, so the dashboard names it as who comes next.
    colleague.goto("/")
    expect(colleague.locator(".oncall-handoff")).to_contain_text(
        f"{taking.display_name} (primary) covering for {asking.display_name}"
    )


def test_the_swap_pages_read_well_on_a_phone(new_page, transactional_db):
    build_team()
    page = new_page(PHONE)
    log_in(page, "alex")
    for path in ("/swaps/", "/swaps/new/", "/swaps/?show=past"):
        page.goto(path)
        assert_no_horizontal_scroll(page)
        assert axe_violations(page) == [], path
