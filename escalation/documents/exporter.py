"""Write the escalation document from the database, in the bundled document's own format.

The layout, headings, table headers (separator widths included) and emphasis are the bundled
document's (`format.py`, shared with the parser), so exporting right after importing it gives
it back byte for byte, and what the exporter writes the importer reads back to the same rows.
Names and phone numbers are filled in where known; TBD where not. A fixed number of queries,
whatever the size of the data.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Prefetch, Q

from escalation.models import (
    Channel,
    ChannelKind,
    EscalationPath,
    EscalationStep,
    PagingRule,
    PartyKind,
    Role,
    Rotation,
    RotationSlot,
    Service,
    Severity,
    SeverityResponder,
    SlotRule,
    Via,
    Weekday,
)
from escalation.models.directory import Party

from .format import (
    CADENCE_LABEL,
    CHANNEL_TABLE,
    CHANNELS,
    CONTACT_NOTE,
    CONTACT_TABLE,
    CONTACTS,
    ESCAPABLE,
    FLOWCHART_ARROW_LINES,
    MARKUP,
    NOT_REQUIRED,
    ONCALL_CONTACT_CELLS,
    ONCALL_CONTACT_ROWS,
    ONLY_CLAUSE,
    OVERRIDE_LABEL,
    PAGING,
    PAGING_TABLE,
    PATHS,
    ROTATION,
    ROTATION_TABLE,
    SCHEDULE_LABEL,
    SECTION_TITLES,
    SERVICE_TABLE,
    SERVICES,
    SEVERITIES,
    SEVERITY_TABLE,
    SEVERITY_TIERS,
    TBD,
    TITLE,
    VIA_TEXT,
    WEEK_PARITY_TEXT,
    WITHIN_CLAUSE,
    TableFormat,
    plain,
    unquoted,
    week_parity_of,
)

SHIFT_TEXT = {1: "Daily", 7: "Weekly"}


# What the parser reads as syntax, where: a backslash before it makes it text (format.ESCAPABLE).
# Outside code blocks a document is rendered: there Markdown and HTML markup is escaped too
# (`format.MARKUP`), and every backslash, so that a renderer shows the name as it is:
# `<script>` and `[x](javascript:…)` stay text. A flowchart is a code block, shown verbatim.
RENDERED = MARKUP + "\\"
CELL_SYNTAX = "|" + RENDERED
CODE_SPAN_SYNTAX = "|`"
PARTY_SYNTAX = "|()+`"
TABLE_PARTY_SYNTAX = PARTY_SYNTAX + RENDERED
CLAUSE_SYNTAX = "|(),"
HEADING_SYNTAX = "|#" + RENDERED
SLOT_SYNTAX = "|()" + RENDERED


def escape(text: str, syntax: str = CELL_SYNTAX) -> str:
    """A value as document text that reads back as itself: on one line (the format has no line
    breaks inside a value), with a backslash before each character of `syntax`, before a
    backslash the parser would take for an escape, and before emphasis wrapped around it all."""
    text = " ".join(text.splitlines())
    out = []
    for index, char in enumerate(text):
        following = text[index + 1 : index + 2]
        if char in syntax or (char == "\\" and (not following or following in ESCAPABLE)):
            out.append("\\" + char)
        else:
            out.append(char)
    escaped = "".join(out)
    if plain(escaped) != escaped:  # "*draft*" would lose its stars
        escaped = "\\" + escaped
    return escaped


def label_text(party: Party, syntax: str = PARTY_SYNTAX) -> str:
    """A party's words; a leading "#" would make a channel of it."""
    label = escape(party.label, syntax)
    if label.startswith("#") and party.kind != PartyKind.CHANNEL:
        label = "\\" + label
    return label


def cell(text: str) -> str:
    """A table cell's text, on one line; values in it are escaped by the caller."""
    return " ".join(text.splitlines())


def _table(table_format: TableFormat, rows: Iterable[Iterable[str]]) -> list[str]:
    lines = [table_format.header, table_format.separator]
    lines.extend("| " + " | ".join(cell(text) for text in row) + " |" for row in rows)
    return lines


def party_text(party: Party) -> str:
    """A responder as the document writes it: its words, and how to reach it when that is said."""
    natural = Via.ANY
    if (
        party.kind == PartyKind.CHANNEL
        and party.channel
        and party.channel.kind == ChannelKind.TICKET
    ):
        natural = Via.TICKET
    label = label_text(party, TABLE_PARTY_SYNTAX)
    if party.via and party.via != natural:
        return f"{label} ({VIA_TEXT[party.via]})"
    return label


def step_text(step: EscalationStep) -> str:
    """A flowchart box: its parties, then the conditions and note in parentheses."""
    names = " + ".join(label_text(party) for party in step.parties.all()) or TBD
    clauses = []
    severities = sorted(step.only_severities.all(), key=lambda s: s.level)
    if severities:
        clauses.append("/".join(s.name for s in severities) + " only")
    if step.after_minutes is not None:
        unit = "minute" if step.after_minutes == 1 else "minutes"
        clauses.append(f"if not resolved within {step.after_minutes} {unit}")
    if step.condition:
        condition = escape(step.condition, CLAUSE_SYNTAX)
        if WITHIN_CLAUSE.fullmatch(f"if {condition}") or unquoted(condition) != condition:
            condition = f'"{condition}"'
        clauses.append(f"if {condition}")
    if step.note:
        note = escape(step.note, CLAUSE_SYNTAX)
        if (
            ONLY_CLAUSE.fullmatch(note)
            or WITHIN_CLAUSE.fullmatch(note)
            or note.casefold().startswith("if ")
            or unquoted(note) != note
        ):
            note = f'"{note}"'
        clauses.append(note)
    if clauses:
        return f"{names} ({', '.join(clauses)})"
    if names in FLOWCHART_ARROW_LINES:
        # A box named "v" alone would read as an arrow: in emphasis it reads as its name.
        return f"*{names}*"
    return names


def slot_label_text(slot: RotationSlot, *, alternation: bool) -> str:
    """A slot's label, and its week after it where the label's words do not say it:
    "Blue team (Odd weeks)" (`format.SLOT_LABEL_WITH_WEEK`)."""
    label = escape(slot.label, SLOT_SYNTAX)
    said = "" if alternation else week_parity_of(slot.label)
    if slot.week_parity and slot.week_parity != said:
        label += f" ({WEEK_PARITY_TEXT[slot.week_parity]})"
    return label


def cadence_text(rotation: Rotation) -> str:
    days = rotation.shift_days
    every = SHIFT_TEXT.get(days) or (
        f"Every {days // 7} weeks" if days % 7 == 0 else f"Every {days} days"
    )
    text = (
        f"{every}, handoff on {Weekday(rotation.handoff_weekday).label} "
        f"{rotation.handoff_time:%H:%M} {rotation.time_zone}"
    )
    if rotation.slot_rule == SlotRule.ALTERNATION and rotation.anchor_date:
        text += f", alternating from {rotation.anchor_date.isoformat()}"
    return text


def _severities() -> list[str]:
    party_rows = SeverityResponder.objects.select_related("channel").order_by("position")
    severities = Severity.objects.prefetch_related(Prefetch("responders", queryset=party_rows))
    rows = []
    for severity in severities:
        by_tier: dict[str, list[str]] = {tier: [] for tier in SEVERITY_TIERS}
        for responder in severity.responders.all():
            by_tier.setdefault(responder.tier, []).append(party_text(responder))
        rows.append(
            [f"**{severity.name}**"]
            + [" + ".join(by_tier[tier]) or f"_{NOT_REQUIRED}_" for tier in SEVERITY_TIERS]
        )
    return _table(SEVERITY_TABLE, rows)


def _rotation() -> list[str]:
    rotation = (
        Rotation.objects.order_by("position", "name")
        .prefetch_related(
            Prefetch(
                "slots",
                queryset=RotationSlot.objects.select_related("primary", "secondary").order_by(
                    "position"
                ),
            )
        )
        .first()
    )
    if rotation is None:
        return _table(ROTATION_TABLE, [])
    alternation = rotation.slot_rule == SlotRule.ALTERNATION and rotation.anchor_date
    rows = [
        [
            slot_label_text(slot, alternation=bool(alternation)),
            escape(slot.primary.display_name),
            escape(slot.secondary.display_name) if slot.secondary else TBD,
        ]
        for slot in rotation.slots.all()
    ]
    lines = [*_table(ROTATION_TABLE, rows), ""]
    if rotation.schedule_note:
        lines.append(f"**{SCHEDULE_LABEL}:** {escape(rotation.schedule_note, RENDERED)}")
    lines.append(f"**{CADENCE_LABEL}:** {cadence_text(rotation)}")
    if rotation.swap_channel:
        lines.append(f"**{OVERRIDE_LABEL}:** Post in {escape(rotation.swap_channel)} channel")
    return lines


def _services() -> list[str]:
    services = Service.objects.select_related("team", "primary_contact")
    rows = [
        [
            escape(service.name),
            escape(service.team.name),
            escape(service.primary_contact.name) if service.primary_contact else TBD,
            escape(service.slack_channel) or TBD,
        ]
        for service in services
    ]
    return _table(SERVICE_TABLE, rows)


def _paths() -> list[str]:
    steps = EscalationStep.objects.order_by("position").prefetch_related(
        "parties", "only_severities"
    )
    paths = EscalationPath.objects.prefetch_related(Prefetch("steps", queryset=steps))
    lines: list[str] = []
    for path in paths:
        lines += ["", f"### {escape(path.name, HEADING_SYNTAX)}", "", "```"]
        for number, step in enumerate(path.steps.all()):
            if number:
                lines += ["    |", "    v"]
            lines.append(step_text(step))
        lines.append("```")
    return lines[1:]


def _channels() -> list[str]:
    channels = Channel.objects.filter(position__isnull=False).order_by("position")
    rows = [
        [
            f"`{escape(channel.name, CODE_SPAN_SYNTAX)}`"
            if channel.name.startswith("#")
            else escape(channel.name),
            escape(channel.purpose),
            escape(channel.who_posts),
        ]
        for channel in channels
    ]
    return _table(CHANNEL_TABLE, rows)


def _contacts() -> list[str]:
    # The table's roles in their order, then every other role someone holds (added in the
    # admin without a place in the table), by name: the importer keeps those without a place.
    roles = list(
        Role.objects.filter(Q(contact_position__isnull=False) | Q(holder__isnull=False))
        .select_related("holder")
        .order_by(F("contact_position").asc(nulls_last=True), "name")
    )
    rows = [[name, *ONCALL_CONTACT_CELLS] for name in ONCALL_CONTACT_ROWS]
    tbd = False
    for role in roles:
        holder = role.holder
        phone = holder.phone.as_international if holder and holder.phone else TBD
        row = [
            escape(role.name),
            escape(holder.display_name) if holder else TBD,
            escape(role.slack_alias) or TBD,
            escape(role.pagerduty_alias) or TBD,
            phone,
        ]
        tbd = tbd or TBD in row
        rows.append(row)
    note = [f"_{CONTACT_NOTE}_", ""] if tbd else []
    return [*note, *_table(CONTACT_TABLE, rows)]


def _paging() -> list[str]:
    rules = PagingRule.objects.select_related("channel", "alternative_channel")
    rows = []
    for rule in rules:
        channel = escape(rule.channel.name)
        if rule.alternative_channel:
            channel += f" or {escape(rule.alternative_channel.name)}"
        rows.append([escape(rule.signal), rule.action_text, channel])
    return _table(PAGING_TABLE, rows)


SECTION_WRITERS = {
    SEVERITIES: _severities,
    ROTATION: _rotation,
    SERVICES: _services,
    PATHS: _paths,
    CHANNELS: _channels,
    CONTACTS: _contacts,
    PAGING: _paging,
}


def export_document() -> str:
    """The whole escalation document as Markdown, ending with one newline."""
    lines = [f"# {TITLE}"]
    for key, title in SECTION_TITLES.items():
        body = SECTION_WRITERS[key]()
        lines += ["", f"## {title}", ""]
        lines += body
    return "\n".join(lines) + "\n"
