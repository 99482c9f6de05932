"""The escalation document's format: what the parser reads and the exporter writes, defined once.

The sections and their titles, each section's table (columns and the separator row the bundled
document writes), the `**Label:**` lines under the rotation, and the set phrases and word lists
("_Not required_", "TBD", "Odd weeks", "(PagerDuty)", "Page immediately"...). Also how words
are compared: `plain` (emphasis and backticks aside) and `words` (case and dashes aside), which
the parser, the planners and the exporter all use, and what words alone say a party or a path
is (`party_kind_from_words`, `path_kind_from_title`), or a slot's week (`week_parity_of`). Reading lives in `parser.py` and the
modules it names; writing in `exporter.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from escalation.models.directory import PartyKind, PathKind, ResponderTier, Via
from escalation.models.rotations import WeekParity

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

SEVERITY_TIERS: tuple[ResponderTier, ...] = (
    ResponderTier.PRIMARY,
    ResponderTier.SECONDARY,
    ResponderTier.MANAGEMENT,
    ResponderTier.COMMUNICATION,
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
ONCALL_WORDS = frozenset({"on", "call", "engineer", "person", "primary", "secondary"})

PAGING_ACTION_CHOICES = (
    '"Page immediately", "Page if sustained > N min", "Slack notification", '
    '"Investigate, no page" or "Evaluate severity, likely page"'
)

#: A week of the rotation by its words ("Odd weeks"), and the words the export writes for it.
WEEK_PARITY_WORDS: dict[str, str] = {
    "odd weeks": WeekParity.ODD,
    "odd week": WeekParity.ODD,
    "odd": WeekParity.ODD,
    "even weeks": WeekParity.EVEN,
    "even week": WeekParity.EVEN,
    "even": WeekParity.EVEN,
}
WEEK_PARITY_TEXT: dict[str, str] = {WeekParity.ODD: "Odd weeks", WeekParity.EVEN: "Even weeks"}
#: A slot label the admin chose, with its week after it: "Blue team (Odd weeks)".
SLOT_LABEL_WITH_WEEK = re.compile(r"(.*?)\s*\(\s*((?:odd|even)(?:\s+weeks?)?)\s*\)", re.IGNORECASE)


def week_parity_of(label: str) -> str:
    """The week a slot's label names by its words alone ("Odd weeks"), else ""."""
    return WEEK_PARITY_WORDS.get(words(label), "")


#: A flowchart step's clauses, in its parentheses: "SEV1/SEV2 only", "if not resolved within 30
#: minutes"; any other clause starting "if " is the condition, the rest a note. A note or a
#: condition that would read as another clause is written in double quotes ("if needed" as a note).
ONLY_CLAUSE = re.compile(
    r"((?:sev\s?\d+)(?:\s*(?:/|&|and|or)\s*sev\s?\d+)*)\s+only", flags=re.IGNORECASE
)
WITHIN_CLAUSE = re.compile(
    r"if not resolved (?:within|in|after) (\d+)\s*(?:minutes?|mins?)", flags=re.IGNORECASE
)


def unquoted(text: str) -> str:
    """A clause's text without the double quotes around the whole of it."""
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


SHIFT_WORDS: dict[str, int] = {"daily": 1, "weekly": 7, "fortnightly": 14, "biweekly": 14}

#: A `**Label:** value` line (or `**Label**: value`), as under the rotation table.
LABEL_LINE = re.compile(r"\*\*(.+?):\*\*\s*(.*)|\*\*(.+?)\*\*:\s*(.*)")

#: What Markdown or HTML would read as markup in a value (a tag, an entity, a link, emphasis,
#: code, strikethrough): the exporter writes a backslash before each, outside code blocks.
MARKUP = "<&[]*_`~"

#: What a backslash makes plain text (the parser's escapes; the exporter writes them).
ESCAPABLE = "\\|*_`()+,#<&[]~"


#: A flowchart line that is one of these is an arrow ("|" its shaft, "v" its head), not a step.
FLOWCHART_ARROW_LINES = frozenset({"|", "v", "V"})


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
    if "on call" in said and set(said.split()) <= ONCALL_WORDS:
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
