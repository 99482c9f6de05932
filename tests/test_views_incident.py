"""“Incident? Start here” (service, then severity, then the sheet), the general sheet for a
service that is not listed, and services found by their other names."""

import pytest
import time_machine
from django.urls import reverse

from escalation import models
from escalation.selectors.incident import SERVICES_SHOWN
from tests import factories
from tests.directory_fixtures import SEED_INSTANT, build_directory
from tests.helpers import instances_built, page_text, tables

START = "/incident/"
GENERAL = "/incident/general/"
REQUEST = 3  # the session, the user, the viewer
ON_CALL = 2


@pytest.fixture
def directory(db):
    with time_machine.travel(SEED_INSTANT, tick=False):
        yield build_directory()


def text_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), page_text(response.content.decode())


def test_url_names():
    assert reverse("escalation:incident") == START
    assert reverse("escalation:incident_general") == GENERAL


@pytest.mark.parametrize("url", [START, GENERAL])
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_dashboard_leads_to_the_start(viewer_client, directory):
    html = viewer_client.get("/").content.decode()

    assert f'href="{START}"' in html
    assert "Incident? Start here" in page_text(html)


def test_step_one_lists_the_services_and_the_way_out(viewer_client, directory):
    html, text = text_of(viewer_client, START)

    assert "1 Which service?" in text
    assert "Not listed / I don't know" in text
    assert 'href="?service=backend-api"' in html
    assert 'href="?not_listed=1"' in html
    assert "How bad is it?" not in text


def test_step_one_finds_a_service_by_another_name(viewer_client, directory):
    service = directory["services"]["Third-party integrations"]
    service.aliases = "payments, billing"
    service.save()

    html, text = text_of(viewer_client, START + "?q=payments")

    assert 'href="?service=integrations"' in html
    assert 'href="?service=backend-api"' not in html


def test_step_one_without_a_match_offers_the_general_sheet(viewer_client, directory):
    _html, text = text_of(viewer_client, START + "?q=payments")

    assert "No service matches “payments”: choose not listed / I don't know" in text


def test_step_two_links_each_severity_to_the_services_sheet(viewer_client, directory):
    html, text = text_of(viewer_client, START + "?service=backend-api")

    assert "Backend API (FastAPI) Backend Team Change" in text
    assert "2 How bad is it?" in text
    for level in (1, 2, 3, 4):
        assert f'href="/services/backend-api/?severity={level}"' in html
    assert "SEV1 Reaches On-call engineer (PagerDuty); tells Engineering Manager + VP Eng" in text
    assert "SEV3 Reaches On-call engineer (Slack) SEV4" in text


def test_step_two_for_an_unlisted_service_links_to_the_general_sheet(viewer_client, directory):
    html, text = text_of(viewer_client, START + "?not_listed=1")

    assert "Not listed / I don't know" in text
    assert f'href="{GENERAL}?severity=1"' in html


def test_a_service_may_be_called_general(viewer_client, directory):
    factories.ServiceFactory(name="General", slug="general")

    html, text = text_of(viewer_client, START + "?service=general")

    assert "General" in text and "Not listed / I don't know" not in text
    assert 'href="/services/general/?severity=1"' in html


def test_an_unknown_service_goes_back_to_step_one(viewer_client, directory):
    _html, text = text_of(viewer_client, START + "?service=gone")

    assert "That service is not in the portal any more" in text
    assert "How bad is it?" not in text


def test_the_general_sheet_follows_the_technical_path_with_whoever_is_on_call(
    viewer_client, directory
):
    with time_machine.travel(SEED_INSTANT, tick=False):  # even ISO week: Engineers C and D
        _html, text = text_of(viewer_client, GENERAL + "?severity=1&started=10:00")

    assert "SEV1 Technical incident, service not listed" in text
    assert "1 Reach first" in text
    assert "On call now: Engineer C" in text
    assert "Then the backup: On-call secondary On call now: Engineer D" in text
    assert "Escalate if unresolved: Technical Escalation" in text
    assert "Team Lead Depends on the service" in text
    assert "Escalate to VP of Engineering at 10:30 if still unresolved" in text


def test_the_general_sheet_takes_the_severity(viewer_client, directory):
    with time_machine.travel(SEED_INSTANT, tick=False):
        _html, text = text_of(viewer_client, GENERAL + "?severity=3")

    assert "SEV3 Technical incident, service not listed" in text
    assert "not for SEV3" in text


def test_the_start_page_has_a_fixed_query_budget(
    viewer_client, directory, django_assert_num_queries
):
    for copy in range(1, 8):
        build_directory(copy)
    responders = models.SeverityResponder.objects.count()
    for url, queries in [
        (START, REQUEST + 1),
        (START + "?q=backend", REQUEST + 1),
        (START + "?service=backend-api", REQUEST + 3),
        (START + "?not_listed=1", REQUEST + 2),
    ]:
        with django_assert_num_queries(queries), instances_built() as built:
            assert viewer_client.get(url).status_code == 200
        # The services listed (and their teams), or the service chosen, the severities and the
        # words of their responders: what the page shows.
        shown = 2 * (SERVICES_SHOWN + 1) if "?q" in url or url == START else 2 + 4 + responders
        assert built.count <= REQUEST + shown, (url, built.by_model)


def test_the_general_sheet_has_a_fixed_query_budget(
    viewer_client, directory, django_assert_num_queries
):
    for copy in range(1, 5):
        build_directory(copy)
    with (
        time_machine.travel(SEED_INSTANT, tick=False),
        django_assert_num_queries(REQUEST + ON_CALL + 2),
    ):
        assert viewer_client.get(GENERAL + "?severity=2").status_code == 200


# The services page ----------------------------------------------------------------------


def test_services_are_found_by_their_other_names(viewer_client, directory):
    service = directory["services"]["Third-party integrations"]
    service.aliases = "Payments, Stripe"
    service.full_clean()
    service.save()

    table = tables(viewer_client.get("/services/?q=payments").content.decode())[0]

    assert [row[0].text for row in table.rows[1:]] == ["Third-party integrations Who do I contact?"]


def test_a_search_without_match_offers_the_general_sheet(viewer_client, directory):
    html = viewer_client.get("/services/?q=payments").content.decode()

    assert "No service matches." in page_text(html)
    assert "Not listed? Search by another name or by team" in page_text(html)
    assert f'href="{GENERAL}"' in html


def test_the_sheet_says_the_other_names(viewer_client, directory):
    service = directory["services"]["Third-party integrations"]
    service.aliases = "payments, billing"
    service.save()

    _html, text = text_of(viewer_client, "/services/integrations/")

    assert "Also called payments, billing" in text
