"""Reading any section of the document: errors and warnings at their line, and its one table.

Each section's reader (`section_readers.py`) asks a `SectionReader` for the section's table
rows: here the table is checked against its format (`format.py`): one table per section, the
header row, the separator row, the number of cells in each row. Here too the checks every
table shares: a cell that must be filled (`required`), a first column that must not repeat
(`unique`). What a cell's words mean (a severity, a weekday, a party) is checked by the
section's reader; whether a value suits the database (its length, a phone number, a Slack
channel's shape) by the model's own validation, in `change_set.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import errors
from .blocks import RESTORE, Block, Heading, Table, Text, is_separator, split_row
from .errors import DocumentError, DocumentWarning
from .format import CONTACT_NOTE, CONTACTS, LABEL_LINE, ROTATION, TableFormat, is_tbd, plain, words
from .limits import MAX_TABLE_ROWS
from .parsed import Document


@dataclass
class Section:
    """A `##` section of the document: its key in `format.SECTION_TITLES` (None: unknown)."""

    key: str | None
    title: str
    line: int
    blocks: list[Block] = field(default_factory=list)


class SectionReader:
    """Reads the sections of one document; what it warns of goes to `document.warnings`."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.source = document.source

    def error(self, line: int, message: str) -> DocumentError:
        return DocumentError(self.source, line, message.translate(RESTORE))

    def warn(self, line: int, message: str) -> None:
        warning = DocumentWarning(self.source, line, message.translate(RESTORE))
        self.document.warnings.append(warning)

    def not_imported(self, block: Block) -> None:
        """Warn that `block` is not part of what its section imports."""
        if isinstance(block, Text):
            self.warn(block.line, errors.TEXT_NOT_IMPORTED.format(text=block.text))
        elif isinstance(block, Heading):
            self.warn(block.line, errors.UNKNOWN_SUBSECTION.format(title=block.title))
        else:
            kind = "table" if isinstance(block, Table) else "code block"
            self.warn(block.line, errors.TEXT_NOT_IMPORTED.format(text=f"a {kind}"))

    def one_table(self, section: Section, table_format: TableFormat) -> list[tuple[int, list[str]]]:
        """The section's table rows (after header and separator); other blocks are warned of."""
        table: Table | None = None
        skipping_subsection = False
        for block in section.blocks:
            if isinstance(block, Heading):
                skipping_subsection = True
                self.not_imported(block)
            elif skipping_subsection:
                continue
            elif isinstance(block, Table):
                if table is not None:
                    raise self.error(block.line, errors.TABLE_EXTRA)
                table = block
            elif not self._is_expected_text(section, block):
                self.not_imported(block)
        if table is None:
            raise self.error(
                section.line,
                errors.TABLE_MISSING.format(section=section.title, header=table_format.header),
            )
        return self._table_rows(table, table_format)

    def _is_expected_text(self, section: Section, block: Block) -> bool:
        if not isinstance(block, Text):
            return False
        if section.key == CONTACTS:
            return words(plain(block.text)) == words(CONTACT_NOTE)
        if section.key == ROTATION:
            return LABEL_LINE.fullmatch(block.text) is not None
        return False

    def _table_rows(self, table: Table, table_format: TableFormat) -> list[tuple[int, list[str]]]:
        (header_line, header_text), *rest = table.rows
        header = split_row(header_text)
        if is_separator(header):
            raise self.error(
                header_line, errors.TABLE_HEADER_MISSING.format(header=table_format.header)
            )
        if [words(plain(cell)) for cell in header] != [words(c) for c in table_format.columns]:
            found = "| " + " | ".join(header) + " |"
            raise self.error(
                header_line,
                errors.TABLE_HEADER_MISMATCH.format(expected=table_format.header, found=found),
            )
        if not rest or not is_separator(split_row(rest[0][1])):
            line = rest[0][0] if rest else header_line
            raise self.error(line, errors.TABLE_SEPARATOR_MISSING)
        if len(rest) - 1 > MAX_TABLE_ROWS:
            raise self.error(
                rest[MAX_TABLE_ROWS + 1][0], errors.TOO_MANY_ROWS.format(limit=MAX_TABLE_ROWS)
            )
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

    def required(self, line: int, column: str, cell: str) -> str:
        """The cell's value: a cell left empty or TBD is an error."""
        value = plain(cell)
        if is_tbd(value):
            raise self.error(line, errors.CELL_EMPTY.format(column=column))
        return value

    def unique(self, seen: dict[str, int], line: int, name: str) -> None:
        """Remember `name` at `line`: a name already in `seen` (case and dashes aside) is an error."""
        key = words(name)
        if key in seen:
            raise self.error(line, errors.DUPLICATE_ROW.format(name=name, first=seen[key]))
        seen[key] = line
