"""The communication channels (with each team's Slack channel and its services) and the
page-or-Slack guide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db.models import (
    F,
)

from ..models import (
    Channel,
    PagingRule,
    Rotation,
    Service,
    Team,
)
from ..validity import ALWAYS, Validity
from .oncall import RotationOnCall, on_call_named


class ServiceLink(NamedTuple):
    """A service as a page links it: its name and the slug of its sheet."""

    name: str
    slug: str


@dataclass(frozen=True)
class TeamChannel:
    channel: str
    teams: tuple[Team, ...]
    services: tuple[ServiceLink, ...]


@dataclass(frozen=True)
class ChannelDirectory:
    channels: tuple[Channel, ...]
    other_channels: tuple[Channel, ...]
    team_channels: tuple[TeamChannel, ...]
    rotations: tuple[Rotation, ...]

    @property
    def others_have_purpose(self) -> bool:
        return any(channel.purpose for channel in self.other_channels)

    @property
    def others_have_who_posts(self) -> bool:
        return any(channel.who_posts for channel in self.other_channels)


def channels() -> ChannelDirectory:
    """The communication channels in the document's order, the other channels the matrix and
    the paging guide name, each team's Slack channel with its services, and where on-call
    changes are asked for. Four queries."""
    all_channels = list(Channel.objects.order_by(F("position").asc(nulls_last=True), "name"))
    teams = list(Team.objects.order_by("name"))
    team_by_id = {team.pk: team for team in teams}
    by_channel: dict[str, tuple[list[Team], list[ServiceLink]]] = {}
    for team in teams:
        if team.slack_channel:
            by_channel.setdefault(team.slack_channel, ([], []))[0].append(team)
    # The page links each service by name: plain values, not 400 model instances.
    services = Service.objects.order_by("position", "name").values_list(
        "name", "slug", "slack_channel", "team_id"
    )
    for name, slug, slack_channel, team_id in services:
        team = team_by_id[team_id]
        channel = slack_channel or team.slack_channel  # `Service.channel`'s rule
        if channel:
            entry = by_channel.setdefault(channel, ([], []))
            entry[1].append(ServiceLink(name, slug))
            if team not in entry[0]:
                entry[0].append(team)
    return ChannelDirectory(
        channels=tuple(channel for channel in all_channels if channel.position is not None),
        other_channels=tuple(channel for channel in all_channels if channel.position is None),
        team_channels=tuple(
            TeamChannel(channel=name, teams=tuple(entry[0]), services=tuple(entry[1]))
            for name, entry in sorted(by_channel.items())
        ),
        rotations=tuple(Rotation.objects.order_by("position", "name")),
    )


@dataclass(frozen=True)
class PagingGuide:
    rules: tuple[PagingRule, ...]
    on_call: RotationOnCall | None
    validity: Validity = ALWAYS


def paging_rules(*, at: datetime) -> PagingGuide:
    """The page-or-Slack rules in order, and who a page reaches now (the first rotation's
    on-call). One query, plus `on_call_named`'s (for the first rotation only)."""
    now = on_call_named(at=at, rotation_ids=())
    return PagingGuide(
        rules=tuple(
            PagingRule.objects.select_related("channel", "alternative_channel").order_by(
                "position", "signal"
            )
        ),
        on_call=now.answers[0] if now.answers else None,
        validity=now.validity,
    )
