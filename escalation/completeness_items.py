"""The completeness panel's items as HTML, written once per item.

The panel names up to `COMPLETENESS_PREVIEW` items in each of its sections, each linked to its
admin page: a template loop per item (an admin link, the missing details, the verification date)
was most of the panel's time. The markup is the one the template rendered, every value escaped
as the template escaped it (`markup.escape`).
"""

from __future__ import annotations

from django.db.models import Model
from django.template.defaultfilters import date
from django.templatetags.tz import utc
from django.utils.safestring import SafeString, mark_safe

from .markup import escape as _e
from .models import Person
from .selectors.completeness import CompletenessSection
from .templatetags.directory_tags import AdminChangeUrls

_INDENT = "\n          "


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
    change_url = AdminChangeUrls()
    lines = [_item(section, item, change_url(item)) for item in section.items]
    if section.more:
        link = (
            f': <a href="{_e(section.admin_url)}">see them in the admin</a>'
            if section.admin_url
            else ""
        )
        lines.append(f'<li class="text-body-secondary">and {section.more} more{link}</li>')
    return mark_safe(_INDENT.join(lines))  # noqa: S308 - every value above is escaped
