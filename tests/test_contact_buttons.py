"""A person's contact buttons written in Python say what `includes/_person_contact.html` says:
the same markup, whitespace included, the same escaping, in every branch."""

import itertools

import pytest
from django.template import Context, Template
from django.template.loader import get_template

from escalation import models
from escalation.contact_buttons import contact_buttons

HOSTILE = "</span><script>alert(1)</script>\"&<>' 🚨\u200fאב"

PEOPLE = {
    "everything": {
        "phone": "+442079460000",
        "slack_handle": HOSTILE,
        "pagerduty_handle": HOSTILE,
        "pagerduty_user_id": "P&<\"'>1",
        "email": "a&b<\"'>@example.com",
    },
    "no phone, PagerDuty user": {"pagerduty_user_id": "PABC123", "slack_handle": "@ada"},
    "no phone, PagerDuty handle": {"pagerduty_handle": HOSTILE},
    "nothing": {},
}
#: PAGERDUTY_API_KEY, PAGERDUTY_SUBDOMAIN, PORTAL_SLACK_WORKSPACE_URL.
SETTINGS = [
    ("key", "acme", "https://acme.slack.com"),
    ("", "acme&<\"'>", ""),
    ("", "", ""),
]


def person(**fields):
    values = {"pk": 7, "display_name": HOSTILE, "phone": "", "pagerduty_user_id": ""}
    return models.Person(**(values | fields))


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("configured", SETTINGS)
@pytest.mark.parametrize(
    "options", list(itertools.product([False, True], repeat=4)), ids=lambda o: str(o)
)
def test_buttons_are_written_as_the_template_writes_them(settings, who, configured, options):
    settings.PAGERDUTY_API_KEY, settings.PAGERDUTY_SUBDOMAIN = configured[:2]
    settings.PORTAL_SLACK_WORKSPACE_URL = configured[2]
    compact, paged, without_paging, manager = options
    someone = person(**PEOPLE[who])

    expected = get_template("includes/_person_contact.html").render(
        {
            "person": someone,
            "compact": compact,
            "paged": paged,
            "without_paging": without_paging,
            "viewer_is_manager": manager,
        }
    )

    assert (
        contact_buttons(
            someone,
            compact=compact,
            paged=paged,
            without_paging=without_paging,
            viewer_is_manager=manager,
        )
        == expected
    )
    assert "<script>" not in expected


def test_nobody_has_no_buttons():
    expected = get_template("includes/_person_contact.html").render({"person": None})

    assert contact_buttons(None) == expected


def test_managers_are_told_when_paging_from_the_portal_is_off(settings):
    settings.PAGERDUTY_API_KEY, settings.PAGERDUTY_SUBDOMAIN = "", "acme"
    someone = person(pagerduty_user_id="PABC123")
    include = Template(
        '{% include "includes/_person_contact.html" with person=person paged=True %}'
    )

    for manager in (False, True):
        context = Context({"person": someone, "viewer_is_manager": manager})
        assert contact_buttons(someone, paged=True, viewer_is_manager=manager) == include.render(
            context
        )
    assert "PagerDuty is not connected" in contact_buttons(someone, viewer_is_manager=True)


def test_paging_is_about_the_pages_service_and_severity(settings):
    settings.PAGERDUTY_API_KEY = "key"
    someone = person(pagerduty_user_id="PABC123")
    service, severity = models.Service(slug="pay&ments"), models.Severity(level=2)
    context = {"person": someone, "page_service": service, "page_severity": severity}
    include = Template('{% include "includes/_person_contact.html" with person=person %}')

    ours = contact_buttons(someone, service=service, severity=severity)

    assert ours == include.render(Context(context))
    assert "service=pay%26ments&amp;severity=2" in ours
