"""What people do with the portal, in a real browser, on the bundled escalation document.

Nothing is frozen: the expectations come from the same engine the pages use (who is on call
now and next), so the tests hold on any day.
"""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from escalation.models import EscalationPath, EscalationStep, Person
from tests.e2e.conftest import MANAGER, PHONE, VIEWER, VIEWPORTS, log_in, open_section

NEW_HOLDER = {
    "display_name": "Dana Fox",
    "phone": "+44 20 7946 0321",
    "slack_handle": "@dana.fox",
    "pagerduty_handle": "@dana",
    "email": "dana.fox@example.com",
}
FILLED_ROLE = "Engineering Manager"  # TBD in the seed; in the severity matrix and the contacts


def e164(display_name: str) -> str:
    return Person.objects.get(display_name=display_name).phone.as_e164


def problems_to_fix(page) -> int:
    badge = page.locator(".completeness-panel .card-header .badge")
    expect(badge).to_contain_text("to fix")
    return int(re.search(r"\d+", badge.inner_text()).group())


# --- 1. Who is on call, and who is next ---------------------------------------------------


def test_a_viewer_calls_the_person_on_call_and_steps_to_the_next_shift(new_page, seeded_portal):
    page = new_page(PHONE)
    log_in(page, VIEWER)

    card = page.locator(".oncall-card")
    for tier, name in (
        ("Primary", seeded_portal.now.primary),
        ("Secondary", seeded_portal.now.secondary),
    ):
        holder = card.locator(".oncall-holder").filter(has_text=tier)
        expect(holder.locator(".oncall-person")).to_have_text(name)
        call = holder.get_by_role("link", name=re.compile(f"^Call {name} on "))
        expect(call).to_be_visible()
        expect(call).to_have_attribute("href", f"tel:{e164(name)}")

    open_section(page, "Calendar")
    page.get_by_label("Weeks").select_option("1")
    page.get_by_role("button", name="Show", exact=True).click()
    row = page.locator(".oncall-table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_contain_text("now")
    expect(row.locator("td[data-label=Primary]")).to_contain_text(seeded_portal.now.primary)
    expect(row.locator("td[data-label=Secondary]")).to_contain_text(seeded_portal.now.secondary)

    page.get_by_role("link", name="Later").click()
    expect(row).to_have_count(1)
    expect(row.locator("th")).not_to_contain_text("now")
    expect(row.locator("td[data-label=Primary]")).to_contain_text(seeded_portal.next.primary)
    expect(row.locator("td[data-label=Secondary]")).to_contain_text(seeded_portal.next.secondary)
    handoff = seeded_portal.now.end.strftime("%Y-%m-%dT%H:%M:%SZ")
    expect(row.locator("td[data-label=Shift] time").first).to_have_attribute("datetime", handoff)


# --- 2. A manager fills in a TBD role -----------------------------------------------------


def test_a_manager_fills_a_tbd_role_and_every_page_names_the_holder(new_page, seeded_portal):
    page = new_page()
    log_in(page, MANAGER)
    before = problems_to_fix(page)

    page.goto("/contacts/")
    row = page.locator("tbody tr").filter(has=page.get_by_text(FILLED_ROLE, exact=True))
    expect(row.locator("td[data-label=Name]")).to_have_text("TBD")
    row.get_by_role("link", name=re.compile("Edit")).click()
    expect(page.locator("#id_name")).to_have_value(FILLED_ROLE)

    # The holder does not exist yet: add them from the role form's "+" (a popup window).
    with page.expect_popup() as popup_info:
        page.locator("#add_id_holder").click()
    popup = popup_info.value
    for field, value in NEW_HOLDER.items():
        popup.locator(f"#id_{field}").fill(value)
    popup.locator("#id_verified_at_0").fill(timezone.now().strftime("%Y-%m-%d"))
    popup.locator("#id_verified_at_1").fill("00:00:00")
    # Listen before clicking: the admin's answer closes the popup at once, and a close
    # that happens before the wait starts would never be seen.
    with popup.expect_event("close"):
        popup.locator("input[name=_save]").click()
    expect(page.locator("#id_holder")).to_have_value(
        str(Person.objects.get(display_name=NEW_HOLDER["display_name"]).pk)
    )
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto("/contacts/")
    name_cell = row.locator("td[data-label=Name]")
    expect(name_cell).to_contain_text(NEW_HOLDER["display_name"])
    call = row.locator("td[data-label='Phone (emergency)'] a")
    expect(call).to_have_attribute("href", "tel:+442079460321")
    expect(call).to_have_text("+44 20 7946 0321")
    expect(row).to_contain_text(NEW_HOLDER["slack_handle"])

    open_section(page, "Severity")
    sev1 = page.locator("tbody tr").filter(has_text="SEV1")
    management = sev1.locator("td").nth(2)  # severity is the row header, then the four tiers
    expect(management).to_contain_text(FILLED_ROLE)
    expect(management).to_contain_text(NEW_HOLDER["display_name"])

    open_section(page, "On call now")
    assert problems_to_fix(page) == before - 1


# --- 4. The service sheet for one incident ------------------------------------------------


def test_the_service_sheet_gives_the_clock_time_of_each_escalation(new_page, seeded_portal):
    technical = EscalationPath.objects.get(slug="technical-escalation")
    timed = EscalationStep.objects.get(path=technical, after_minutes__isnull=False)
    started = "10:15"
    escalate_at = datetime.strptime(started, "%H:%M") + timedelta(minutes=timed.after_minutes)
    expected = escalate_at.strftime("%H:%M")

    page = new_page(PHONE)
    log_in(page, VIEWER)
    page.goto("/services/")
    page.get_by_role("link", name="Database (PostgreSQL)").first.click()
    page.get_by_label("Severity").select_option(label="SEV1")
    page.get_by_label("Kind of incident").select_option(label="Technical")
    page.get_by_label("Incident started").fill(started)
    page.get_by_role("button", name="Show sheet").click()

    expect(page.locator(".sheet-title")).to_contain_text("SEV1")
    expect(page.locator(".sheet-when")).to_contain_text(f"Started {started}")
    expect(page.locator(".sheet-reach")).to_contain_text(
        f"On call now: {seeded_portal.now.primary}"
    )
    step = page.locator(".sheet-step-timed")
    expect(step).to_have_count(1)
    expect(step.locator(".sheet-step-when")).to_have_text(re.compile(rf"^\s*{expected}"))
    expect(step).to_contain_text(f"Escalate to VP of Engineering at {expected} if still unresolved")
    expect(page.locator(".sheet-step")).to_have_count(technical.steps.count())

    page.get_by_label("Severity").select_option(label="SEV2")
    page.get_by_role("button", name="Show sheet").click()
    expect(page.locator(".sheet-step-timed")).to_have_count(0)
    expect(page.locator(".sheet-step").last).to_contain_text("not for SEV2")


# --- 5. The flowcharts --------------------------------------------------------------------


def path_boxes() -> dict[str, list[list[str]]]:
    """Each path's steps, as the labels of their parties: what each box must say."""
    return {
        path.slug: [
            [party.label for party in step.parties.all()]
            for step in path.steps.prefetch_related("parties")
        ]
        for path in EscalationPath.objects.all()
    }


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_each_flowchart_draws_every_step_inside_the_screen(new_page, seeded_portal, viewport):
    boxes = path_boxes()
    assert len(boxes) == 3 and all(boxes.values())
    page = new_page(VIEWPORTS[viewport])
    log_in(page, VIEWER)
    for url in ("/escalation/", "/escalation/technical-escalation/"):
        page.goto(url)
        charts = page.locator("svg.flowchart")
        expect(charts.first).to_be_visible()
        drawn = charts.evaluate_all(
            """svgs => svgs.map(svg => ({
                id: svg.id,
                box: svg.getBoundingClientRect().toJSON(),
                nodes: [...svg.querySelectorAll('g.node')].map(node => ({
                    title: node.querySelector('title').textContent,
                    lines: [...node.querySelectorAll('text.node-title')]
                        .map(text => text.textContent).join(' '),
                    box: node.getBoundingClientRect().toJSON(),
                })),
            }))"""
        )
        width = page.evaluate("() => document.documentElement.clientWidth")
        expected = (
            boxes
            if url == "/escalation/"
            else {"technical-escalation": boxes["technical-escalation"]}
        )
        assert [chart["id"] for chart in drawn] == [f"flowchart-{slug}" for slug in expected]
        for chart, steps in zip(drawn, expected.values(), strict=True):
            for shape in [chart, *chart["nodes"]]:
                box = shape["box"]
                assert box["width"] > 0 and box["height"] > 0, (chart["id"], shape)
                assert box["left"] >= 0 and box["right"] <= width, (chart["id"], shape, width)
            assert len(chart["nodes"]) == len(steps), chart["id"]
            for node, labels in zip(chart["nodes"], steps, strict=True):
                for label in labels:
                    assert label in node["title"], (chart["id"], label, node)
                    assert label in node["lines"].replace("…", ""), (chart["id"], label, node)
