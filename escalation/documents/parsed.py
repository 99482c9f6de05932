"""What the parser gives back: the document's content as plain values that remember their lines.

No database: names are kept as the document writes them ("Backend lead"); what they refer to
is for the planners (`planners.py`) to find. A section the document lacks is None on the
`Document`, and the import leaves that part of the database as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from escalation.models.directory import PagingAction, PartyKind, PathKind, ResponderTier, Via
from escalation.models.rotations import Weekday

from .errors import DocumentWarning


@dataclass(frozen=True)
class PartyText:
    """One party as the document writes it ("On-call engineer (PagerDuty)")."""

    label: str
    line: int
    column: str
    #: What the words alone say it is (an on-call position, the service's team...); None: a
    #: name the importer resolves (a role, a person, a channel or an outside party).
    kind: PartyKind | None = None
    #: "(PagerDuty)", "(Slack)"...: None when the document does not say.
    via: Via | None = None


@dataclass(frozen=True)
class SeverityRow:
    line: int
    level: int
    tiers: dict[ResponderTier, tuple[PartyText, ...]]


@dataclass(frozen=True)
class RotationRow:
    line: int
    label: str
    week_parity: str
    primary: str
    secondary: str | None


@dataclass(frozen=True)
class Cadence:
    line: int
    shift_days: int
    handoff_weekday: Weekday
    handoff_time: time
    time_zone: str
    anchor_date: date | None = None


@dataclass(frozen=True)
class RotationSection:
    line: int
    rows: tuple[RotationRow, ...]
    cadence: Cadence | None
    schedule_note: str = ""
    swap_channel: str = ""
    swap_line: int = 0


@dataclass(frozen=True)
class ServiceRow:
    line: int
    name: str
    team: str
    primary_contact: str | None
    slack_channel: str


@dataclass(frozen=True)
class FlowStep:
    line: int
    parties: tuple[PartyText, ...]
    only_severities: tuple[int, ...] = ()
    after_minutes: int | None = None
    condition: str = ""
    note: str = ""


@dataclass(frozen=True)
class PathSpec:
    line: int
    title: str
    kind: PathKind
    steps: tuple[FlowStep, ...]


@dataclass(frozen=True)
class ChannelRow:
    line: int
    name: str
    purpose: str
    who_posts: str


@dataclass(frozen=True)
class ContactRow:
    line: int
    role: str
    holder: str | None
    slack_alias: str
    pagerduty_alias: str
    phone: str | None


@dataclass(frozen=True)
class PagingRow:
    line: int
    signal: str
    action: PagingAction
    sustained_minutes: int | None
    channels: tuple[str, ...]


@dataclass
class Document:
    """The document's content; a section the document lacks is None (left as it is)."""

    source: str
    title: str = ""
    severities: tuple[SeverityRow, ...] | None = None
    rotation: RotationSection | None = None
    services: tuple[ServiceRow, ...] | None = None
    paths: tuple[PathSpec, ...] | None = None
    channels: tuple[ChannelRow, ...] | None = None
    contacts: tuple[ContactRow, ...] | None = None
    paging: tuple[PagingRow, ...] | None = None
    warnings: list[DocumentWarning] = field(default_factory=list)
