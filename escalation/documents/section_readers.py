"""The readers of the document's sections: a section's lines into parsed values (`parsed.py`).

One reader per section, in the document's order: the severity matrix and its parties, the
on-call rotation (its table and its `**Label:**` lines: cadence, override requests), service
ownership, the escalation paths (one ASCII flowchart each), channels, contact information and
the paging guide. Each takes its table's rows from a `SectionReader` (`sections.py`, where the
table's shape and the cells every table shares are checked) and checks what its own cells
mean: a severity, a weekday and time of day, a time zone, a week of the rotation, a way to
reach someone, a paging action. Names stay as the document writes them; which role or person
they are is for the planners (`planners.py`), since that takes the database.
"""

from __future__ import annotations

import re
from datetime import date, time

from django.core.exceptions import ValidationError

from escalation.models.directory import PagingAction, Via
from escalation.models.rotations import Weekday
from escalation.models.validators import validate_time_zone

from . import errors
from .blocks import Fence, Heading, Text
from .format import (
    CADENCE_LABEL,
    CHANNEL_TABLE,
    CONTACT_TABLE,
    FLOWCHART_ARROW_LINES,
    LABEL_LINE,
    NOT_REQUIRED,
    ONCALL_CONTACT_CELLS,
    ONCALL_CONTACT_ROWS,
    ONLY_CLAUSE,
    OVERRIDE_LABEL,
    PAGING_ACTION_CHOICES,
    PAGING_TABLE,
    ROTATION_TABLE,
    SCHEDULE_LABEL,
    SERVICE_TABLE,
    SEVERITY_TABLE,
    SEVERITY_TIERS,
    SHIFT_WORDS,
    SLOT_LABEL_WITH_WEEK,
    VIA_WORDS,
    WITHIN_CLAUSE,
    is_tbd,
    party_kind_from_words,
    path_kind_from_title,
    plain,
    unquoted,
    week_parity_of,
    words,
)
from .limits import MAX_FLOWCHART_STEPS, MAX_PARTIES, MAX_STEPS
from .parsed import (
    Cadence,
    ChannelRow,
    ContactRow,
    FlowStep,
    PagingRow,
    PartyText,
    PathSpec,
    RotationRow,
    RotationSection,
    ServiceRow,
    SeverityRow,
)
from .sections import Section, SectionReader

# Severities --------------------------------------------------------------------------


def read_severities(reader: SectionReader, section: Section) -> tuple[SeverityRow, ...]:
    rows: list[SeverityRow] = []
    seen: dict[str, int] = {}
    columns = SEVERITY_TABLE.columns
    for line, cells in reader.one_table(section, SEVERITY_TABLE):
        name = plain(cells[0])
        level = _severity_level(reader, line, name)
        reader.unique(seen, line, f"SEV{level}")
        tiers = {
            tier: _parties(reader, line, column, cell)
            for tier, column, cell in zip(SEVERITY_TIERS, columns[1:], cells[1:], strict=True)
        }
        rows.append(SeverityRow(line, level, tiers))
    return tuple(rows)


def _severity_level(reader: SectionReader, line: int, text: str) -> int:
    match = re.fullmatch(r"sev\s?([1-9])", text.strip(), flags=re.IGNORECASE)
    if not match:
        raise reader.error(line, errors.UNKNOWN_SEVERITY.format(text=text))
    return int(match.group(1))


def _parties(reader: SectionReader, line: int, column: str, cell: str) -> tuple[PartyText, ...]:
    text = plain(cell)
    if not text:
        raise reader.error(line, errors.NOT_REQUIRED_EMPTY.format(column=column))
    if words(text) == words(NOT_REQUIRED):
        return ()
    parties = []
    for piece in _split_parties(reader, line, column, text):
        piece = plain(piece)
        if not piece:
            raise reader.error(line, errors.EMPTY_PARTY.format(column=column))
        via: Via | None = None
        match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", piece)
        if match:
            method = match.group(2).strip()
            via = VIA_WORDS.get(method.casefold())
            if via is None:
                raise reader.error(
                    line, errors.UNKNOWN_CONTACT_METHOD.format(column=column, text=method)
                )
            piece = plain(match.group(1))
            if not piece:
                raise reader.error(line, errors.EMPTY_PARTY.format(column=column))
        parties.append(PartyText(piece, line, column, party_kind_from_words(piece), via))
    return tuple(parties)


# Rotation ----------------------------------------------------------------------------


def read_rotation(reader: SectionReader, section: Section) -> RotationSection:
    rows = reader.one_table(section, ROTATION_TABLE)
    cadence: Cadence | None = None
    schedule_note = ""
    swap_channel = ""
    swap_line = 0
    for block in section.blocks:
        if not isinstance(block, Text):
            continue
        match = LABEL_LINE.fullmatch(block.text)
        if not match:
            continue  # warned of by reader.one_table
        label = (match.group(1) or match.group(3)).strip()
        value = (match.group(2) if match.group(1) else match.group(4)).strip()
        said = words(label)
        if said == words(SCHEDULE_LABEL):
            schedule_note = value
        elif said == words(CADENCE_LABEL):
            cadence = _cadence(reader, block.line, value)
        elif said == words(OVERRIDE_LABEL):
            swap_channel, swap_line = _swap_channel(reader, block.line, value), block.line
        else:
            reader.warn(block.line, errors.UNKNOWN_ROTATION_LINE.format(label=label))
    if cadence is None and rows:
        raise reader.error(section.line, errors.ROTATION_CADENCE_MISSING)
    alternation = cadence is not None and cadence.anchor_date is not None
    seen: dict[str, int] = {}
    parity_seen: dict[str, int] = {}
    rotation_rows = []
    for line, cells in rows:
        label = reader.required(line, "Week", cells[0])
        with_week = SLOT_LABEL_WITH_WEEK.fullmatch(label)
        if with_week and plain(with_week.group(1)):
            label, parity = plain(with_week.group(1)), week_parity_of(with_week.group(2))
        else:
            parity = "" if alternation else _week_parity(reader, line, label)
        reader.unique(seen, line, label)
        if parity:
            reader.unique(parity_seen, line, parity)
        primary = plain(cells[1])
        if is_tbd(primary):
            raise reader.error(line, errors.ROTATION_PRIMARY_MISSING.format(week=label))
        secondary: str | None = plain(cells[2])
        if secondary is not None and (is_tbd(secondary) or secondary in {"—", "-"}):
            secondary = None
        elif secondary is not None and words(secondary) == words(primary):
            raise reader.error(line, errors.ROTATION_SAME_PERSON.format(week=label, name=primary))
        rotation_rows.append(RotationRow(line, label, parity, primary, secondary))
    return RotationSection(
        section.line, tuple(rotation_rows), cadence, schedule_note, swap_channel, swap_line
    )


def _week_parity(reader: SectionReader, line: int, label: str) -> str:
    parity = week_parity_of(label)
    if not parity:
        raise reader.error(line, errors.UNKNOWN_WEEK_LABEL.format(text=label))
    return parity


def _cadence(reader: SectionReader, line: int, text: str) -> Cadence:
    match = re.fullmatch(
        r"(?P<every>[^,]+),\s*handoff\s+(?:on\s+)?(?P<day>[^\s,]+)\s+(?:at\s+)?(?P<time>[^\s,]+)"
        r"(?:\s+(?P<tz>[^\s,]+))?(?:,\s*alternating from\s+(?P<anchor>[^\s,]+))?",
        text.strip(),
        flags=re.IGNORECASE,
    )
    if not match:
        raise reader.error(line, errors.CADENCE_UNREADABLE.format(text=text))
    shift_days = _shift_days(match.group("every"))
    if shift_days is None:
        raise reader.error(line, errors.CADENCE_UNREADABLE.format(text=text))
    day = match.group("day")
    weekdays = {str(label).casefold(): Weekday(value) for value, label in Weekday.choices}
    weekday = weekdays.get(day.casefold().removesuffix("s"))
    if weekday is None:
        raise reader.error(line, errors.UNKNOWN_WEEKDAY.format(text=day))
    handoff = _time_of_day(match.group("time"))
    if handoff is None:
        raise reader.error(line, errors.BAD_HANDOFF_TIME.format(text=match.group("time")))
    zone = match.group("tz") or "UTC"
    try:
        validate_time_zone(zone)
    except ValidationError:
        raise reader.error(line, errors.BAD_TIME_ZONE.format(text=zone)) from None
    anchor: date | None = None
    if match.group("anchor"):
        try:
            anchor = date.fromisoformat(match.group("anchor"))
        except ValueError:
            raise reader.error(line, errors.CADENCE_UNREADABLE.format(text=text)) from None
    return Cadence(line, shift_days, weekday, handoff, zone, anchor)


def _swap_channel(reader: SectionReader, line: int, text: str) -> str:
    if not text:
        return ""
    match = re.fullmatch(r"post in\s+`?(#[^\s`]+)`?(?:\s+channel)?", text, flags=re.IGNORECASE)
    if not match:
        raise reader.error(line, errors.OVERRIDE_LINE_UNREADABLE.format(text=text))
    return match.group(1)


# Services ----------------------------------------------------------------------------


def read_services(reader: SectionReader, section: Section) -> tuple[ServiceRow, ...]:
    rows = []
    seen: dict[str, int] = {}
    for line, cells in reader.one_table(section, SERVICE_TABLE):
        name = reader.required(line, "Service / Component", cells[0])
        reader.unique(seen, line, name)
        team = reader.required(line, "Team", cells[1])
        contact = plain(cells[2])
        channel = plain(cells[3])
        rows.append(
            ServiceRow(
                line,
                name,
                team,
                None if is_tbd(contact) else contact,
                "" if is_tbd(channel) else channel,
            )
        )
    return tuple(rows)


# Escalation paths --------------------------------------------------------------------


def read_paths(reader: SectionReader, section: Section) -> tuple[PathSpec, ...]:
    paths: list[PathSpec] = []
    seen: dict[str, int] = {}
    current: Heading | None = None
    fence: Fence | None = None

    def close() -> None:
        if current is None:
            return
        if fence is None:
            raise reader.error(current.line, errors.FLOWCHART_MISSING.format(title=current.title))
        steps = _flowchart(reader, fence)
        before = sum(len(path.steps) for path in paths)
        if before + len(steps) > MAX_STEPS:
            line = steps[MAX_STEPS - before].line
            raise reader.error(line, errors.TOO_MANY_STEPS_IN_ALL.format(limit=MAX_STEPS))
        paths.append(
            PathSpec(current.line, current.title, path_kind_from_title(current.title), steps)
        )

    for block in section.blocks:
        if isinstance(block, Heading) and block.level == 3:
            close()
            title = plain(block.title)
            key = words(title)
            if key in seen:
                raise reader.error(
                    block.line,
                    errors.DUPLICATE_SECTION.format(title=title, first=seen[key]),
                )
            seen[key] = block.line
            current, fence = Heading(block.line, 3, title), None
        elif isinstance(block, Fence) and current is not None:
            if fence is not None:
                raise reader.error(block.line, errors.FLOWCHART_EXTRA.format(title=current.title))
            fence = block
        else:
            reader.not_imported(block)
    close()
    return tuple(paths)


def _flowchart(reader: SectionReader, fence: Fence) -> tuple[FlowStep, ...]:
    steps: list[FlowStep] = []
    arrow_line: int | None = None  # where the arrow being drawn starts
    arrow_head = False
    for line, text in fence.body:
        item = text.strip()
        if not item:
            continue
        if item in FLOWCHART_ARROW_LINES:
            if not steps:
                raise reader.error(line, errors.FLOWCHART_ARROW_WITHOUT_SOURCE)
            if arrow_head:
                raise reader.error(arrow_line or line, errors.FLOWCHART_DANGLING_ARROW)
            if arrow_line is None:
                arrow_line = line
            arrow_head = item != "|"
            continue
        if steps and arrow_line is None:
            raise reader.error(line, errors.FLOWCHART_MISSING_ARROW)
        if len(steps) == MAX_FLOWCHART_STEPS:
            raise reader.error(line, errors.TOO_MANY_STEPS.format(limit=MAX_FLOWCHART_STEPS))
        if arrow_line is not None and not arrow_head:
            raise reader.error(arrow_line, errors.FLOWCHART_ARROWHEAD_MISSING)
        steps.append(_step(reader, line, item))
        arrow_line, arrow_head = None, False
    if arrow_line is not None:
        raise reader.error(arrow_line, errors.FLOWCHART_DANGLING_ARROW)
    if not steps:
        raise reader.error(fence.line, errors.FLOWCHART_EMPTY)
    return tuple(steps)


def _step(reader: SectionReader, line: int, text: str) -> FlowStep:
    column = "Flowchart"
    match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", text)
    names, clauses = (match.group(1), match.group(2)) if match else (text, "")
    parties = []
    # "TBD": a step nobody is named for yet (added in the admin before its parties).
    for piece in (
        [] if words(plain(names)) == "tbd" else _split_parties(reader, line, column, names)
    ):
        piece = plain(piece)
        if not piece:
            raise reader.error(line, errors.EMPTY_PARTY.format(column=column))
        parties.append(PartyText(piece, line, column, party_kind_from_words(piece)))
    levels: list[int] = []
    after: int | None = None
    condition = ""
    notes: list[str] = []
    for clause in (part.strip() for part in clauses.split(",")):
        if not clause:
            continue
        only = ONLY_CLAUSE.fullmatch(clause)
        within = WITHIN_CLAUSE.fullmatch(clause)
        if only:
            for name in re.findall(r"sev\s?\d+", only.group(1), flags=re.IGNORECASE):
                levels.append(_severity_level(reader, line, name))
        elif within and after is None:
            after = int(within.group(1))
        elif clause.casefold().startswith("if ") and not condition:
            condition = unquoted(clause[3:].strip())
        else:
            notes.append(unquoted(clause))
    return FlowStep(
        line,
        tuple(parties),
        tuple(sorted(set(levels))),
        after,
        condition,
        ", ".join(notes),
    )


# Channels ----------------------------------------------------------------------------


def read_channels(reader: SectionReader, section: Section) -> tuple[ChannelRow, ...]:
    rows = []
    seen: dict[str, int] = {}
    for line, cells in reader.one_table(section, CHANNEL_TABLE):
        name = reader.required(line, "Channel", cells[0])
        reader.unique(seen, line, name)
        rows.append(ChannelRow(line, name, plain(cells[1]), plain(cells[2])))
    return tuple(rows)


# Contacts ----------------------------------------------------------------------------


def read_contacts(reader: SectionReader, section: Section) -> tuple[ContactRow, ...]:
    rows = []
    seen: dict[str, int] = {}
    oncall = {words(name): name for name in ONCALL_CONTACT_ROWS}
    fixed = [words(plain(cell)) for cell in ONCALL_CONTACT_CELLS]
    for line, cells in reader.one_table(section, CONTACT_TABLE):
        role = reader.required(line, "Role", cells[0])
        reader.unique(seen, line, role)
        if words(role) in oncall:
            if [words(plain(cell)) for cell in cells[1:]] != fixed:
                expected = " | ".join(plain(cell) for cell in ONCALL_CONTACT_CELLS)
                reader.warn(line, errors.ONCALL_ROW_IGNORED.format(expected=expected))
            continue
        name, slack, pagerduty, phone = (plain(cell) for cell in cells[1:])
        holder = None if is_tbd(name) else name
        if holder is None and not is_tbd(phone):
            raise reader.error(line, errors.PHONE_WITHOUT_HOLDER.format(phone=phone))
        rows.append(
            ContactRow(
                line,
                role,
                holder,
                "" if is_tbd(slack) else slack,
                "" if is_tbd(pagerduty) else pagerduty,
                None if is_tbd(phone) else phone,
            )
        )
    return tuple(rows)


# Paging ------------------------------------------------------------------------------


def read_paging(reader: SectionReader, section: Section) -> tuple[PagingRow, ...]:
    rows = []
    seen: dict[str, int] = {}
    for line, cells in reader.one_table(section, PAGING_TABLE):
        signal = reader.required(line, "Signal", cells[0])
        reader.unique(seen, line, signal)
        action, minutes = _paging_action(reader, line, plain(cells[1]))
        channel_text = reader.required(line, "Channel", cells[2])
        channels = tuple(
            plain(name) for name in re.split(r"\s+or\s+", channel_text, flags=re.IGNORECASE)
        )
        if len(channels) > 2 or not all(channels):
            raise reader.error(
                line,
                errors.INVALID_VALUE.format(
                    column="Channel",
                    value=channel_text,
                    problem="name one channel, or two joined by “or”",
                ),
            )
        rows.append(PagingRow(line, signal, action, minutes, channels))
    return tuple(rows)


def _paging_action(reader: SectionReader, line: int, text: str) -> tuple[PagingAction, int | None]:
    said = " ".join(text.casefold().split())
    sustained = re.fullmatch(
        r"page if sustained\s*(?:>=?|over|for)?\s*(\d+)\s*(?:min|mins|minutes?)", said
    )
    if sustained and int(sustained.group(1)) > 0:
        return PagingAction.PAGE_IF_SUSTAINED, int(sustained.group(1))
    for value, label in PagingAction.choices:
        if value != PagingAction.PAGE_IF_SUSTAINED and said == str(label).casefold():
            return PagingAction(value), None
    raise reader.error(
        line, errors.UNKNOWN_PAGING_ACTION.format(text=text, choices=PAGING_ACTION_CHOICES)
    )


def _split_parties(reader: SectionReader, line: int, column: str, text: str) -> list[str]:
    """ "Backend lead + Frontend lead" → two; "C++ guild" stays one."""
    pieces = [piece.strip() for piece in re.split(r"(?:^|\s)\+(?:\s|$)", text.strip())]
    if len(pieces) > MAX_PARTIES:
        raise reader.error(line, errors.TOO_MANY_PARTIES.format(column=column, limit=MAX_PARTIES))
    return pieces


def _shift_days(text: str) -> int | None:
    said = words(text)
    if said in SHIFT_WORDS:
        return SHIFT_WORDS[said]
    match = re.fullmatch(r"every (\d+) (day|days|week|weeks)", said)
    if match and int(match.group(1)) > 0:
        return int(match.group(1)) * (7 if match.group(2).startswith("week") else 1)
    return None


def _time_of_day(text: str) -> time | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
