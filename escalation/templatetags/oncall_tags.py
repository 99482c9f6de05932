"""Filters for the on-call pages: instants in a time zone, in UTC, and countdowns.

They return strings on purpose: Django's `date` filter converts an aware datetime back to the
active time zone (UTC here) before formatting, which would undo a conversion to the viewer's.
"""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

TIERS = {"primary": "Primary", "secondary": "Secondary"}


def _zone(time_zone: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone or "UTC")
    except (KeyError, ValueError, OSError):
        return ZoneInfo("UTC")


def format_instant(value: datetime, time_zone: str | None = None, *, year: bool = True) -> str:
    """`Mon 30 Nov 2026, 04:00 EST`: the wall-clock time in the zone, with its abbreviation."""
    local = value.astimezone(_zone(time_zone))
    day = f"{local:%a} {local.day} {local:%b}" + (f" {local.year}" if year else "")
    seconds = f":{local:%S}" if local.second else ""
    return f"{day}, {local:%H:%M}{seconds} {local.tzname()}"


@register.filter
def local_time(value: datetime | None, time_zone: str | None = None) -> str:
    return "" if value is None else format_instant(value, time_zone)


@register.filter
def local_time_short(value: datetime | None, time_zone: str | None = None) -> str:
    """Without the year: for tables where the year is obvious from the ISO week column."""
    return "" if value is None else format_instant(value, time_zone, year=False)


@register.filter
def utc_time(value: datetime | None) -> str:
    return "" if value is None else format_instant(value, "UTC")


@register.filter
def iso_utc(value: datetime | None) -> str:
    """`2026-11-30T09:00:00Z`: for links, data attributes and `<time datetime>`."""
    if value is None:
        return ""
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def datetime_local(value: datetime | None, time_zone: str | None = None) -> str:
    """The value of an `<input type="datetime-local">` in the zone."""
    if value is None:
        return ""
    return value.astimezone(_zone(time_zone)).strftime("%Y-%m-%dT%H:%M:%S")


@register.filter
def same_zone_as_utc(value: datetime | None, time_zone: str | None) -> bool:
    """True when the zone shows the same wall-clock time as UTC at that instant."""
    if value is None:
        return True
    return value.astimezone(_zone(time_zone)).utcoffset() == timedelta(0)


def countdown_text(delta: timedelta) -> str:
    """`in 3 days 4 hours`, `in 2 hours 5 minutes`, `in 4 minutes`: the two largest units."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "now"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    while units and units[0][0] == 0:
        units.pop(0)
    if not units:
        return "in less than a minute"
    parts = [f"{count} {name}{'' if count == 1 else 's'}" for count, name in units[:2] if count]
    return "in " + " ".join(parts)


#: Set while a cached fragment renders: countdowns become markers, filled in per request.
DEFERRED_COUNTDOWNS = "_deferred_countdowns"
# An HTML comment: escaped text (everything from the database) can never contain one.
_COUNTDOWN_MARKER = "<!--countdown:{}-->"
_COUNTDOWN_MARKERS = re.compile(r"<!--countdown:(-?\d+)-->")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@register.simple_tag(takes_context=True)
def countdown(context: Context, until: datetime, at: datetime) -> str | SafeString:
    if context.get(DEFERRED_COUNTDOWNS):
        microseconds = (until - _EPOCH) // timedelta(microseconds=1)
        return mark_safe(_COUNTDOWN_MARKER.format(microseconds))  # noqa: S308
    return countdown_text(until - at)


#: A fragment's HTML as stored: UTF-8 bytes, or, when it has countdowns, the bytes split
#: around them (text, instant, text, instant, …, text), so that serving it needs neither a
#: search through the page nor an encoding of it.
StoredHTML = bytes | tuple[bytes, ...]


def stored_html(html: str) -> StoredHTML:
    if "<!--countdown:" not in html:
        return html.encode()
    return tuple(piece.encode() for piece in _COUNTDOWN_MARKERS.split(html))


def fill_countdowns(html: StoredHTML, at: datetime) -> bytes:
    """A stored fragment's HTML with its countdowns from `at`."""
    if isinstance(html, bytes):
        return html
    pieces = list(html)
    for index in range(1, len(pieces), 2):
        until = _EPOCH + timedelta(microseconds=int(pieces[index]))
        pieces[index] = countdown_text(until - at).encode()
    return b"".join(pieces)


@register.filter
def tier_name(tier: str) -> str:
    return TIERS.get(str(tier), str(tier).title())
