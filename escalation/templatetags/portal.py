"""Template filters shared by the portal's pages."""

from datetime import datetime
from urllib.parse import quote

from django import template
from django.conf import settings
from django.templatetags.tz import do_timezone

from ..time_zones import zone_or_utc

register = template.Library()


@register.filter
def slack_url(handle_or_channel: str) -> str:
    """A link that opens Slack at a channel (#name) or a person or group (@name)."""
    name = (handle_or_channel or "").strip()
    if not name:
        return ""
    workspace = settings.PORTAL_SLACK_WORKSPACE_URL.rstrip("/")
    if workspace:
        return f"{workspace}/app_redirect?channel={quote(name.lstrip('#@'))}"
    return "slack://open"


@register.filter
def in_time_zone(value: datetime | None, time_zone: str | None) -> datetime | None:
    """The instant as a wall-clock time in the given IANA zone (UTC when empty or unknown)."""
    if value is None:
        return None
    # Marked so that `|date` keeps this zone instead of converting back to the active one.
    return do_timezone(value, zone_or_utc(time_zone))
