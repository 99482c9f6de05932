"""Feed tokens: long and random, stored only as a hash, replaced and revoked for good."""

from datetime import UTC, datetime

import pytest

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
