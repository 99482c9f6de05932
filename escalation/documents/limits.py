"""What the importer accepts at most, in one place (the README's "The escalation document" lists
them): a document past a limit is refused while it is read, before the database is touched, with
`PATH:LINE` at the line that passes it.

The company's document is a few kilobytes, and the large benchmark organisation's (2,000 people,
400 services) is well inside every limit; 20,000 flowchart steps, by contrast, kept one
transaction open for minutes. An error quotes at most `ECHO_CHARACTERS` of a value.
"""

from __future__ import annotations

#: The file on disk, checked before it is read (`import_escalation_doc`).
MAX_DOCUMENT_BYTES = 4_000_000
#: The text, checked before it is parsed.
MAX_DOCUMENT_CHARACTERS = 2_000_000
#: Rows of any one table (after its header and separator).
MAX_TABLE_ROWS = 5_000
#: Parties in one cell or one flowchart step ("Backend lead + Frontend lead" is two).
MAX_PARTIES = 20
#: Steps of one flowchart, and of all the escalation paths together.
MAX_FLOWCHART_STEPS = 50
MAX_STEPS = 1_000
#: How much of a value an error or a warning quotes.
ECHO_CHARACTERS = 80


def echo(value: str) -> str:
    """`value` as a message quotes it: whole when short, else its start and its length."""
    if len(value) <= ECHO_CHARACTERS:
        return value
    return f"{value[:ECHO_CHARACTERS]}… ({len(value):,} characters)"
