"""The section planners: each parsed section of the document turned into changes to the rows.

`DocumentPlanner.plan()` goes through the sections the document has (contacts first, so that
the roles and people they list are known to the sections that name them) and, row by row,
matches what the document says against the existing rows (`known_rows.py`), then records the
values it wants, with the line and column they come from, in the change set (`change_set.py`),
which validates, writes and reports them. A section the document lacks is left as it is.

What a section no longer lists is deleted only where nothing else can depend on it: the
responders of a severity, the steps of a path and their parties, the slots of the rotation,
paging rules. Services, roles, channels, paths, severities and people the document does not
mention are kept (roles leave the contact table, channels the channels table), and warned of.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from phonenumber_field.phonenumber import PhoneNumber, to_python

from escalation.models import (
    Channel,
    ChannelKind,
    EscalationPath,
    EscalationStep,
    EscalationStepParty,
    PagingRule,
    PathKind,
    Role,
    Rotation,
    RotationSlot,
    Service,
    Severity,
    SeverityResponder,
    SlotRule,
    Team,
)

from . import errors
from .change_set import ChangeSet, e164
from .format import OVERRIDE_LABEL, words
from .known_rows import KNOWN_CHANNELS, KnownRows
from .parsed import (
    ChannelRow,
    ContactRow,
    Document,
    FlowStep,
    PathSpec,
    RotationSection,
    SeverityRow,
)
from .positions import kept_positions

_Positioned = TypeVar("_Positioned", EscalationStep, EscalationStepParty, SeverityResponder)

DEFAULT_ROTATION_NAME = "On-call rotation"
DEFAULT_ROTATION_SLUG = "on-call"


class DocumentPlanner:
    """Plans the import of `document`: its rows matched to `known` ones, recorded in `changes`."""

    def __init__(self, document: Document, known: KnownRows, changes: ChangeSet) -> None:
        self.document = document
        self.known = known
        self.changes = changes

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
        unplaced_from = self._unplaced_contacts_from()
        roles = [self._contact_role(row) for row in self.document.contacts]
        positions = kept_positions([role.contact_position for role in roles[:unplaced_from]])
        for position, (row, role) in enumerate(zip(self.document.contacts, roles, strict=True)):
            listed.add(id(role))
            holder = self.known.person(row.holder, row.line, "Name") if row.holder else None
            if holder is not None and row.phone is not None:
                phone = to_python(row.phone)
                if not isinstance(phone, PhoneNumber) or not phone.is_valid():
                    raise self.changes.error(row.line, errors.BAD_PHONE.format(text=row.phone))
                first = phones.get(id(holder))
                if first is not None and e164(first[1]) != e164(phone):
                    raise self.changes.error(
                        row.line,
                        errors.CONFLICTING_PHONES.format(
                            name=holder.display_name,
                            first=first[0],
                            phone=first[1].as_international,
                        ),
                    )
                phones[id(holder)] = (row.line, phone)
                self.changes.record(
                    holder,
                    line=row.line,
                    display=holder.display_name,
                    column="Phone (emergency)",
                    values={"phone": phone},
                    columns={"phone": "Phone (emergency)", "display_name": "Name"},
                )
            self.changes.record(
                role,
                line=row.line,
                display=row.role,
                column="Role",
                values={
                    "name": row.role,
                    "slack_alias": row.slack_alias,
                    "pagerduty_alias": row.pagerduty_alias,
                    "holder": holder,
                    "contact_position": positions[position] if position < unplaced_from else None,
                },
                columns={
                    "name": "Role",
                    "slack_alias": "Slack",
                    "pagerduty_alias": "PagerDuty",
                },
            )
        for role in list(self.known.roles.values()):
            if id(role) not in listed and role.contact_position is not None:
                self.changes.record(
                    role,
                    line=1,
                    display=role.name,
                    column="Role",
                    values={"contact_position": None},
                )
        self.known.aliases_changed()

    def _contact_role(self, row: ContactRow) -> Role:
        """The role a contact row names: by name, else a listed role with its Slack alias, else
        a new one."""
        role = self.known.roles.get(words(row.role))
        if role is None and row.slack_alias:
            role = next(
                (
                    r
                    for r in self.known.roles.values()
                    if r.slack_alias
                    and words(r.slack_alias) == words(row.slack_alias)
                    and r.contact_position is not None
                ),
                None,
            )
        if role is None:
            role = self.known.new_role(row.role, row.line, "Role")
        self.known.roles[words(row.role)] = role
        return role

    def _unplaced_contacts_from(self) -> int:
        """Where the roles the export lists without a place in the table begin: the last rows,
        each a held role that has no `contact_position` (added in the admin). They keep none,
        so exporting and importing again changes nothing."""
        rows = self.document.contacts or ()
        start = len(rows)
        while start > 0:
            row = rows[start - 1]
            role = self.known.roles.get(words(row.role))
            if role is None or role.contact_position is not None or row.holder is None:
                break
            start -= 1
        return start

    def plan_rotation(self, section: RotationSection) -> None:
        if not section.rows and section.cadence is None:
            return
        cadence = section.cadence
        assert cadence is not None
        rotation = self.known.rotation
        if rotation is None:
            rotation = Rotation(name=DEFAULT_ROTATION_NAME, slug=DEFAULT_ROTATION_SLUG)
            self.known.rotation = rotation
        swap_channel_before = rotation.swap_channel if rotation.pk else ""
        self.changes.record(
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
            self.changes.row(rotation).line = section.swap_line
            # As for a party: the words the rotation already has keep the channel it has, even
            # renamed in the admin (the rotation names it by its words, not by a link).
            if words(section.swap_channel) != words(swap_channel_before):
                self.plan_swap_channel(section)
        existing = {words(slot.label): slot for slot in self.known.slots}
        slots: list[RotationSlot] = []
        for row in section.rows:
            found = existing.pop(words(row.label), None)
            slots.append(found if found is not None else RotationSlot(rotation=rotation))
        positions = kept_positions([slot.position if slot.pk else None for slot in slots])
        for position, row, slot in zip(positions, section.rows, slots, strict=True):
            primary = self.known.person(row.primary, row.line, "Primary")
            secondary = (
                self.known.person(row.secondary, row.line, "Secondary") if row.secondary else None
            )
            self.changes.record(
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
            self.changes.delete(slot, f"{rotation.name}: {slot.label}")

    def plan_swap_channel(self, section: RotationSection) -> None:
        """The channel where override requests are posted is one of the channels (outside the
        channels table, as the severity matrix's are), for what it is used for."""
        channel = self.known.channel_named(section.swap_channel, section.swap_line, OVERRIDE_LABEL)
        if channel is not None and not channel.purpose:
            self.changes.record(
                channel,
                line=section.swap_line,
                display=channel.name,
                column=OVERRIDE_LABEL,
                values={"purpose": OVERRIDE_LABEL},
                columns={"purpose": OVERRIDE_LABEL},
            )

    def plan_channels(self) -> None:
        assert self.document.channels is not None
        listed: set[int] = set()
        channels = [self._listed_channel(row) for row in self.document.channels]
        positions = kept_positions([channel.position for channel in channels])
        for position, row, channel in zip(positions, self.document.channels, channels, strict=True):
            listed.add(id(channel))
            self.changes.record(
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
        for channel in self.known.channels.values():
            if id(channel) not in listed and channel.position is not None:
                self.changes.record(
                    channel,
                    line=1,
                    display=channel.name,
                    column="Channel",
                    values={"position": None},
                )

    def _listed_channel(self, row: ChannelRow) -> Channel:
        channel = self.known.channels.get(words(row.name))
        if channel is None:
            kind = ChannelKind.SLACK if row.name.startswith("#") else None
            if kind is None:
                kind = KNOWN_CHANNELS.get(words(row.name), (row.name, ChannelKind.OTHER))[1]
            channel = self.known.new_channel(row.name, kind, row.line, "Channel")
        return channel

    def plan_services(self) -> None:
        assert self.document.services is not None
        team_channels: set[int] = set()
        rows = self.document.services
        current = [self.known.services.get(words(row.name)) for row in rows]
        positions = kept_positions(
            [service.position if service else None for service in current],
            [row.name for row in rows],
        )
        for position, row in zip(positions, rows, strict=True):
            team = self.known.teams.get(words(row.team))
            if team is None:
                team = Team(name=row.team, slug=self.known.slug(Team, row.team))
                self.known.teams[words(row.team)] = team
            team_values: dict[str, Any] = {}
            # The document has no column for a team's own channel: a team without one takes
            # its first service's; one chosen in the admin is kept.
            if row.slack_channel and id(team) not in team_channels and not team.slack_channel:
                team_channels.add(id(team))
                team_values["slack_channel"] = row.slack_channel
            self.changes.record(
                team,
                line=row.line,
                display=team.name,
                column="Team",
                values=team_values,
                columns={"name": "Team", "slack_channel": "Slack Channel"},
            )
            contact = None
            if row.primary_contact:
                contact = self.known.role_named(row.primary_contact) or self.known.new_role(
                    row.primary_contact, row.line, "Primary Contact", team=team
                )
                # A role the import creates belongs to the team of the first service it answers
                # for; an existing one keeps the team chosen in the admin, or none.
                keep_team = contact.pk is not None or contact.team is not None
                self.changes.record(
                    contact,
                    line=row.line,
                    display=contact.name,
                    column="Primary Contact",
                    values={} if keep_team else {"team": team},
                )
            service = self.known.services.get(words(row.name))
            if service is None:
                service = Service(name=row.name, slug=self.known.slug(Service, row.name))
                self.known.services[words(row.name)] = service
            self.changes.record(
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
        for key, service in self.known.services.items():
            if key not in listed:
                self.changes.warn(
                    1, errors.NOT_IN_DOCUMENT.format(model="Service", name=service.name)
                )

    def plan_paths(self, paths: Sequence[PathSpec]) -> None:
        current = [self.known.paths.get(words(spec.title)) for spec in paths]
        positions = kept_positions(
            [path.position if path else None for path in current], [spec.title for spec in paths]
        )
        for position, spec, path in zip(positions, paths, current, strict=True):
            if path is None:
                path = EscalationPath(
                    name=spec.title, slug=self.known.slug(EscalationPath, spec.title)
                )
                self.known.paths[words(spec.title)] = path
            # The title's words give a new path its kind; one chosen in the admin is kept.
            kind = spec.kind if path.pk is None else PathKind(path.kind)
            self.changes.record(
                path,
                line=spec.line,
                display=spec.title,
                column="Escalation path",
                values={"name": spec.title, "kind": kind, "position": position},
                columns={"name": "Escalation path"},
            )
            # Steps, like the parties of a step or a severity's tier, are matched in order.
            existing = by_position(self.known.steps.get(path.pk, []) if path.pk else [])
            steps = [
                existing[number] if number < len(existing) else EscalationStep(path=path)
                for number in range(len(spec.steps))
            ]
            step_positions = kept_positions([step.position for step in steps])
            for number, (step, flow) in enumerate(zip(steps, spec.steps, strict=True)):
                self.plan_step(path, step, number, step_positions[number], flow)
            for step in existing[len(spec.steps) :]:
                self.changes.delete(step, f"{path.name} step {step.position + 1}")

    def plan_step(
        self, path: EscalationPath, step: EscalationStep, number: int, position: int, flow: FlowStep
    ) -> None:
        display = f"{path.name} step {number + 1}"
        self.changes.record(
            step,
            line=flow.line,
            display=display,
            column="Flowchart",
            values={
                "position": position,
                "after_minutes": flow.after_minutes,
                "condition": flow.condition,
                "note": flow.note,
            },
            columns={"condition": "Flowchart", "note": "Flowchart"},
        )
        wanted = [self.severity(level, flow.line) for level in flow.only_severities]
        current = self.known.step_severities.get(step.pk, set()) if step.pk else set()
        self.changes.record_many(
            step, "only_severities", wanted, current=current, empty="every severity"
        )
        existing = by_position(self.known.step_parties.get(step.pk, []) if step.pk else [])
        parties = [
            existing[index] if index < len(existing) else EscalationStepParty(step=step)
            for index in range(len(flow.parties))
        ]
        positions = kept_positions([party.position if party.pk else None for party in parties])
        for position, text, party in zip(positions, flow.parties, parties, strict=True):
            values = self.known.party_values(text, create_roles=True, stored=party)
            self.changes.record(
                party,
                line=flow.line,
                display=f"{display}: {text.label}",
                column="Flowchart",
                values={**values, "position": position},
                columns={"label": "Flowchart"},
            )
        for party in existing[len(flow.parties) :]:
            self.changes.delete(party, f"{display}: {party.label}")

    def severity(self, level: int, line: int) -> Severity:
        severity = self.known.severities.get(level)
        if severity is None:
            listed = {row.level for row in self.document.severities or ()}
            if level not in listed:
                raise self.changes.error(line, errors.NO_SUCH_SEVERITY.format(name=f"SEV{level}"))
            severity = Severity(level=level)
            self.known.severities[level] = severity
        return severity

    def plan_severities(self, rows: Iterable[SeverityRow]) -> None:
        for row in rows:
            severity = self.severity(row.level, row.line)
            self.changes.record(
                severity, line=row.line, display=f"SEV{row.level}", column="Severity"
            )
            for tier, parties in row.tiers.items():
                existing = by_position(
                    self.known.responders.get((severity.pk, tier), []) if severity.pk else []
                )
                responders = [
                    existing[index]
                    if index < len(existing)
                    else SeverityResponder(severity=severity, tier=tier)
                    for index in range(len(parties))
                ]
                positions = kept_positions([r.position if r.pk else None for r in responders])
                for number, (position, text, responder) in enumerate(
                    zip(positions, parties, responders, strict=True)
                ):
                    values = self.known.party_values(text, create_roles=False, stored=responder)
                    self.changes.record(
                        responder,
                        line=row.line,
                        display=f"SEV{row.level} {tier} {number + 1}: {text.label}",
                        column=text.column,
                        values={**values, "position": position},
                        columns={"label": text.column},
                    )
                for responder in existing[len(parties) :]:
                    self.changes.delete(
                        responder,
                        f"SEV{row.level} {tier} {responder.position + 1}: {responder.label}",
                    )

    def plan_paging(self) -> None:
        assert self.document.paging is not None
        listed: set[str] = set()
        rows = self.document.paging
        current = [self.known.rules.get(words(row.signal)) for row in rows]
        positions = kept_positions(
            [rule.position if rule else None for rule in current], [row.signal for row in rows]
        )
        for position, row in zip(positions, rows, strict=True):
            channels = []
            for name in row.channels:
                channel = self.known.channel_named(name, row.line, "Channel")
                if channel is None:
                    raise self.changes.error(
                        row.line, errors.UNKNOWN_CHANNEL.format(column="Channel", text=name)
                    )
                channels.append(channel)
            rule = self.known.rules.get(words(row.signal)) or PagingRule()
            listed.add(words(row.signal))
            self.changes.record(
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
        for key, rule in self.known.rules.items():
            if key not in listed:
                self.changes.delete(rule, rule.signal)


def by_position(rows: Iterable[_Positioned]) -> list[_Positioned]:
    return sorted(rows, key=lambda row: row.position)
