"""Read the escalation document (Markdown) into plain dataclasses that remember their lines.

Pure: text in, dataclasses out; no database. The format is the one of the bundled document
(`escalation/data/escalation-contacts.md`): `##` sections holding one pipe table each, a few
`**Label:** value` lines under the rotation, and one fenced ASCII flowchart per `###` escalation
path. A small line-based reader fits it better than a general Markdown parser: every error
and warning points at the exact line. Words are matched case-insensitively with emphasis and
backticks aside; what a party's words *mean* beyond their shape (which role "Backend lead" is)
is the importer's business, since it needs the database.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from dataclasses import dataclass, field
from datetime import date, time

from django.core.exceptions import ValidationError

from escalation.models.directory import PagingAction, PartyKind, PathKind, Tier, Via
from escalation.models.rotations import Weekday, WeekParity
from escalation.models.validators import validate_time_zone

from . import errors
from .errors import DocumentError, DocumentWarning

TBD = "TBD"
NOT_REQUIRED = "Not required"
TITLE = "Escalation Contacts"


@dataclass(frozen=True)
class TableFormat:
    """A section's table: its columns, and the separator row the canonical document writes."""

    columns: tuple[str, ...]
    separator: str

    @property
    def header(self) -> str:
        return "| " + " | ".join(self.columns) + " |"


# The separator rows are the bundled document's own, widths included, so that exporting it
# gives it back byte for byte.
SEVERITY_TABLE = TableFormat(
    ("Severity", "Primary Contact", "Secondary Contact", "Management", "Communication"),
    "|----------|----------------|-------------------|------------|---------------|",
)
ROTATION_TABLE = TableFormat(("Week", "Primary", "Secondary"), "|------|---------|-----------|")
SERVICE_TABLE = TableFormat(
    ("Service / Component", "Team", "Primary Contact", "Slack Channel"),
    "|---------------------|------|-----------------|---------------|",
)
CHANNEL_TABLE = TableFormat(("Channel", "Purpose", "Who Posts"), "|---------|---------|----------|")
CONTACT_TABLE = TableFormat(
    ("Role", "Name", "Slack", "PagerDuty", "Phone (emergency)"),
    "|------|------|-------|-----------|-------------------|",
)
PAGING_TABLE = TableFormat(("Signal", "Action", "Channel"), "|--------|--------|---------|")

SEVERITIES = "severities"
ROTATION = "rotation"
SERVICES = "services"
PATHS = "paths"
CHANNELS = "channels"
CONTACTS = "contacts"
PAGING = "paging"

#: The sections in the document's order, with their canonical titles.
SECTION_TITLES: dict[str, str] = {
    SEVERITIES: "Contact Matrix by Severity",
    ROTATION: "On-Call Rotation",
    SERVICES: "Service Ownership",
    PATHS: "Escalation Paths",
    CHANNELS: "Communication Channels",
    CONTACTS: "Contact Information",
    PAGING: "When to Page vs. When to Slack",
}

SEVERITY_TIERS: tuple[Tier, ...] = (
    Tier.PRIMARY,
    Tier.SECONDARY,
    Tier.MANAGEMENT,
    Tier.COMMUNICATION,
)

SCHEDULE_LABEL = "On-call schedule"
CADENCE_LABEL = "Rotation cadence"
OVERRIDE_LABEL = "Override requests"

CONTACT_NOTE = "Replace placeholders with actual team contacts."
ONCALL_CONTACT_ROWS: dict[str, PartyKind] = {
    "On-call (primary)": PartyKind.ONCALL_PRIMARY,
    "On-call (secondary)": PartyKind.ONCALL_SECONDARY,
}
ONCALL_CONTACT_CELLS = ("_See rotation_", "_Via PagerDuty_", "Auto-paged", "_Via PagerDuty_")

VIA_WORDS: dict[str, Via] = {
    "pagerduty": Via.PAGERDUTY,
    "slack": Via.SLACK,
    "phone": Via.PHONE,
    "email": Via.EMAIL,
    "e-mail": Via.EMAIL,
    "ticket": Via.TICKET,
}
VIA_TEXT: dict[str, str] = {
    Via.PAGERDUTY: "PagerDuty",
    Via.SLACK: "Slack",
    Via.PHONE: "Phone",
    Via.EMAIL: "Email",
    Via.TICKET: "Ticket",
}

SERVICE_TEAM_LEAD_WORDS = frozenset(
    {"relevant team lead", "team lead", "service team lead", "team lead of the service"}
)
SERVICE_TEAM_WORDS = frozenset(
    {
        "team responsible for service",
        "team responsible for the service",
        "owning team",
        "service team",
        "relevant team",
    }
)
_ONCALL_WORDS = frozenset({"on", "call", "engineer", "person", "primary", "secondary"})

PAGING_ACTION_CHOICES = (
    '"Page immediately", "Page if sustained > N min", "Slack notification", '
    '"Investigate, no page" or "Evaluate severity, likely page"'
)

SHIFT_WORDS: dict[str, int] = {"daily": 1, "weekly": 7, "fortnightly": 14, "biweekly": 14}


# ---------------------------------------------------------------------------------------------
# What the parser gives back.


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
    tiers: dict[Tier, tuple[PartyText, ...]]


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


# ---------------------------------------------------------------------------------------------
# Words.


def plain(text: str) -> str:
    """The text without the emphasis or backticks wrapped around the whole of it."""
    text = text.strip()
    changed = True
    while changed:
        changed = False
        for wrapper in ("**", "__", "*", "_", "`"):
            size = len(wrapper)
            if len(text) > 2 * size and text.startswith(wrapper) and text.endswith(wrapper):
                text = text[size:-size].strip()
                changed = True
                break
    return text


def words(text: str) -> str:
    """For matching: case folded, dashes as spaces, one space between words."""
    return " ".join(text.casefold().replace("-", " ").split())


def is_tbd(text: str) -> bool:
    return words(text) in {"", "tbd"}


def party_kind_from_words(label: str) -> PartyKind | None:
    """What a party is when its words alone say it; None when they name someone."""
    said = words(label)
    if label.startswith("#"):
        return PartyKind.CHANNEL
    if "on call" in said and set(said.split()) <= _ONCALL_WORDS:
        secondary = "secondary" in said.split()
        return PartyKind.ONCALL_SECONDARY if secondary else PartyKind.ONCALL_PRIMARY
    if said in SERVICE_TEAM_LEAD_WORDS:
        return PartyKind.SERVICE_TEAM_LEAD
    if said in SERVICE_TEAM_WORDS:
        return PartyKind.SERVICE_TEAM
    return None


def path_kind_from_title(title: str) -> PathKind:
    said = words(title)
    if "technical" in said:
        return PathKind.TECHNICAL
    if "security" in said or "data" in said.split():
        return PathKind.SECURITY
    if "vendor" in said or "third party" in said:
        return PathKind.VENDOR
    return PathKind.OTHER


# ---------------------------------------------------------------------------------------------
# Backslash escapes.
#
# A backslash before one of these characters makes it plain text ("Legal \(EU\)" is a name,
# not a name and a note; "\*draft*" keeps its stars), as in CommonMark; before any other
# character a backslash is itself. Escaped characters are swapped for placeholders (Unicode
# noncharacters, which no document carries) before the document is read, so nothing below
# needs to know about escapes, and swapped back in every value read.

ESCAPABLE = "\\|*_`()+,#"
_PLACEHOLDERS = {char: chr(0xFDD0 + index) for index, char in enumerate(ESCAPABLE)}
_PROTECT = re.compile(r"\\([" + re.escape(ESCAPABLE) + r"])")
_RESTORE = str.maketrans({placeholder: char for char, placeholder in _PLACEHOLDERS.items()})
# Never in a document: the placeholders, and NUL (PostgreSQL refuses it in text).
_RESERVED_CHARACTERS = re.compile("[\x00\ufdd0-\ufdef]")


def _protect(text: str) -> str:
    return _PROTECT.sub(lambda match: _PLACEHOLDERS[match.group(1)], text)


def _restored(value: object) -> object:
    """`value` (a string, or what the parser builds of them) with escaped characters back."""
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return value.translate(_RESTORE)
    if isinstance(value, tuple):
        return tuple(_restored(item) for item in value)
    if isinstance(value, list):
        return [_restored(item) for item in value]
    if isinstance(value, dict):
        return {key: _restored(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _restored(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


# ---------------------------------------------------------------------------------------------
# Lines into blocks.


@dataclass(frozen=True)
class _Heading:
    line: int
    level: int
    title: str


@dataclass(frozen=True)
class _Table:
    line: int
    rows: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class _Fence:
    line: int
    body: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class _Text:
    line: int
    text: str


_Block = _Heading | _Table | _Fence | _Text

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*```")
_SEPARATOR_CELL = re.compile(r"^:?-+:?$")
_ROTATION_LINE = re.compile(r"\*\*(.+?):\*\*\s*(.*)|\*\*(.+?)\*\*:\s*(.*)")


def _blocks(text: str, source: str) -> list[_Block]:
    lines = text.split("\n")
    blocks: list[_Block] = []
    number = 0
    while number < len(lines):
        line = lines[number]
        stripped = line.strip()
        if not stripped:
            number += 1
            continue
        if _FENCE.match(line):
            start = number
            body: list[tuple[int, str]] = []
            number += 1
            while number < len(lines) and not _FENCE.match(lines[number]):
                body.append((number + 1, lines[number]))
                number += 1
            if number >= len(lines):
                raise DocumentError(source, start + 1, errors.UNTERMINATED_FENCE)
            blocks.append(_Fence(start + 1, tuple(body)))
            number += 1
            continue
        heading = _HEADING.match(stripped)
        if heading:
            blocks.append(_Heading(number + 1, len(heading.group(1)), heading.group(2)))
            number += 1
            continue
        if stripped.startswith("|"):
            start = number
            rows: list[tuple[int, str]] = []
            while number < len(lines) and lines[number].strip().startswith("|"):
                rows.append((number + 1, lines[number]))
                number += 1
            blocks.append(_Table(start + 1, tuple(rows)))
            continue
        blocks.append(_Text(number + 1, stripped))
        number += 1
    return blocks


def split_row(text: str) -> list[str]:
    """A table row's cells; `\\|` is a pipe inside a cell."""
    row = text.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    cells: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(row):
        char = row[index]
        if char == "\\" and row[index + 1 : index + 2] == "|":
            current.append("|")
            index += 2
            continue
        if char == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    cells.append("".join(current).strip())
    return cells


def _is_separator(cells: list[str]) -> bool:
    return all(_SEPARATOR_CELL.match(cell.replace(" ", "")) for cell in cells)


# ---------------------------------------------------------------------------------------------
# The parser.


@dataclass
class _Section:
    key: str | None
    title: str
    line: int
    blocks: list[_Block] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.text = text
        self.document = Document(source=source)

    def error(self, line: int, message: str) -> DocumentError:
        return DocumentError(self.source, line, message.translate(_RESTORE))

    def warn(self, line: int, message: str) -> None:
        warning = DocumentWarning(self.source, line, message.translate(_RESTORE))
        self.document.warnings.append(warning)

    def parse(self) -> Document:
        text = self.text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            raise self.error(1, errors.EMPTY_DOCUMENT)
        reserved = _RESERVED_CHARACTERS.search(text)
        if reserved:
            line = text.count("\n", 0, reserved.start()) + 1
            raise self.error(line, errors.RESERVED_CHARACTER.format(code=ord(reserved.group())))
        sections = self._sections(_blocks(_protect(text), self.source))
        known = {section.key: section for section in sections if section.key}
        if not known:
            raise self.error(sections[0].line if sections else 1, errors.NO_KNOWN_SECTION)
        for key, title in SECTION_TITLES.items():
            if key not in known:
                self.warn(1, errors.MISSING_SECTION.format(title=title))
        readers = {
            SEVERITIES: self._severities,
            ROTATION: self._rotation,
            SERVICES: self._services,
            PATHS: self._paths,
            CHANNELS: self._channels,
            CONTACTS: self._contacts,
            PAGING: self._paging,
        }
        for key, section in known.items():
            readers[key](section)
        self.document.warnings.sort(key=lambda warning: warning.line)
        restored = _restored(self.document)
        assert isinstance(restored, Document)
        return restored

    def _sections(self, blocks: list[_Block]) -> list[_Section]:
        titles = {words(title): key for key, title in SECTION_TITLES.items()}
        sections: list[_Section] = []
        first_line: dict[str, int] = {}
        for block in blocks:
            if isinstance(block, _Heading) and block.level <= 2:
                if block.level == 1 and not self.document.title and not sections:
                    self.document.title = block.title
                    continue
                key = titles.get(words(plain(block.title)))
                if key is None:
                    self.warn(block.line, errors.UNKNOWN_SECTION.format(title=block.title))
                elif key in first_line:
                    raise self.error(
                        block.line,
                        errors.DUPLICATE_SECTION.format(title=block.title, first=first_line[key]),
                    )
                else:
                    first_line[key] = block.line
                sections.append(_Section(key, block.title, block.line))
            elif sections:
                sections[-1].blocks.append(block)
            else:
                self._not_imported(block)
        return sections

    def _not_imported(self, block: _Block) -> None:
        if isinstance(block, _Text):
            self.warn(block.line, errors.TEXT_NOT_IMPORTED.format(text=block.text))
        elif isinstance(block, _Heading):
            self.warn(block.line, errors.UNKNOWN_SUBSECTION.format(title=block.title))
        else:
            kind = "table" if isinstance(block, _Table) else "code block"
            self.warn(block.line, errors.TEXT_NOT_IMPORTED.format(text=f"a {kind}"))

    # Tables ------------------------------------------------------------------------------

    def _one_table(
        self, section: _Section, table_format: TableFormat
    ) -> list[tuple[int, list[str]]]:
        """The section's table rows (after header and separator); other blocks are warned of."""
        table: _Table | None = None
        skipping_subsection = False
        for block in section.blocks:
            if isinstance(block, _Heading):
                skipping_subsection = True
                self._not_imported(block)
            elif skipping_subsection:
                continue
            elif isinstance(block, _Table):
                if table is not None:
                    raise self.error(block.line, errors.TABLE_EXTRA)
                table = block
            elif not self._is_expected_text(section, block):
                self._not_imported(block)
        if table is None:
            raise self.error(
                section.line,
                errors.TABLE_MISSING.format(section=section.title, header=table_format.header),
            )
        return self._table_rows(table, table_format)

    def _is_expected_text(self, section: _Section, block: _Block) -> bool:
        if not isinstance(block, _Text):
            return False
        if section.key == CONTACTS:
            return words(plain(block.text)) == words(CONTACT_NOTE)
        if section.key == ROTATION:
            return _ROTATION_LINE.fullmatch(block.text) is not None
        return False

    def _table_rows(self, table: _Table, table_format: TableFormat) -> list[tuple[int, list[str]]]:
        (header_line, header_text), *rest = table.rows
        header = split_row(header_text)
        if _is_separator(header):
            raise self.error(
                header_line, errors.TABLE_HEADER_MISSING.format(header=table_format.header)
            )
        if [words(plain(cell)) for cell in header] != [words(c) for c in table_format.columns]:
            found = "| " + " | ".join(header) + " |"
            raise self.error(
                header_line,
                errors.TABLE_HEADER_MISMATCH.format(expected=table_format.header, found=found),
            )
        if not rest or not _is_separator(split_row(rest[0][1])):
            line = rest[0][0] if rest else header_line
            raise self.error(line, errors.TABLE_SEPARATOR_MISSING)
        expected = len(table_format.columns)
        rows = []
        for line, text in rest[1:]:
            cells = split_row(text)
            if len(cells) != expected:
                raise self.error(
                    line, errors.CELL_COUNT.format(found=len(cells), expected=expected)
                )
            rows.append((line, cells))
        return rows

    def _required(self, line: int, column: str, cell: str) -> str:
        value = plain(cell)
        if is_tbd(value):
            raise self.error(line, errors.CELL_EMPTY.format(column=column))
        return value

    def _unique(self, seen: dict[str, int], line: int, name: str) -> None:
        key = words(name)
        if key in seen:
            raise self.error(line, errors.DUPLICATE_ROW.format(name=name, first=seen[key]))
        seen[key] = line

    # Severities --------------------------------------------------------------------------

    def _severities(self, section: _Section) -> None:
        rows: list[SeverityRow] = []
        seen: dict[str, int] = {}
        columns = SEVERITY_TABLE.columns
        for line, cells in self._one_table(section, SEVERITY_TABLE):
            name = plain(cells[0])
            level = self._severity_level(line, name)
            self._unique(seen, line, f"SEV{level}")
            tiers = {
                tier: self._parties(line, column, cell)
                for tier, column, cell in zip(SEVERITY_TIERS, columns[1:], cells[1:], strict=True)
            }
            rows.append(SeverityRow(line, level, tiers))
        self.document.severities = tuple(rows)

    def _severity_level(self, line: int, text: str) -> int:
        match = re.fullmatch(r"sev\s?([1-9])", text.strip(), flags=re.IGNORECASE)
        if not match:
            raise self.error(line, errors.UNKNOWN_SEVERITY.format(text=text))
        return int(match.group(1))

    def _parties(self, line: int, column: str, cell: str) -> tuple[PartyText, ...]:
        text = plain(cell)
        if not text:
            raise self.error(line, errors.NOT_REQUIRED_EMPTY.format(column=column))
        if words(text) == words(NOT_REQUIRED):
            return ()
        parties = []
        for piece in _split_parties(text):
            piece = plain(piece)
            if not piece:
                raise self.error(line, errors.EMPTY_PARTY.format(column=column))
            via: Via | None = None
            match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", piece)
            if match:
                method = match.group(2).strip()
                via = VIA_WORDS.get(method.casefold())
                if via is None:
                    raise self.error(
                        line, errors.UNKNOWN_CONTACT_METHOD.format(column=column, text=method)
                    )
                piece = plain(match.group(1))
                if not piece:
                    raise self.error(line, errors.EMPTY_PARTY.format(column=column))
            parties.append(PartyText(piece, line, column, party_kind_from_words(piece), via))
        return tuple(parties)

    # Rotation ----------------------------------------------------------------------------

    def _rotation(self, section: _Section) -> None:
        rows = self._one_table(section, ROTATION_TABLE)
        cadence: Cadence | None = None
        schedule_note = ""
        swap_channel = ""
        swap_line = 0
        for block in section.blocks:
            if not isinstance(block, _Text):
                continue
            match = _ROTATION_LINE.fullmatch(block.text)
            if not match:
                continue  # warned of by _one_table
            label = (match.group(1) or match.group(3)).strip()
            value = (match.group(2) if match.group(1) else match.group(4)).strip()
            said = words(label)
            if said == words(SCHEDULE_LABEL):
                schedule_note = value
            elif said == words(CADENCE_LABEL):
                cadence = self._cadence(block.line, value)
            elif said == words(OVERRIDE_LABEL):
                swap_channel, swap_line = self._swap_channel(block.line, value), block.line
            else:
                self.warn(block.line, errors.UNKNOWN_ROTATION_LINE.format(label=label))
        if cadence is None and rows:
            raise self.error(section.line, errors.ROTATION_CADENCE_MISSING)
        alternation = cadence is not None and cadence.anchor_date is not None
        seen: dict[str, int] = {}
        parity_seen: dict[str, int] = {}
        rotation_rows = []
        for line, cells in rows:
            label = self._required(line, "Week", cells[0])
            self._unique(seen, line, label)
            parity = "" if alternation else self._week_parity(line, label)
            if parity:
                self._unique(parity_seen, line, parity)
            primary = plain(cells[1])
            if is_tbd(primary):
                raise self.error(line, errors.ROTATION_PRIMARY_MISSING.format(week=label))
            secondary: str | None = plain(cells[2])
            if secondary is not None and (is_tbd(secondary) or secondary in {"—", "-"}):
                secondary = None
            elif secondary is not None and words(secondary) == words(primary):
                raise self.error(line, errors.ROTATION_SAME_PERSON.format(week=label, name=primary))
            rotation_rows.append(RotationRow(line, label, parity, primary, secondary))
        self.document.rotation = RotationSection(
            section.line, tuple(rotation_rows), cadence, schedule_note, swap_channel, swap_line
        )

    def _week_parity(self, line: int, label: str) -> str:
        said = words(label)
        if said in {"odd weeks", "odd week", "odd"}:
            return WeekParity.ODD
        if said in {"even weeks", "even week", "even"}:
            return WeekParity.EVEN
        raise self.error(line, errors.UNKNOWN_WEEK_LABEL.format(text=label))

    def _cadence(self, line: int, text: str) -> Cadence:
        match = re.fullmatch(
            r"(?P<every>[^,]+),\s*handoff\s+(?:on\s+)?(?P<day>[^\s,]+)\s+(?:at\s+)?(?P<time>[^\s,]+)"
            r"(?:\s+(?P<tz>[^\s,]+))?(?:,\s*alternating from\s+(?P<anchor>[^\s,]+))?",
            text.strip(),
            flags=re.IGNORECASE,
        )
        if not match:
            raise self.error(line, errors.CADENCE_UNREADABLE.format(text=text))
        shift_days = _shift_days(match.group("every"))
        if shift_days is None:
            raise self.error(line, errors.CADENCE_UNREADABLE.format(text=text))
        day = match.group("day")
        weekdays = {str(label).casefold(): Weekday(value) for value, label in Weekday.choices}
        weekday = weekdays.get(day.casefold().removesuffix("s"))
        if weekday is None:
            raise self.error(line, errors.UNKNOWN_WEEKDAY.format(text=day))
        handoff = _time_of_day(match.group("time"))
        if handoff is None:
            raise self.error(line, errors.BAD_HANDOFF_TIME.format(text=match.group("time")))
        zone = match.group("tz") or "UTC"
        try:
            validate_time_zone(zone)
        except ValidationError:
            raise self.error(line, errors.BAD_TIME_ZONE.format(text=zone)) from None
        anchor: date | None = None
        if match.group("anchor"):
            try:
                anchor = date.fromisoformat(match.group("anchor"))
            except ValueError:
                raise self.error(line, errors.CADENCE_UNREADABLE.format(text=text)) from None
        return Cadence(line, shift_days, weekday, handoff, zone, anchor)

    def _swap_channel(self, line: int, text: str) -> str:
        if not text:
            return ""
        match = re.fullmatch(r"post in\s+`?(#[^\s`]+)`?(?:\s+channel)?", text, flags=re.IGNORECASE)
        if not match:
            raise self.error(line, errors.OVERRIDE_LINE_UNREADABLE.format(text=text))
        return match.group(1)

    # Services ----------------------------------------------------------------------------

    def _services(self, section: _Section) -> None:
        rows = []
        seen: dict[str, int] = {}
        for line, cells in self._one_table(section, SERVICE_TABLE):
            name = self._required(line, "Service / Component", cells[0])
            self._unique(seen, line, name)
            team = self._required(line, "Team", cells[1])
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
        self.document.services = tuple(rows)

    # Escalation paths --------------------------------------------------------------------

    def _paths(self, section: _Section) -> None:
        paths: list[PathSpec] = []
        seen: dict[str, int] = {}
        current: _Heading | None = None
        fence: _Fence | None = None

        def close() -> None:
            if current is None:
                return
            if fence is None:
                raise self.error(current.line, errors.FLOWCHART_MISSING.format(title=current.title))
            steps = self._flowchart(fence)
            paths.append(
                PathSpec(current.line, current.title, path_kind_from_title(current.title), steps)
            )

        for block in section.blocks:
            if isinstance(block, _Heading) and block.level == 3:
                close()
                title = plain(block.title)
                key = words(title)
                if key in seen:
                    raise self.error(
                        block.line,
                        errors.DUPLICATE_SECTION.format(title=title, first=seen[key]),
                    )
                seen[key] = block.line
                current, fence = _Heading(block.line, 3, title), None
            elif isinstance(block, _Fence) and current is not None:
                if fence is not None:
                    raise self.error(block.line, errors.FLOWCHART_EXTRA.format(title=current.title))
                fence = block
            else:
                self._not_imported(block)
        close()
        self.document.paths = tuple(paths)

    def _flowchart(self, fence: _Fence) -> tuple[FlowStep, ...]:
        steps: list[FlowStep] = []
        arrow_line: int | None = None  # where the arrow being drawn starts
        arrow_head = False
        for line, text in fence.body:
            item = text.strip()
            if not item:
                continue
            if item in {"|", "v", "V"}:
                if not steps:
                    raise self.error(line, errors.FLOWCHART_ARROW_WITHOUT_SOURCE)
                if arrow_head:
                    raise self.error(arrow_line or line, errors.FLOWCHART_DANGLING_ARROW)
                if arrow_line is None:
                    arrow_line = line
                arrow_head = item != "|"
                continue
            if steps and arrow_line is None:
                raise self.error(line, errors.FLOWCHART_MISSING_ARROW)
            if arrow_line is not None and not arrow_head:
                raise self.error(arrow_line, errors.FLOWCHART_ARROWHEAD_MISSING)
            steps.append(self._step(line, item))
            arrow_line, arrow_head = None, False
        if arrow_line is not None:
            raise self.error(arrow_line, errors.FLOWCHART_DANGLING_ARROW)
        if not steps:
            raise self.error(fence.line, errors.FLOWCHART_EMPTY)
        return tuple(steps)

    def _step(self, line: int, text: str) -> FlowStep:
        column = "Flowchart"
        match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", text)
        names, clauses = (match.group(1), match.group(2)) if match else (text, "")
        parties = []
        for piece in _split_parties(names):
            piece = plain(piece)
            if not piece:
                raise self.error(line, errors.EMPTY_PARTY.format(column=column))
            parties.append(PartyText(piece, line, column, party_kind_from_words(piece)))
        levels: list[int] = []
        after: int | None = None
        condition = ""
        notes: list[str] = []
        for clause in (part.strip() for part in clauses.split(",")):
            if not clause:
                continue
            only = re.fullmatch(
                r"((?:sev\s?\d+)(?:\s*(?:/|&|and|or)\s*sev\s?\d+)*)\s+only", clause, re.IGNORECASE
            )
            within = re.fullmatch(
                r"if not resolved (?:within|in|after) (\d+)\s*(?:minutes?|mins?)",
                clause,
                re.IGNORECASE,
            )
            if only:
                for name in re.findall(r"sev\s?\d+", only.group(1), flags=re.IGNORECASE):
                    levels.append(self._severity_level(line, name))
            elif within and after is None:
                after = int(within.group(1))
            elif clause.casefold().startswith("if ") and not condition:
                condition = clause[3:].strip()
            else:
                notes.append(clause)
        return FlowStep(
            line,
            tuple(parties),
            tuple(sorted(set(levels))),
            after,
            condition,
            ", ".join(notes),
        )

    # Channels ----------------------------------------------------------------------------

    def _channels(self, section: _Section) -> None:
        rows = []
        seen: dict[str, int] = {}
        for line, cells in self._one_table(section, CHANNEL_TABLE):
            name = self._required(line, "Channel", cells[0])
            self._unique(seen, line, name)
            rows.append(ChannelRow(line, name, plain(cells[1]), plain(cells[2])))
        self.document.channels = tuple(rows)

    # Contacts ----------------------------------------------------------------------------

    def _contacts(self, section: _Section) -> None:
        rows = []
        seen: dict[str, int] = {}
        oncall = {words(name): name for name in ONCALL_CONTACT_ROWS}
        fixed = [words(plain(cell)) for cell in ONCALL_CONTACT_CELLS]
        for line, cells in self._one_table(section, CONTACT_TABLE):
            role = self._required(line, "Role", cells[0])
            self._unique(seen, line, role)
            if words(role) in oncall:
                if [words(plain(cell)) for cell in cells[1:]] != fixed:
                    expected = " | ".join(plain(cell) for cell in ONCALL_CONTACT_CELLS)
                    self.warn(line, errors.ONCALL_ROW_IGNORED.format(expected=expected))
                continue
            name, slack, pagerduty, phone = (plain(cell) for cell in cells[1:])
            holder = None if is_tbd(name) else name
            if holder is None and not is_tbd(phone):
                raise self.error(line, errors.PHONE_WITHOUT_HOLDER.format(phone=phone))
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
        self.document.contacts = tuple(rows)

    # Paging ------------------------------------------------------------------------------

    def _paging(self, section: _Section) -> None:
        rows = []
        seen: dict[str, int] = {}
        for line, cells in self._one_table(section, PAGING_TABLE):
            signal = self._required(line, "Signal", cells[0])
            self._unique(seen, line, signal)
            action, minutes = self._paging_action(line, plain(cells[1]))
            channel_text = self._required(line, "Channel", cells[2])
            channels = tuple(
                plain(name) for name in re.split(r"\s+or\s+", channel_text, flags=re.IGNORECASE)
            )
            if len(channels) > 2 or not all(channels):
                raise self.error(
                    line,
                    errors.INVALID_VALUE.format(
                        column="Channel",
                        value=channel_text,
                        problem="name one channel, or two joined by “or”",
                    ),
                )
            rows.append(PagingRow(line, signal, action, minutes, channels))
        self.document.paging = tuple(rows)

    def _paging_action(self, line: int, text: str) -> tuple[PagingAction, int | None]:
        said = " ".join(text.casefold().split())
        sustained = re.fullmatch(
            r"page if sustained\s*(?:>=?|over|for)?\s*(\d+)\s*(?:min|mins|minutes?)", said
        )
        if sustained and int(sustained.group(1)) > 0:
            return PagingAction.PAGE_IF_SUSTAINED, int(sustained.group(1))
        for value, label in PagingAction.choices:
            if value != PagingAction.PAGE_IF_SUSTAINED and said == str(label).casefold():
                return PagingAction(value), None
        raise self.error(
            line, errors.UNKNOWN_PAGING_ACTION.format(text=text, choices=PAGING_ACTION_CHOICES)
        )


def _split_parties(text: str) -> list[str]:
    """ "Backend lead + Frontend lead" → two; "C++ guild" stays one."""
    return [piece.strip() for piece in re.split(r"(?:^|\s)\+(?:\s|$)", text.strip())]


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


def parse_document(text: str, *, source: str) -> Document:
    """The document's content, or DocumentError at the first thing that is wrong."""
    return _Parser(text, source).parse()
