"""Slack's settings, the check of a request's signature, and the official clients.

Requests come signed with the app's signing secret (`X-Slack-Signature`, an HMAC of
`v0:{timestamp}:{raw body}`); `slack_sdk`'s `SignatureVerifier` checks it and refuses a timestamp
more than five minutes from the portal's clock. Without `SLACK_SIGNING_SECRET` the endpoints
answer that Slack is not configured; without `SLACK_BOT_TOKEN` nothing is posted by the app.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.utils import timezone
from slack_sdk import WebClient
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.webhook import WebhookClient

#: Seconds to wait for Slack, below the three seconds Slack gives an answer.
TIMEOUT_SECONDS = 2

NOT_CONFIGURED = "Slack is not configured on this portal (SLACK_SIGNING_SECRET is not set)."
NO_BOT_TOKEN = "SLACK_BOT_TOKEN is not set."  # noqa: S105 (a message, not a secret)


def commands_enabled() -> bool:
    """The endpoints act only when requests can be verified."""
    return bool(settings.SLACK_SIGNING_SECRET)


def app_enabled() -> bool:
    """The bot can post, edit messages and look people up."""
    return bool(settings.SLACK_BOT_TOKEN)


class _PortalClock(Clock):
    """The portal's clock (Django's `timezone.now`), which the tests can move."""

    def now(self) -> float:
        return timezone.now().timestamp()


def is_signed_by_slack(body: bytes, headers: Mapping[str, str]) -> bool:
    """True when the body carries a valid signature with a timestamp within five minutes."""
    if not commands_enabled():
        return False
    verifier = SignatureVerifier(settings.SLACK_SIGNING_SECRET, clock=_PortalClock())
    try:
        return verifier.is_valid_request(body, dict(headers))
    except (ValueError, TypeError):  # a timestamp that is not a number
        return False


def web_client() -> WebClient:
    """The Web API client with the bot's token (`SLACK_API_URL` lets the tests use a fake)."""
    if not app_enabled():
        raise RuntimeError(NO_BOT_TOKEN)
    base_url = settings.SLACK_API_URL
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=base_url if base_url.endswith("/") else f"{base_url}/",
        timeout=TIMEOUT_SECONDS,
    )


def response_client(response_url: str) -> WebhookClient:
    """A client for the `response_url` of a command or a click (an answer to one person)."""
    return WebhookClient(response_url, timeout=TIMEOUT_SECONDS)


def retry_after_seconds(headers: Mapping[str, object] | None, default: int = 60) -> int:
    """Slack's `Retry-After` on a 429, in seconds (its headers may hold lists)."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(int(str(raw)), 1)
            except ValueError:
                return default
    return default
