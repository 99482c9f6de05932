"""What a page shows for a party: who answers now (or TBD), and how to reach them.

A party (a severity responder or an escalation step party) names a role, a person, an on-call
position, the affected service's team or team lead, a channel, or an outside party. Resolving it
needs rows the selector has already loaded (`role__holder`, `person`, `channel`, and who is on
call from `selectors.oncall.on_call_now`), so nothing here queries the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model

from .contact_links import channel_link, slack_url
from .model_rows import attnames, from_row
from .models import Channel, ChannelKind, PartyKind, Person, Role, Service, Team, Via

if TYPE_CHECKING:
    from .models.directory import Party
    from .selectors.oncall import RotationOnCall

#: What a selector loads with each party so that resolving it needs no further query.
PARTY_RELATED = ("role__holder", "person", "channel")

_PartyRow = TypeVar("_PartyRow", bound=Model)

TBD = "TBD"
DEPENDS_ON_SERVICE = "depends on the service"
NOBODY_ON_CALL = "nobody on call"
ON_CALL_NOW = "on call now: {name}"


def service_team_lead(service: Service) -> Role | None:
    """The “relevant team lead” of a service: its team's lead role, else its primary contact."""
    return service.team.lead_role or service.primary_contact


@dataclass(frozen=True)
class PartyContext:
    """What resolving needs beyond the party row: who is on call, and the affected service."""

    on_call: Mapping[int, RotationOnCall] = field(default_factory=dict)
    default_rotation_id: int | None = None
    service: Service | None = None

    @classmethod
    def build(
        cls, answers: Iterable[RotationOnCall], *, service: Service | None = None
    ) -> PartyContext:
        """From `on_call_now`'s answers (in rotation order: the first is the default rotation)."""
        on_call = {answer.rotation.pk: answer for answer in answers}
        return cls(on_call=on_call, default_rotation_id=next(iter(on_call), None), service=service)

    def for_service(self, service: Service | None) -> PartyContext:
        return PartyContext(
            on_call=self.on_call, default_rotation_id=self.default_rotation_id, service=service
        )

    def on_call_for(self, rotation_id: int | None = None) -> RotationOnCall | None:
        """The rotation asked for, else the service's, else the first rotation."""
        for candidate in (
            rotation_id,
            self.service.rotation_id if self.service is not None else None,
            self.default_rotation_id,
        ):
            if candidate is not None and candidate in self.on_call:
                return self.on_call[candidate]
        return None


@dataclass(frozen=True)
class ResolvedParty:
    """A party as a page shows it."""

    kind: str
    label: str
    via: str = ""
    role: Role | None = None
    person: Person | None = None
    channel: Channel | None = None
    team: Team | None = None
    on_call: RotationOnCall | None = None
    is_tbd: bool = False
    depends_on_service: bool = False
    slack: str = ""
    pagerduty: str = ""
    link: str = ""

    @property
    def is_on_call(self) -> bool:
        return self.kind in (PartyKind.ONCALL_PRIMARY, PartyKind.ONCALL_SECONDARY)

    @property
    def is_channel(self) -> bool:
        return self.channel is not None

    @property
    def role_name_differs(self) -> bool:
        """True when the document's words (“VP Eng”) are not the role's name."""
        return self.role is not None and self.role.name.casefold() != self.label.casefold()

    @property
    def channel_name_differs(self) -> bool:
        """True when the document's words do not already name the channel: “Ticket only” says
        “Ticket”, “Status page” is the status page."""
        return self.channel is not None and (
            self.channel.name.casefold() not in self.label.casefold()
        )

    @property
    def answer(self) -> str:
        """One line saying who answers: a name, TBD, or why it cannot be said here."""
        if self.person is not None:
            if self.is_on_call:
                return ON_CALL_NOW.format(name=self.person.display_name)
            return self.person.display_name
        if self.depends_on_service:
            return DEPENDS_ON_SERVICE
        if self.is_on_call:
            return NOBODY_ON_CALL
        if self.is_tbd:
            return TBD
        if self.channel is not None and self.channel_name_differs:
            return self.channel.name
        if self.team is not None:
            return self.team.name
        return ""


def resolve_party(party: Party, context: PartyContext) -> ResolvedParty:
    """Resolve one party row with what the context knows (no queries)."""
    return resolve(
        kind=party.kind,
        label=party.label,
        via=party.via,
        role=party.role,
        person=party.person,
        channel=party.channel,
        rotation_id=party.rotation_id,
        context=context,
    )


#: `Via`'s labels by value, read once: “PagerDuty” for "pagerduty".
_VIA_LABELS: dict[str, str] = {via.value: str(via.label) for via in Via}


def resolve(
    *,
    kind: str,
    label: str,
    context: PartyContext,
    via: str = "",
    role: Role | None = None,
    person: Person | None = None,
    channel: Channel | None = None,
    rotation_id: int | None = None,
) -> ResolvedParty:
    """Resolve a party given as values: a row's fields, or one a page adds (the owner)."""
    via_label = (_VIA_LABELS.get(via) or str(Via(via).label)) if via else ""
    if kind == PartyKind.ROLE and role is not None:
        return _resolved_role(kind, label, via_label, role)
    if kind == PartyKind.PERSON and person is not None:
        return ResolvedParty(
            kind=kind,
            label=label,
            via=via_label,
            person=person,
            slack=person.slack_handle,
            pagerduty=person.pagerduty_handle,
            link=slack_url(person.slack_handle) if person.slack_handle else "",
        )
    if kind in (PartyKind.ONCALL_PRIMARY, PartyKind.ONCALL_SECONDARY):
        answer = context.on_call_for(rotation_id)
        on_call_person = None
        if answer is not None:
            on_call_person = (
                answer.primary if kind == PartyKind.ONCALL_PRIMARY else answer.secondary
            )
        slack = on_call_person.slack_handle if on_call_person else ""
        return ResolvedParty(
            kind=kind,
            label=label,
            via=via_label,
            person=on_call_person,
            on_call=answer,
            is_tbd=on_call_person is None,
            slack=slack,
            pagerduty=on_call_person.pagerduty_handle if on_call_person else "",
            link=slack_url(slack) if slack else "",
        )
    service = context.service
    if kind == PartyKind.SERVICE_TEAM:
        if service is None:
            return ResolvedParty(kind=kind, label=label, via=via_label, depends_on_service=True)
        channel_name = service.channel
        return ResolvedParty(
            kind=kind,
            label=label,
            via=via_label,
            team=service.team,
            slack=channel_name,
            link=slack_url(channel_name) if channel_name else "",
        )
    if kind == PartyKind.SERVICE_TEAM_LEAD:
        if service is None:
            return ResolvedParty(kind=kind, label=label, via=via_label, depends_on_service=True)
        lead = service_team_lead(service)
        if lead is None:
            return ResolvedParty(
                kind=kind, label=label, via=via_label, is_tbd=True, team=service.team
            )
        return _resolved_role(kind, label, via_label, lead, team=service.team)
    if kind == PartyKind.CHANNEL and channel is not None:
        return ResolvedParty(
            kind=kind,
            label=label,
            via=via_label,
            channel=channel,
            slack=channel.name if channel.kind == ChannelKind.SLACK else "",
            link=channel_link(channel),
        )
    return ResolvedParty(kind=kind, label=label, via=via_label)


def _resolved_role(
    kind: str, label: str, via: str, role: Role, team: Team | None = None
) -> ResolvedParty:
    # A TBD role still has its group aliases (@backend-lead): the document's way to reach it.
    holder = role.holder
    slack = (holder.slack_handle if holder else "") or role.slack_alias
    return ResolvedParty(
        kind=kind,
        label=label,
        via=via,
        role=role,
        person=holder,
        team=team,
        is_tbd=holder is None,
        slack=slack,
        pagerduty=(holder.pagerduty_handle if holder else "") or role.pagerduty_alias,
        link=slack_url(slack) if slack else "",
    )


def resolve_parties(parties: Iterable[Party], context: PartyContext) -> list[ResolvedParty]:
    return [resolve_party(party, context) for party in parties]


def joined_labels(parties: Iterable[ResolvedParty]) -> str:
    """The document's “Backend lead + Frontend lead”."""
    return " + ".join(party.label for party in parties)


_ROLE_FIELDS = attnames(Role)
_PERSON_FIELDS = attnames(Person)
_CHANNEL_FIELDS = attnames(Channel)


class PartyRows:
    """Party rows read as plain values with what resolving them needs (`PARTY_RELATED`), as a
    page's own query reads them: `columns(model, prefix)` names the columns, `build` makes the
    party from its slice of a row. Each role, person and channel is built once however many
    parties name it (`select_related` builds one per party)."""

    def __init__(self) -> None:
        self._roles: dict[int, Role] = {}
        self._people: dict[int, Person] = {}
        self._channels: dict[int, Channel] = {}

    @staticmethod
    def columns(model: type[Model], prefix: str = "") -> list[str]:
        """A party of `model` (reached through `prefix`, a lookup ending in "__"): its own
        fields, then its role, the role's holder, its person and its channel."""
        return [
            f"{prefix}{name}"
            for name in [
                *attnames(model),
                *(f"role__{name}" for name in _ROLE_FIELDS),
                *(f"role__holder__{name}" for name in _PERSON_FIELDS),
                *(f"person__{name}" for name in _PERSON_FIELDS),
                *(f"channel__{name}" for name in _CHANNEL_FIELDS),
            ]
        ]

    def build(self, model: type[_PartyRow], values: Sequence[Any]) -> _PartyRow:
        """The party of `model` from the values of `columns(model)`, in order."""
        fields = attnames(model)
        end = len(fields)
        party = from_row(model, fields, values[:end])
        role_values = values[end : end + len(_ROLE_FIELDS)]
        end += len(_ROLE_FIELDS)
        holder = self._person(values[end : end + len(_PERSON_FIELDS)])
        end += len(_PERSON_FIELDS)
        person = self._person(values[end : end + len(_PERSON_FIELDS)])
        end += len(_PERSON_FIELDS)
        channel_values = values[end:]
        role = None
        if role_values[0] is not None:
            role = self._roles.get(role_values[0])
            if role is None:
                role = self._roles[role_values[0]] = from_row(Role, _ROLE_FIELDS, role_values)
                _ROLE_HOLDER.set_cached_value(role, holder)
        channel = None
        if channel_values[0] is not None:
            channel = self._channels.get(channel_values[0])
            if channel is None:
                channel = self._channels[channel_values[0]] = from_row(
                    Channel, _CHANNEL_FIELDS, channel_values
                )
        role_field, person_field, channel_field = _related_fields(model)
        role_field.set_cached_value(party, role)
        person_field.set_cached_value(party, person)
        channel_field.set_cached_value(party, channel)
        return party

    def _person(self, values: Sequence[Any]) -> Person | None:
        if values[0] is None:
            return None
        person = self._people.get(values[0])
        if person is None:
            person = self._people[values[0]] = from_row(Person, _PERSON_FIELDS, values)
        return person


_ROLE_HOLDER = Role._meta.get_field("holder")


@cache
def _related_fields(model: type[Model]) -> tuple[Any, Any, Any]:
    """A party model's role, person and channel fields, looked up once."""
    meta = model._meta
    return meta.get_field("role"), meta.get_field("person"), meta.get_field("channel")
