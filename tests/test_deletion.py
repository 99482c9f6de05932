"""Deleting is refused where it would lose a contact, and nothing cascades silently.

Every foreign key of the escalation models is listed below with what deleting its target does;
a key added or changed without updating the list fails the audit. CASCADE is kept for the parts
a row owns (a path's steps, a step's parties, a severity's responders, a rotation's slots...).
"""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.apps import apps
from django.db import models as db
from django.db.models import ProtectedError
from django.urls import reverse

from escalation import models
from escalation.admin.directory import LIMITED_STEP
from escalation.admin.logins import LOGIN_IN_USE_HINT
from tests import factories

pytestmark = pytest.mark.django_db

CASCADE, PROTECT, SET_NULL = db.CASCADE, db.PROTECT, db.SET_NULL

# (model, field) → on_delete, and why.
FOREIGN_KEYS = {
    # Owned parts: they mean nothing without their owner.
    ("FeedToken", "user"): CASCADE,  # a login's own secret
    ("SeverityResponder", "severity"): CASCADE,  # a severity's responders
    ("EscalationStep", "path"): CASCADE,  # a path's steps
    ("EscalationStepParty", "step"): CASCADE,  # a step's parties
    ("RotationSlot", "rotation"): CASCADE,  # a rotation's slots
    ("Override", "rotation"): CASCADE,  # a rotation's overrides (swaps protect the rotation)
    ("SwapRequestEvent", "swap"): CASCADE,  # a request's timeline
    ("OutgoingMessage", "updates"): CASCADE,  # the edits of a Slack message
    ("PagerDutyCheck", "rotation"): CASCADE,  # what the PagerDuty sync read of a rotation
    ("PagerDutyDrift", "rotation"): CASCADE,  # and where it disagreed (the next sync rewrites it)
    # Who someone is on call for, or answers as: never lost by deleting them.
    ("Role", "holder"): PROTECT,
    ("RotationSlot", "primary"): PROTECT,
    ("RotationSlot", "secondary"): PROTECT,
    ("Override", "person"): PROTECT,
    ("Override", "swap_request"): PROTECT,
    ("SwapRequest", "rotation"): PROTECT,
    ("SwapRequest", "requester"): PROTECT,
    ("SwapRequest", "colleague"): PROTECT,
    ("Service", "team"): PROTECT,
    ("Service", "primary_contact"): PROTECT,
    ("PagingRule", "channel"): PROTECT,
    ("PagingRule", "alternative_channel"): PROTECT,
    # Who answers for a team, who is in it, who is on call for a service, whose login a
    # Person is: changed by hand (with its history), never cleared by deleting the target.
    ("Team", "lead_role"): PROTECT,  # "relevant team lead" must not fall back silently
    ("Person", "team"): PROTECT,
    ("Role", "team"): PROTECT,
    ("Rotation", "team"): PROTECT,
    ("Service", "rotation"): PROTECT,
    ("Person", "user"): PROTECT,
    **{
        (party, target): PROTECT
        for party in ("SeverityResponder", "EscalationStepParty")
        for target in ("role", "person", "channel", "rotation")
    },
    # Logins: deleting one keeps every record of what it did.
    ("Override", "created_by"): SET_NULL,
    ("Override", "reverted_by"): SET_NULL,
    ("SwapRequest", "filed_by"): SET_NULL,
    ("SwapRequestEvent", "actor"): SET_NULL,
    ("PagerDutyDrift", "pagerduty_person"): SET_NULL,  # the drift keeps PagerDuty's own name
    ("PagerDutyDrift", "portal_person"): SET_NULL,
    # A page sent through PagerDuty keeps the names it was sent with.
    ("PagerDutyIncident", "requested_by"): SET_NULL,
    ("PagerDutyIncident", "assignee"): SET_NULL,
    ("PagerDutyIncident", "service"): SET_NULL,
}


def foreign_keys():
    for model in apps.get_app_config("escalation").get_models():
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation:
                yield (model.__name__, field.name), field.remote_field.on_delete


def test_every_foreign_key_deletes_as_listed():
    actual = dict(foreign_keys())
    assert actual == FOREIGN_KEYS


def test_cascade_only_reaches_owned_parts():
    owned = {key for key, rule in FOREIGN_KEYS.items() if rule is CASCADE}
    cascading = {key for key, rule in foreign_keys() if rule is CASCADE}
    assert cascading == owned
    # Nothing cascades into people, roles, services, channels or teams.
    assert not {name for name, _ in cascading} & {"Person", "Role", "Service", "Channel", "Team"}


# --- People -----------------------------------------------------------------------------------


def refused(obj) -> set:
    with pytest.raises(ProtectedError) as error:
        obj.delete()
    obj.refresh_from_db()  # still there
    return error.value.protected_objects


def test_a_person_holding_a_role_cannot_be_deleted():
    role = factories.RoleFactory(name="DBA Lead")
    assert role in refused(role.holder)


@pytest.mark.parametrize("seat", ["primary", "secondary"])
def test_a_person_on_a_rotation_slot_cannot_be_deleted(seat):
    slot = factories.RotationSlotFactory()
    assert slot in refused(getattr(slot, seat))


@pytest.mark.parametrize("side", ["requester", "colleague"])
@pytest.mark.parametrize("state", [models.SwapState.PENDING, models.SwapState.DECLINED])
def test_a_person_in_a_swap_request_cannot_be_deleted(side, state):
    swap = factories.SwapRequestFactory(state=state)
    assert swap in refused(getattr(swap, side))


def test_a_person_covering_an_override_cannot_be_deleted():
    override = factories.OverrideFactory()
    assert override in refused(override.person)


def test_a_person_named_in_the_severity_matrix_or_a_path_cannot_be_deleted():
    person = factories.PersonFactory()
    responder = factories.SeverityResponderFactory(
        kind=models.PartyKind.PERSON, person=person, role=None, label="Jane"
    )
    party = factories.EscalationStepPartyFactory(
        kind=models.PartyKind.PERSON, person=person, role=None, label="Jane"
    )
    assert {responder, party} <= refused(person)


def test_a_person_on_nothing_is_deleted_and_keeps_their_login():
    user = factories.UserFactory()
    person = factories.PersonFactory(user=user)
    person.delete()
    assert not models.Person.objects.filter(pk=person.pk).exists()
    assert type(user).objects.filter(pk=user.pk).exists()


def test_a_login_linked_to_a_person_cannot_be_deleted():
    user = factories.UserFactory()
    person = factories.PersonFactory(user=user)
    assert person in refused(user)


def test_deleting_a_login_no_person_uses_keeps_the_swap_history():
    user = factories.UserFactory()
    person = factories.PersonFactory()
    swap = factories.SwapRequestFactory(requester=person, filed_by=user)
    models.SwapRequestEvent.objects.create(
        swap=swap, action="filed", actor=user, at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    factories.FeedTokenFactory(user=user)
    user.delete()
    swap.refresh_from_db()
    assert swap.filed_by is None and swap.events.get().actor is None
    assert not models.FeedToken.objects.exists()


# --- Teams, roles, channels, rotations, paths, severities -------------------------------------


def test_a_team_with_services_cannot_be_deleted():
    service = factories.ServiceFactory()
    assert service in refused(service.team)


@pytest.mark.parametrize("member", ["person", "role", "rotation"])
def test_a_team_with_members_roles_or_rotations_cannot_be_deleted(member):
    team = factories.TeamFactory()
    obj = {
        "person": lambda: factories.PersonFactory(team=team),
        "role": lambda: factories.RoleFactory(team=team),
        "rotation": lambda: factories.RotationFactory(team=team),
    }[member]()
    assert obj in refused(team)
    obj.refresh_from_db()
    assert obj.team == team


def test_a_team_nothing_points_at_is_deleted():
    team = factories.TeamFactory()
    team.delete()
    assert not models.Team.objects.filter(pk=team.pk).exists()


def test_a_role_leading_a_team_cannot_be_deleted():
    # Otherwise "relevant team lead" would quietly become the service's primary contact.
    role = factories.RoleFactory(name="Backend Tech Lead")
    team = factories.TeamFactory(lead_role=role)
    assert team in refused(role)
    team.refresh_from_db()
    assert team.lead_role == role


def test_a_role_that_is_a_services_contact_or_a_responder_cannot_be_deleted():
    service = factories.ServiceFactory()
    assert service in refused(service.primary_contact)
    responder = factories.SeverityResponderFactory()
    assert responder in refused(responder.role)


def test_deleting_a_role_keeps_its_holder():
    role = factories.RoleFactory()
    holder = role.holder
    role.delete()
    assert models.Person.objects.filter(pk=holder.pk).exists()


def test_a_channel_used_by_a_paging_rule_cannot_be_deleted():
    rule = factories.PagingRuleFactory()
    assert rule in refused(rule.channel)


def test_a_rotation_with_swap_requests_cannot_be_deleted():
    swap = factories.SwapRequestFactory()
    assert swap in refused(swap.rotation)


def test_deleting_a_rotation_takes_its_slots_and_overrides_but_nobody():
    slot = factories.RotationSlotFactory()
    rotation = slot.rotation
    override = factories.OverrideFactory(rotation=rotation)
    people = [slot.primary.pk, slot.secondary.pk, override.person.pk]
    rotation.delete()
    assert not models.RotationSlot.objects.filter(pk=slot.pk).exists()
    assert not models.Override.objects.filter(pk=override.pk).exists()
    assert models.Person.objects.filter(pk__in=people).count() == 3


def test_a_rotation_a_service_is_on_call_through_cannot_be_deleted():
    # Otherwise the service would quietly fall back to the first rotation's people.
    service = factories.ServiceFactory(rotation=factories.RotationFactory())
    assert service in refused(service.rotation)


def test_deleting_a_path_takes_its_steps_and_parties_but_not_the_roles_they_name():
    party = factories.EscalationStepPartyFactory()
    role, step, path = party.role, party.step, party.step.path
    path.delete()
    assert not models.EscalationStep.objects.filter(pk=step.pk).exists()
    assert not models.EscalationStepParty.objects.filter(pk=party.pk).exists()
    assert models.Role.objects.filter(pk=role.pk).exists()
    assert models.Person.objects.filter(pk=role.holder_id).exists()


def test_deleting_a_severity_takes_its_responders_but_not_the_roles_they_name():
    responder = factories.SeverityResponderFactory()
    responder.severity.delete()
    assert not models.SeverityResponder.objects.filter(pk=responder.pk).exists()
    assert models.Role.objects.filter(pk=responder.role_id).exists()


# --- The admin says why -----------------------------------------------------------------------


def admin_delete(client, obj):
    url = reverse(f"admin:escalation_{obj._meta.model_name}_delete", args=[obj.pk])
    return client.post(url, {"post": "yes"})


def test_the_admin_refuses_to_delete_a_team_with_services_and_names_them(manager_client):
    service = factories.ServiceFactory(name="Backend API", team__name="Backend Team")
    response = admin_delete(manager_client, service.team)
    html = response.content.decode()
    assert response.status_code == 200
    assert "“Backend Team” cannot be deleted" in html
    assert "Backend API" in html
    assert models.Team.objects.filter(pk=service.team.pk).exists()


def test_the_admin_refuses_to_delete_a_person_covering_an_override_and_says_why(manager_client):
    override = factories.OverrideFactory(person__display_name="Engineer C")
    response = admin_delete(manager_client, override.person)
    html = response.content.decode()
    assert "“Engineer C” cannot be deleted" in html
    assert "Hand each of the following over to someone else first" in html
    assert "Override" in html
    assert models.Person.objects.filter(pk=override.person.pk).exists()


def test_the_admin_refuses_to_delete_a_channel_a_paging_rule_uses(manager_client):
    rule = factories.PagingRuleFactory(signal="Error rate > 5%", channel__name="PagerDuty")
    html = admin_delete(manager_client, rule.channel).content.decode()
    assert "“PagerDuty” cannot be deleted" in html
    assert "Error rate &gt; 5%" in html
    assert models.Channel.objects.filter(pk=rule.channel.pk).exists()


def test_the_admin_lists_what_deleting_a_path_takes_with_it_before_doing_it(manager_client):
    party = factories.EscalationStepPartyFactory(step__path__name="Technical Escalation")
    path = party.step.path
    url = reverse("admin:escalation_escalationpath_delete", args=[path.pk])
    confirmation = manager_client.get(url).content.decode()
    assert "Escalation step" in confirmation and str(party.step) in confirmation
    assert models.EscalationPath.objects.filter(pk=path.pk).exists()


def test_the_admin_refuses_to_delete_a_severity_a_step_is_limited_to(manager_client):
    # Without it, "VP of Engineering (SEV1 only)" would escalate for every severity.
    severity = factories.SeverityFactory(level=1)
    step = factories.EscalationStepFactory(path__name="Technical Escalation", after_minutes=30)
    step.only_severities.add(severity)
    html = admin_delete(manager_client, severity).content.decode()
    assert "“SEV1” cannot be deleted" in html
    assert LIMITED_STEP.format(step=step) in html
    assert models.Severity.objects.filter(pk=severity.pk).exists()
    assert list(step.only_severities.all()) == [severity]


def test_the_admin_deletes_a_severity_no_step_is_limited_to(manager_client):
    responder = factories.SeverityResponderFactory(severity__level=4)
    factories.EscalationStepFactory().only_severities.add(factories.SeverityFactory(level=1))
    response = admin_delete(manager_client, responder.severity)
    assert response.status_code == 302
    assert not models.Severity.objects.filter(level=4).exists()
    assert models.Severity.objects.filter(level=1).exists()


def test_the_admin_refuses_a_bulk_delete_of_severities_a_step_is_limited_to(manager_client):
    severity = factories.SeverityFactory(level=2)
    factories.EscalationStepFactory().only_severities.add(severity)
    response = manager_client.post(
        reverse("admin:escalation_severity_changelist"),
        {"action": "delete_selected", "_selected_action": [severity.pk], "post": "yes"},
    )
    assert "cannot be deleted" in response.content.decode()
    assert models.Severity.objects.filter(pk=severity.pk).exists()


def test_reverted_overrides_still_protect_their_person():
    override = factories.OverrideFactory(
        reverted_at=datetime(2026, 12, 1, 12, tzinfo=UTC) + timedelta(hours=1)
    )
    assert override in refused(override.person)


def _holding_a_role():
    role = factories.RoleFactory(name="DBA Lead", holder__display_name="Engineer C")
    return role.holder, "Role: DBA Lead"


def _on_a_rotation_slot():
    slot = factories.RotationSlotFactory(
        rotation__name="Platform", label="Odd weeks", primary__display_name="Engineer C"
    )
    return slot.primary, "Rotation slot: Platform: Odd weeks"


def _with_a_pending_swap():
    swap = factories.SwapRequestFactory(
        state=models.SwapState.PENDING,
        kind=models.SwapKind.COVER,
        requester__display_name="Engineer C",
        colleague__display_name="Engineer D",
    )
    return swap.requester, "Swap request: Cover (a colleague takes it): Engineer C → Engineer D"


@pytest.mark.parametrize(
    "holding",
    [_holding_a_role, _on_a_rotation_slot, _with_a_pending_swap],
    ids=["role", "rotation slot", "pending swap"],
)
def test_the_admin_refuses_to_delete_a_person_who_holds_something_and_names_it(
    manager_client, holding
):
    person, named = holding()
    response = admin_delete(manager_client, person)
    html = response.content.decode()
    assert response.status_code == 200
    assert "“Engineer C” cannot be deleted" in html
    assert "Hand each of the following over to someone else first" in html
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert " ".join(named.split()) in text
    if "Swap request" in named:
        assert "1 swap request still waiting for a decision: decline or cancel it" in text
    assert models.Person.objects.filter(pk=person.pk).exists()


def test_the_admin_refuses_to_delete_a_role_leading_a_team_and_names_the_team(manager_client):
    role = factories.RoleFactory(name="Backend Tech Lead")
    factories.TeamFactory(name="Backend", lead_role=role)
    response = admin_delete(manager_client, role)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    assert response.status_code == 200
    assert "“Backend Tech Lead” cannot be deleted" in text
    assert "Hand each of the following over to someone else first" in text
    assert "Team: Backend" in text
    assert models.Role.objects.filter(pk=role.pk).exists()


def test_the_admin_refuses_to_delete_a_team_with_people_and_names_them(manager_client):
    person = factories.PersonFactory(
        display_name="Engineer C", team=factories.TeamFactory(name="Platform")
    )
    response = admin_delete(manager_client, person.team)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    assert "“Platform” cannot be deleted" in text
    assert "Person: Engineer C" in text
    person.refresh_from_db()
    assert person.team.name == "Platform"


def test_the_admin_refuses_to_delete_a_login_linked_to_a_person_and_says_how(admin_client):
    user = factories.UserFactory(username="jdoe")
    person = factories.PersonFactory(display_name="Jane Doe", user=user)
    url = reverse("admin:auth_user_delete", args=[user.pk])
    response = admin_client.post(url, {"post": "yes"})
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())
    assert response.status_code == 200
    assert "“jdoe” cannot be deleted" in text
    assert LOGIN_IN_USE_HINT in text
    assert "Person: Jane Doe" in text
    person.refresh_from_db()
    assert person.user == user
