"""Read the escalation document (Markdown) into plain values that remember their lines.

`parse_document(text, source=...)` is the way in. Pure: text in, dataclasses out (`parsed.py`);
no database. The format is the one of the bundled document
(`escalation/data/escalation-contacts.md`, described in `format.py`): `##` sections holding one
pipe table each, a few `**Label:** value` lines under the rotation, and one fenced ASCII
flowchart per `###` escalation path. Words are matched case-insensitively with emphasis and
backticks aside; what a party's words *mean* beyond their shape (which role "Backend lead" is)
is the importer's business, since it needs the database.

Where the reading happens, in order:
- here: the text as a whole (empty? a reserved character?) and its `##` sections;
- `blocks.py`: lines into headings, tables, fences and text; backslash escapes;
- `sections.py`: a section's one table, its shape, and the cells every table shares;
- `section_readers.py`: each section's cells and lines into values (a severity, a cadence...).
"""

from __future__ import annotations

from . import errors
from .blocks import (
    CONTROL_CHARACTERS,
    RESERVED_CHARACTERS,
    Block,
    Heading,
    protect,
    read_blocks,
    restored,
)
from .format import (
    CHANNELS,
    CONTACTS,
    PAGING,
    PATHS,
    ROTATION,
    SECTION_TITLES,
    SERVICES,
    SEVERITIES,
    plain,
    words,
)
from .limits import MAX_DOCUMENT_CHARACTERS
from .parsed import Document
from .section_readers import (
    read_channels,
    read_contacts,
    read_paging,
    read_paths,
    read_rotation,
    read_services,
    read_severities,
)
from .sections import Section, SectionReader


def parse_document(text: str, *, source: str) -> Document:
    """The document's content, or DocumentError at the first thing that is wrong."""
    reader = SectionReader(Document(source=source))
    document = reader.document
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise reader.error(1, errors.EMPTY_DOCUMENT)
    if len(text) > MAX_DOCUMENT_CHARACTERS:
        line = text.count("\n", 0, MAX_DOCUMENT_CHARACTERS) + 1
        raise reader.error(line, errors.DOCUMENT_TOO_LONG.format(limit=MAX_DOCUMENT_CHARACTERS))
    reserved = RESERVED_CHARACTERS.search(text)
    if reserved:
        line = text.count("\n", 0, reserved.start()) + 1
        raise reader.error(line, errors.RESERVED_CHARACTER.format(code=ord(reserved.group())))
    control = CONTROL_CHARACTERS.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise reader.error(line, errors.CONTROL_CHARACTER.format(code=ord(control.group())))
    sections = _sections(reader, read_blocks(protect(text), source))
    known = {section.key: section for section in sections if section.key}
    if not known:
        raise reader.error(sections[0].line if sections else 1, errors.NO_KNOWN_SECTION)
    for key, title in SECTION_TITLES.items():
        if key not in known:
            reader.warn(1, errors.MISSING_SECTION.format(title=title))
    # In the document's order, so that the first error in it is the one reported.
    for key, section in known.items():
        if key == SEVERITIES:
            document.severities = read_severities(reader, section)
        elif key == ROTATION:
            document.rotation = read_rotation(reader, section)
        elif key == SERVICES:
            document.services = read_services(reader, section)
        elif key == PATHS:
            document.paths = read_paths(reader, section)
        elif key == CHANNELS:
            document.channels = read_channels(reader, section)
        elif key == CONTACTS:
            document.contacts = read_contacts(reader, section)
        elif key == PAGING:
            document.paging = read_paging(reader, section)
    document.warnings.sort(key=lambda warning: warning.line)
    parsed = restored(document)
    assert isinstance(parsed, Document)
    return parsed


def _sections(reader: SectionReader, blocks: list[Block]) -> list[Section]:
    """The `##` sections and their blocks; the `#` title before them goes to the document."""
    titles = {words(title): key for key, title in SECTION_TITLES.items()}
    sections: list[Section] = []
    first_line: dict[str, int] = {}
    for block in blocks:
        if isinstance(block, Heading) and block.level <= 2:
            if block.level == 1 and not reader.document.title and not sections:
                reader.document.title = block.title
                continue
            key = titles.get(words(plain(block.title)))
            if key is None:
                reader.warn(block.line, errors.UNKNOWN_SECTION.format(title=block.title))
            elif key in first_line:
                raise reader.error(
                    block.line,
                    errors.DUPLICATE_SECTION.format(title=block.title, first=first_line[key]),
                )
            else:
                first_line[key] = block.line
            sections.append(Section(key, block.title, block.line))
        elif sections:
            sections[-1].blocks.append(block)
        else:
            reader.not_imported(block)
    return sections
