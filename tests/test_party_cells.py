"""A party written as HTML in Python (`escalation.party_cells`): the markup of each branch, every
value escaped as Django's templates escape, and the PagerDuty action in each mode. No database."""

import re
from html import escape
from types import SimpleNamespace

import pytest
from phonenumber_field.phonenumber import PhoneNumber

from escalation.contact_buttons import contact_buttons
from escalation.models import Channel, ChannelKind, PartyKind, Person, Role, Team
from escalation.parties import ResolvedParty
from escalation.party_cells import (
    contact_line,
    parties_html,
    party_html,
    slack_name_html,
)

HOSTILE = '<b>"O\'Brien" & co</b>'
ESCAPED = "&lt;b&gt;&quot;O&#x27;Brien&quot; &amp; co&lt;/b&gt;"


def person(**fields) -> Person:
    return Person(pk=7, display_name=HOSTILE, **fields)


def test_escaping_is_djangos():
    from django.utils.html import escape as django_escape

    assert escape(HOSTILE) == str(django_escape(HOSTILE)) == ESCAPED


def test_an_on_call_party_names_who_is_on_call_escaped():
    party = ResolvedParty(kind=PartyKind.ONCALL_PRIMARY, label=HOSTILE, person=person())

    html = party_html(party)

    assert html.startswith(f'<div class="party"><div class="party-label">{ESCAPED}</div>')
    assert f"On call now: <strong>{ESCAPED}</strong>" in html
    assert "<b>" not in html


def test_nobody_on_call_and_tbd_are_badges():
    nobody = ResolvedParty(kind=PartyKind.ONCALL_SECONDARY, label="On call", is_tbd=True)
    role = Role(name="VP of Engineering")
    tbd = ResolvedParty(
        kind=PartyKind.ROLE, label="VP Eng", role=role, is_tbd=True, slack="@vp <eng>"
    )

    assert '<span class="badge badge-tbd">Nobody on call</span>' in party_html(nobody)
    html = party_html(tbd)
    assert html.startswith('<div class="party party-tbd">')
    assert '<div class="party-role small text-body-secondary">VP of Engineering</div>' in html
    assert '<span class="badge badge-tbd">TBD</span> <span class="small slack-name' in html
    assert "@vp &lt;eng&gt;" in html


def test_a_role_s_pagerduty_alias_shows_only_with_buttons():
    party = ResolvedParty(
        kind=PartyKind.ROLE, label="DBA", role=Role(name="DBA"), is_tbd=True, pagerduty="@pd <x>"
    )

    assert "@pd &lt;x&gt;" in party_html(party, contacts="buttons", buttons=lambda _: "")
    assert "@pd" not in party_html(party, contacts="line")


def test_a_channel_party_links_to_the_channel_with_its_icon():
    slack = Channel(name=HOSTILE, kind=ChannelKind.SLACK)
    linked = ResolvedParty(
        kind=PartyKind.CHANNEL, label=HOSTILE, channel=slack, link="https://x.test/?a=1&b=<2>"
    )
    ticket = Channel(name="Jira", kind=ChannelKind.TICKET)
    unlinked = ResolvedParty(kind=PartyKind.CHANNEL, label="Ticket only", channel=ticket)

    html = party_html(linked)
    assert (
        '<a href="https://x.test/?a=1&amp;b=&lt;2&gt;"><i class="bi bi-slack" '
        f'aria-hidden="true"></i> {ESCAPED}</a>'
    ) in html
    assert "party-answer" not in html  # the words already name the channel
    html = party_html(unlinked)
    assert '<i class="bi bi-ticket-perforated" aria-hidden="true"></i> Ticket only' in html
    assert '<div class="party-answer small text-body-secondary">Jira</div>' in html


def test_via_and_team_and_depends_on_service():
    team = Team(name=HOSTILE)
    via = ResolvedParty(kind=PartyKind.SERVICE_TEAM, label="Vendor", via="email <x>", team=team)
    depends = ResolvedParty(kind=PartyKind.SERVICE_TEAM, label="Team", depends_on_service=True)

    html = party_html(via)
    assert '<span class="badge text-bg-light border party-via">via email &lt;x&gt;</span>' in html
    assert f"<strong>{ESCAPED}</strong>" in html
    assert 'href="/services/">Depends on the service' in party_html(depends)


def test_a_contact_line_lists_every_way_to_reach_the_person(settings):
    settings.PAGERDUTY_API_KEY = ""
    settings.PAGERDUTY_SUBDOMAIN = ""
    who = person(
        phone=PhoneNumber.from_string("+12025550100"),
        slack_handle="@o'brien",
        pagerduty_handle="@pd",
        email="ob@example.com",
    )

    html = contact_line(who)

    assert html == (
        '<span class="contact-line">'
        '<a class="contact-line-item" href="tel:+12025550100"><i class="bi bi-telephone-fill" '
        'aria-hidden="true"></i> +1 202-555-0100</a>'
        '<span class="contact-line-item slack-name user-select-all" title="Copy this name into '
        'Slack"><i class="bi bi-slack" aria-hidden="true"></i> @o&#x27;brien</span>'
        '<span class="contact-line-item" title="PagerDuty"><i class="bi bi-bell" '
        'aria-hidden="true"></i><span class="visually-hidden">PagerDuty</span> @pd</span>'
        f'<a class="contact-line-item" href="mailto:ob@example.com" title="Email {ESCAPED}">'
        '<i class="bi bi-envelope" aria-hidden="true"></i> Email'
        f'<span class="visually-hidden"> {ESCAPED}</span></a>'
        "</span>"
    )


@pytest.mark.parametrize(
    ("api_key", "subdomain", "expected"),
    [
        ("key", "", 'class="contact-line-item pagerduty-action pagerduty-page" href="/page/7/"'),
        ("", "acme", 'href="https://acme.pagerduty.com/users/PABC123" rel="noopener"'),
        ("", "", None),
    ],
)
def test_the_pagerduty_action_in_a_contact_line_follows_the_settings(
    settings, api_key, subdomain, expected
):
    settings.PAGERDUTY_API_KEY = api_key
    settings.PAGERDUTY_SUBDOMAIN = subdomain

    html = contact_line(person(pagerduty_user_id="PABC123"))

    if expected is None:
        assert "pagerduty-action" not in html
    else:
        assert expected in html
        assert ESCAPED in html


def test_contacts_show_only_when_asked_and_the_person_has_some():
    reachable = ResolvedParty(kind=PartyKind.PERSON, label="X", person=person(email="a@b.c"))
    silent = ResolvedParty(kind=PartyKind.PERSON, label="X", person=person())

    assert "party-contacts" not in party_html(reachable)
    assert "party-contacts" in party_html(reachable, contacts="line")
    assert "party-contacts" not in party_html(silent, contacts="line")


def test_buttons_are_drawn_by_the_callback_for_an_on_call_person_even_without_details():
    party = ResolvedParty(kind=PartyKind.ONCALL_PRIMARY, label="On call", person=person())
    drawn = []

    html = party_html(party, contacts="buttons", buttons=lambda p: drawn.append(p) or "[buttons]")

    assert drawn == [party]
    assert '<div class="party-contacts">[buttons]</div>' in html


def test_parties_are_joined_by_a_plus_or_not_required():
    one = ResolvedParty(kind=PartyKind.SERVICE_TEAM, label="A", team=Team(name="A"))
    two = ResolvedParty(kind=PartyKind.SERVICE_TEAM, label="B", team=Team(name="B"))

    assert parties_html([]) == '<span class="not-required">Not required</span>'
    html = parties_html([one, two])
    assert html.count('<div class="party-join" aria-hidden="true">+</div>') == 1
    assert re.sub(r"<[^>]+>", " ", html).split() == ["A", "A", "+", "B", "B"]


def test_a_slack_name_links_into_the_workspace_when_one_is_set(settings):
    settings.PORTAL_SLACK_WORKSPACE_URL = "https://acme.slack.com"

    assert slack_name_html("#ops <x>", "small") == (
        '<a class="small" href="https://acme.slack.com/app_redirect?channel=ops%20%3Cx%3E">'
        '<i class="bi bi-slack" aria-hidden="true"></i> #ops &lt;x&gt;</a>'
    )
    assert slack_name_html("") == ""


def test_the_tags_render_through_a_template_with_the_sheet_s_service(rf, settings):
    from django.template import engines

    settings.PAGERDUTY_API_KEY = "key"
    template = engines["django"].from_string(
        "{% load directory_tags %}{% parties parties 'line' %}"
    )
    party = ResolvedParty(
        kind=PartyKind.PERSON, label="X", person=person(pagerduty_user_id="PABC123")
    )
    service = SimpleNamespace(slug="payments-api")
    severity = SimpleNamespace(level=1)

    html = template.render({"parties": [party], "page_service": service, "page_severity": severity})

    assert 'href="/page/7/?service=payments-api&amp;severity=1"' in html


#: People as the sheet's buttons meet them: every way to reach them, or few.
BUTTON_PEOPLE = {
    "everything": {
        "phone": PhoneNumber.from_string("+12025550100"),
        "slack_handle": "@o'brien<x>",
        "pagerduty_handle": "@pd <&>",
        "email": "o'brien&co@example.com",
        "pagerduty_user_id": "P<1>",
    },
    "no phone, a PagerDuty user": {"pagerduty_user_id": "PABC123", "slack_handle": "#x"},
    "no phone, a PagerDuty handle": {"pagerduty_handle": "@pd", "email": "a@b.c"},
    "a number the parser refuses": {"phone": "not a number"},
    "nothing": {},
}


@pytest.mark.parametrize("viewer_is_manager", [False, True], ids=["viewer", "manager"])
@pytest.mark.parametrize(
    "flags",
    [{}, {"paged": True}, {"compact": True, "without_paging": True}],
    ids=["plain", "paged", "compact, without paging"],
)
@pytest.mark.parametrize("who", BUTTON_PEOPLE.values(), ids=BUTTON_PEOPLE.keys())
@pytest.mark.parametrize(
    ("api_key", "subdomain", "workspace"),
    [("key", "", ""), ("", "acme", "https://acme.slack.com"), ("", "", "")],
    ids=["paging", "PagerDuty links", "off"],
)
def test_contact_buttons_are_what_the_person_contact_template_writes(
    settings, api_key, subdomain, workspace, who, flags, viewer_is_manager
):
    from django.template.loader import render_to_string

    settings.PAGERDUTY_API_KEY = api_key
    settings.PAGERDUTY_SUBDOMAIN = subdomain
    settings.PORTAL_SLACK_WORKSPACE_URL = workspace
    someone = person(**who)
    service = SimpleNamespace(slug="pay<ments>")
    severity = SimpleNamespace(level=1)

    expected = render_to_string(
        "includes/_person_contact.html",
        {
            "person": someone,
            "viewer_is_manager": viewer_is_manager,
            "page_service": service,
            "page_severity": severity,
            **flags,
        },
    )
    html = contact_buttons(
        someone,
        service=service,
        severity=severity,
        viewer_is_manager=viewer_is_manager,
        **flags,
    )

    assert " ".join(html.split()) == " ".join(expected.split())
    assert "<x>" not in html and "<b>" not in html


def test_the_sheets_buttons_page_for_its_service_and_severity(settings):
    from django.template import engines

    settings.PAGERDUTY_API_KEY = "key"
    template = engines["django"].from_string(
        "{% load directory_tags %}{% parties parties 'buttons' %}"
    )
    party = ResolvedParty(
        kind=PartyKind.ONCALL_PRIMARY, label="On call", person=person(pagerduty_user_id="P1")
    )

    html = template.render(
        {
            "parties": [party],
            "page_service": SimpleNamespace(slug="payments-api"),
            "page_severity": SimpleNamespace(level=2),
        }
    )

    assert 'pagerduty-page" href="/page/7/?service=payments-api&amp;severity=2"' in html
    assert "Reach via PagerDuty</span>" in html  # on call, no phone: PagerDuty reaches them
