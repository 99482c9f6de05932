"""What the importer says about a document: errors stop the import, warnings do not.

Every message is a module constant (a `str.format` template) so tests compare exact texts.
Each is a `Message`: a value it quotes from the document is cut to `limits.ECHO_CHARACTERS`
(a 5 MB cell is not echoed whole to the terminal).
"""

from dataclasses import dataclass
from typing import Any

from .limits import echo


class Message(str):
    """A message template whose `format` quotes document text through `limits.echo`."""

    #: Values that are the importer's own words, never the document's: quoted whole.
    OWN_WORDS = frozenset({"problem", "expected", "choices", "header", "column", "limit"})

    def format(self, *args: Any, **kwargs: Any) -> str:
        quoted = {
            name: echo(value) if isinstance(value, str) and name not in self.OWN_WORDS else value
            for name, value in kwargs.items()
        }
        return str.format(self, *args, **quoted)


# The file as a whole.
EMPTY_DOCUMENT = "the document is empty"
NOT_UTF8 = "the file is not UTF-8 text (byte 0x{byte:02x} cannot be decoded)"
NO_KNOWN_SECTION = (
    "this is not an escalation document: none of its sections is one of the known ones "
    '("## Contact Matrix by Severity", "## On-Call Rotation"…)'
)
UNTERMINATED_FENCE = "this code fence is never closed (no closing ``` line)"
RESERVED_CHARACTER = "the character U+{code:04X} cannot be part of the document: remove it"
CONTROL_CHARACTER = (
    "the control character U+{code:04X} cannot be part of the document: names and values are "
    "one line of printable text (only line breaks between lines and tabs are allowed); remove it"
)

# Sections.
DUPLICATE_SECTION = 'the section "{title}" appears twice (first on line {first})'
UNKNOWN_SECTION = (
    'the section "{title}" is not part of the escalation document; it was not imported'
)
MISSING_SECTION = 'there is no "{title}" section; that part of the database was left as it is'
NOT_IN_DOCUMENT = '{model} "{name}" is in the database but not in the document; it was kept'
TEXT_NOT_IMPORTED = 'this text is not part of a table or flowchart and was not imported: "{text}"'
UNKNOWN_SUBSECTION = 'the subsection "{title}" is not part of this section; it was not imported'

# Tables.
TABLE_MISSING = 'the "{section}" section has no table (expected the header row "{header}")'
TABLE_HEADER_MISSING = 'this table has no header row (expected "{header}" above its separator)'
TABLE_HEADER_MISMATCH = 'expected the table header "{expected}", found "{found}"'
TABLE_SEPARATOR_MISSING = 'the table header must be followed by a separator row such as "|---|---|"'
TABLE_EXTRA = "this section has a second table; only one is expected"
CELL_COUNT = "this row has {found} cells; the table has {expected} columns"
CELL_EMPTY = "the {column} cell is empty"
DUPLICATE_ROW = '"{name}" is listed twice in this table (first on line {first})'
INVALID_VALUE = '{column} "{value}": {problem}'

# Severity matrix and parties.
UNKNOWN_SEVERITY = '"{text}" is not a severity: expected SEV1 to SEV9'
NO_SUCH_SEVERITY = "{name} is not a severity in this document or the database"
NOT_REQUIRED_EMPTY = 'the {column} cell is empty: write "_Not required_" when nobody is needed'
EMPTY_PARTY = '{column}: a "+" with nobody on one side'
UNKNOWN_CONTACT_METHOD = '{column}: "({text})" is not a way to reach someone: use PagerDuty, Slack, Phone, Email or Ticket'
UNKNOWN_PARTY = (
    '{column}: "{text}" is not a role (name or alias such as @backend-lead), person or channel '
    "that this document or the database knows"
)

# Rotation.
ROTATION_CADENCE_MISSING = (
    'the rotation has no "**Rotation cadence:**" line (e.g. "Weekly, handoff on Monday 09:00 UTC")'
)
CADENCE_UNREADABLE = (
    'cannot read the rotation cadence "{text}": expected e.g. "Weekly, handoff on Monday 09:00 UTC"'
)
UNKNOWN_WEEKDAY = '"{text}" is not a weekday: expected Monday, Tuesday, … or Sunday'
BAD_HANDOFF_TIME = '"{text}" is not a time of day: expected HH:MM, e.g. 09:00'
BAD_TIME_ZONE = '"{text}" is not a time zone: expected UTC or an IANA name such as Europe/Berlin'
OVERRIDE_LINE_UNREADABLE = (
    'cannot read the override requests line "{text}": expected "Post in #channel channel"'
)
UNKNOWN_ROTATION_LINE = 'the rotation line "{label}" is not known; it was not imported'
UNKNOWN_WEEK_LABEL = (
    '"{text}" is not a week of the rotation: use "Odd weeks" or "Even weeks", or a name '
    'followed by its week, e.g. "Blue team (Odd weeks)"'
)
ROTATION_PRIMARY_MISSING = '"{week}" needs a primary on-call person'
ROTATION_SAME_PERSON = '"{week}": {name} cannot be both primary and secondary'

# Escalation paths.
FLOWCHART_MISSING = 'the escalation path "{title}" has no flowchart (a ``` fenced block)'
FLOWCHART_EXTRA = 'the escalation path "{title}" has a second flowchart; only one is expected'
FLOWCHART_EMPTY = "this flowchart has no steps"
FLOWCHART_DANGLING_ARROW = "this arrow does not lead to a step"
FLOWCHART_ARROW_WITHOUT_SOURCE = "this arrow does not start from a step"
FLOWCHART_ARROWHEAD_MISSING = 'this arrow has no head: put a "v" line under the "|"'
FLOWCHART_MISSING_ARROW = (
    'this step follows the one above without an arrow ("|" then "v") between them'
)

# Paging rules.
UNKNOWN_PAGING_ACTION = '"{text}" is not a paging action: use one of {choices}'
UNKNOWN_CHANNEL = '{column}: "{text}" is not a channel this document or the database knows'

# Contacts.
BAD_PHONE = '"{text}" is not a phone number: use the international format, e.g. +44 20 7946 0000'
PHONE_WITHOUT_HOLDER = 'the phone "{phone}" has nobody to belong to: the Name is TBD'
CONFLICTING_PHONES = '{name} has another phone number on line {first}: "{phone}"'
# Limits (`limits.py`).
FILE_TOO_LARGE = (
    "the file has {size:,} bytes; the importer reads documents of up to {limit:,} bytes"
)
DOCUMENT_TOO_LONG = (
    "the document passes {limit:,} characters here; the importer reads documents of up to "
    "{limit:,} characters"
)
TOO_MANY_ROWS = "this table has more than {limit:,} rows, the most one table may have"
TOO_MANY_PARTIES = "{column}: more than {limit:,} parties, the most one cell or step may name"
TOO_MANY_STEPS = "this flowchart has more than {limit:,} steps, the most one flowchart may have"
TOO_MANY_STEPS_IN_ALL = (
    "the escalation paths have more than {limit:,} steps together, the most a document may have"
)

ONCALL_ROW_IGNORED = (
    'the on-call rows always read "{expected}"; their other cells come from the rotation '
    "and were not imported"
)


# Every template above quotes through `limits.echo`.
for _name, _value in list(globals().items()):
    if _name.isupper() and isinstance(_value, str):
        globals()[_name] = Message(_value)


@dataclass(frozen=True)
class DocumentWarning:
    """Something the importer skipped or kept; the import still went ahead."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: warning: {self.message}"


class DocumentError(Exception):
    """What is wrong with a document, and where: its str is exactly `PATH:LINE: message`."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"
