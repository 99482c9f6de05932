"""The communication channels (with each team's Slack channel and its services) and the
page-or-Slack guide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import NamedTuple

from django.db.models import (
    F,
)

from ..model_rows import attnames, from_row
from ..models import (
    Channel,
    PagingRule,
    Rotation,
    Service,
    Team,
)
from ..validity import ALWAYS, Validity
from .oncall import RotationOnCall, on_call_named
from .prepared import PreparedQuery


class ServiceLink(NamedTuple):
    """A service as a page links it: its name and the slug of its sheet."""

    name: str
    slug: str


class RotationNote(NamedTuple):
    """What the channels page says of a rotation: how on-call changes are asked for there."""

    name: str
    schedule_note: str
    swap_channel: str
    shift_days: int
    handoff_weekday: int
    handoff_time: time
    time_zone: str


@dataclass(frozen=True)
class TeamChannel:
    channel: str
    #: The names of the teams that talk there: its own, and those of the services it serves.
    teams: tuple[str, ...]
    services: tuple[ServiceLink, ...]


@dataclass(frozen=True)
class ChannelDirectory:
    channels: tuple[Channel, ...]
    other_channels: tuple[Channel, ...]
    team_channels: tuple[TeamChannel, ...]
    rotations: tuple[RotationNote, ...]

    @property
    def others_have_purpose(self) -> bool:
        return any(channel.purpose for channel in self.other_channels)

    @property
    def others_have_who_posts(self) -> bool:
        return any(channel.who_posts for channel in self.other_channels)


_CHANNEL_FIELDS = attnames(Channel)

# The directory's four questions never change: compiled once per process (`PreparedQuery`).
_CHANNELS = PreparedQuery(
    lambda: Channel.objects.order_by(F("position").asc(nulls_last=True), "name").values_list(
        *_CHANNEL_FIELDS
    )
)
_TEAMS = PreparedQuery(
    lambda: Team.objects.order_by("name").values_list("id", "name", "slack_channel")
)
# The page links each service by name: plain values, not 400 model instances.
_SERVICES = PreparedQuery(
    lambda: Service.objects.order_by("position", "name").values_list(
        "name", "slug", "slack_channel", "team_id"
    )
)
# What the page says of each rotation, as plain values.
_ROTATIONS = PreparedQuery(
    lambda: Rotation.objects.order_by("position", "name").values_list(*RotationNote._fields)
)


def channels() -> ChannelDirectory:
    """The communication channels in the document's order, the other channels the matrix and
    the paging guide name, each team's Slack channel with its services, and where on-call
    changes are asked for. Four queries."""
    db = Channel.objects.db
    all_channels = [from_row(Channel, _CHANNEL_FIELDS, row, db) for row in _CHANNELS.rows()]
    teams = {team_id: (name, slack_channel) for team_id, name, slack_channel in _TEAMS.rows()}
    # Each channel: the teams that talk there (by key, in order) and the services it serves.
    by_channel: dict[str, tuple[dict[int, str], list[ServiceLink]]] = {}
    for team_id, (name, slack_channel) in teams.items():
        if slack_channel:
            by_channel.setdefault(slack_channel, ({}, []))[0][team_id] = name
    for name, slug, slack_channel, team_id in _SERVICES.rows():
        team_name, team_channel = teams[team_id]
        channel = slack_channel or team_channel  # `Service.channel`'s rule
        if channel:
            entry = by_channel.setdefault(channel, ({}, []))
            entry[1].append(ServiceLink(name, slug))
            entry[0].setdefault(team_id, team_name)
    return ChannelDirectory(
        channels=tuple(channel for channel in all_channels if channel.position is not None),
        other_channels=tuple(channel for channel in all_channels if channel.position is None),
        team_channels=tuple(
            TeamChannel(channel=name, teams=tuple(entry[0].values()), services=tuple(entry[1]))
            for name, entry in sorted(by_channel.items())
        ),
        rotations=tuple(RotationNote._make(row) for row in _ROTATIONS.rows()),
    )


@dataclass(frozen=True)
class PagingGuide:
    rules: tuple[PagingRule, ...]
    on_call: RotationOnCall | None
    validity: Validity = ALWAYS


_RULE_FIELDS = attnames(PagingRule)
_RULE_CHANNEL = PagingRule._meta.get_field("channel")
_RULE_ALTERNATIVE = PagingRule._meta.get_field("alternative_channel")
# The rules with both their channels, in one row each: compiled once per process.
_RULES = PreparedQuery(
    lambda: PagingRule.objects.order_by("position", "signal").values_list(
        *_RULE_FIELDS,
        *(f"channel__{name}" for name in _CHANNEL_FIELDS),
        *(f"alternative_channel__{name}" for name in _CHANNEL_FIELDS),
    )
)


def _rules() -> tuple[PagingRule, ...]:
    db = PagingRule.objects.db
    rule_end = len(_RULE_FIELDS)
    channel_end = rule_end + len(_CHANNEL_FIELDS)
    rules = []
    for row in _RULES.rows():
        rule = from_row(PagingRule, _RULE_FIELDS, row[:rule_end], db)
        channel = from_row(Channel, _CHANNEL_FIELDS, row[rule_end:channel_end], db)
        _RULE_CHANNEL.set_cached_value(rule, channel)
        alternative = None
        if rule.alternative_channel_id is not None:
            alternative = from_row(Channel, _CHANNEL_FIELDS, row[channel_end:], db)
        _RULE_ALTERNATIVE.set_cached_value(rule, alternative)
        rules.append(rule)
    return tuple(rules)


def paging_rules(*, at: datetime) -> PagingGuide:
    """The page-or-Slack rules in order, each with its channels, and who a page reaches now (the
    first rotation's on-call). One query, plus `on_call_named`'s (for the first rotation
    only)."""
    now = on_call_named(at=at, rotation_ids=())
    return PagingGuide(
        rules=_rules(),
        on_call=now.answers[0] if now.answers else None,
        validity=now.validity,
    )
