"""Links that reach a person or a channel: Slack (a workspace link when configured), a
channel's own address. Plain functions of the values they link to: no query, no request."""

from urllib.parse import quote

from django.conf import settings

from .models import Channel, ChannelKind


def slack_url(handle_or_channel: str) -> str:
    """A link that opens Slack at a channel (#name) or a person or group (@name); "" without
    `SLACK_WORKSPACE_URL` (`slack://open` would only open the app, not the conversation): pages
    then show the name as text to copy."""
    name = (handle_or_channel or "").strip()
    if not name:
        return ""
    workspace = settings.PORTAL_SLACK_WORKSPACE_URL.rstrip("/")
    if workspace:
        return f"{workspace}/app_redirect?channel={quote(name.lstrip('#@'))}"
    return ""


def channel_link(channel: Channel | None) -> str:
    """Where a channel lives: its URL, else Slack for a Slack channel, else nothing."""
    if channel is None:
        return ""
    if channel.url:
        return channel.url
    if channel.kind == ChannelKind.SLACK:
        return slack_url(channel.name)
    return ""
