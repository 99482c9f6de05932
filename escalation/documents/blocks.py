"""The document's Markdown as blocks with line numbers: headings, pipe tables, fences, text.

A small line-based reader fits the escalation document better than a general Markdown parser:
every block remembers the line it starts on, so every error and warning points at it. Also
here: a table row split into cells (`split_row`), and backslash escapes.

Backslash escapes: a backslash before one of `format.ESCAPABLE` makes it plain text ("Legal
\\(EU\\)" is a name, not a name and a note; "\\*draft*" keeps its stars), as in CommonMark;
before any other character a backslash is itself. Escaped characters are swapped for
placeholders (Unicode noncharacters, which no document carries) before the document is read
(`protect`), so nothing else in the parser needs to know about escapes, and swapped back in
every value read (`restored`, `RESTORE`).
"""

from __future__ import annotations

import dataclasses
import enum
import re
from dataclasses import dataclass

from . import errors
from .errors import DocumentError
from .format import ESCAPABLE

_PLACEHOLDERS = {char: chr(0xFDD0 + index) for index, char in enumerate(ESCAPABLE)}
_PROTECT = re.compile(r"\\([" + re.escape(ESCAPABLE) + r"])")
RESTORE = str.maketrans({placeholder: char for char, placeholder in _PLACEHOLDERS.items()})
# Never in a document: the placeholders, and NUL (PostgreSQL refuses it in text).
RESERVED_CHARACTERS = re.compile("[\x00\ufdd0-\ufdef]")
# Never in a value (models.validators.validate_single_line): control characters and the line and
# paragraph separators. Between values, a document has line breaks and may have tabs.
CONTROL_CHARACTERS = re.compile("[\x01-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def protect(text: str) -> str:
    return _PROTECT.sub(lambda match: _PLACEHOLDERS[match.group(1)], text)


def restored(value: object) -> object:
    """`value` (a string, or what the parser builds of them) with escaped characters back."""
    if isinstance(value, enum.Enum):
        return value
    if isinstance(value, str):
        return value.translate(RESTORE)
    if isinstance(value, tuple):
        return tuple(restored(item) for item in value)
    if isinstance(value, list):
        return [restored(item) for item in value]
    if isinstance(value, dict):
        return {key: restored(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: restored(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


@dataclass(frozen=True)
class Heading:
    line: int
    level: int
    title: str


@dataclass(frozen=True)
class Table:
    line: int
    rows: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Fence:
    line: int
    body: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Text:
    line: int
    text: str


Block = Heading | Table | Fence | Text

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*```")
_SEPARATOR_CELL = re.compile(r"^:?-+:?$")


def read_blocks(text: str, source: str) -> list[Block]:
    """The blocks of `text`, in order; blank lines only separate them."""
    lines = text.split("\n")
    blocks: list[Block] = []
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
            blocks.append(Fence(start + 1, tuple(body)))
            number += 1
            continue
        heading = _HEADING.match(stripped)
        if heading:
            blocks.append(Heading(number + 1, len(heading.group(1)), heading.group(2)))
            number += 1
            continue
        if stripped.startswith("|"):
            start = number
            rows: list[tuple[int, str]] = []
            while number < len(lines) and lines[number].strip().startswith("|"):
                rows.append((number + 1, lines[number]))
                number += 1
            blocks.append(Table(start + 1, tuple(rows)))
            continue
        blocks.append(Text(number + 1, stripped))
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


def is_separator(cells: list[str]) -> bool:
    return all(_SEPARATOR_CELL.match(cell.replace(" ", "")) for cell in cells)
