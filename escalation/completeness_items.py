"""The completeness panel's items as HTML, written once per item.

The panel names up to `COMPLETENESS_PREVIEW` items in each of its sections, each linked to its
admin page: a template loop per item (an admin link, the missing details, the verification date)
was most of the panel's time. The markup is the one the template rendered, whitespace included,
every value escaped as the template escaped it (`conditional_escape`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model
from django.template.defaultfilters import date
from django.templatetags.tz import utc
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from .models import Person
from .selectors.completeness import CompletenessSection
from .templatetags.directory_tags import admin_change_url, admin_change_url_for

_INDENT = "\n          "
#: A key no item has, standing for each item's own in its admin address.
_KEY = 987654321987654321


def _e(value: str) -> str:
    return str(conditional_escape(value))


def _change_urls(section: CompletenessSection) -> Callable[[Model], str]:
    """Each item's admin page (`admin_change_url`), reversing once per section: the items of
    a section are of one model, and their pages differ by the key alone."""
    if not section.items:
        return admin_change_url
    pattern = admin_change_url_for(type(section.items[0]), _KEY)
    if str(_KEY) not in pattern:
        return admin_change_url
    return lambda item: pattern.replace(str(_KEY), str(item.pk)) if item.pk is not None else ""


def _item(section: CompletenessSection, item: Model, url: str) -> str:
    name = _e(str(item))
    html = f'<li><a href="{_e(url)}">{name}</a>' if url else f"<li>{name}"
    if isinstance(item, Person):
        if section.key == "people_missing_contact":
            missing = ", ".join(_e(label) for label in item.missing_contact_fields)
            html += f' <span class="text-body-secondary small">missing {missing}</span>'
        elif section.key == "people_unverified":
            verified = (
                f"verified {_e(date(utc(item.verified_at), 'j M Y'))}"
                if item.verified_at
                else "never verified"
            )
            html += f' <span class="text-body-secondary small">{verified}</span>'
    return html + "</li>"


def section_items(section: CompletenessSection) -> SafeString:
    """The `<li>` of each item a section names, then how many more the admin lists."""
    change_url = _change_urls(section)
    lines = [_item(section, item, change_url(item)) for item in section.items]
    if section.more:
        link = (
            f': <a href="{_e(section.admin_url)}">see them in the admin</a>'
            if section.admin_url
            else ""
        )
        lines.append(f'<li class="text-body-secondary">and {section.more} more{link}</li>')
    return mark_safe(_INDENT.join(lines))  # noqa: S308 - every value above is escaped
