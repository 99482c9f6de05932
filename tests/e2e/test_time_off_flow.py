"""Time off in a real browser: a person enters it on their profile (on a phone), sees the
clash with their next shift, and "Ask for cover" opens the swap form pre-filled for it."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from escalation.models import Person, TimeOff
from tests.e2e.conftest import (
    PHONE,
    assert_no_horizontal_scroll,
    axe_violations,
    csp_violations,
    log_in,
    on_call_pair,
)
from tests.swaps_data import build_team


def test_time_off_entered_on_the_profile_is_flagged_and_asks_for_cover(new_page, transactional_db):
    build_team()
    # Whoever holds the primary tier of the next shift is away its second and third days (UTC,
    # their zone), so the test holds on any date.
    upcoming = on_call_pair(on_call_pair(timezone.now()).end)
    person = Person.objects.get(display_name=upcoming.primary)
    first_day = (upcoming.start + timedelta(days=1)).date()
    last_day = first_day + timedelta(days=1)

    page = new_page(PHONE)
    log_in(page, person.user.username)
    page.goto("/profile/")
    form = page.locator("form.time-off-form")
    form.get_by_label("First day away").fill(first_day.isoformat())
    form.get_by_label("Last day away").fill(last_day.isoformat())
    form.get_by_label("Kind").select_option("vacation")
    form.get_by_label("Note").fill("Ski <trip> & more")
    form.get_by_role("button", name="Add time off").click()

    expect(page.locator(".alert-success")).to_contain_text("Time off saved")
    assert TimeOff.objects.get().person == person
    expect(page.locator(".time-off-table")).to_contain_text("Ski <trip> & more")
    clash = page.locator("#time-off .oncall-clash")
    expect(clash).to_have_count(1)
    expect(clash).to_contain_text(f"{person.display_name} (primary) is away: vacation")
    assert_no_horizontal_scroll(page)
    assert axe_violations(page) == []

    clash.get_by_role("link", name="Ask for cover").click()
    page.wait_for_load_state("domcontentloaded")
    shift = page.locator("#id_shift").input_value()
    assert shift.split(":")[1:3] == ["primary", str(int(upcoming.start.timestamp()))]
    expect(page.locator("#id_start")).to_have_value(f"{first_day.isoformat()}T00:00")
    expect(page.locator("#id_end")).to_have_value(
        f"{(last_day + timedelta(days=1)).isoformat()}T00:00"
    )
    expect(page.locator("#id_reason")).to_contain_text("Vacation: away from")
    expect(page.get_by_role("heading", name="Suggested cover", exact=False)).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert axe_violations(page) == []
    assert csp_violations(page) == []
