"""Feed tokens: long and random, stored only as a hash, replaced and revoked for good."""

import io
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from escalation.log_redaction import REDACTED, redact_tokens
from escalation.models import FeedToken
from escalation.services.feed_tokens import (
    HINT_LENGTH,
    feed_token_regenerate,
    feed_token_revoke,
    feed_token_user,
    hash_token,
)
from tests import factories

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 26, 12, tzinfo=UTC)


def test_a_token_is_long_random_and_only_its_hash_is_stored(user):
    token = feed_token_regenerate(user=user)
    assert len(token) >= 43
    stored = FeedToken.objects.get(user=user)
    assert stored.token_hash == hash_token(token) != token
    assert len(stored.token_hash) == 64
    assert stored.hint == token[:HINT_LENGTH]
    assert token not in {stored.token_hash, stored.hint}
    assert feed_token_regenerate(user=factories.UserFactory()) != token


def test_the_token_finds_its_user_and_records_the_use(user):
    token = feed_token_regenerate(user=user)
    assert feed_token_user(token=token, at=AT) == user
    assert FeedToken.objects.get(user=user).last_used_at == AT


def test_a_token_polled_often_records_its_use_once_a_minute(user, django_assert_num_queries):
    token = feed_token_regenerate(user=user)
    feed_token_user(token=token, at=AT)

    with django_assert_num_queries(1):  # read, nothing written
        assert feed_token_user(token=token, at=AT + timedelta(seconds=59)) == user
    assert FeedToken.objects.get(user=user).last_used_at == AT
    with django_assert_num_queries(2):
        feed_token_user(token=token, at=AT + timedelta(minutes=1))
    assert FeedToken.objects.get(user=user).last_used_at == AT + timedelta(minutes=1)
    # A clock that went back (another server) records the earlier use at once.
    feed_token_user(token=token, at=AT - timedelta(seconds=1))
    assert FeedToken.objects.get(user=user).last_used_at == AT - timedelta(seconds=1)


def test_regenerating_replaces_the_token_in_place(user):
    old = feed_token_regenerate(user=user)
    new = feed_token_regenerate(user=user)
    assert old != new
    assert FeedToken.objects.filter(user=user).count() == 1
    assert feed_token_user(token=old, at=AT) is None
    assert feed_token_user(token=new, at=AT) == user


def test_revoking_forgets_the_token(user):
    token = feed_token_regenerate(user=user)
    assert feed_token_revoke(user=user) is True
    assert feed_token_user(token=token, at=AT) is None
    assert feed_token_revoke(user=user) is False


@pytest.mark.parametrize("token", ["", "x", "a" * 43, "a" * 5000])
def test_unknown_tokens_find_nobody(user, token):
    feed_token_regenerate(user=user)
    assert feed_token_user(token=token, at=AT) is None


def test_an_inactive_users_token_finds_nobody(user):
    token = feed_token_regenerate(user=user)
    user.is_active = False
    user.save()
    assert feed_token_user(token=token, at=AT) is None


def test_one_users_token_never_opens_another_users_feed(user):
    other = factories.UserFactory(username="other")
    mine = feed_token_regenerate(user=user)
    theirs = feed_token_regenerate(user=other)
    assert feed_token_user(token=mine, at=AT) == user
    assert feed_token_user(token=theirs, at=AT) == other


# --- Keeping tokens out of places they do not belong -------------------------------------------


def test_the_ics_feed_takes_a_bearer_token_too(client, user):
    token = feed_token_regenerate(user=user)
    url = reverse("escalation:calendar_ics")
    assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get(url, headers={"Authorization": "Bearer nope"}).status_code == 403


@pytest.mark.parametrize(
    "address",
    ["/oncall/?token={token}&weeks=4", "/oncall/?weeks=4&token={token}&token=again"],
)
def test_a_token_is_never_carried_into_the_login_pages_next(client, user, address):
    token = feed_token_regenerate(user=user)
    response = client.get(address.format(token=token))
    assert response.status_code == 302
    location = response["Location"]
    assert token not in location and "token" not in location
    assert parse_qs(urlsplit(location).query)["next"] == ["/oncall/?weeks=4"]
    login_page = client.get(location).content.decode()
    assert token not in login_page


def test_a_page_with_only_a_token_sends_to_the_login_page_with_its_bare_path(client, user):
    token = feed_token_regenerate(user=user)
    location = client.get(f"/contacts/?token={token}")["Location"]
    assert parse_qs(urlsplit(location).query)["next"] == ["/contacts/"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '"GET /api/oncall/?at=2026-01-01&token=Ab_c-9 HTTP/1.1" 200',
            f'"GET /api/oncall/?at=2026-01-01&token={REDACTED} HTTP/1.1" 200',
        ),
        ("GET /oncall/calendar.ics?token=Ab_c-9", f"GET /oncall/calendar.ics?token={REDACTED}"),
        (
            "/accounts/login/?next=/oncall/%3Ftoken%3DAb_c-9%26weeks%3D4",
            f"/accounts/login/?next=/oncall/%3Ftoken%3D{REDACTED}%26weeks%3D4",
        ),
        ("Authorization: Bearer Ab_c-9.x", f"Authorization: Bearer {REDACTED}"),
        ("no secret in /oncall/?weeks=4", "no secret in /oncall/?weeks=4"),
    ],
)
def test_tokens_are_redacted_from_log_lines(line, expected):
    assert redact_tokens(line) == expected


def handlers_of(logger: logging.Logger) -> list[logging.Handler]:
    """Every handler a record sent to `logger` reaches, as logging walks up to the root."""
    found: list[logging.Handler] = []
    current: logging.Logger | None = logger
    while current is not None:
        found.extend(current.handlers)
        current = current.parent if current.propagate else None  # type: ignore[assignment]
    return found


@pytest.mark.parametrize("name", ["django.server", "django.request", "escalation"])
def test_the_portals_log_handlers_write_no_token(user, name):
    token = feed_token_regenerate(user=user)
    logger = logging.getLogger(name)
    handlers = [h for h in handlers_of(logger) if isinstance(h, logging.StreamHandler)]
    assert handlers
    stream = io.StringIO()
    streams = [h.setStream(stream) for h in handlers]
    try:
        logger.error('"GET /api/oncall/?token=%s HTTP/1.1" 200', token)
    finally:
        for handler, old in zip(handlers, streams, strict=True):
            handler.setStream(old)
    assert f"token={REDACTED}" in stream.getvalue()
    assert token not in stream.getvalue()
