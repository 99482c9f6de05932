"""Load the escalation document into the database: idempotent, atomic, validated.

`import_document(text, source=...)` parses the whole document first (syntax errors stop it
before anything is read from the database), then plans every row against the existing ones,
loaded in bulk and matched by natural key (a role by name, a service by name, a responder by
severity, tier and position...), then writes inside one transaction, `full_clean()` before each
save. Any error raises `DocumentError` (`PATH:LINE: message`) and the transaction rolls back:
the database is left exactly as it was. Rows that did not change are not saved again, so
importing twice changes nothing and records no history.

What the document no longer lists is removed only where nothing else can depend on it: the
responders of a severity, the steps of a path and their parties, the slots of the rotation,
paging rules. Services, roles, channels, paths, severities and people the document does not
mention are kept (roles leave the contact table, channels the channels table), and warned of.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.text import slugify
from phonenumber_field.phonenumber import PhoneNumber, to_python
from simple_history.utils import bulk_create_with_history

from escalation.cache import bump_data_version
from escalation.models import (
    Channel,
    ChannelKind,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    PagingRule,
    PartyKind,
    PathKind,
    Person,
    Role,
    Rotation,
    RotationSlot,
    Service,
    Severity,
    SeverityResponder,
    SlotRule,
    Team,
    Via,
)

from . import errors
from .errors import DocumentError, DocumentWarning
from .format import words
from .parsed import Document, FlowStep, PartyText, PathSpec, RotationSection, SeverityRow
from .parser import parse_document

DEFAULT_ROTATION_NAME = "On-call rotation"
DEFAULT_ROTATION_SLUG = "on-call"


IMPORT_REASON = "Imported from {source}"

#: Channels the document may name without listing them in the channels table.
KNOWN_CHANNELS: dict[str, tuple[str, ChannelKind]] = {
    "status page": ("Status page", ChannelKind.STATUS_PAGE),
    "ticket": ("Ticket", ChannelKind.TICKET),
    "pagerduty": ("PagerDuty", ChannelKind.PAGERDUTY),
    "email": ("Email", ChannelKind.EMAIL),
}
#: A party whose first word is one of these is someone outside the company.
EXTERNAL_FIRST_WORDS = frozenset({"vendor", "vendors", "external", "outside", "third party"})

#: The order rows are saved in: what a row points to is saved before it.
MODEL_ORDER: tuple[type[models.Model], ...] = (
    Person,
    Team,
    Role,
    Channel,
    Rotation,
    RotationSlot,
    Service,
    Severity,
    SeverityResponder,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    PagingRule,
)


@dataclass
class ModelCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    source: str
    dry_run: bool = False
    counts: dict[str, ModelCounts] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    warnings: list[DocumentWarning] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.deleted for c in self.counts.values())

    def summary_lines(self) -> list[str]:
        """The counts per model as a small aligned table."""
        width = max([len(name) for name in self.counts] + [5])
        lines = [f"{'Model':<{width}}  created  updated  unchanged  deleted"]
        for name, c in self.counts.items():
            lines.append(
                f"{name:<{width}}  {c.created:>7}  {c.updated:>7}  {c.unchanged:>9}  {c.deleted:>7}"
            )
        return lines


@dataclass
class _Row:
    """One row the import creates or looks at, and where in the document it comes from."""

    obj: models.Model
    line: int
    display: str
    column: str
    created: bool
    changes: list[str] = field(default_factory=list)
    #: Model field → the document's column, for validation messages.
    columns: dict[str, str] = field(default_factory=dict)


class _Importer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.source = document.source
        self.rows: dict[type[models.Model], dict[int, _Row]] = {m: {} for m in MODEL_ORDER}
        self.deletions: list[tuple[models.Model, str]] = []
        self.m2m: list[tuple[EscalationStep, list[Severity]]] = []
        self.warnings: list[DocumentWarning] = list(document.warnings)

    def error(self, line: int, message: str) -> DocumentError:
        return DocumentError(self.source, line, message)

    # Loading -----------------------------------------------------------------------------

    def load(self) -> None:
        """Every existing row the document can touch, in a fixed number of queries."""
        self.people = {words(p.display_name): p for p in Person.objects.all()}
        self.teams = {words(t.name): t for t in Team.objects.all()}
        self.roles = {words(r.name): r for r in Role.objects.all()}
        self.channels = {words(c.name): c for c in Channel.objects.all()}
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
        self.by_pk: dict[tuple[type[models.Model], Any], models.Model] = {}
        for collection in (self.people, self.teams, self.roles, self.channels, self.severities):
            for obj in collection.values():
                self.by_pk[(type(obj), obj.pk)] = obj
        if self.rotation is not None:
            self.by_pk[(Rotation, self.rotation.pk)] = self.rotation
        self.slugs: dict[type[models.Model], set[str]] = {
            Team: {t.slug for t in self.teams.values()},
            Role: {r.slug for r in self.roles.values()},
            Channel: {c.slug for c in self.channels.values()},
            Service: {s.slug for s in self.services.values()},
            EscalationPath: {p.slug for p in self.paths.values()},
        }
        self._alias_index: dict[str, Role] | None = None

    # Recording ---------------------------------------------------------------------------

    def _slug(self, model: type[models.Model], *candidates: str) -> str:
        taken = self.slugs.setdefault(model, set())
        base = next((s for s in (slugify(c) for c in candidates) if s), "item")[:100]
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        return slug

    def _display_value(self, value: Any, fk_model: type[models.Model] | None = None) -> str:
        if fk_model is not None:
            obj = self.by_pk.get((fk_model, value)) if value is not None else None
            return "—" if value is None else str(obj if obj is not None else value)
        if value is None or value == "":
            return "—"
        if isinstance(value, PhoneNumber):
            return value.as_international
        return str(value)

    def record(
        self,
        obj: models.Model,
        *,
        line: int,
        display: str,
        column: str,
        values: dict[str, Any] | None = None,
        columns: dict[str, str] | None = None,
    ) -> models.Model:
        """Set `values` on `obj` (new when it has no pk) and remember what changed."""
        model = type(obj)
        row = self.rows[model].get(id(obj))
        if row is None:
            row = _Row(obj, line, display, column, created=obj.pk is None)
            self.rows[model][id(obj)] = row
        row.columns.update(columns or {})
        for name, new in (values or {}).items():
            model_field = obj._meta.get_field(name)
            if model_field.many_to_one:
                assert isinstance(model_field, models.ForeignKey)
                old_id = getattr(obj, model_field.attname)
                differs = (
                    (old_id is not None) if new is None else (new.pk is None or new.pk != old_id)
                )
                if differs:
                    if not row.created:
                        old = self._display_value(old_id, model_field.related_model)  # type: ignore[arg-type]
                        row.changes.append(f"{name}: {old} → {self._display_value(new)}")
                    setattr(obj, name, new)
                continue
            old_value = getattr(obj, name)
            if isinstance(new, PhoneNumber) or isinstance(old_value, PhoneNumber):
                differs = _e164(old_value) != _e164(new)
            else:
                differs = old_value != new
            if differs:
                if not row.created:
                    row.changes.append(
                        f"{name}: {self._display_value(old_value)} → {self._display_value(new)}"
                    )
                setattr(obj, name, new)
        return obj

    def delete(self, obj: models.Model, display: str) -> None:
        self.deletions.append((obj, display))

    # Names to rows -----------------------------------------------------------------------

    def person(self, name: str, line: int, column: str) -> Person:
        person = self.people.get(words(name))
        if person is None:
            person = Person(display_name=name)
            self.people[words(name)] = person
        self.record(person, line=line, display=person.display_name, column=column)
        return person

    def new_role(self, name: str, line: int, column: str, team: Team | None = None) -> Role:
        role = Role(name=name, slug=self._slug(Role, name), team=team)
        self.roles[words(name)] = role
        self._alias_index = None
        self.record(role, line=line, display=name, column=column, columns={"name": column})
        return role

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
                self.record(channel, line=line, display=channel.name, column=column)
                return channel
        if text.startswith("#"):
            return self.new_channel(text, ChannelKind.SLACK, line, column)
        for candidate in (said, said.removesuffix(" only")):
            if candidate in KNOWN_CHANNELS:
                name, kind = KNOWN_CHANNELS[candidate]
                return self.new_channel(name, kind, line, column)
        return None

    def new_channel(self, name: str, kind: ChannelKind, line: int, column: str) -> Channel:
        channel = Channel(name=name, slug=self._slug(Channel, name), kind=kind)
        self.channels[words(name)] = channel
        self.record(channel, line=line, display=name, column=column, columns={"name": column})
        return channel

    def party_values(self, party: PartyText, *, create_roles: bool) -> dict[str, Any]:
        """What a party's words mean: its kind and the row it links to."""
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
                self.record(role, line=party.line, display=role.name, column=party.column)
            elif person is not None:
                values.update(kind=PartyKind.PERSON, person=person)
                self.record(
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
                raise self.error(
                    party.line, errors.UNKNOWN_PARTY.format(column=party.column, text=party.label)
                )
        if values["kind"] == PartyKind.CHANNEL and party.via is None:
            values["via"] = Via.TICKET if values["channel"].kind == ChannelKind.TICKET else Via.ANY
        return values

    def _is_external(self, label: str) -> bool:
        said = words(label)
        return said in self.external_labels or any(
            said == first or said.startswith(first + " ") for first in EXTERNAL_FIRST_WORDS
        )

    # Sections ----------------------------------------------------------------------------

    def plan(self) -> None:
        document = self.document
        if document.contacts is not None:
            self.plan_contacts()
        if document.rotation is not None:
            self.plan_rotation(document.rotation)
        if document.channels is not None:
            self.plan_channels()
        if document.services is not None:
            self.plan_services()
        if document.paths is not None:
            self.plan_paths(document.paths)
        if document.severities is not None:
            self.plan_severities(document.severities)
        if document.paging is not None:
            self.plan_paging()

    def plan_contacts(self) -> None:
        assert self.document.contacts is not None
        phones: dict[int, tuple[int, PhoneNumber]] = {}
        listed: set[int] = set()
        for position, row in enumerate(self.document.contacts):
            role = self.roles.get(words(row.role))
            if role is None and row.slack_alias:
                role = next(
                    (
                        r
                        for r in self.roles.values()
                        if r.slack_alias
                        and words(r.slack_alias) == words(row.slack_alias)
                        and r.contact_position is not None
                    ),
                    None,
                )
            if role is None:
                role = self.new_role(row.role, row.line, "Role")
            self.roles[words(row.role)] = role
            listed.add(id(role))
            holder = self.person(row.holder, row.line, "Name") if row.holder else None
            if holder is not None and row.phone is not None:
                phone = to_python(row.phone)
                if not isinstance(phone, PhoneNumber) or not phone.is_valid():
                    raise self.error(row.line, errors.BAD_PHONE.format(text=row.phone))
                first = phones.get(id(holder))
                if first is not None and _e164(first[1]) != _e164(phone):
                    raise self.error(
                        row.line,
                        errors.CONFLICTING_PHONES.format(
                            name=holder.display_name,
                            first=first[0],
                            phone=first[1].as_international,
                        ),
                    )
                phones[id(holder)] = (row.line, phone)
                self.record(
                    holder,
                    line=row.line,
                    display=holder.display_name,
                    column="Phone (emergency)",
                    values={"phone": phone},
                    columns={"phone": "Phone (emergency)", "display_name": "Name"},
                )
            self.record(
                role,
                line=row.line,
                display=row.role,
                column="Role",
                values={
                    "name": row.role,
                    "slack_alias": row.slack_alias,
                    "pagerduty_alias": row.pagerduty_alias,
                    "holder": holder,
                    "contact_position": position,
                },
                columns={
                    "name": "Role",
                    "slack_alias": "Slack",
                    "pagerduty_alias": "PagerDuty",
                },
            )
        for role in list(self.roles.values()):
            if id(role) not in listed and role.contact_position is not None:
                self.record(
                    role,
                    line=1,
                    display=role.name,
                    column="Role",
                    values={"contact_position": None},
                )
        self._alias_index = None

    def plan_rotation(self, section: RotationSection) -> None:
        if not section.rows and section.cadence is None:
            return
        cadence = section.cadence
        assert cadence is not None
        rotation = self.rotation
        if rotation is None:
            rotation = Rotation(name=DEFAULT_ROTATION_NAME, slug=DEFAULT_ROTATION_SLUG)
            self.rotation = rotation
        self.record(
            rotation,
            line=cadence.line,
            display=rotation.name,
            column="Rotation cadence",
            values={
                "shift_days": cadence.shift_days,
                "handoff_weekday": int(cadence.handoff_weekday),
                "handoff_time": cadence.handoff_time,
                "time_zone": cadence.time_zone,
                "slot_rule": SlotRule.ALTERNATION
                if cadence.anchor_date
                else SlotRule.ISO_WEEK_PARITY,
                "anchor_date": cadence.anchor_date,
                "schedule_note": section.schedule_note,
                "swap_channel": section.swap_channel,
            },
            columns={
                "swap_channel": "Override requests",
                "schedule_note": "On-call schedule",
                "time_zone": "Rotation cadence",
            },
        )
        if section.swap_channel:
            self.rows[Rotation][id(rotation)].line = section.swap_line
        existing = {words(slot.label): slot for slot in self.slots}
        for position, row in enumerate(section.rows):
            slot = existing.pop(words(row.label), None) or RotationSlot(rotation=rotation)
            primary = self.person(row.primary, row.line, "Primary")
            secondary = self.person(row.secondary, row.line, "Secondary") if row.secondary else None
            self.record(
                slot,
                line=row.line,
                display=f"{rotation.name}: {row.label}",
                column="Week",
                values={
                    "position": position,
                    "label": row.label,
                    "week_parity": row.week_parity,
                    "primary": primary,
                    "secondary": secondary,
                },
                columns={"label": "Week"},
            )
        for slot in existing.values():
            self.delete(slot, f"{rotation.name}: {slot.label}")

    def plan_channels(self) -> None:
        assert self.document.channels is not None
        listed: set[int] = set()
        for position, row in enumerate(self.document.channels):
            channel = self.channels.get(words(row.name))
            if channel is None:
                kind = ChannelKind.SLACK if row.name.startswith("#") else None
                if kind is None:
                    kind = KNOWN_CHANNELS.get(words(row.name), (row.name, ChannelKind.OTHER))[1]
                channel = self.new_channel(row.name, kind, row.line, "Channel")
            listed.add(id(channel))
            self.record(
                channel,
                line=row.line,
                display=row.name,
                column="Channel",
                values={
                    "name": row.name,
                    "purpose": row.purpose,
                    "who_posts": row.who_posts,
                    "position": position,
                },
                columns={"name": "Channel", "purpose": "Purpose", "who_posts": "Who Posts"},
            )
        for channel in self.channels.values():
            if id(channel) not in listed and channel.position is not None:
                self.record(
                    channel,
                    line=1,
                    display=channel.name,
                    column="Channel",
                    values={"position": None},
                )

    def plan_services(self) -> None:
        assert self.document.services is not None
        team_channels: set[int] = set()
        for position, row in enumerate(self.document.services):
            team = self.teams.get(words(row.team))
            if team is None:
                team = Team(name=row.team, slug=self._slug(Team, row.team))
                self.teams[words(row.team)] = team
            team_values: dict[str, Any] = {}
            if row.slack_channel and id(team) not in team_channels:
                team_channels.add(id(team))
                team_values["slack_channel"] = row.slack_channel
            self.record(
                team,
                line=row.line,
                display=team.name,
                column="Team",
                values=team_values,
                columns={"name": "Team", "slack_channel": "Slack Channel"},
            )
            contact = None
            if row.primary_contact:
                contact = self.role_named(row.primary_contact) or self.new_role(
                    row.primary_contact, row.line, "Primary Contact", team=team
                )
                # A role without a team belongs to the team of the first service it answers for.
                keep_team = contact.team_id is not None or contact.team is not None
                self.record(
                    contact,
                    line=row.line,
                    display=contact.name,
                    column="Primary Contact",
                    values={} if keep_team else {"team": team},
                )
            service = self.services.get(words(row.name))
            if service is None:
                service = Service(name=row.name, slug=self._slug(Service, row.name))
                self.services[words(row.name)] = service
            self.record(
                service,
                line=row.line,
                display=row.name,
                column="Service / Component",
                values={
                    "name": row.name,
                    "team": team,
                    "primary_contact": contact,
                    "slack_channel": row.slack_channel,
                    "position": position,
                },
                columns={"name": "Service / Component", "slack_channel": "Slack Channel"},
            )
        listed = {words(row.name) for row in self.document.services}
        for key, service in self.services.items():
            if key not in listed:
                self.warnings.append(
                    DocumentWarning(
                        self.source,
                        1,
                        errors.NOT_IN_DOCUMENT.format(model="Service", name=service.name),
                    )
                )

    def plan_paths(self, paths: Iterable[PathSpec]) -> None:
        for position, spec in enumerate(paths):
            path = self.paths.get(words(spec.title))
            if path is None:
                path = EscalationPath(name=spec.title, slug=self._slug(EscalationPath, spec.title))
                self.paths[words(spec.title)] = path
            kind = spec.kind
            if path.pk is not None and kind == PathKind.OTHER:
                kind = PathKind(
                    path.kind
                )  # the title says no kind: keep the one chosen in the admin
            self.record(
                path,
                line=spec.line,
                display=spec.title,
                column="Escalation path",
                values={"name": spec.title, "kind": kind, "position": position},
                columns={"name": "Escalation path"},
            )
            existing = (
                {step.position: step for step in self.steps.get(path.pk, [])} if path.pk else {}
            )
            for number, flow in enumerate(spec.steps):
                step = existing.pop(number, None) or EscalationStep(path=path)
                self.plan_step(path, step, number, flow)
            for step in existing.values():
                self.delete(step, f"{path.name} step {step.position + 1}")

    def plan_step(
        self, path: EscalationPath, step: EscalationStep, number: int, flow: FlowStep
    ) -> None:
        display = f"{path.name} step {number + 1}"
        self.record(
            step,
            line=flow.line,
            display=display,
            column="Flowchart",
            values={
                "position": number,
                "after_minutes": flow.after_minutes,
                "condition": flow.condition,
                "note": flow.note,
            },
            columns={"condition": "Flowchart", "note": "Flowchart"},
        )
        wanted = [self.severity(level, flow.line) for level in flow.only_severities]
        current = self.step_severities.get(step.pk, set()) if step.pk else set()
        if {s.pk for s in wanted} != current or any(s.pk is None for s in wanted):
            row = self.rows[EscalationStep][id(step)]
            if not row.created:
                old = (
                    ", ".join(sorted(str(self.by_pk.get((Severity, pk), pk)) for pk in current))
                    or "every severity"
                )
                new = ", ".join(s.name for s in wanted) or "every severity"
                row.changes.append(f"only_severities: {old} → {new}")
            self.m2m.append((step, wanted))
        existing = {p.position: p for p in self.step_parties.get(step.pk, [])} if step.pk else {}
        for position, text in enumerate(flow.parties):
            party = existing.pop(position, None) or EscalationStepParty(step=step)
            values = self.party_values(text, create_roles=True)
            self.record(
                party,
                line=flow.line,
                display=f"{display}: {text.label}",
                column="Flowchart",
                values={**values, "position": position},
                columns={"label": "Flowchart"},
            )
        for party in existing.values():
            self.delete(party, f"{display}: {party.label}")

    def severity(self, level: int, line: int) -> Severity:
        severity = self.severities.get(level)
        if severity is None:
            listed = {row.level for row in self.document.severities or ()}
            if level not in listed:
                raise self.error(line, errors.NO_SUCH_SEVERITY.format(name=f"SEV{level}"))
            severity = Severity(level=level)
            self.severities[level] = severity
        return severity

    def plan_severities(self, rows: Iterable[SeverityRow]) -> None:
        for row in rows:
            severity = self.severity(row.level, row.line)
            self.record(severity, line=row.line, display=f"SEV{row.level}", column="Severity")
            for tier, parties in row.tiers.items():
                existing = (
                    {r.position: r for r in self.responders.get((severity.pk, tier), [])}
                    if severity.pk
                    else {}
                )
                for position, text in enumerate(parties):
                    responder = existing.pop(position, None) or SeverityResponder(
                        severity=severity, tier=tier
                    )
                    values = self.party_values(text, create_roles=False)
                    self.record(
                        responder,
                        line=row.line,
                        display=f"SEV{row.level} {tier} {position + 1}: {text.label}",
                        column=text.column,
                        values={**values, "position": position},
                        columns={"label": text.column},
                    )
                for responder in existing.values():
                    self.delete(
                        responder,
                        f"SEV{row.level} {tier} {responder.position + 1}: {responder.label}",
                    )

    def plan_paging(self) -> None:
        assert self.document.paging is not None
        listed: set[str] = set()
        for position, row in enumerate(self.document.paging):
            channels = []
            for name in row.channels:
                channel = self.channel_named(name, row.line, "Channel")
                if channel is None:
                    raise self.error(
                        row.line, errors.UNKNOWN_CHANNEL.format(column="Channel", text=name)
                    )
                channels.append(channel)
            rule = self.rules.get(words(row.signal)) or PagingRule()
            listed.add(words(row.signal))
            self.record(
                rule,
                line=row.line,
                display=row.signal,
                column="Signal",
                values={
                    "signal": row.signal,
                    "action": row.action,
                    "sustained_minutes": row.sustained_minutes,
                    "channel": channels[0],
                    "alternative_channel": channels[1] if len(channels) > 1 else None,
                    "position": position,
                },
                columns={"signal": "Signal", "action": "Action"},
            )
        for key, rule in self.rules.items():
            if key not in listed:
                self.delete(rule, rule.signal)

    # Validation and writing --------------------------------------------------------------

    def _invalid(self, row: _Row, exc: ValidationError) -> DocumentError:
        if hasattr(exc, "error_dict"):
            name, problems = next(iter(exc.error_dict.items()))
            messages = [message for error in problems for message in error.messages]
        else:
            name, messages = NON_FIELD_ERRORS, exc.messages
        if name == NON_FIELD_ERRORS:
            column, value = row.column, row.display
        else:
            column = row.columns.get(name, row.column)
            value = self._display_value(getattr(row.obj, name, ""))
        return self.error(
            row.line,
            errors.INVALID_VALUE.format(column=column, value=value, problem=" ".join(messages)),
        )

    def validate(self) -> None:
        """Every new or changed row's own fields, before anything is written."""
        for model in MODEL_ORDER:
            relations = [f.name for f in model._meta.get_fields() if f.is_relation]
            for row in self.rows[model].values():
                if row.created or row.changes:
                    try:
                        row.obj.full_clean(
                            exclude=relations, validate_unique=False, validate_constraints=False
                        )
                    except ValidationError as exc:
                        raise self._invalid(row, exc) from None

    def write(self) -> None:
        reason = IMPORT_REASON.format(source=self.source)[:100]
        for obj, _display in reversed(self.deletions):
            obj._change_reason = reason  # type: ignore[attr-defined]
            obj.delete()
        self._free_positions()
        for model in MODEL_ORDER:
            new = [row for row in self.rows[model].values() if row.created]
            changed = [row for row in self.rows[model].values() if row.changes and not row.created]
            for row in new + changed:
                self._clean(model, row)
            if new:
                # One INSERT for the rows and one for their history, however many there are.
                with self._database_errors(new[0]):
                    bulk_create_with_history(
                        [row.obj for row in new], model, default_change_reason=reason
                    )
            for row in changed:
                row.obj._change_reason = reason  # type: ignore[attr-defined]
                with self._database_errors(row):
                    row.obj.save()
        for step, severities in self.m2m:
            step.only_severities.set(severities)

    def _clean(self, model: type[models.Model], row: _Row) -> None:
        _point_at_saved(row.obj)
        try:
            # Foreign keys point at rows in hand, just loaded or saved: no query to check that
            # they exist. Uniqueness holds by construction (rows are matched by natural key
            # against all existing ones), and the database enforces it and the check
            # constraints anyway (IntegrityError): a query per check and row would make a
            # 400-service import take seconds on PostgreSQL.
            row.obj.full_clean(
                exclude=_foreign_keys(model), validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            raise self._invalid(row, exc) from None

    @contextmanager
    def _database_errors(self, row: _Row) -> Iterator[None]:
        try:
            yield
        except IntegrityError as exc:
            problem = " ".join(str(exc).split())
            raise self.error(
                row.line,
                errors.INVALID_VALUE.format(column=row.column, value=row.display, problem=problem),
            ) from None

    def _free_positions(self) -> None:
        """Unique positions that move: out of the way first, so two rows can trade places."""
        for model, name in ((Role, "contact_position"), (Channel, "position")):
            moving = [
                row.obj.pk
                for row in self.rows[model].values()
                if not row.created and any(c.startswith(f"{name}:") for c in row.changes)
            ]
            if moving:
                model._default_manager.filter(pk__in=moving).update(**{name: None})
        slots = [
            row.obj.pk
            for row in self.rows[RotationSlot].values()
            if not row.created and any(c.startswith("position:") for c in row.changes)
        ]
        for offset, pk in enumerate(slots):
            RotationSlot.objects.filter(pk=pk).update(position=30000 + offset)

    def report(self, dry_run: bool) -> ImportReport:
        report = ImportReport(source=self.source, dry_run=dry_run, warnings=self.warnings)
        deleted: dict[type[models.Model], int] = defaultdict(int)
        for obj, _display in self.deletions:
            deleted[type(obj)] += 1
        for model in MODEL_ORDER:
            counts = ModelCounts(deleted=deleted[model])
            for row in self.rows[model].values():
                if row.created:
                    counts.created += 1
                    report.changes.append(f'created {model.__name__} "{row.display}"')
                elif row.changes:
                    counts.updated += 1
                    report.changes.append(
                        f'updated {model.__name__} "{row.display}": ' + "; ".join(row.changes)
                    )
                else:
                    counts.unchanged += 1
            report.counts[model.__name__] = counts
        for obj, display in self.deletions:
            report.changes.append(f'deleted {type(obj).__name__} "{display}"')
        return report


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that it rolls back."""


def _foreign_keys(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.many_to_one]


def _point_at_saved(obj: models.Model) -> None:
    """Foreign keys set to rows saved since: their ids, so that full_clean() sees them."""
    for model_field in obj._meta.concrete_fields:
        if isinstance(model_field, models.ForeignKey) and model_field.is_cached(obj):
            related = model_field.get_cached_value(obj)
            if related is not None and getattr(obj, model_field.attname) is None:
                setattr(obj, model_field.attname, related.pk)


def _e164(value: Any) -> str:
    if isinstance(value, PhoneNumber) and value:
        return value.as_e164
    return ""


def _contact_order(role: Role) -> tuple[int, str]:
    position = role.contact_position
    return (position if position is not None else 10**9, role.name)


def import_document(text: str, *, source: str, dry_run: bool = False) -> ImportReport:
    """Import the escalation document `text` (read from `source`, named in messages).

    Raises DocumentError (`PATH:LINE: message`) and writes nothing when anything is wrong.
    With `dry_run`, everything is written and checked inside a transaction that is then
    rolled back: the report says what would change.
    """
    document = parse_document(text, source=source)
    importer = _Importer(document)
    try:
        with transaction.atomic():
            importer.load()
            importer.plan()
            importer.validate()
            importer.write()
            if dry_run:
                raise _DryRun
            if importer.report(dry_run).changed:
                # Bulk writes send no signals: tell the caches (escalation.cache) explicitly.
                bump_data_version()
    except _DryRun:
        pass
    return importer.report(dry_run)
