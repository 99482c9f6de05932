""" "Page via PagerDuty": the action beside the people the portal names, the confirmation form,
the incident it creates through the outbox, and the page's status, against a fake PagerDuty
driven by the real `pagerduty` client."""

from datetime import timedelta
from uuid import uuid4

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.forms.pagerduty import SERVICE_CHOICE, SEVERITY_CHOICE, SUBMISSION_KEY_INVALID
from escalation.models import (
    MessageChannel,
    MessageStatus,
    OutgoingMessage,
    PagerDutyIncident,
    PageState,
)
from escalation.notify.outbox import deliver
from escalation.services.pagerduty_pages import NOTHING_TO_RETRY, SERVICE_NOT_LINKED
from escalation.views.pagerduty import ALREADY_SENT, RETRIED
from tests import factories
from tests.helpers import instances_built, page_text
from tests.pagerduty_data import USER_IDS, linked_team
from tests.swaps_data import NOW, build_team

pytestmark = pytest.mark.django_db

SERVICE_ID = "PSVC001"
FROM = "oncall-portal@example.com"
REQUEST_QUERIES = 3  # session, user, the viewer's person
FORM_QUERIES = REQUEST_QUERIES + 3  # the person, the linked services, the severities
STATUS_QUERIES = REQUEST_QUERIES + 1  # the page


@pytest.fixture
def team(pagerduty_fake):
    with time_machine.travel(NOW, tick=False):
        team = linked_team(pagerduty_fake)
        yield team


@pytest.fixture
def service(pagerduty_fake, team):
    pagerduty_fake.add_service(SERVICE_ID, "Checkout (PagerDuty)")
    return factories.ServiceFactory(
        name="Checkout", slug="checkout", rotation=team.rotation, pagerduty_service_id=SERVICE_ID
    )


@pytest.fixture
def sev2():
    return factories.SeverityFactory(level=2, description="Major feature broken")


def _form_url(person, **query):
    url = reverse("escalation:pagerduty_page_new", args=[person.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _post(client, person, *, capture, **changes):
    data = {
        "title": "SEV2 incident on Checkout",
        "service": "checkout",
        "severity": "2",
        "urgency": "high",
        "submission_key": str(uuid4()),
        **changes,
    }
    with capture(execute=True):
        return client.post(_form_url(person), data)


def _status(client, page):
    return page_text(
        client.get(reverse("escalation:pagerduty_page", args=[page.pk])).content.decode()
    )


def test_page_now_creates_an_incident_assigned_to_them_on_the_service_with_from(
    team, service, sev2, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    client.force_login(team.blair.user)
    form = client.get(_form_url(team.alex, service="checkout", severity=2)).content.decode()
    assert 'value="SEV2 incident on Checkout"' in form  # pre-filled from where it was asked
    assert '<option value="checkout" selected>Checkout</option>' in form

    response = _post(client, team.alex, capture=django_capture_on_commit_callbacks)

    page = PagerDutyIncident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("escalation:pagerduty_page", args=[page.pk])
    [incident] = pagerduty_fake.incidents
    assert incident["assignments"] == [
        {"assignee": {"id": USER_IDS["alex"], "type": "user_reference"}}
    ]
    assert incident["service"]["id"] == SERVICE_ID
    assert incident["from"] == FROM
    assert incident["title"] == "SEV2 incident on Checkout"
    assert incident["urgency"] == "high"
    assert incident["incident_key"] == page.incident_key
    assert "Blair Doe" in incident["body"]["details"]
    post = pagerduty_fake.calls_to("POST", "/incidents")[0]
    assert post.headers["From"] == FROM
    assert (page.state, page.pagerduty_incident_id, page.html_url) == (
        PageState.CREATED,
        incident["id"],
        incident["html_url"],
    )
    assert (page.requested_by, page.assignee, page.service) == (team.blair.user, team.alex, service)
    assert page.requested_by_name == "Blair Doe"
    status = client.get(response["Location"]).content.decode()
    assert "Paged ✓" in status
    assert f'href="{incident["html_url"]}"' in status
    assert "Open the incident in PagerDuty" in status


def test_pagerduty_down_fails_with_the_reason_then_a_retry_creates_exactly_once(
    team, service, sev2, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    client.force_login(team.blair.user)
    pagerduty_fake.down_with = 503
    _post(client, team.alex, capture=django_capture_on_commit_callbacks)
    page = PagerDutyIncident.objects.get()
    assert page.state == PageState.FAILED
    assert "503" in page.error
    status = _status(client, page)
    assert "Failed: PagerDuty answered 503" in status
    assert "Retry" in status
    assert pagerduty_fake.incidents == []

    pagerduty_fake.down_with = None
    retry = reverse("escalation:pagerduty_page_retry", args=[page.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, follow=True)
    assert RETRIED in page_text(response.content.decode())
    page.refresh_from_db()
    assert page.state == PageState.CREATED
    assert len(pagerduty_fake.incidents) == 1
    # One POST refused by the outage, one that opened the incident.
    assert len(pagerduty_fake.calls_to("POST", "/incidents")) == 2
    # Retrying again changes nothing: nothing failed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, follow=True)
    assert NOTHING_TO_RETRY in page_text(response.content.decode())
    assert len(pagerduty_fake.incidents) == 1
    assert len(pagerduty_fake.calls_to("POST", "/incidents")) == 2


def test_a_retry_after_a_lost_answer_adopts_the_incident_instead_of_opening_a_second(
    team, service, sev2, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    client.force_login(team.blair.user)
    _post(client, team.alex, capture=django_capture_on_commit_callbacks)
    page = PagerDutyIncident.objects.get()
    # As if PagerDuty had opened it but its answer never reached the portal.
    PagerDutyIncident.objects.filter(pk=page.pk).update(
        state=PageState.FAILED, pagerduty_incident_id="", html_url="", error="timed out"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("escalation:pagerduty_page_retry", args=[page.pk]))
    page.refresh_from_db()
    assert page.state == PageState.CREATED
    assert page.pagerduty_incident_id == pagerduty_fake.incidents[0]["id"]
    assert len(pagerduty_fake.incidents) == 1
    assert len(pagerduty_fake.calls_to("POST", "/incidents")) == 1
    lookup = pagerduty_fake.calls_to("GET", "/incidents")[0]
    assert lookup.query["incident_key"] == [page.incident_key]


def test_pagerduty_refusing_a_duplicate_key_adopts_the_open_incident(
    team, service, sev2, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    client.force_login(team.blair.user)
    _post(client, team.alex, capture=django_capture_on_commit_callbacks)
    page = PagerDutyIncident.objects.get()
    # The first attempt's answer was lost before it was counted: the next one POSTs again.
    PagerDutyIncident.objects.filter(pk=page.pk).update(
        state=PageState.FAILED, pagerduty_incident_id="", attempts=0
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("escalation:pagerduty_page_retry", args=[page.pk]))
    page.refresh_from_db()
    assert page.state == PageState.CREATED
    assert page.pagerduty_incident_id == pagerduty_fake.incidents[0]["id"]
    assert len(pagerduty_fake.incidents) == 1


def test_429_backs_off_and_succeeds(
    team, service, sev2, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    client.force_login(team.blair.user)
    pagerduty_fake.fail_next = [429]
    _post(client, team.alex, capture=django_capture_on_commit_callbacks)
    assert PagerDutyIncident.objects.get().state == PageState.CREATED
    assert len(pagerduty_fake.incidents) == 1


def test_persistent_429_waits_for_ratelimit_reset_then_creates_once(
    team, service, sev2, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    client.force_login(team.blair.user)
    pagerduty_fake.fail_next = [429] * 3  # more than the client retries by itself
    pagerduty_fake.ratelimit_reset = 42
    _post(client, team.alex, capture=django_capture_on_commit_callbacks)
    page = PagerDutyIncident.objects.get()
    message = OutgoingMessage.objects.get(channel=MessageChannel.PAGERDUTY_INCIDENT)
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at == NOW + timedelta(seconds=42)
    assert page.state == PageState.PENDING
    assert "asked to wait" in page.error
    status = _status(client, page)
    assert f"Paging {team.alex.display_name}…" in status
    assert "12:00:42 UTC" in status
    with time_machine.travel(NOW + timedelta(seconds=41), tick=False):
        deliver()
    assert pagerduty_fake.incidents == []  # not before ratelimit-reset
    with time_machine.travel(NOW + timedelta(seconds=43), tick=False):
        deliver()
        assert deliver().sent == 0
    page.refresh_from_db()
    assert page.state == PageState.CREATED
    assert len(pagerduty_fake.incidents) == 1


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "Down\nnow"}, "title", "Remove the control character U+000A"),
        ({"service": "nope"}, "service", SERVICE_CHOICE),
        ({"service": "billing"}, "service", SERVICE_CHOICE),  # exists, not linked
        ({"service": ""}, "service", "This field is required."),
        ({"severity": "9"}, "severity", SEVERITY_CHOICE),
        ({"urgency": "medium"}, "urgency", "Select a valid choice."),
        ({"submission_key": "x"}, "submission_key", SUBMISSION_KEY_INVALID),
    ],
)
def test_bad_form_input_shows_field_errors_and_changes_nothing(
    team,
    service,
    sev2,
    client,
    pagerduty_fake,
    django_capture_on_commit_callbacks,
    changes,
    field,
    error,
):
    factories.ServiceFactory(name="Billing", slug="billing")
    client.force_login(team.blair.user)
    response = _post(client, team.alex, capture=django_capture_on_commit_callbacks, **changes)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert error in " ".join(response.context["form"].errors[field])
    assert error in page_text(response.content.decode())
    assert PagerDutyIncident.objects.count() == 0
    assert OutgoingMessage.objects.count() == 0
    assert pagerduty_fake.calls == []


def test_a_form_sent_twice_pages_once(
    team, service, sev2, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    client.force_login(team.blair.user)
    key = str(uuid4())
    _post(client, team.alex, capture=django_capture_on_commit_callbacks, submission_key=key)
    response = _post(
        client, team.alex, capture=django_capture_on_commit_callbacks, submission_key=key
    )
    page = PagerDutyIncident.objects.get()
    assert response["Location"] == reverse("escalation:pagerduty_page", args=[page.pk])
    assert ALREADY_SENT in page_text(client.get(response["Location"]).content.decode())
    assert len(pagerduty_fake.incidents) == 1


def test_the_form_says_when_the_service_asked_about_is_not_linked(
    team, service, client, pagerduty_fake
):
    factories.ServiceFactory(name="Billing", slug="billing")
    client.force_login(team.blair.user)
    text = page_text(client.get(_form_url(team.alex, service="billing")).content.decode())
    assert SERVICE_NOT_LINKED.format(service="Billing") in text
    assert "Page Alex Doe now" in text  # a linked service can still be chosen


def test_the_form_says_when_no_service_is_linked_and_offers_no_button(team, client, pagerduty_fake):
    factories.ServiceFactory(name="Billing", slug="billing")
    client.force_login(team.blair.user)
    text = page_text(client.get(_form_url(team.alex, service="billing")).content.decode())
    assert "No service is linked to PagerDuty yet" in text
    assert "Page Alex Doe now" not in text


def test_without_an_api_key_the_form_says_pagerduty_is_not_connected_and_pages_nobody(
    team, service, sev2, client, settings, pagerduty_fake, django_capture_on_commit_callbacks
):
    settings.PAGERDUTY_API_KEY = ""
    client.force_login(team.blair.user)
    text = page_text(client.get(_form_url(team.alex)).content.decode())
    assert "PagerDuty is not connected" in text
    assert "Page Alex Doe now" not in text
    _post(client, team.alex, capture=django_capture_on_commit_callbacks)
    assert PagerDutyIncident.objects.count() == 0
    assert pagerduty_fake.calls == []


# --- access ----------------------------------------------------------------------------


def test_paging_requires_login(team, service, sev2, client, pagerduty_fake):
    form = _form_url(team.alex)
    for response in (client.get(form), client.post(form, {"title": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert PagerDutyIncident.objects.count() == 0
    page = PagerDutyIncident.objects.create(
        requested_by_name="x",
        assignee_name="Alex",
        assignee_user_id="PALEX01",
        service_name="Checkout",
        pagerduty_service_id=SERVICE_ID,
        title="t",
        incident_key="k",
        state=PageState.FAILED,
    )
    for url in (
        reverse("escalation:pagerduty_page", args=[page.pk]),
        reverse("escalation:pagerduty_page_retry", args=[page.pk]),
    ):
        response = client.post(url) if url.endswith("retry/") else client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert pagerduty_fake.calls == []


def test_paging_without_the_csrf_token_is_refused(team, service, sev2, pagerduty_fake):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.blair.user)
    response = client.post(
        _form_url(team.alex),
        {
            "title": "t",
            "service": "checkout",
            "urgency": "high",
            "submission_key": str(uuid4()),
        },
    )
    assert response.status_code == 403
    assert PagerDutyIncident.objects.count() == 0
    assert pagerduty_fake.calls == []


def test_any_logged_in_user_may_page(
    team, service, sev2, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    client.force_login(factories.UserFactory(username="someone"))  # no Person, no group
    response = _post(client, team.alex, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert PagerDutyIncident.objects.get().requested_by_name == "someone"
    assert len(pagerduty_fake.incidents) == 1


def test_an_unknown_or_inactive_person_is_not_found(team, client, pagerduty_fake):
    client.force_login(team.blair.user)
    team.drew.is_active = False
    team.drew.save()
    assert client.get(_form_url(team.drew)).status_code == 404
    assert client.get(reverse("escalation:pagerduty_page_new", args=[999999])).status_code == 404
    assert client.get(reverse("escalation:pagerduty_page", args=[999999])).status_code == 404


# --- query budgets -------------------------------------------------------------------------


def test_the_form_and_the_status_page_run_a_fixed_number_of_queries(
    team,
    service,
    sev2,
    client,
    pagerduty_fake,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    client.force_login(team.blair.user)
    built = []
    for number in range(2):
        with django_assert_num_queries(FORM_QUERIES), instances_built() as rows:
            assert client.get(_form_url(team.alex, service="checkout")).status_code == 200
        built.append(rows.count)
        for more in range(20):  # more linked services: the same queries, no more rows
            factories.ServiceFactory(pagerduty_service_id=f"PMORE{number}{more:02d}")
    # The session, the user, the viewer's person, the person paged, the severity: no service.
    assert built == [5, 5]
    _post(client, team.alex, capture=django_capture_on_commit_callbacks)
    page = PagerDutyIncident.objects.get()
    with django_assert_num_queries(STATUS_QUERIES), instances_built() as rows:
        assert client.get(reverse("escalation:pagerduty_page", args=[page.pk])).status_code == 200
    assert rows.count == 4  # the session, the user, the viewer's person, the page


# --- the action beside the people the portal names -------------------------------------------


def _dashboard(client):
    return client.get(reverse("escalation:dashboard")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_with_an_api_key_the_dashboard_offers_page_via_pagerduty(team, client, pagerduty_fake):
    client.force_login(team.blair.user)
    html = _dashboard(client)
    # Casey and Drew are on call at NOW.
    for person in (team.casey, team.drew):
        assert f'href="{_form_url(person)}"' in html
    assert html.count("pagerduty-page") == 2
    assert "pagerduty.com/users" not in html


@time_machine.travel(NOW, tick=False)
def test_with_only_a_subdomain_the_dashboard_links_to_the_person_in_pagerduty(
    client, settings, manager
):
    settings.PAGERDUTY_API_KEY = ""
    settings.PAGERDUTY_SUBDOMAIN = "acme"
    team = build_team()
    team.casey.pagerduty_user_id = "PCASEY1"
    team.casey.save()
    client.force_login(team.blair.user)
    html = _dashboard(client)
    assert 'href="https://acme.pagerduty.com/users/PCASEY1"' in html
    assert "PagerDuty profile" in html
    assert "pagerduty-page" not in html
    assert "/page/" not in html
    assert "PagerDuty is not connected" not in html  # managers only
    client.force_login(manager)
    assert "PagerDuty is not connected" in _dashboard(client)


@time_machine.travel(NOW, tick=False)
def test_with_neither_the_action_is_absent_and_managers_are_told(client, settings, manager):
    settings.PAGERDUTY_API_KEY = ""
    settings.PAGERDUTY_SUBDOMAIN = ""
    team = build_team()
    team.casey.pagerduty_user_id = "PCASEY1"
    team.casey.save()
    client.force_login(team.blair.user)
    html = _dashboard(client)
    assert "pagerduty-page" not in html
    assert "PagerDuty profile" not in html
    assert "PagerDuty is not connected" not in html
    client.force_login(manager)
    html = _dashboard(client)
    assert "pagerduty-page" not in html
    assert "PagerDuty is not connected: paging from the portal is off." in html


@time_machine.travel(NOW, tick=False)
def test_a_person_without_a_pagerduty_user_has_no_action(team, client, pagerduty_fake):
    team.casey.pagerduty_user_id = ""
    team.casey.save()
    client.force_login(team.blair.user)
    html = _dashboard(client)
    assert f'href="{_form_url(team.casey)}"' not in html
    assert f'href="{_form_url(team.drew)}"' in html


@time_machine.travel(NOW, tick=False)
def test_the_actions_add_no_query_and_no_row_to_the_dashboard(team, client, pagerduty_fake):
    client.force_login(team.blair.user)
    counts = []
    for linked in (True, False):
        if not linked:
            for person in (team.casey, team.drew):
                person.pagerduty_user_id = ""
                person.save()
        with CaptureQueriesContext(connection) as queries, instances_built() as built:
            html = _dashboard(client)
        assert ("pagerduty-page" in html) == linked
        counts.append((len(queries), built.count))
    assert counts[0] == counts[1]


@time_machine.travel(NOW, tick=False)
def test_the_service_sheet_pre_fills_the_form_with_its_service_and_severity(
    team, service, sev2, client, pagerduty_fake
):
    role = factories.RoleFactory(name="Checkout Lead", holder=team.alex)
    service.primary_contact = role
    service.save()
    client.force_login(team.blair.user)
    html = client.get(
        reverse("escalation:service_detail", args=["checkout"]) + "?severity=2"
    ).content.decode()
    assert f'href="{_form_url(team.alex)}?service=checkout&amp;severity=2"' in html


def test_an_escalation_step_offers_paging_the_role_holder(team, client, pagerduty_fake):
    role = factories.RoleFactory(name="Platform Lead", holder=team.alex)
    path = factories.EscalationPathFactory(name="Technical", slug="technical")
    step = factories.EscalationStepFactory(path=path)
    factories.EscalationStepPartyFactory(step=step, kind="role", role=role, label="Platform Lead")
    client.force_login(team.blair.user)
    html = client.get(reverse("escalation:path_detail", args=["technical"])).content.decode()
    assert f'href="{_form_url(team.alex)}"' in html


def test_a_swap_request_names_people_without_offering_to_page_them(team, client, pagerduty_fake):
    from tests.swaps_data import swap_request

    swap = swap_request(team)
    client.force_login(team.blair.user)
    html = client.get(reverse("escalation:swap_detail", args=[swap.pk])).content.decode()
    assert swap.colleague.display_name in html
    assert "pagerduty-page" not in html


@time_machine.travel(NOW, tick=False)
def test_the_one_line_rotations_offer_paging_as_an_icon(team, client, pagerduty_fake):
    others = [build_team(suffix=str(n), slug=f"other-{n}", name=f"Other {n}") for n in range(5)]
    casey = others[0].casey  # on call at NOW in a rotation that is not Blair's
    casey.pagerduty_user_id = "PCASEYX"
    casey.save()
    client.force_login(team.blair.user)
    html = _dashboard(client)
    start = html.index('id="rotation-other-0"')
    line = html[start : html.index("</li>", start)]
    assert f'href="{_form_url(casey)}"' in line
    assert f"Page {casey.display_name} via PagerDuty" in line


def test_the_form_says_when_the_person_has_no_pagerduty_user(team, service, client, pagerduty_fake):
    team.alex.pagerduty_user_id = ""
    team.alex.save()
    client.force_login(team.blair.user)
    text = page_text(client.get(_form_url(team.alex)).content.decode())
    assert "Alex Doe has no PagerDuty user id" in text
    assert "Page Alex Doe now" not in text


def test_a_page_the_outbox_gives_up_on_shows_as_failed_with_a_retry(
    team, service, sev2, client, pagerduty_fake, django_capture_on_commit_callbacks
):
    from escalation.notify.outbox import MAX_ATTEMPTS

    client.force_login(team.blair.user)
    pagerduty_fake.fail_next = [429] * 3
    _post(client, team.alex, capture=django_capture_on_commit_callbacks)
    OutgoingMessage.objects.update(attempts=MAX_ATTEMPTS - 1)
    pagerduty_fake.fail_next = [429] * 3
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        deliver()
    page = PagerDutyIncident.objects.get()
    assert page.state == PageState.FAILED
    assert page.error.startswith("Gave up after repeated failures: PagerDuty answered 429")
    assert OutgoingMessage.objects.get().status == MessageStatus.FAILED
    assert "Retry" in _status(client, page)
    assert pagerduty_fake.incidents == []


def test_without_a_from_address_the_form_says_so_and_offers_no_button(
    team, service, client, settings, pagerduty_fake
):
    settings.PAGERDUTY_FROM_EMAIL = ""
    client.force_login(team.blair.user)
    text = page_text(client.get(_form_url(team.alex)).content.decode())
    assert "PAGERDUTY_FROM_EMAIL" in text
    assert "Page Alex Doe now" not in text
