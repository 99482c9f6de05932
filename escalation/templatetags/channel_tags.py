"""The table rows of the communication channels page and the paging guide
(`escalation.channel_cells`)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe

from .. import channel_cells
from ..models import Channel, PagingRule
from ..selectors.channels import ChannelDirectory, TeamChannel

register = template.Library()


@register.simple_tag
def incident_channel_rows(channels: Iterable[Channel]) -> SafeString:
    return mark_safe(channel_cells.incident_channel_rows(channels))  # noqa: S308 - escaped there


@register.simple_tag
def other_channel_rows(directory: ChannelDirectory) -> SafeString:
    return mark_safe(channel_cells.other_channel_rows(directory))  # noqa: S308 - escaped there


@register.simple_tag
def team_channel_rows(team_channels: Iterable[TeamChannel]) -> SafeString:
    return mark_safe(channel_cells.team_channel_rows(team_channels))  # noqa: S308 - escaped there


@register.simple_tag
def paging_rule_rows(rules: Iterable[PagingRule]) -> SafeString:
    return mark_safe(channel_cells.paging_rule_rows(rules))  # noqa: S308 - escaped there
