"""The rows a document can name: those in the database, and those the import adds.

`KnownRows.load()` reads every existing row the document can touch, in a fixed number of
queries, keyed by natural key (a role by name, a severity by level, a rule by signal...;
names compared as `format.words`). The planners (`planners.py`) match the document's rows
against them, and resolve the names it uses here: a person, a role by name or alias, a
channel, a party (a role, a person, a channel or someone outside the company). A name nobody
knows becomes a new row where the document may create one (a role, a channel), recorded in
the change set (`change_set.py`); otherwise it is an error at the cell that names it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import models
from django.utils.text import slugify

from escalation.models import (
    Channel,
    ChannelKind,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    PagingRule,
    PartyKind,
    Person,
    Role,
    Rotation,
    Service,
    Severity,
    SeverityResponder,
    Team,
    Via,
)
from escalation.models.directory import Party

from . import errors
from .change_set import ChangeSet
from .format import words
from .parsed import PartyText

#: Channels the document may name without listing them in the channels table.
KNOWN_CHANNELS: dict[str, tuple[str, ChannelKind]] = {
    "status page": ("Status page", ChannelKind.STATUS_PAGE),
    "ticket": ("Ticket", ChannelKind.TICKET),
    "pagerduty": ("PagerDuty", ChannelKind.PAGERDUTY),
    "email": ("Email", ChannelKind.EMAIL),
}
#: A party whose first word is one of these is someone outside the company.
EXTERNAL_FIRST_WORDS = frozenset({"vendor", "vendors", "external", "outside", "third party"})


class KnownRows:
    """Existing rows by natural key, joined by the new ones the import records in `changes`."""

    def __init__(self, changes: ChangeSet) -> None:
        self.changes = changes

    def load(self) -> None:
        """Every existing row the document can touch, in a fixed number of queries."""
        people, roles, channels = Person.objects.all(), Role.objects.all(), Channel.objects.all()
        # By pk too: the admin lets two names differ only in case, which `words` makes one.
        self.people_by_pk = {p.pk: p for p in people}
        self.roles_by_pk = {r.pk: r for r in roles}
        self.channels_by_pk = {c.pk: c for c in channels}
        self.people = {words(p.display_name): p for p in people}
        self.teams = {words(t.name): t for t in Team.objects.all()}
        self.roles = {words(r.name): r for r in roles}
        self.channels = {words(c.name): c for c in channels}
        self.services = {words(s.name): s for s in Service.objects.all()}
        self.severities = {s.level: s for s in Severity.objects.all()}
        self.paths = {words(p.name): p for p in EscalationPath.objects.all()}
        self.rules = {words(r.signal): r for r in PagingRule.objects.all()}
        self.rotation = Rotation.objects.order_by("position", "name").first()
        self.slots = list(self.rotation.slots.all()) if self.rotation else []
        self.responders: dict[tuple[int, str], list[SeverityResponder]] = defaultdict(list)
        for responder in SeverityResponder.objects.all():
            self.responders[(responder.severity_id, responder.tier)].append(responder)
        self.steps: dict[int, list[EscalationStep]] = defaultdict(list)
        for step in EscalationStep.objects.all():
            self.steps[step.path_id].append(step)
        self.step_parties: dict[int, list[EscalationStepParty]] = defaultdict(list)
        for party in EscalationStepParty.objects.all():
            self.step_parties[party.step_id].append(party)
        self.step_severities: dict[int, set[int]] = defaultdict(set)
        through = EscalationStep.only_severities.through
        for step_id, severity_id in through.objects.values_list("escalationstep_id", "severity_id"):
            self.step_severities[step_id].add(severity_id)
        all_parties: list[SeverityResponder | EscalationStepParty] = [
            party for group in self.responders.values() for party in group
        ]
        all_parties += [party for group in self.step_parties.values() for party in group]
        self.external_labels = {
            words(party.label) for party in all_parties if party.kind == PartyKind.EXTERNAL
        }
        for collection in (self.people, self.teams, self.roles, self.channels, self.severities):
            self.changes.know(collection.values())
        if self.rotation is not None:
            self.changes.know([self.rotation])
        self.slugs: dict[type[models.Model], set[str]] = {
            Team: {t.slug for t in self.teams.values()},
            Role: {r.slug for r in self.roles.values()},
            Channel: {c.slug for c in self.channels.values()},
            Service: {s.slug for s in self.services.values()},
            EscalationPath: {p.slug for p in self.paths.values()},
        }
        self._alias_index: dict[str, Role] | None = None

    def slug(self, model: type[models.Model], *candidates: str) -> str:
        """A slug for a new row of `model`, from the first of `candidates` that makes one."""
        taken = self.slugs.setdefault(model, set())
        base = next((s for s in (slugify(c) for c in candidates) if s), "item")[:100]
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        return slug

    # Names to rows -----------------------------------------------------------------------

    def person(self, name: str, line: int, column: str) -> Person:
        person = self.people.get(words(name))
        if person is None:
            person = Person(display_name=name)
            self.people[words(name)] = person
        self.changes.record(person, line=line, display=person.display_name, column=column)
        return person

    def new_role(self, name: str, line: int, column: str, team: Team | None = None) -> Role:
        role = Role(name=name, slug=self.slug(Role, name), team=team)
        self.roles[words(name)] = role
        self._alias_index = None
        self.changes.record(role, line=line, display=name, column=column, columns={"name": column})
        return role

    def aliases_changed(self) -> None:
        """Roles' aliases were recorded anew: `role_named` looks them up afresh."""
        self._alias_index = None

    def role_named(self, text: str) -> Role | None:
        """A role by its name, else by its Slack or PagerDuty alias ("Backend lead" = @backend-lead)."""
        said = words(text)
        if said in self.roles:
            return self.roles[said]
        if self._alias_index is None:
            self._alias_index = {}
            for role in sorted(self.roles.values(), key=_contact_order):
                for alias in (role.slack_alias, role.pagerduty_alias):
                    if alias:
                        self._alias_index.setdefault(words(alias.lstrip("@")), role)
        return self._alias_index.get(words(text.lstrip("@")))

    def channel_named(self, text: str, line: int, column: str) -> Channel | None:
        """A channel the document or the database knows; "Ticket only" is the Ticket channel."""
        said = words(text)
        for candidate in (said, said.removesuffix(" only")):
            if candidate in self.channels:
                channel = self.channels[candidate]
                self.changes.record(channel, line=line, display=channel.name, column=column)
                return channel
        if text.startswith("#"):
            return self.new_channel(text, ChannelKind.SLACK, line, column)
        for candidate in (said, said.removesuffix(" only")):
            if candidate in KNOWN_CHANNELS:
                name, kind = KNOWN_CHANNELS[candidate]
                return self.new_channel(name, kind, line, column)
        return None

    def new_channel(self, name: str, kind: ChannelKind, line: int, column: str) -> Channel:
        channel = Channel(name=name, slug=self.slug(Channel, name), kind=kind)
        self.channels[words(name)] = channel
        self.changes.record(
            channel, line=line, display=name, column=column, columns={"name": column}
        )
        return channel

    def party_values(
        self, party: PartyText, *, create_roles: bool, stored: Party | None = None
    ) -> dict[str, Any]:
        """What a party's words mean: its kind and the row it links to.

        `stored` is the party already in the database at the same place (the same rank in its
        severity's tier, or in its step): when the document keeps its words, it keeps what it
        points to, whatever that row is called now. A manager may rename the "Status page"
        channel or label a step "Sec lead": the words stay theirs, the link stays theirs too.
        """
        if (
            stored is not None
            and stored.pk is not None
            and words(stored.label) == words(party.label)
        ):
            return self._stored_values(party, stored)
        values: dict[str, Any] = {
            "kind": party.kind,
            "label": party.label,
            "role": None,
            "person": None,
            "channel": None,
            "via": party.via or Via.ANY,
        }
        kind = party.kind
        if kind == PartyKind.CHANNEL:
            values["channel"] = self.channel_named(party.label, party.line, party.column)
        elif kind is None:
            role = self.role_named(party.label)
            person = None if role else self.people.get(words(party.label))
            channel = (
                None
                if role or person
                else self.channel_named(party.label, party.line, party.column)
            )
            if role is not None:
                values.update(kind=PartyKind.ROLE, role=role)
                self.changes.record(role, line=party.line, display=role.name, column=party.column)
            elif person is not None:
                values.update(kind=PartyKind.PERSON, person=person)
                self.changes.record(
                    person, line=party.line, display=person.display_name, column=party.column
                )
            elif channel is not None:
                values.update(kind=PartyKind.CHANNEL, channel=channel)
            elif self._is_external(party.label):
                values.update(kind=PartyKind.EXTERNAL)
            elif create_roles:
                values.update(
                    kind=PartyKind.ROLE, role=self.new_role(party.label, party.line, party.column)
                )
            else:
                raise self.changes.error(
                    party.line, errors.UNKNOWN_PARTY.format(column=party.column, text=party.label)
                )
        if values["kind"] == PartyKind.CHANNEL and party.via is None:
            values["via"] = Via.TICKET if values["channel"].kind == ChannelKind.TICKET else Via.ANY
        return values

    def _stored_values(self, party: PartyText, stored: Party) -> dict[str, Any]:
        natural = Via.ANY
        if stored.kind == PartyKind.CHANNEL and stored.channel_id is not None:
            channel = self.channels_by_pk.get(stored.channel_id)
            if channel is not None and channel.kind == ChannelKind.TICKET:
                natural = Via.TICKET
        return {
            "kind": stored.kind,
            "label": party.label,
            "role": self.roles_by_pk.get(stored.role_id) if stored.role_id else None,
            "person": self.people_by_pk.get(stored.person_id) if stored.person_id else None,
            "channel": self.channels_by_pk.get(stored.channel_id) if stored.channel_id else None,
            "via": party.via or natural,
        }

    def _is_external(self, label: str) -> bool:
        said = words(label)
        return said in self.external_labels or any(
            said == first or said.startswith(first + " ") for first in EXTERNAL_FIRST_WORDS
        )


def _contact_order(role: Role) -> tuple[int, str]:
    position = role.contact_position
    return (position if position is not None else 10**9, role.name)
