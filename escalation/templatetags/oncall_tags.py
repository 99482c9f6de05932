"""Filters for the on-call pages: instants in the active time zone, in UTC, and countdowns.

The active zone is the viewer's (`viewer.ViewerMiddleware`). The filters return strings
rather than leave the formatting to Django's `date` filter because the portal's way of writing
an instant (`format_instant`) shows the seconds only when there are some.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..time_zones import zone_or_utc

register = template.Library()

TIERS = {"primary": "Primary", "secondary": "Secondary"}
REFRESHED_AT_HANDOFF = "Updated at the {time} handoff."
REFRESHED_AT = "Updated at {time}."


def format_instant(
    value: datetime,
    time_zone: str | None = None,
    *,
    year: bool = True,
    zone: tzinfo | None = None,
) -> str:
    """`Mon 30 Nov 2026, 04:00 EST`: the wall-clock time in the named zone (UTC when the name
    is unknown), or in `zone`, or in the active zone when none is given, with the zone's
    abbreviation."""
    if zone is None:
        zone = timezone.get_current_timezone() if time_zone is None else zone_or_utc(time_zone)
    return format_local(value.astimezone(zone), year=year)


def format_local(local: datetime, *, year: bool = True) -> str:
    """`format_instant` of an instant already in the zone it is shown in."""
    # Names from tables rather than strftime's `%a` and `%b` (the same English names: the
    # portal never sets a locale): the long calendars write thousands of instants.
    text = f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month]}"
    if year:
        text = f"{text} {local.year}"
    if local.second:
        return f"{text}, {local.hour:02d}:{local.minute:02d}:{local.second:02d} {local.tzname()}"
    return f"{text}, {local.hour:02d}:{local.minute:02d} {local.tzname()}"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.filter
def local_time(value: datetime | None) -> str:
    return "" if value is None else format_instant(value)


@register.filter
def local_time_short(value: datetime | None) -> str:
    """Without the year: for tables where the year is obvious from the ISO week column."""
    return "" if value is None else format_instant(value, year=False)


@register.filter
def utc_time(value: datetime | None) -> str:
    return "" if value is None else format_instant(value, "UTC")


@register.filter
def iso_utc(value: datetime | None) -> str:
    """`2026-11-30T09:00:00Z`: for links, data attributes and `<time datetime>`."""
    if value is None:
        return ""
    utc = value.astimezone(UTC)
    # By hand: strftime costs several times as much, and the long calendars write thousands.
    return "%d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031
        utc.year,
        utc.month,
        utc.day,
        utc.hour,
        utc.minute,
        utc.second,
    )


@register.filter
def same_zone_as_utc(value: datetime | None) -> bool:
    """True when the active zone shows the same wall-clock time as UTC at that instant."""
    if value is None:
        return True
    return value.astimezone(timezone.get_current_timezone()).utcoffset() == timedelta(0)


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


def countdown_holds_until(until: datetime, at: datetime) -> datetime:
    """The instant from which `countdown_text(until - at)` says something else (a page that shows
    the countdown holds until then): when the whole minutes left drop by one, or, in the last
    minute, when it says "now" (less than a second left)."""
    left = (until - at) // timedelta(minutes=1)
    if left > 0:
        return until - timedelta(minutes=left) + timedelta(microseconds=1)
    now_said_from = until - timedelta(seconds=1) + timedelta(microseconds=1)
    return max(now_said_from, at + timedelta(microseconds=1))


@register.simple_tag
def countdown(until: datetime, at: datetime) -> str:
    """The text as of `at`; static/js/oncall-countdown.js keeps it current in the browser."""
    return countdown_text(until - at)


@register.filter
def tier_name(tier: str) -> str:
    return TIERS.get(str(tier), str(tier).title())


def wall_clock(value: datetime) -> str:
    """`09:00` (or `09:00:30`) in the active time zone."""
    local = value.astimezone(timezone.get_current_timezone())
    return f"{local:%H:%M:%S}" if local.second else f"{local:%H:%M}"


class _HandsOff(Protocol):
    @property
    def handoff(self) -> datetime: ...


@register.simple_tag
def refresh_marker(until: datetime | None, *cards: Iterable[_HandsOff]) -> str | SafeString:
    """When the page's answer stops being true (`until`), for `oncall-refresh.js` to fetch it
    again at that instant, with what to say then: the handoff of one of the rotations `cards`
    show, or another change (a cover starting or ending). Nothing when it holds for ever."""
    if until is None:
        return ""
    handoffs = {card.handoff for some in cards for card in some}
    notice = REFRESHED_AT_HANDOFF if until in handoffs else REFRESHED_AT
    return format_html(
        '<span hidden class="oncall-refresh-marker" data-refresh-at="{}" '
        'data-refresh-notice="{}"></span>',
        iso_utc(until),
        notice.format(time=wall_clock(until)),
    )


@register.filter
def compact_rows(cards: Any) -> SafeString:
    """Dashboard `RotationNow`s on one line each, in a list (`escalation.oncall_lines`)."""
    from ..oncall_lines import compact_rows as rows  # the lines use this module's filters

    return rows(cards)


@register.simple_tag(takes_context=True)
def tier_on_card(context: Any, tier_now: Any) -> SafeString:
    """A tier of a dashboard card (`escalation.oncall_cards`): who holds it, how to reach them."""
    from ..oncall_cards import tier_now_html  # the cards use this module's filters

    return tier_now_html(tier_now, manager=bool(context.get("viewer_is_manager")))
