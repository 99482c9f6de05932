"""The sections' navigation, written once per process per section, says what its template loop
said."""

import re

import pytest
from django.template import Context, Template

from escalation.context_processors import NAVIGATION, navigation_links
from escalation.templatetags.navigation import section_nav

#: The loops the tag replaces, as they were.
LOOPS = """{% with active=nav_section|default:nav_current %}
      <button class="portal-nav-toggle d-lg-none" type="button" data-bs-toggle="collapse" data-bs-target="#portal-sections" aria-controls="portal-sections" aria-expanded="false"><i class="bi bi-list" aria-hidden="true"></i> Menu{% for url_name, nav_url, label, icon in navigation %}{% if url_name == active %}<span class="portal-nav-current"> · {{ label }}</span>{% endif %}{% endfor %}</button>
      <ul class="nav nav-underline flex-nowrap collapse d-lg-flex" id="portal-sections">
        {% for url_name, nav_url, label, icon in navigation %}
        <li class="nav-item">
          {% if url_name == active %}<a class="nav-link active" href="{{ nav_url }}" aria-current="page">{% else %}<a class="nav-link" href="{{ nav_url }}">{% endif %}<i class="bi {{ icon }}" aria-hidden="true"></i> {{ label }}</a>
        </li>
        {% endfor %}
      </ul>
      {% endwith %}"""  # noqa: E501


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize(
    ("nav_section", "nav_current"),
    [
        *(("", name) for name, _label, _icon in NAVIGATION),
        ("escalation:services", "escalation:service_detail"),
        ("", "escalation:profile"),
        ("", ""),
    ],
)
def test_the_sections_are_what_the_template_wrote(nav_section, nav_current):
    expected = Template(LOOPS).render(
        Context(
            {
                "navigation": navigation_links(),
                "nav_section": nav_section,
                "nav_current": nav_current,
            }
        )
    )

    assert squeezed(section_nav(nav_section or nav_current)) == squeezed(expected)


def test_the_current_section_is_marked_once_and_named_on_the_menu_button():
    html = section_nav("escalation:severity")

    assert html.count('aria-current="page"') == 1
    assert '<a class="nav-link active" href="/severity/" aria-current="page">' in html
    assert '<span class="portal-nav-current"> · Severity</span></button>' in html


def test_a_page_outside_the_sections_marks_none():
    html = section_nav("escalation:profile")

    assert "aria-current" not in html
    assert "portal-nav-current" not in html
