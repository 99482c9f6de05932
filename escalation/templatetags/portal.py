"""Template filters shared by the portal's pages."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.templatetags.tz import do_timezone

from ..contact_links import slack_url

register = template.Library()


register.filter("slack_url", slack_url)


@register.filter
def in_time_zone(value: datetime | None, time_zone: str | None) -> datetime | None:
    """The instant as a wall-clock time in the given IANA zone (UTC when empty or unknown)."""
    if value is None:
        return None
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    # Marked so that `|date` keeps this zone instead of converting back to the active one.
    return do_timezone(value, zone)
