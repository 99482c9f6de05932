"""The sections' navigation under the header, on every page: written once per process for each
section a page can belong to, since it depends on nothing else (the addresses are the URLconf's,
`navigation_links`). Through a template it was a tenth of the work of a small page."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.safestring import SafeString

from ..context_processors import navigation_links
from ..markup import escape

register = template.Library()


@register.simple_tag
def section_nav(active: str) -> SafeString:
    """The menu button (naming the current section on a phone) and the list of sections, with
    `active` (a view name) marked as the current page."""
    return _section_nav(active)


@lru_cache(maxsize=64)
def _section_nav(active: str) -> SafeString:
    links = navigation_links()
    current = "".join(
        f'<span class="portal-nav-current"> · {escape(label)}</span>'
        for url_name, _url, label, _icon in links
        if url_name == active
    )
    items = "".join(
        '\n        <li class="nav-item">\n          '
        + (
            f'<a class="nav-link active" href="{escape(url)}" aria-current="page">'
            if url_name == active
            else f'<a class="nav-link" href="{escape(url)}">'
        )
        + f'<i class="bi {escape(icon)}" aria-hidden="true"></i> {escape(label)}</a>\n        </li>'
        for url_name, url, label, icon in links
    )
    return SafeString(
        '<button class="portal-nav-toggle d-lg-none" type="button" data-bs-toggle="collapse"'
        ' data-bs-target="#portal-sections" aria-controls="portal-sections"'
        f' aria-expanded="false"><i class="bi bi-list" aria-hidden="true"></i> Menu{current}'
        "</button>\n"
        '      <ul class="nav nav-underline flex-nowrap collapse d-lg-flex" id="portal-sections">'
        f"{items}\n      </ul>"
    )
