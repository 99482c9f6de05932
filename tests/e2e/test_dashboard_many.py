"""The dashboard of a company with many rotations, at phone and desktop width: the viewer's own
rotation in full, the others one line each, and the filter working without JavaScript."""

import pytest

from tests.e2e.conftest import (
    VIEWPORTS,
    assert_no_horizontal_scroll,
    axe_violations,
    csp_violations,
    log_in,
)


@pytest.fixture
def many_rotations(transactional_db, live_server):
    from tests import factories
    from tests.e2e.conftest import PASSWORD
    from tests.oncall_data import seed_rotation

    rotations = [
        seed_rotation(
            name=f"Payments platform rotation {n}", slug=f"payments-{n}", people_suffix=f" {n}"
        )
        for n in range(1, 9)
    ]
    # Long names, to see that a line wraps rather than widening the page on a phone.
    for rotation in rotations[3:]:
        rotation.c.display_name += " Featherstonehaugh-Cholmondeley"
        rotation.c.save()
    rotations[2].c.user = factories.UserFactory(username="rota-3", password=PASSWORD)
    rotations[2].c.save()
    return rotations


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_many_rotations_fit_the_screen_and_filter_without_javascript(
    new_page, many_rotations, viewport
):
    page = new_page(VIEWPORTS[viewport])
    log_in(page, "rota-3")
    page.goto("/")
    cards = page.locator("section.oncall-card h2")
    assert cards.all_inner_texts() == ["Payments platform rotation 3"]
    rows = page.locator(".oncall-compact li")
    assert rows.count() == 7
    assert_no_horizontal_scroll(page)
    assert axe_violations(page) == []
    assert csp_violations(page) == []
    page.screenshot(path=f"/tmp/dashboard-many-{viewport}.png", full_page=True)

    page.get_by_label("Rotation or person on call").fill("rotation 7")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state("domcontentloaded")
    assert rows.all_inner_texts()[0].startswith("Payments platform rotation 7:")
    assert rows.count() == 1
    page.get_by_role("link", name="Show all 7").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator(".oncall-compact li").count() == 7
