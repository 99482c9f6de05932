"""The dashboard's countdown to the handoff: written by the server, then kept current by the
browser (static/js/oncall-countdown.js) from the handoff's time on the page. Nothing that
changes by the second is cached on the server."""

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import VIEWER, csp_violations, log_in


def test_the_countdown_keeps_counting_in_the_browser_without_a_reload(new_page, seeded_portal):
    page = new_page()
    page.clock.install()  # the browser's timers, under the test's hand from now on
    log_in(page, VIEWER)
    countdown = page.locator(".oncall-card .countdown").first
    expect(countdown).to_have_text(re.compile(r"^in \d"))
    handoff = datetime.fromisoformat(countdown.get_attribute("data-countdown-until"))
    browser_now = datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, tz=UTC)

    # Ninety seconds before the handoff, the next tick says so, with no request to the server.
    before = handoff - timedelta(seconds=90) - browser_now
    page.clock.fast_forward(int(before.total_seconds() * 1000))
    expect(countdown).to_have_text("in 1 minute")
    page.clock.fast_forward(120_000)
    expect(countdown).to_have_text("now (reload for the next pair)")
    assert csp_violations(page) == []
