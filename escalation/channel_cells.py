"""The communication channels page's tables and the paging guide's rules as HTML, written at
once (every value escaped as Django's templates escape, `markup.escape`): a template loop per row
was most of the channels page's time (fifty channels, forty team channels naming four hundred
services)."""

from __future__ import annotations

from collections.abc import Iterable

from .markup import escape
from .models import Channel, ChannelKind, PagingRule
from .party_cells import slack_name_html
from .selectors.channels import ChannelDirectory, TeamChannel
from .templatetags.directory_tags import channel_name, service_links

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


def team_channel_rows(team_channels: Iterable[TeamChannel]) -> str:
    """Each team's Slack channel, the teams that talk there and the services it serves."""
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
