"""The admin managers keep the escalation document in: who may do what, and what they see."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from escalation import models
from escalation.admin.directory import SUSTAINED_MINUTES_REQUIRED
from escalation.admin.party_picker import who_value
from escalation.admin.people import (
    MARKED_VERIFIED_MESSAGE,
    people_missing_message,
    tbd_roles_message,
)
from escalation.admin.rotations import (
    ANCHOR_DATE_REQUIRED,
    OVERRIDE_END_BEFORE_START,
    SLOT_PARITY_REQUIRED,
    SLOT_SAME_PERSON,
)
from escalation.models.validators import (
    CONTROL_CHARACTER_MESSAGE,
    PAGERDUTY_HANDLE_MESSAGE,
    PAGERDUTY_ID_MESSAGE,
    SLACK_CHANNEL_MESSAGE,
    SLACK_HANDLE_MESSAGE,
    SLACK_USER_ID_MESSAGE,
)
from escalation.services import swaps as swap_service
from tests import factories, swaps_data
from tests.helpers import admin_url, form_data, post_change

ESCALATION_ADMINS = {
    model: model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label == "escalation"
}
ADMIN_MODELS = sorted(ESCALATION_ADMINS, key=lambda model: model.__name__)
READ_ONLY_MODELS = {
    models.FeedToken,
    models.OutgoingMessage,
    models.PagerDutyCheck,
    models.PagerDutyDrift,
    models.PagerDutyIncident,
    models.SwapRequest,
    models.SwapRequestEvent,
}
EDITABLE_MODELS = [model for model in ADMIN_MODELS if model not in READ_ONLY_MODELS]


def make(model):
    """One saved instance of any registered model."""
    if model is models.PagerDutyCheck:
        return models.PagerDutyCheck.objects.create(
            rotation=factories.RotationFactory(),
            tier="primary",
            schedule_id="PS1",
            attempted_at=timezone.now(),
        )
    if model is models.PagerDutyDrift:
        now = timezone.now()
        return models.PagerDutyDrift.objects.create(
            rotation=factories.RotationFactory(),
            tier="primary",
            start=now,
            end=now + timedelta(hours=1),
            found_at=now,
        )
    if model is models.PagerDutyIncident:
        return models.PagerDutyIncident.objects.create(
            requested_by_name="Someone",
            assignee_name="Alex",
            assignee_user_id="PALEX01",
            service_name="Checkout",
            pagerduty_service_id="PSVC001",
            title="Checkout is down",
            incident_key="escalation-portal-admin",
        )
    if model is models.SwapRequestEvent:
        return models.SwapRequestEvent.objects.create(
            swap=factories.SwapRequestFactory(), action="filed", at=timezone.now()
        )
    factory = {
        models.Channel: factories.ChannelFactory,
        models.EscalationPath: factories.EscalationPathFactory,
        models.EscalationStep: factories.EscalationStepFactory,
        models.EscalationStepParty: factories.EscalationStepPartyFactory,
        models.FeedToken: factories.FeedTokenFactory,
        models.OutgoingMessage: factories.OutgoingMessageFactory,
        models.Override: factories.OverrideFactory,
        models.PagingRule: factories.PagingRuleFactory,
        models.Person: factories.PersonFactory,
        models.Role: factories.RoleFactory,
        models.Rotation: factories.RotationFactory,
        models.RotationSlot: factories.RotationSlotFactory,
        models.Service: factories.ServiceFactory,
        models.Severity: factories.SeverityFactory,
        models.SeverityResponder: factories.SeverityResponderFactory,
        models.SwapRequest: factories.SwapRequestFactory,
        models.Team: factories.TeamFactory,
    }[model]
    return factory()


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


# --- registration -----------------------------------------------------------------------------


# Bookkeeping written by the portal, never edited by anyone: the cache's data version, and the
# receipts of Slack requests acted on (so a retried one is not acted on twice).
NOT_IN_THE_ADMIN = {models.DataVersion, models.SlackReceipt}


def test_every_escalation_model_is_in_the_admin_and_history_models_use_the_history_admin():
    domain_models = [
        model
        for model in apps.get_app_config("escalation").get_models()
        if not model.__name__.startswith("Historical") and model not in NOT_IN_THE_ADMIN
    ]
    assert set(domain_models) == set(ESCALATION_ADMINS)
    for model in domain_models:
        tracked = hasattr(model._meta, "simple_history_manager_attribute")
        assert isinstance(ESCALATION_ADMINS[model], SimpleHistoryAdmin) == tracked, model


# --- the ladder, for every registered model ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_anonymous_is_sent_to_log_in(client, model):
    obj = make(model)
    for url in (admin_url(model, "changelist"), admin_url(model, "change", obj.pk)):
        response = client.get(url)
        assert response.status_code == 302
        assert (
            response.url
            == f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': url}, safe='/')}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_logged_in_non_staff_is_sent_to_the_admin_login(viewer_client, model):
    obj = make(model)
    for url in (admin_url(model, "changelist"), admin_url(model, "change", obj.pk)):
        response = viewer_client.get(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('admin:login')}?{urlencode({'next': url}, safe='/')}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m.__name__)
def test_staff_outside_the_group_can_view_but_not_change(staff_client, model):
    obj = make(model)
    changelist = staff_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == model.objects.count() >= 1

    change_url = admin_url(model, "change", obj.pk)
    page = staff_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert page.context["has_change_permission"] is False

    assert staff_client.post(change_url, {}).status_code == 403
    assert staff_client.get(admin_url(model, "add")).status_code == 403
    assert staff_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", EDITABLE_MODELS, ids=lambda m: m.__name__)
def test_manager_gets_the_editable_change_and_add_forms(manager_client, model):
    obj = make(model)
    page = manager_client.get(admin_url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="_save"' in page.content.decode()
    assert manager_client.get(admin_url(model, "add")).status_code == 200
    assert manager_client.get(admin_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", sorted(READ_ONLY_MODELS, key=lambda m: m.__name__), ids=str)
def test_read_only_models_stay_read_only_even_for_managers(manager_client, admin_client, model):
    obj = make(model)
    for client in (manager_client, admin_client):
        page = client.get(admin_url(model, "change", obj.pk))
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert client.post(admin_url(model, "change", obj.pk), {}).status_code == 403
        assert client.get(admin_url(model, "add")).status_code == 403


@pytest.mark.django_db
def test_staff_sees_every_escalation_model_on_the_admin_index(staff_client):
    response = staff_client.get(reverse("admin:index"))
    app = next(a for a in response.context["app_list"] if a["app_label"] == "escalation")
    assert {m["object_name"] for m in app["models"]} == {m.__name__ for m in ADMIN_MODELS}
    assert all(m["perms"]["change"] is False for m in app["models"])


# --- managers' real changes -------------------------------------------------------------------


@pytest.mark.django_db
def test_manager_fills_in_a_tbd_role(manager_client):
    role = factories.RoleFactory(name="DBA Lead", holder=None)
    person = factories.PersonFactory(display_name="Dana Kim")
    response = post_change(manager_client, role, holder=str(person.pk))
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.holder == person
    assert role.history.first().history_user.username == "manager"


@pytest.mark.django_db
def test_manager_changes_a_services_primary_contact(manager_client):
    service = factories.ServiceFactory(name="Database (PostgreSQL)")
    dba = factories.RoleFactory(name="DBA Lead")
    response = post_change(manager_client, service, primary_contact=str(dba.pk))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.primary_contact == dba


@pytest.mark.django_db
def test_manager_puts_someone_else_on_a_rotation_slot_from_the_rotation_page(manager_client):
    slot = factories.RotationSlotFactory(week_parity="odd")
    newcomer = factories.PersonFactory(display_name="Engineer C")
    response = post_change(manager_client, slot.rotation, **{"slots-0-primary": str(newcomer.pk)})
    assert response.status_code == 302, response.context["errors"]
    slot.refresh_from_db()
    assert slot.primary == newcomer
    assert slot.history.first().history_user.username == "manager"


@pytest.mark.django_db
def test_manager_adds_a_person(manager_client):
    response = manager_client.post(
        admin_url(models.Person, "add"),
        {
            "display_name": "Jane Doe",
            "phone": "+44 20 7946 0123",
            "slack_handle": "@jane.doe",
            "pagerduty_handle": "@jane",
            "email": "jane@example.com",
            "time_zone": "Europe/London",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    jane = models.Person.objects.get(display_name="Jane Doe")
    assert jane.phone.as_e164 == "+442079460123"
    assert jane.history.get().history_user.username == "manager"


@pytest.mark.django_db
def test_history_shows_who_changed_the_dba_leads_phone_from_what_to_what(manager_client):
    holder = factories.PersonFactory(
        display_name="Dana Kim",
        phone="+442079460001",
        verified_at=datetime(2026, 11, 2, 10, 15, 30, 123456, tzinfo=UTC),
    )
    factories.RoleFactory(name="DBA Lead", holder=holder)
    response = post_change(manager_client, holder, phone="+44 20 7946 0999")
    assert response.status_code == 302

    history = manager_client.get(admin_url(models.Person, "history", holder.pk))
    html = history.content.decode()
    assert "manager" in html
    assert "+44 20 7946 0001" in html
    assert "+44 20 7946 0999" in html
    latest = history.context["page_obj"][0]
    assert latest.history_user.username == "manager"
    assert [(c["field"], c["old"], c["new"]) for c in latest.history_delta_changes] == [
        ("Phone", "+44 20 7946 0001", "+44 20 7946 0999")
    ]


@pytest.mark.django_db
def test_staff_outside_the_group_can_read_history_but_not_revert(staff_client):
    person = factories.PersonFactory(display_name="Dana Kim")
    record = person.history.get()
    assert staff_client.get(admin_url(models.Person, "history", person.pk)).status_code == 200
    revert_url = reverse(
        "admin:escalation_person_simple_history", args=[person.pk, record.history_id]
    )
    assert staff_client.get(revert_url).status_code == 200
    response = staff_client.post(revert_url, {"display_name": "Mallory", "time_zone": "UTC"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.display_name == "Dana Kim"


@pytest.mark.django_db
def test_mark_verified_now_sets_verified_at_and_records_who(manager_client):
    stale = factories.PersonFactory(verified_at=datetime(2020, 1, 1, tzinfo=UTC))
    untouched = factories.PersonFactory(verified_at=None)
    response = manager_client.post(
        admin_url(models.Person, "changelist"),
        {"action": "mark_verified", "_selected_action": [str(stale.pk)]},
        follow=True,
    )
    assert MARKED_VERIFIED_MESSAGE.format(count=1) in response.content.decode()
    stale.refresh_from_db()
    untouched.refresh_from_db()
    assert timezone.now() - stale.verified_at < timedelta(minutes=1)
    assert untouched.verified_at is None
    assert stale.history.first().history_user.username == "manager"


# --- TBD at a glance --------------------------------------------------------------------------


@pytest.mark.django_db
def test_tbd_filter_lists_exactly_the_roles_nobody_holds(staff_client):
    held = factories.RoleFactory.create_batch(2)
    tbd = factories.RoleFactory.create_batch(3, holder=None)
    url = admin_url(models.Role, "changelist")

    response = staff_client.get(url, {"tbd": "yes"})
    assert set(response.context["cl"].result_list) == set(tbd)
    assert set(staff_client.get(url, {"tbd": "no"}).context["cl"].result_list) == set(held)

    page = staff_client.get(url).content.decode()
    assert tbd_roles_message(3) in page
    assert page.count('class="badge-tbd"') == 3


@pytest.mark.django_db
def test_role_changelist_has_no_tbd_banner_when_every_role_is_held(staff_client):
    factories.RoleFactory.create_batch(2)
    page = staff_client.get(admin_url(models.Role, "changelist")).content.decode()
    assert "attention-banner" not in page
    assert "badge-tbd" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "missing"),
    [
        ("phone", {"phone": ""}),
        ("slack", {"slack_handle": ""}),
        ("pagerduty", {"pagerduty_handle": ""}),
        ("unverified", {"verified_at": datetime(2020, 1, 1, tzinfo=UTC)}),
    ],
)
def test_missing_contact_filter_finds_who_lacks_what(staff_client, value, missing):
    complete = factories.PersonFactory(verified_at=timezone.now())
    lacking = factories.PersonFactory(**{"verified_at": timezone.now(), **missing})
    url = admin_url(models.Person, "changelist")
    assert list(staff_client.get(url, {"missing": value}).context["cl"].result_list) == [lacking]
    assert list(staff_client.get(url, {"missing": "any"}).context["cl"].result_list) == [lacking]
    page = staff_client.get(url).content.decode()
    assert people_missing_message(1) in page
    assert complete.display_name in page


@pytest.mark.django_db
def test_person_changelist_names_what_is_missing(staff_client):
    factories.PersonFactory(display_name="Engineer A", phone="", slack_handle="", verified_at=None)
    page = staff_client.get(admin_url(models.Person, "changelist")).content.decode()
    for marker in ("no phone", "no Slack", "never verified"):
        assert f'<span class="badge-missing">{marker}</span>' in page


@pytest.mark.django_db
def test_admin_index_counts_what_needs_attention(staff_client):
    factories.RoleFactory.create_batch(2, holder=None)
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert tbd_roles_message(2) in page
    assert people_missing_message(0) not in page


@pytest.mark.django_db
@pytest.mark.parametrize("model", [models.Role, models.Person, models.Service, models.Rotation])
def test_changelist_queries_do_not_grow_with_rows(staff_client, model):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert staff_client.get(admin_url(model, "changelist")).status_code == 200
        return len(context)

    make(model)
    few = queries()
    for _ in range(6):
        make(model)
    assert queries() == few


# --- search -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_finds_a_role_by_its_holder_and_a_person_by_slack_handle(staff_client):
    role = factories.RoleFactory(name="DBA Lead", holder__display_name="Dana Kim")
    factories.RoleFactory(name="VP of Engineering")
    found = staff_client.get(admin_url(models.Role, "changelist"), {"q": "dana"})
    assert list(found.context["cl"].result_list) == [role]

    person = factories.PersonFactory(slack_handle="@dana.kim")
    factories.PersonFactory(slack_handle="@someone.else")
    found = staff_client.get(admin_url(models.Person, "changelist"), {"q": "@dana.k"})
    assert list(found.context["cl"].result_list) == [person]


@pytest.mark.django_db
def test_severity_search_understands_sev_names(staff_client):
    factories.SeverityFactory(level=1)
    sev2 = factories.SeverityFactory(level=2)
    found = staff_client.get(admin_url(models.Severity, "changelist"), {"q": "SEV2"})
    assert list(found.context["cl"].result_list) == [sev2]


# --- validation with field messages -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field", "value", "message"),
    [
        (models.Role, "slack_alias", "backend-lead", SLACK_HANDLE_MESSAGE),
        (models.Role, "pagerduty_alias", "dba lead", PAGERDUTY_HANDLE_MESSAGE),
        (models.Person, "slack_handle", "jane.doe", SLACK_HANDLE_MESSAGE),
        (models.Person, "phone", "12345", "Enter a valid phone number"),
        (models.Team, "slack_channel", "team-platform", SLACK_CHANNEL_MESSAGE),
        (models.Channel, "name", "incidents", SLACK_CHANNEL_MESSAGE),
        (models.Service, "slack_channel", "Team Platform", SLACK_CHANNEL_MESSAGE),
        (models.Rotation, "swap_channel", "on-call-swap", SLACK_CHANNEL_MESSAGE),
        (models.Rotation, "handoff_channel", "on call", SLACK_CHANNEL_MESSAGE),
        (models.Person, "slack_user_id", "@jane.doe", SLACK_USER_ID_MESSAGE),
        (models.Person, "slack_user_id", "u024be7lh", SLACK_USER_ID_MESSAGE),
        # Hostile values: markup, table syntax, line breaks, bidi controls, emoji.
        (models.Person, "slack_handle", "@jane<script>alert(1)</script>", SLACK_HANDLE_MESSAGE),
        (models.Person, "pagerduty_handle", "@jane\u202eexe.gnp", PAGERDUTY_HANDLE_MESSAGE),
        (models.Role, "slack_alias", "@dba|lead", SLACK_HANDLE_MESSAGE),
        (models.Team, "slack_channel", "#team\n#other", SLACK_CHANNEL_MESSAGE),
        (models.Service, "slack_channel", "#🚨-incidents", SLACK_CHANNEL_MESSAGE),
        (models.Service, "pagerduty_service_id", "psvc001", PAGERDUTY_ID_MESSAGE),
        (models.Service, "pagerduty_service_id", "PSVC 001", PAGERDUTY_ID_MESSAGE),
    ],
)
def test_bad_handles_are_refused_under_their_field_and_nothing_changes(
    manager_client, model, field, value, message
):
    obj = make(model)
    before = model.objects.values().get(pk=obj.pk)
    response = post_change(manager_client, obj, **{field: value})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert any(message in error for error in form.errors[field])
    assert not form.non_field_errors()
    html = response.content.decode()
    field_row = html[html.index(f"field-{field}") :]
    assert message.replace("’", "&#x27;") in field_row[: field_row.index("</div>") + 2000]
    assert model.objects.values().get(pk=obj.pk) == before


@pytest.mark.parametrize(
    ("model", "field", "value", "character"),
    [
        # CR/LF would stop every email about the person (a header cannot hold a line break).
        (models.Person, "display_name", "Jane Doe\r\nBcc: everyone@example.com", "U+000D"),
        (models.Person, "email", '"jane\x0bdoe"@example.com', "U+000B"),
        # The Markdown export wrote these as spaces: the next import renamed the row.
        (models.Team, "name", "Platform\x0bTeam", "U+000B"),
        (models.Role, "name", "DBA\x0cLead", "U+000C"),
        (models.Channel, "purpose", "Incidents\x85and more", "U+0085"),
        (models.Service, "name", "Payments\u2028API", "U+2028"),
        (models.EscalationPath, "name", "Technical\u2029path", "U+2029"),
        (models.PagingRule, "signal", "Error rate\t> 5%", "U+0009"),
        (models.Rotation, "name", "Primary\x1b[31m", "U+001B"),
    ],
)
def test_control_characters_in_names_are_refused_under_their_field_and_nothing_changes(
    manager_client, model, field, value, character
):
    obj = make(model)
    before = model.objects.values().get(pk=obj.pk)
    response = post_change(manager_client, obj, **{field: value})
    assert response.status_code == 200
    message = CONTROL_CHARACTER_MESSAGE % {"character": character}
    assert message in response.context["adminform"].form.errors[field]
    html = response.content.decode()
    field_row = html[html.index(f"field-{field}") :]
    assert message in field_row[: field_row.index("</div>") + 2000]
    assert model.objects.values().get(pk=obj.pk) == before


@pytest.mark.django_db
def test_phone_numbers_are_shown_in_international_format(staff_client):
    person = factories.PersonFactory(phone="+442079460000")
    page = staff_client.get(admin_url(models.Person, "change", person.pk)).content.decode()
    assert "+44 20 7946 0000" in page
    listing = staff_client.get(admin_url(models.Person, "changelist")).content.decode()
    assert "+44 20 7946 0000" in listing


@pytest.mark.django_db
def test_cross_field_rules_are_explained_on_the_right_field(manager_client):
    rotation = factories.RotationFactory()
    response = post_change(manager_client, rotation, slot_rule="alternation", anchor_date="")
    assert response.context["adminform"].form.errors["anchor_date"] == [ANCHOR_DATE_REQUIRED]

    slot = factories.RotationSlotFactory(rotation=rotation)
    response = post_change(manager_client, slot, secondary=str(slot.primary.pk), week_parity="")
    errors = response.context["adminform"].form.errors
    assert errors["secondary"] == [SLOT_SAME_PERSON]
    assert errors["week_parity"] == [SLOT_PARITY_REQUIRED]

    rule = factories.PagingRuleFactory()
    response = post_change(manager_client, rule, action="page_if_sustained", sustained_minutes="")
    assert response.context["adminform"].form.errors["sustained_minutes"] == [
        SUSTAINED_MINUTES_REQUIRED
    ]

    override = factories.OverrideFactory()
    response = post_change(manager_client, override, end_0="2026-11-30")
    assert response.context["adminform"].form.errors["end"] == [OVERRIDE_END_BEFORE_START]


@pytest.mark.django_db
def test_overlapping_overrides_are_refused_with_who_already_covers(manager_client):
    first = factories.OverrideFactory(person__display_name="Engineer B")
    response = manager_client.post(
        admin_url(models.Override, "add"),
        {
            "rotation": first.rotation.pk,
            "tier": "primary",
            "person": factories.PersonFactory().pk,
            "start_0": "2026-12-01",
            "start_1": "12:00:00",
            "end_0": "2026-12-03",
            "end_1": "09:00:00",
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert "Engineer B already covers" in response.context["adminform"].form.errors["start"][0]
    assert models.Override.objects.count() == 1


@pytest.mark.django_db
def test_one_who_choice_sets_the_partys_kind_target_and_default_label(manager_client):
    step = factories.EscalationStepFactory()
    role = factories.RoleFactory(name="VP of Engineering")
    rotation = factories.RotationFactory(name="Engineering on-call")
    url = admin_url(models.EscalationStepParty, "add")
    for position, who in enumerate(
        [who_value("role", role.pk), who_value("oncall_secondary", rotation.pk)]
    ):
        response = manager_client.post(
            url, {"step": step.pk, "position": position, "who": who, "label": "", "via": ""}
        )
        assert response.status_code == 302
    vp, on_call = models.EscalationStepParty.objects.order_by("position")
    assert (vp.kind, vp.role, vp.person, vp.label) == ("role", role, None, "VP of Engineering")
    assert (on_call.kind, on_call.rotation, on_call.role) == ("oncall_secondary", rotation, None)
    assert on_call.label == "On-call secondary"


@pytest.mark.django_db
def test_a_severitys_responders_are_edited_on_its_page_and_load_choices_once(
    manager_client, django_assert_max_num_queries
):
    # Explicit level: the factory's sequence passes the model's maximum (9) in a long run.
    responder = factories.SeverityResponderFactory(severity__level=2, label="Backend lead")
    factories.SeverityResponderFactory.create_batch(4, severity=responder.severity)
    person = factories.PersonFactory(display_name="Dana Kim")
    url = admin_url(models.Severity, "change", responder.severity.pk)
    with django_assert_max_num_queries(15):
        page = manager_client.get(url)
    assert page.context["inline_admin_formsets"][0].formset.initial_form_count() == 5
    data = form_data(page, models.Severity)
    index = next(i for i in range(5) if data[f"responders-{i}-id"] == [str(responder.pk)])
    data.update({f"responders-{index}-who": [who_value("person", person.pk)]})
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    responder.refresh_from_db()
    assert (responder.kind, responder.person, responder.role) == ("person", person, None)
    assert responder.label == "Backend lead"


# --- deleting is refused where it would lose a contact ----------------------------------------


@pytest.mark.django_db
def test_deleting_someone_on_a_rotation_slot_is_refused_naming_the_slot(manager_client):
    slot = factories.RotationSlotFactory(
        rotation__name="Primary on-call", label="Odd weeks", primary__display_name="Engineer A"
    )
    engineer = slot.primary
    url = admin_url(models.Person, "delete", engineer.pk)
    response = manager_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "“Engineer A” cannot be deleted" in html
    assert "Rotation slot" in html and "Primary on-call: Odd weeks" in html
    assert models.Person.objects.filter(pk=engineer.pk).exists()


@pytest.mark.django_db
def test_deleting_a_role_holder_is_refused(manager_client):
    role = factories.RoleFactory(name="DBA Lead")
    response = manager_client.post(
        admin_url(models.Person, "delete", role.holder.pk), {"post": "yes"}
    )
    assert "Role: " in response.content.decode() and "DBA Lead" in response.content.decode()
    assert models.Person.objects.filter(pk=role.holder.pk).exists()


@pytest.mark.django_db
def test_deleting_a_person_with_a_pending_swap_request_is_refused_with_why(manager_client):
    swap = factories.SwapRequestFactory(requester__display_name="Engineer A")
    response = manager_client.post(
        admin_url(models.Person, "delete", swap.requester.pk), {"post": "yes"}
    )
    html = response.content.decode()
    assert "Engineer A is part of 1 swap request still waiting for a decision" in html
    assert reverse("escalation:swap_detail", args=[swap.pk]) in html
    assert models.Person.objects.filter(pk=swap.requester.pk).exists()


@pytest.mark.django_db
def test_a_swap_request_in_the_admin_points_to_where_it_is_decided(manager_client):
    swap = factories.SwapRequestFactory()
    page = manager_client.get(admin_url(models.SwapRequest, "change", swap.pk)).content.decode()
    assert reverse("escalation:swap_detail", args=[swap.pk]) in page
    assert 'name="_save"' not in page


@pytest.mark.django_db
def test_bulk_delete_of_protected_people_is_refused_too(manager_client):
    slot = factories.RotationSlotFactory()
    response = manager_client.post(
        admin_url(models.Person, "changelist"),
        {"action": "delete_selected", "_selected_action": [slot.primary.pk], "post": "yes"},
    )
    assert "The selected person cannot be deleted" in response.content.decode()
    assert models.Person.objects.filter(pk=slot.primary.pk).exists()


@pytest.mark.django_db
def test_a_person_on_nothing_can_be_deleted(manager_client):
    person = factories.PersonFactory()
    response = manager_client.post(admin_url(models.Person, "delete", person.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not models.Person.objects.filter(pk=person.pk).exists()


# --- secrets ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_feed_token_hashes_are_never_shown(admin_client):
    token = factories.FeedTokenFactory(token_hash="f" * 64, hint="f00dcafe")
    for url in (
        admin_url(models.FeedToken, "changelist"),
        admin_url(models.FeedToken, "change", token.pk),
    ):
        html = admin_client.get(url).content.decode()
        assert "f00dcafe…" in html
        assert token.token_hash not in html


# --- what the swap workflow owns ----------------------------------------------------------------


@pytest.fixture
def reverted_swap(db):
    with time_machine.travel(swaps_data.NOW, tick=False):
        team = swaps_data.build_team()
        swap = swaps_data.approved_request(team)
        swap = swap_service.swap_request_revert(swap=swap, by=team.manager)
    return swap


def test_history_cannot_bring_a_reverted_swaps_override_back(manager_client, reverted_swap):
    override = reverted_swap.overrides.get()
    assert override.reverted_at is not None
    in_effect = override.history.filter(reverted_at__isnull=True).earliest("history_date")
    url = reverse(
        "admin:escalation_override_simple_history", args=[override.pk, in_effect.history_id]
    )
    page = manager_client.get(url)
    assert page.status_code == 200
    assert 'value="Revert"' not in page.content.decode()
    # What simple-history's revert form would submit: the version's own values.
    data = {
        "rotation": override.rotation_id,
        "tier": override.tier,
        "person": override.person_id,
        "start_0": f"{override.start:%Y-%m-%d}",
        "start_1": f"{override.start:%H:%M:%S}",
        "end_0": f"{override.end:%Y-%m-%d}",
        "end_1": f"{override.end:%H:%M:%S}",
        "reason": override.reason,
    }
    response = manager_client.post(url, data)
    assert response.status_code == 403
    override.refresh_from_db()
    assert override.reverted_at is not None
    assert not models.Override.objects.in_effect().filter(pk=override.pk).exists()
    reverted_swap.refresh_from_db()
    assert reverted_swap.state == models.SwapState.REVERTED


def test_a_swap_requests_history_cannot_be_reverted(manager_client, reverted_swap):
    first = reverted_swap.history.earliest("history_date")
    url = reverse(
        "admin:escalation_swaprequest_simple_history", args=[reverted_swap.pk, first.history_id]
    )
    assert 'value="Revert"' not in manager_client.get(url).content.decode()
    assert manager_client.post(url, {"state": "pending"}).status_code == 403
    reverted_swap.refresh_from_db()
    assert reverted_swap.state == models.SwapState.REVERTED


def test_a_swaps_override_is_read_only_in_the_admin(manager_client, reverted_swap):
    override = reverted_swap.overrides.get()
    before = models.Override.objects.values().get(pk=override.pk)
    url = admin_url(models.Override, "change", override.pk)
    html = manager_client.get(url).content.decode()
    assert 'name="start"' not in html and 'name="_save"' not in html
    response = manager_client.post(url, {"start_0": "2026-01-12", "start_1": "09:00:00"})
    assert response.status_code == 403
    assert manager_client.post(admin_url(models.Override, "delete", override.pk)).status_code == 403
    assert models.Override.objects.values().get(pk=override.pk) == before


def test_a_managers_own_override_stays_editable(manager_client):
    override = factories.OverrideFactory(reason="Holiday cover")
    response = post_change(manager_client, override, reason="Conference cover")
    assert response.status_code == 302
    override.refresh_from_db()
    assert override.reason == "Conference cover"


def test_the_admin_writes_and_reads_times_on_the_24_hour_clock(manager_client):
    override = factories.OverrideFactory(
        start=datetime(2026, 12, 1, 13, 30, tzinfo=UTC),
        end=datetime(2026, 12, 2, 9, tzinfo=UTC),
    )

    listing = manager_client.get(reverse("admin:escalation_override_changelist")).content.decode()
    assert "1 Dec 2026, 13:30" in listing and "p.m." not in listing
    form = manager_client.get(
        reverse("admin:escalation_rotation_change", args=[override.rotation.pk])
    ).content.decode()
    assert 'value="09:00:00"' in form or 'value="09:00"' in form
    assert "a.m." not in form
