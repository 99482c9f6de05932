"""The communication channels page's tables and the paging guide's rules as HTML, written at
once (every value escaped as Django's templates escape, `markup.escape`): a template loop per row
was most of the channels page's time (fifty channels, forty team channels naming four hundred
services)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.validators import slug_re

from .links import address_of
from .markup import escape
from .models import Channel, ChannelKind, PagingRule
from .party_cells import slack_name_html
from .selectors.channels import ChannelDirectory, ServiceLink, TeamChannel
from .templatetags.directory_tags import channel_name

#: `Channel.get_kind_display`, read once.
_KIND_LABELS: dict[str, str] = dict(ChannelKind.choices)

_DASH = "—"


def _kind(channel: Channel) -> str:
    return escape(_KIND_LABELS.get(channel.kind, channel.kind))


def _or_dash(text: str) -> str:
    return escape(text) if text else _DASH


def incident_channel_rows(channels: Iterable[Channel]) -> str:
    """The incident channels: each linked with its kind, its purpose and who posts there."""
    return "\n".join(
        "<tr>"
        f'<td data-label="Channel">{channel_name(channel)}'
        f'<div class="small text-body-secondary">{_kind(channel)}</div></td>'
        f'<td data-label="Purpose">{_or_dash(channel.purpose)}</td>'
        f'<td data-label="Who posts">{_or_dash(channel.who_posts)}</td>'
        "</tr>"
        for channel in channels
    )


def other_channel_rows(directory: ChannelDirectory) -> str:
    """The other channels: each linked with its kind, and its purpose and who posts there when
    any of them says."""
    purpose = directory.others_have_purpose
    who_posts = directory.others_have_who_posts
    rows = []
    for channel in directory.other_channels:
        cells = [
            f'<td data-label="Channel">{channel_name(channel)}</td>',
            f'<td data-label="Kind">{_kind(channel)}</td>',
        ]
        if purpose:
            cells.append(f'<td data-label="Purpose">{_or_dash(channel.purpose)}</td>')
        if who_posts:
            cells.append(f'<td data-label="Who posts">{_or_dash(channel.who_posts)}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return "\n".join(rows)


class ServiceLinks:
    """Services as comma-separated links to their sheets, or a dash when there are none: for a
    page that links many services (the channels page, four hundred), the sheets' address is
    reversed once, and each service's slug put in its place."""

    #: A slug standing for each service's own in the address of its sheet.
    _SLUG = "service-slug"
    #: What a slug is made of (Django's `validate_slug`).
    _SLUG_CHARACTERS = re.compile(slug_re.pattern)

    def __init__(self) -> None:
        self._address = address_of("escalation:service_detail")
        before, found, after = self._address(self._SLUG).partition(self._SLUG)
        self._before = escape(before) if found else ""
        self._after = escape(after) if found else ""

    def _href(self, slug: str) -> str:
        # A slug's characters need neither quoting in an address nor escaping in markup.
        if self._before and self._SLUG_CHARACTERS.match(slug):
            return f"{self._before}{slug}{self._after}"
        return escape(self._address(slug))

    def __call__(self, services: Iterable[ServiceLink]) -> str:
        href = self._href
        links = ", ".join(f'<a href="{href(slug)}">{escape(name)}</a>' for name, slug in services)
        return links or f'<span class="text-body-secondary">{_DASH}</span>'


def team_channel_rows(team_channels: Iterable[TeamChannel]) -> str:
    """Each team's Slack channel, the teams that talk there and the services it serves."""
    service_links = ServiceLinks()
    return "\n".join(
        "<tr>"
        f'<td data-label="Channel">{slack_name_html(entry.channel, "fw-semibold")}</td>'
        f'<td data-label="Team">{", ".join(escape(team) for team in entry.teams)}</td>'
        f'<td data-label="Services">{service_links(entry.services)}</td>'
        "</tr>"
        for entry in team_channels
    )


def paging_rule_rows(rules: Iterable[PagingRule]) -> str:
    """The paging guide's rules: the signal, what to do (marked when it wakes someone up) and
    where."""
    rows = []
    for rule in rules:
        action = escape(rule.action_text)
        channels = str(channel_name(rule.channel))
        if rule.alternative_channel:
            channels += f" or {channel_name(rule.alternative_channel)}"
        if rule.is_urgent:
            rows.append(
                '<tr class="row-urgent">'
                f'<td data-label="Signal" class="fw-semibold">{escape(rule.signal)}</td>'
                '<td data-label="Action"><span class="urgent"><i class="bi '
                f'bi-exclamation-octagon-fill" aria-hidden="true"></i> {action}</span></td>'
                f'<td data-label="Channel">{channels}</td>'
                "</tr>"
            )
        else:
            rows.append(
                "<tr>"
                f'<td data-label="Signal" class="fw-semibold">{escape(rule.signal)}</td>'
                f'<td data-label="Action">{action}</td>'
                f'<td data-label="Channel">{channels}</td>'
                "</tr>"
            )
    return "\n".join(rows)
