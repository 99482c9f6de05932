"""Resolving a party to what a page shows: holder or TBD, who is on call now, links (no DB)."""

from types import SimpleNamespace

import pytest

from escalation.contact_links import channel_link
from escalation.models import (
    Channel,
    ChannelKind,
    PartyKind,
    Person,
    Role,
    Rotation,
    Service,
    SeverityResponder,
    Team,
    Via,
)
from escalation.parties import (
    DEPENDS_ON_SERVICE,
    NOBODY_ON_CALL,
    TBD,
    PartyContext,
    joined_labels,
    resolve,
    resolve_party,
    service_team_lead,
)

ALICE = Person(pk=1, display_name="Alice", slack_handle="@alice", pagerduty_handle="@pd-alice")
BOB = Person(pk=2, display_name="Bob", slack_handle="@bob")
CAROL = Person(pk=3, display_name="Carol", slack_handle="@carol")
DAVE = Person(pk=4, display_name="Dave")


def answer(rotation_pk: int, primary: Person | None, secondary: Person | None):
    return SimpleNamespace(
        rotation=Rotation(pk=rotation_pk, name=f"Rotation {rotation_pk}", slug=f"r{rotation_pk}"),
        primary=primary,
        secondary=secondary,
    )


CONTEXT = PartyContext.build([answer(10, ALICE, BOB), answer(20, CAROL, DAVE)])


def party(kind: str, label: str, **fields) -> SeverityResponder:
    return SeverityResponder(kind=kind, label=label, **fields)


def test_a_role_with_a_holder_resolves_to_the_holder():
    role = Role(name="DBA Lead", slack_alias="@dba-lead", holder=ALICE)

    resolved = resolve_party(party(PartyKind.ROLE, "DBA Lead", role=role), CONTEXT)

    assert resolved.person == ALICE
    assert resolved.is_tbd is False
    assert resolved.answer == "Alice"
    assert resolved.slack == "@alice"
    assert resolved.pagerduty == "@pd-alice"


def test_a_role_without_holder_is_tbd_but_keeps_its_group_aliases():
    role = Role(name="VP of Engineering", slack_alias="@vp-eng", pagerduty_alias="@vp-eng")

    resolved = resolve_party(party(PartyKind.ROLE, "VP Eng", role=role), CONTEXT)

    assert resolved.is_tbd is True
    assert resolved.answer == TBD
    assert resolved.slack == "@vp-eng"
    assert resolved.pagerduty == "@vp-eng"
    assert resolved.link == ""  # no workspace address: the alias is shown as text to copy
    assert resolved.role_name_differs is True


def test_on_call_positions_resolve_to_the_first_rotation_by_default():
    primary = resolve_party(party(PartyKind.ONCALL_PRIMARY, "On-call engineer"), CONTEXT)
    secondary = resolve_party(party(PartyKind.ONCALL_SECONDARY, "On-call secondary"), CONTEXT)

    assert primary.person == ALICE
    assert primary.answer == "on call now: Alice"
    assert primary.is_on_call is True
    assert secondary.person == BOB


def test_an_on_call_party_naming_a_rotation_uses_that_rotation():
    resolved = resolve_party(
        party(PartyKind.ONCALL_PRIMARY, "On-call engineer", rotation=Rotation(pk=20)), CONTEXT
    )

    assert resolved.person == CAROL


def test_an_on_call_party_uses_the_affected_services_rotation():
    team = Team(name="Platform")
    service = Service(name="DB", team=team, rotation=Rotation(pk=20))

    resolved = resolve_party(
        party(PartyKind.ONCALL_SECONDARY, "On-call"), CONTEXT.for_service(service)
    )

    assert resolved.person == DAVE


def test_nobody_on_call_when_there_is_no_rotation():
    resolved = resolve_party(party(PartyKind.ONCALL_PRIMARY, "On-call engineer"), PartyContext())

    assert resolved.person is None
    assert resolved.is_tbd is True
    assert resolved.answer == NOBODY_ON_CALL


def test_service_team_and_lead_depend_on_the_service_without_one():
    lead = resolve_party(party(PartyKind.SERVICE_TEAM_LEAD, "Relevant team lead"), CONTEXT)
    team = resolve_party(party(PartyKind.SERVICE_TEAM, "Team responsible for service"), CONTEXT)

    assert lead.depends_on_service is True
    assert lead.answer == DEPENDS_ON_SERVICE
    assert team.depends_on_service is True


def test_team_lead_is_the_teams_lead_role_when_set():
    lead_role = Role(name="Platform Lead", holder=CAROL)
    team = Team(name="Platform", slack_channel="#team-platform", lead_role=lead_role)
    service = Service(name="DB", team=team, primary_contact=Role(name="DBA Lead", holder=DAVE))

    resolved = resolve_party(
        party(PartyKind.SERVICE_TEAM_LEAD, "Relevant team lead"), CONTEXT.for_service(service)
    )

    assert service_team_lead(service) is lead_role
    assert resolved.person == CAROL
    assert resolved.team is team


def test_team_lead_falls_back_to_the_services_primary_contact():
    contact = Role(name="DBA Lead", slack_alias="@dba-lead")
    service = Service(name="DB", team=Team(name="Platform"), primary_contact=contact)

    resolved = resolve_party(
        party(PartyKind.SERVICE_TEAM_LEAD, "Team Lead"), CONTEXT.for_service(service)
    )

    assert resolved.role is contact
    assert resolved.is_tbd is True
    assert resolved.slack == "@dba-lead"


def test_a_service_without_lead_or_contact_makes_its_team_lead_tbd():
    service = Service(name="DB", team=Team(name="Platform"))

    resolved = resolve_party(
        party(PartyKind.SERVICE_TEAM_LEAD, "Team Lead"), CONTEXT.for_service(service)
    )

    assert resolved.is_tbd is True
    assert resolved.depends_on_service is False


def test_the_service_team_is_reached_in_the_services_channel():
    team = Team(name="Backend Team", slack_channel="#team-backend")
    service = Service(name="API", team=team, slack_channel="#api")

    resolved = resolve_party(
        party(PartyKind.SERVICE_TEAM, "Team responsible for service"),
        CONTEXT.for_service(service),
    )

    assert resolved.team is team
    assert resolved.slack == "#api"
    assert resolved.answer == "Backend Team"


@pytest.mark.parametrize(
    ("kind", "url", "expected"),
    [
        (ChannelKind.SLACK, "", ""),  # no workspace address: pages show the name as text
        (ChannelKind.STATUS_PAGE, "https://status.example.com", "https://status.example.com"),
        (ChannelKind.TICKET, "", ""),
    ],
)
def test_channels_link_to_where_they_live(kind, url, expected, settings):
    settings.PORTAL_SLACK_WORKSPACE_URL = ""
    channel = Channel(
        name="#incidents" if kind == ChannelKind.SLACK else "Queue", kind=kind, url=url
    )

    resolved = resolve_party(party(PartyKind.CHANNEL, channel.name, channel=channel), CONTEXT)

    assert channel_link(channel) == expected
    assert resolved.link == expected
    assert resolved.is_channel is True


def test_slack_links_open_the_workspace_when_configured(settings):
    settings.PORTAL_SLACK_WORKSPACE_URL = "https://acme.slack.com/"
    channel = Channel(name="#incidents", kind=ChannelKind.SLACK)

    assert channel_link(channel) == "https://acme.slack.com/app_redirect?channel=incidents"


def test_via_is_the_label_of_how_to_reach():
    resolved = resolve_party(
        party(PartyKind.ONCALL_PRIMARY, "On-call engineer", via=Via.PAGERDUTY), CONTEXT
    )

    assert resolved.via == "PagerDuty"


def test_an_outside_party_keeps_its_words_and_nothing_else():
    resolved = resolve(kind=PartyKind.EXTERNAL, label="Vendor support", context=CONTEXT)

    assert resolved.answer == ""
    assert resolved.is_tbd is False
    assert resolved.person is None


def test_joined_labels_are_the_documents_plus_form():
    parties = [
        resolve(kind=PartyKind.EXTERNAL, label="Backend lead", context=CONTEXT),
        resolve(kind=PartyKind.EXTERNAL, label="Frontend lead", context=CONTEXT),
    ]

    assert joined_labels(parties) == "Backend lead + Frontend lead"


@pytest.mark.parametrize(
    ("label", "channel_name", "says"),
    [
        ("Ticket only", "Ticket", ""),  # the words already name it: not "Ticket only", "Ticket"
        ("Status page", "Status page", ""),
        ("Incident channel", "#incidents", "#incidents"),
    ],
)
def test_a_channel_is_named_again_only_when_the_words_do_not_say_it(label, channel_name, says):
    channel = Channel(pk=7, name=channel_name, kind=ChannelKind.TICKET)
    resolved = resolve(kind=PartyKind.CHANNEL, label=label, channel=channel, context=CONTEXT)

    assert resolved.answer == says
    assert resolved.channel_name_differs is bool(says)
