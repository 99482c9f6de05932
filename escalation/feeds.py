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
the icalendar package wrote, so clients get the same bytes as before; the tests parse the feed
back with icalendar and compare it with the calendar the package builds.
"""

from datetime import UTC, datetime

from .models import OnCallTier, Person
from .selectors.calendar import CalendarFeed, FeedEvent

PRODID = "-//Escalation portal//On call//EN"
UID_DOMAIN = "escalation-portal"
CALENDAR_NAME = "On call"
#: One hour, as an iCalendar DURATION.
REFRESH = "PT1H"


#: A tier as the feed names it ("Primary"), by its value.
TIER_LABELS: dict[str, str] = {tier.value: str(tier.label) for tier in OnCallTier}


def event_uid(event: FeedEvent) -> str:
    return f"{event.uid}@{UID_DOMAIN}"


def event_summary(event: FeedEvent) -> str:
    holder = event.holder
    name = holder.person.display_name if holder.person else "Nobody"
    summary = f"{TIER_LABELS[holder.tier]} on call: {name}"
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


def person_lines(person: Person) -> str:
    """The description's last lines: after a blank line, the person and how to reach them."""
    return "\n".join(["", person.display_name, *contact_lines(person)])


def event_description(event: FeedEvent, people: dict[int, str] | None = None) -> str:
    """The event's description; `people` keeps each person's lines for the next event that
    names them (a feed names the same few people many times)."""
    return "\n".join(description_lines(event, people))


def description_lines(event: FeedEvent, people: dict[int, str] | None = None) -> list[str]:
    """The description's lines (the person's several lines as one), before they are joined."""
    holder, shift = event.holder, event.shift
    lines = [
        f"Rotation: {event.rotation.name}",
        f"Tier: {TIER_LABELS[holder.tier]}",
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
    person = holder.person
    if person is not None:
        if people is None:
            lines.append(person_lines(person))
        else:
            # By `id` rather than `pk`, which Django works out on every use.
            if (written := people.get(person.id)) is None:
                written = people[person.id] = person_lines(person)
            lines.append(written)
    return lines


# --- Writing RFC 5545 -----------------------------------------------------------------------

#: Octets of content on one physical line. A folded line's continuations start with a space, so
#: no line passes 75 octets without its CRLF (RFC 5545 3.1); icalendar folded the first line at
#: 74 octets as well, which keeps the bytes what they were.
FOLD_OCTETS = 74
#: A UTF-8 byte that continues a character (0b10xxxxxx): a line is never cut before one.
_CONTINUATION_MASK, _CONTINUATION = 0xC0, 0x80
#: Not left at the end of a folded piece: clients that unfold badly would break `\;` or `^n`.
_ESCAPE_OPENERS = b"\\^"
_ESCAPE_OPENER_CHARACTERS = "\\^"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped with a backslash
    (the backslash first, so no escape is escaped twice), and each line break, CRLF, LF or a lone
    CR, written as the two characters `\\n`. A colon needs no escape in a value. (A typed `\\N`
    is a backslash and an N like any other; icalendar alone made it a line break.)"""
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


def fold(line: str) -> str:
    """One content line folded (RFC 5545 3.1): pieces of at most `FOLD_OCTETS` octets of UTF-8
    joined by CRLF and a space. A piece never ends inside a character, nor with a backslash or a
    caret: those move on with the character they escape."""
    if line.isascii():
        # One octet a character: the line is cut as text, without encoding it.
        if len(line) <= FOLD_OCTETS:
            return line
        pieces = []
        start = 0
        size = len(line)
        while size - start > FOLD_OCTETS:
            cut = start + FOLD_OCTETS
            if line[cut - 1] in _ESCAPE_OPENER_CHARACTERS:
                cut -= 1
            pieces.append(line[start:cut])
            start = cut
        pieces.append(line[start:])
        return "\r\n ".join(pieces)
    data = line.encode()
    if len(data) <= FOLD_OCTETS:
        return line
    octets = []
    start = 0
    while len(data) - start > FOLD_OCTETS:
        cut = start + FOLD_OCTETS
        while data[cut] & _CONTINUATION_MASK == _CONTINUATION:
            cut -= 1
        if data[cut - 1] in _ESCAPE_OPENERS:
            cut -= 1
        octets.append(data[start:cut])
        start = cut
    octets.append(data[start:])
    return b"\r\n ".join(octets).decode()


def content_line(name: str, value: str, parameters: str = "") -> str:
    """A property as one folded content line, `NAME;PARAMETERS:value`, without its CRLF.

    `value` is already written in the property's value type (TEXT through `escape_text`);
    `parameters` are the portal's own (`;VALUE=DURATION`), never a user's text, so need no quotes.
    """
    return fold(f"{name}{parameters}:{value}")


class FeedTexts:
    """The events' text properties as content lines, with what they repeat escaped once per
    feed: each summary (the same tier, person and person covered), each description line (the
    rotation, the tier, the shift both tiers share, the person and how to reach them) and each
    rotation and tier's UID prefix.

    Escaping each line of a description and joining them with an escaped line break gives the
    escaped description, unless a line ends with a carriage return (it and the line break are
    one break, escaped once): then the description is escaped whole.
    """

    def __init__(self) -> None:
        self._summaries: dict[tuple[object, ...], str] = {}
        self._escaped: dict[str, str] = {}
        self._people: dict[int, str] = {}
        self._uid_prefixes: dict[tuple[int, str], str] = {}
        #: The first two description lines escaped, by rotation and tier; None when a line ends
        #: with a carriage return. The same for each person's lines, by person.
        self._heads: dict[tuple[int, str], str | None] = {}
        self._person_pieces: dict[int, str | None] = {}

    def summary_line(self, event: FeedEvent) -> str:
        holder = event.holder
        key = (
            holder.assignment.tier,
            holder.person.id if holder.person else None,
            holder.covering_for.id if holder.covering_for is not None else None,
        )
        line = self._summaries.get(key)
        if line is None:
            line = self._summaries[key] = content_line("SUMMARY", escape_text(event_summary(event)))
        return line

    def uid_line(self, event: FeedEvent, start: str) -> str:
        """`event_uid`, from the stretch's start as DTSTART writes it (`YYYYMMDDTHHMMSSZ`)."""
        assignment = event.holder.assignment
        key = (event.rotation.id, assignment.tier)
        prefix = self._uid_prefixes.get(key)
        if prefix is None:
            prefix = self._uid_prefixes[key] = escape_text(f"{event.rotation.slug}-{key[1]}-")
        microsecond = assignment.start.microsecond
        # Digits, a T, a dot, a Z and the domain: nothing in the rest is escaped.
        stamp = f"{start[:-1]}.{microsecond:06d}Z" if microsecond else start
        line = f"UID:{prefix}{stamp}@{UID_DOMAIN}"
        # Most fit on one line: no call to fold them.
        return line if len(line) <= FOLD_OCTETS and line.isascii() else fold(line)

    def description_line(self, event: FeedEvent) -> str:
        holder = event.holder
        if holder.covering_for is None and event.repeat is None and event.holidays is None:
            # Most events: the rotation, the tier, the shift and the person, each part but the
            # shift's escaped once per feed.
            rotation = event.rotation
            tier = holder.assignment.tier
            head = self._heads.get((rotation.id, tier), "")
            if head == "":
                head = self._heads[rotation.id, tier] = self._escaped_lines(
                    [f"Rotation: {rotation.name}", f"Tier: {TIER_LABELS[tier]}"]
                )
            person = holder.person
            about: str | None = ""
            if person is not None:
                about = self._person_pieces.get(person.id, "")
                if about == "":
                    written = self._people.get(person.id)
                    if written is None:
                        written = self._people[person.id] = person_lines(person)
                    about = self._person_pieces[person.id] = self._escaped_lines([written])
                about = f"\\n{about}" if about is not None else None
            if head is not None and about is not None:
                shift = event.shift
                # Ends with the week's digits: never with a carriage return.
                line = f"Shift: {shift.slot.label}, ISO week {shift.iso_year}-W{shift.iso_week:02d}"
                piece = self._escaped.get(line)
                if piece is None:
                    piece = self._escaped[line] = escape_text(line)
                return content_line("DESCRIPTION", f"{head}\\n{piece}{about}")
        lines = description_lines(event, self._people)
        escaped = self._escaped
        pieces = []
        for line in lines:
            piece = escaped.get(line)
            if piece is None:
                if line.endswith("\r"):
                    # Never kept, so every description with such a line comes here.
                    return content_line("DESCRIPTION", escape_text("\n".join(lines)))
                piece = escaped[line] = escape_text(line)
            pieces.append(piece)
        return content_line("DESCRIPTION", "\\n".join(pieces))

    def _escaped_lines(self, lines: list[str]) -> str | None:
        """Description lines escaped and joined as `description_line` joins them; None when one
        ends with a carriage return (the description is then escaped whole)."""
        if any(line.endswith("\r") for line in lines):
            return None
        return "\\n".join(escape_text(line) for line in lines)


def build_calendar(feed: CalendarFeed, *, stamp: datetime | None = None) -> bytes:
    """The feed as iCalendar bytes (UTF-8, CRLF line ends, folded at 75 octets)."""
    name = CALENDAR_NAME
    if feed.person is not None:
        # A calendar's name is one line in every client.
        name = f"{CALENDAR_NAME}: {' '.join(feed.person.display_name.split())}"
    # The properties in the order icalendar wrote them (its canonical order, then by name).
    parts = [
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        f"{content_line('PRODID', escape_text(PRODID))}\r\n"
        "CALSCALE:GREGORIAN\r\n"
        f"{content_line('NAME', escape_text(name))}\r\n"
        f"{content_line('X-WR-CALNAME', escape_text(name))}\r\n"
        # Clients may poll more often; hourly keeps overrides fresh without hammering the portal.
        f"{content_line('REFRESH-INTERVAL', REFRESH, ';VALUE=DURATION')}\r\n"
        f"{content_line('X-PUBLISHED-TTL', REFRESH)}\r\n"
    ]
    dtstamp = utc_date_time(stamp or feed.at)
    categories = {
        tier: content_line("CATEGORIES", ",".join(map(escape_text, ["On call", label])))
        for tier, label in TIER_LABELS.items()
    }
    # A feed names the same few people, rotations and shifts thousands of times: each text is
    # escaped once (`FeedTexts`), and shifts share their boundaries (both tiers, the next
    # shift's start), so each is written once.
    texts = FeedTexts()
    written: dict[datetime, str] = {}
    for item in feed.events:
        # The holder's assignment read directly: its properties cost a call each, per event.
        assignment = item.holder.assignment
        if (start := written.get(assignment.start)) is None:
            start = written[assignment.start] = utc_date_time(assignment.start)
        if (end := written.get(assignment.end)) is None:
            end = written[assignment.end] = utc_date_time(assignment.end)
        # Written with one fixed width, the times compare as the instants to the second do.
        if end <= start:
            # iCalendar counts whole seconds: a sliver inside one second (overrides stored
            # before boundaries were whole seconds) would start and end at the same time.
            continue
        # The date-time lines (24 octets) never need folding.
        parts.append(
            "BEGIN:VEVENT\r\n"
            f"{texts.summary_line(item)}\r\n"
            f"DTSTART:{start}\r\n"
            f"DTEND:{end}\r\n"
            f"DTSTAMP:{dtstamp}\r\n"
            f"{texts.uid_line(item, start)}\r\n"
            f"{categories[assignment.tier]}\r\n"
            f"{texts.description_line(item)}\r\n"
            # Being on call does not make the person busy in their calendar.
            "TRANSP:TRANSPARENT\r\n"
            "END:VEVENT\r\n"
        )
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode()
