"""The on-call iCalendar feed (RFC 5545), written as text.

One VEVENT per shift, tier and stretch: a shift no override touches is one event per tier, and
an override cuts its tier into events of their own. UIDs name the rotation, the tier and the
stretch's start in UTC, so a client that refreshes the feed updates events instead of adding
copies.

A large company's feed holds thousands of events, and building them as objects of the
icalendar package cost seconds of CPU, so the few property types it uses are written here
directly: one content line per property (`content_line`), TEXT values escaped by `escape_text`
(names are never pre-escaped elsewhere), date-times in UTC (`utc_date_time`), each line folded
at 75 octets (`fold`) and ended with CRLF. The properties, their order and the folding are those
the icalendar package wrote, so the bytes clients get did not change; the tests parse the feed
back with icalendar and compare it with a calendar the package builds.
"""

from datetime import UTC, datetime

from .models import OnCallTier, Person
from .selectors.calendar import CalendarFeed, FeedEvent

PRODID = "-//Escalation portal//On call//EN"
UID_DOMAIN = "escalation-portal"
CALENDAR_NAME = "On call"
#: One hour, as an iCalendar DURATION.
REFRESH = "PT1H"


def event_uid(event: FeedEvent) -> str:
    return f"{event.uid}@{UID_DOMAIN}"


def event_summary(event: FeedEvent) -> str:
    holder = event.holder
    name = holder.person.display_name if holder.person else "Nobody"
    summary = f"{OnCallTier(holder.tier).label} on call: {name}"
    if holder.covering_for is not None:
        summary += f" (covering for {holder.covering_for.display_name})"
    return summary


def contact_lines(person: Person) -> list[str]:
    lines = []
    if person.phone:
        lines.append(f"Phone: {person.phone.as_international}")
    if person.slack_handle:
        lines.append(f"Slack: {person.slack_handle}")
    if person.pagerduty_handle:
        lines.append(f"PagerDuty: {person.pagerduty_handle}")
    if person.email:
        lines.append(f"Email: {person.email}")
    return lines


def event_description(event: FeedEvent, contacts: dict[int, list[str]] | None = None) -> str:
    holder, shift = event.holder, event.shift
    lines = [
        f"Rotation: {event.rotation.name}",
        f"Tier: {OnCallTier(holder.tier).label}",
        f"Shift: {shift.label}, ISO week {shift.iso_year}-W{shift.iso_week:02d}",
    ]
    if holder.covering_for is not None:
        lines.append(f"Covering for: {holder.covering_for.display_name}")
    if event.repeat is not None:
        following = event.repeat.repeat.following
        when = "next" if following.start > shift.start else "previous"
        unit = "shift" if event.repeat.skipped_day else "week"
        lines.append(
            f"Repeat: the same slot is on call the {when} {unit} too ({event.repeat.why})."
        )
    if event.holidays is not None:
        lines.append(event.holidays.text)
    if holder.person is not None:
        lines.append("")
        lines.append(holder.person.display_name)
        if contacts is None:
            lines.extend(contact_lines(holder.person))
        else:
            # Formatting a phone number is slow; a feed names the same few people many times.
            if holder.person.pk not in contacts:
                contacts[holder.person.pk] = contact_lines(holder.person)
            lines.extend(contacts[holder.person.pk])
    return "\n".join(lines)


# --- Writing RFC 5545 -----------------------------------------------------------------------

#: Octets of content on one physical line. A folded line's continuations start with a space, so
#: no line passes 75 octets without its CRLF (RFC 5545 3.1); icalendar folded the first line at
#: 74 octets as well, which keeps the bytes what they were.
FOLD_OCTETS = 74
CRLF = b"\r\n"
#: A UTF-8 byte that continues a character (0b10xxxxxx): a line is never cut before one.
_CONTINUATION_MASK, _CONTINUATION = 0xC0, 0x80
#: Not left at the end of a folded piece: clients that unfold badly would break `\;` or `^n`.
_ESCAPE_OPENERS = b"\\^"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped with a backslash
    (the backslash first, so no escape is escaped twice), and each line break, CRLF, LF or a lone
    CR, written as the two characters `\\n`. A colon needs no escape in a value."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def utc_date_time(value: datetime) -> str:
    """A DATE-TIME in UTC (RFC 5545 3.3.5, form 2): `YYYYMMDDTHHMMSSZ`, to the whole second."""
    value = value.astimezone(UTC)
    return "%04d%02d%02dT%02d%02d%02dZ" % (  # noqa: UP031 (several times faster than strftime)
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
    )


def fold(line: bytes) -> bytes:
    """One content line folded (RFC 5545 3.1): pieces of at most `FOLD_OCTETS` octets joined by
    CRLF and a space. A piece never ends inside a UTF-8 character, nor with a backslash or a
    caret: those move on with the character they escape."""
    if len(line) <= FOLD_OCTETS:
        return line
    pieces = []
    start = 0
    while len(line) - start > FOLD_OCTETS:
        cut = start + FOLD_OCTETS
        while line[cut] & _CONTINUATION_MASK == _CONTINUATION:
            cut -= 1
        if line[cut - 1] in _ESCAPE_OPENERS:
            cut -= 1
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return b"\r\n ".join(pieces)


def content_line(name: str, value: str, parameters: str = "") -> bytes:
    """A property as one folded content line, `NAME;PARAMETERS:value`, without its CRLF.

    `value` is already written in the property's value type (TEXT through `escape_text`);
    `parameters` are the portal's own (`;VALUE=DURATION`), never a user's text, so need no quotes.
    """
    return fold(f"{name}{parameters}:{value}".encode())


def build_calendar(feed: CalendarFeed, *, stamp: datetime | None = None) -> bytes:
    """The feed as iCalendar bytes (UTF-8, CRLF line ends, folded at 75 octets)."""
    name = CALENDAR_NAME
    if feed.person is not None:
        # A calendar's name is one line in every client.
        name = f"{CALENDAR_NAME}: {' '.join(feed.person.display_name.split())}"
    # The properties in the order icalendar wrote them (its canonical order, then by name).
    lines = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        content_line("PRODID", escape_text(PRODID)),
        b"CALSCALE:GREGORIAN",
        content_line("NAME", escape_text(name)),
        content_line("X-WR-CALNAME", escape_text(name)),
        # Clients may poll more often; hourly keeps overrides fresh without hammering the portal.
        content_line("REFRESH-INTERVAL", REFRESH, ";VALUE=DURATION"),
        content_line("X-PUBLISHED-TTL", REFRESH),
    ]
    dtstamp = content_line("DTSTAMP", utc_date_time(stamp or feed.at))
    categories = {
        tier: content_line("CATEGORIES", ",".join(map(escape_text, ["On call", tier.label])))
        for tier in OnCallTier
    }
    contacts: dict[int, list[str]] = {}
    for item in feed.events:
        if item.holder.end.replace(microsecond=0) <= item.holder.start.replace(microsecond=0):
            # iCalendar counts whole seconds: a sliver inside one second (overrides stored
            # before boundaries were whole seconds) would start and end at the same time.
            continue
        lines += (
            b"BEGIN:VEVENT",
            content_line("SUMMARY", escape_text(event_summary(item))),
            content_line("DTSTART", utc_date_time(item.holder.start)),
            content_line("DTEND", utc_date_time(item.holder.end)),
            dtstamp,
            content_line("UID", escape_text(event_uid(item))),
            categories[OnCallTier(item.holder.tier)],
            content_line("DESCRIPTION", escape_text(event_description(item, contacts))),
            # Being on call does not make the person busy in their calendar.
            b"TRANSP:TRANSPARENT",
            b"END:VEVENT",
        )
    lines.append(b"END:VCALENDAR")
    lines.append(b"")
    return CRLF.join(lines)
