"""The completeness panel's items, written in Python, say what the template loop they replace
said: the same links to the admin, the same details, the same escaping."""

import re
from datetime import timedelta

import pytest
from django.template import Context, Template

from escalation.completeness_items import section_items
from escalation.selectors.completeness import COMPLETENESS_PREVIEW, completeness
from tests import factories
from tests.directory_fixtures import SEED_INSTANT

pytestmark = pytest.mark.django_db

HOSTILE = "</li><script>alert(1)</script>\"&<>' 🚨\u200fאב"

#: The loop the items replace, as it was.
ITEMS_TEMPLATE = """{% load tz directory_tags %}
          {% for item in section.items %}
          {% with url=item|admin_change_url %}
          <li>{% if url %}<a href="{{ url }}">{{ item }}</a>{% else %}{{ item }}{% endif %}{% if section.key == "people_missing_contact" %} <span class="text-body-secondary small">missing {{ item.missing_contact_fields|join:", " }}</span>{% endif %}{% if section.key == "people_unverified" %} <span class="text-body-secondary small">{% if item.verified_at %}verified {{ item.verified_at|utc|date:"j M Y" }}{% else %}never verified{% endif %}</span>{% endif %}</li>
          {% endwith %}
          {% endfor %}
          {% if section.more %}<li class="text-body-secondary">and {{ section.more }} more{% if section.admin_url %}: <a href="{{ section.admin_url }}">see them in the admin</a>{% endif %}</li>{% endif %}
"""  # noqa: E501


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.fixture
def gaps():
    for n in range(COMPLETENESS_PREVIEW + 3):
        factories.RoleFactory(name=f"{HOSTILE} role {n:02d}", holder=None)
    factories.PersonFactory(display_name=f"{HOSTILE} no phone", phone="")
    factories.PersonFactory(
        display_name="No Slack nor PagerDuty", slack_handle="", pagerduty_handle=""
    )
    factories.PersonFactory(display_name="Never verified", verified_at=None)
    factories.PersonFactory(
        display_name=f"{HOSTILE} long ago", verified_at=SEED_INSTANT - timedelta(days=400)
    )
    factories.ServiceFactory(name=f"{HOSTILE} service", primary_contact=None)
    inactive = factories.PersonFactory(display_name="Gone", is_active=False)
    factories.RoleFactory(holder=inactive)


def test_each_sections_items_are_what_the_template_wrote(gaps):
    report = completeness(now=SEED_INSTANT)
    sections = [section for section in report.sections if section.count]

    assert {section.key for section in sections} >= {
        "roles_tbd",
        "people_missing_contact",
        "people_unverified",
        "services_without_owner",
        "inactive_people_in_use",
    }
    assert report.section("roles_tbd").more == 3
    for section in sections:
        expected = Template(ITEMS_TEMPLATE).render(Context({"section": section}))
        written = section_items(section)
        assert squeezed(written) == squeezed(expected), section.key
        assert "<script>" not in written
        assert "/admin/escalation/" in written
