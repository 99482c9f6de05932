"""What a new user hit, in a real browser: a revert that keeps the past, buttons that ask before
they break something, and the week-53 repeat said on the dashboard."""

import re
from datetime import UTC, datetime
from uuid import uuid4

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from escalation.models import FeedToken, OnCallTier, Person, SwapKind
from escalation.services import swaps as service
from escalation.services.feed_tokens import hash_token
from escalation.views import oncall as oncall_views
from escalation.views import swaps as swap_views
from tests import factories
from tests.e2e.conftest import (
    PHONE,
    assert_no_horizontal_scroll,
    axe_violations,
    csp_violations,
    log_in,
    on_call_pair,
)
from tests.oncall_data import seed_rotation
from tests.swaps_data import build_team


def test_a_revert_midway_asks_first_and_keeps_the_cover_that_happened(new_page, transactional_db):
    team = build_team()
    now = on_call_pair(timezone.now())
    asking = Person.objects.get(display_name=now.primary)
    taking = team.drew if asking == team.alex else team.blair
    swap = service.swap_request_create(
        rotation=team.rotation,
        tier=OnCallTier.PRIMARY,
        kind=SwapKind.COVER,
        requester=asking,
        colleague=taking,
        start=timezone.now(),
        end=now.end,
        reason="Sick",
        filed_by=asking.user,
        submission_key=uuid4(),
    )
    service.swap_request_accept(swap=swap, by=taking.user)
    service.swap_request_approve(swap=swap, by=team.manager)
    began = swap.overrides.get().start

    manager = new_page(PHONE)
    log_in(manager, "boss")
    manager.goto(swap.get_absolute_url())
    manager.get_by_role("link", name="Revert").click()
    expect(manager.locator(".swap-confirm")).to_contain_text(swap_views.CONFIRM_REVERT)
    assert_no_horizontal_scroll(manager)
    assert axe_violations(manager) == []
    manager.get_by_role("button", name="Yes, revert it").click()
    expect(manager.locator(".alert-success")).to_contain_text(swap_views.REVERTED)
    expect(manager.locator(".swap-overrides")).to_contain_text(
        re.compile(rf"{taking.display_name}\s+covered .+ UTC →(to)? .+ UTC, reverted early")
    )

    manager.goto(f"/oncall/?at={began:%Y-%m-%dT%H:%M:%SZ}")
    expect(manager.locator(".oncall-focus-person").first).to_have_text(taking.display_name)


def test_a_feed_token_is_made_once_and_regenerated_only_when_confirmed(new_page, transactional_db):
    team = build_team()
    page = new_page(PHONE)
    log_in(page, team.alex.user.username)
    page.goto("/profile/")
    page.get_by_role("button", name="Create token").click()
    link = page.get_by_label("Calendar feed of all rotations").input_value()
    token = link.split("token=")[1]
    assert FeedToken.objects.get(user=team.alex.user).token_hash == hash_token(token)
    assert_no_horizontal_scroll(page)

    page.reload()
    expect(page.get_by_label("Calendar feed of all rotations")).to_have_count(0)
    expect(page.locator("#feed")).to_contain_text(f"starting {token[:8]}…")
    assert FeedToken.objects.get(user=team.alex.user).token_hash == hash_token(token)

    page.get_by_role("link", name="Regenerate token").click()
    expect(page.locator(".profile-confirm")).to_contain_text(oncall_views.CONFIRM_REGENERATE)
    assert axe_violations(page) == []
    page.get_by_role("link", name="No, keep my links").click()
    expect(page.locator(".profile-confirm")).to_have_count(0)
    assert FeedToken.objects.get(user=team.alex.user).token_hash == hash_token(token)

    page.get_by_role("link", name="Regenerate token").click()
    page.get_by_role("button", name="Yes, regenerate it").click()
    expect(page.locator(".alert-success").first).to_contain_text(oncall_views.FEED_LINK_RENEWED)
    assert FeedToken.objects.get(user=team.alex.user).token_hash != hash_token(token)


def test_the_dashboard_says_the_week_53_repeat_and_why(new_page, transactional_db):
    seed = seed_rotation()
    seed.a.user = factories.UserFactory(username="engineer-a")
    seed.a.save()
    with time_machine.travel(datetime(2026, 12, 30, 12, tzinfo=UTC), tick=True):
        page = new_page(PHONE)
        log_in(page, "engineer-a")
        page.goto("/")
        note = page.locator(".oncall-card .oncall-repeat")
        expect(note).to_contain_text("The same pair again next week")
        expect(note).to_contain_text("ISO year 2026 has 53 weeks")
        assert_no_horizontal_scroll(page)
        assert axe_violations(page) == []


def test_the_return_shift_offers_only_the_chosen_colleagues_shifts(new_page, transactional_db):
    team = build_team()
    page = new_page(PHONE)
    log_in(page, team.alex.user.username)
    page.goto("/swaps/new/")
    expect(page.locator("#id_colleague option")).to_have_text(
        ["Choose a colleague…", "Blair Doe", "Casey Doe", "Drew Doe"]
    )
    page.select_option("#id_colleague", label="Casey Doe")
    visible = page.eval_on_selector_all(
        "#id_return_shift optgroup", "groups => groups.filter(g => !g.hidden).map(g => g.label)"
    )
    assert visible == ["Casey Doe"]
    assert csp_violations(page) == []
    assert_no_horizontal_scroll(page)
