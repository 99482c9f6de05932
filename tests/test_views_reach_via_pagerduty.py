"""An on-call person without a phone: PagerDuty pages them, so viewers see “Reach via
PagerDuty” (a link into PagerDuty when it is configured), and managers the warning to fix it."""

import pytest
import time_machine
from django.urls import reverse

from tests.helpers import page_text
from tests.oncall_data import THURSDAY_EVEN_WEEK, seed_rotation

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("escalation:dashboard")


@pytest.fixture
def no_phone():
    """Engineer C, primary in even weeks, with no phone."""
    seed = seed_rotation()
    seed.c.phone = ""
    seed.c.pagerduty_user_id = "PENGC01"
    seed.c.save()
    return seed


def dashboard(client):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        return client.get(DASHBOARD).content.decode()


def test_viewers_are_told_to_reach_them_via_pagerduty(viewer_client, no_phone):
    html = dashboard(viewer_client)
    text = page_text(html)

    assert "Reach via PagerDuty" in text
    assert "No phone on file" not in text
    assert 'href="https://' not in html


def test_with_pagerduty_configured_it_links_to_their_pagerduty_page(
    viewer_client, no_phone, settings
):
    settings.PAGERDUTY_SUBDOMAIN = "acme"

    html = dashboard(viewer_client)

    assert 'href="https://acme.pagerduty.com/users/PENGC01"' in html
    assert 'aria-label="Reach Engineer C via PagerDuty"' in html


def test_managers_keep_the_warning(manager_client, no_phone):
    text = page_text(dashboard(manager_client))

    assert "No phone on file" in text
    assert "Reach via PagerDuty" in text


def test_someone_with_a_phone_gets_the_call_button_only(viewer_client, no_phone):
    html = dashboard(viewer_client)

    assert 'aria-label="Call Engineer D on' in html
    assert html.count("Reach via PagerDuty") == 1
