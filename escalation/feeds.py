"""The on-call iCalendar feed (RFC 5545), built with the icalendar package.

One VEVENT per shift, tier and stretch: a shift no override touches is one event per tier, and
an override cuts its tier into events of their own. UIDs name the rotation, the tier and the
stretch's start in UTC, so a client that refreshes the feed updates events instead of adding
copies. Escaping and line folding are icalendar's job; names are never pre-escaped here.
"""

from datetime import datetime, timedelta

from icalendar import Calendar, Event, vText

from .models import OnCallTier, Person
from .selectors.calendar import CalendarFeed, FeedEvent

PRODID = "-//Escalation portal//On call//EN"
UID_DOMAIN = "escalation-portal"
CALENDAR_NAME = "On call"


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


def build_calendar(feed: CalendarFeed, *, stamp: datetime | None = None) -> bytes:
    """The feed as iCalendar bytes (UTF-8, CRLF line ends, folded at 75 octets)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = CALENDAR_NAME
    if feed.person is not None:
        # A calendar's name is one line in every client.
        name = f"{CALENDAR_NAME}: {' '.join(feed.person.display_name.split())}"
    # Typed as text explicitly: icalendar does not know these two and would not escape them.
    calendar.add("x-wr-calname", vText(name))
    calendar.add("name", vText(name))
    # Clients may poll more often; hourly keeps overrides fresh without hammering the portal.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    dtstamp = stamp or feed.at
    contacts: dict[int, list[str]] = {}
    for item in feed.events:
        if item.holder.end.replace(microsecond=0) <= item.holder.start.replace(microsecond=0):
            # iCalendar counts whole seconds: a sliver inside one second (overrides stored
            # before boundaries were whole seconds) would start and end at the same time.
            continue
        event = Event()
        event.add("uid", event_uid(item))
        event.add("dtstamp", dtstamp)
        event.add("dtstart", item.holder.start)
        event.add("dtend", item.holder.end)
        event.add("summary", event_summary(item))
        event.add("description", event_description(item, contacts))
        event.add("categories", ["On call", OnCallTier(item.holder.tier).label])
        # Being on call does not make the person busy in their calendar.
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
