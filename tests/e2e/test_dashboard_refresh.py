"""An open dashboard fetches itself again at the handoff and says so."""

from datetime import UTC, datetime, timedelta

import time_machine
from playwright.sync_api import expect

from escalation.templatetags.oncall_tags import REFRESHED_AT_HANDOFF
from tests.e2e.conftest import (
    PHONE,
    VIEWER,
    axe_violations,
    csp_violations,
    log_in,
    on_call_pair,
)

HANDOFF = datetime(2026, 12, 7, 9, tzinfo=UTC)  # Monday of ISO week 50: the even pair takes over


def test_an_open_dashboard_shows_the_next_pair_at_the_handoff(new_page, seeded_portal):
    before, after = on_call_pair(HANDOFF - timedelta(seconds=1)), on_call_pair(HANDOFF)
    assert before.primary != after.primary
    start = HANDOFF - timedelta(seconds=8)
    # The portal's clock and the browser's both start 8 seconds before the handoff and run on.
    with time_machine.travel(start, tick=True):
        page = new_page(PHONE)
        page.clock.install(time=start)
        log_in(page, VIEWER)
        page.goto("/")
        first_card = page.locator(".oncall-card").first
        notice = page.locator("#oncall-refresh-notice")
        expect(first_card.locator(".oncall-person").first).to_have_text(before.primary)
        expect(notice).to_be_hidden()

        expect(notice).to_have_text(REFRESHED_AT_HANDOFF.format(time="09:00"), timeout=25_000)
        expect(notice).to_be_visible()
        expect(notice).to_have_attribute("role", "status")
        expect(first_card.locator(".oncall-person").first).to_have_text(after.primary)
        expect(first_card.locator(".oncall-person").nth(1)).to_have_text(after.secondary)
        expect(first_card.locator(".countdown")).not_to_contain_text("reload")
        assert csp_violations(page) == []
        assert axe_violations(page) == []
