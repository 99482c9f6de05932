"""Per-user secret tokens for the calendar feed and the JSON API (calendar clients cannot log in).

Only the SHA-256 of a token is stored, with its first characters as a hint: a database leak
gives nobody a working feed URL, and the token itself is shown once, when it is made. A token
is checked by looking up its hash, so no secret is ever compared character by character.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import FeedToken
from ..selectors.prepared import TEXT, PreparedQuery

TOKEN_BYTES = 32
HINT_LENGTH = 8
#: Where a feed request carries its token: `?token=` (calendar apps), or this header (programs).
TOKEN_PARAMETER = "token"  # noqa: S105 (the parameter's name, not a secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    #: A previous token was replaced (its links stopped working); False for a user's first.
    replaced: bool


@transaction.atomic
def feed_token_issue(*, user: User, at: datetime | None = None) -> IssuedToken:
    """A new secret for `user`, replacing any previous one (which stops working at once).

    Returns the token itself (the only moment it is known in clear), and whether it replaced one.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = at or timezone.now()
    feed_token = FeedToken.objects.select_for_update().filter(user=user).first()
    replaced = feed_token is not None
    if feed_token is None:
        feed_token = FeedToken(user=user)
    feed_token.token_hash = hash_token(token)
    feed_token.hint = token[:HINT_LENGTH]
    feed_token.created_at = now
    feed_token.last_used_at = None
    feed_token.full_clean()
    feed_token.save()
    return IssuedToken(token=token, replaced=replaced)


def feed_token_regenerate(*, user: User, at: datetime | None = None) -> str:
    """`feed_token_issue`'s token alone."""
    return feed_token_issue(user=user, at=at).token


feed_token_create = feed_token_regenerate


@transaction.atomic
def feed_token_revoke(*, user: User) -> bool:
    """Forget `user`'s token; feeds using it answer 403 from now on. False if there was none."""
    deleted, _ = FeedToken.objects.filter(user=user).delete()
    return deleted > 0


#: How stale a token's "last used" may be: calendar programs and scripts poll the feed and the
#: API, and a write for every poll would cost each of them a query and a commit.
LAST_USED_PRECISION = timedelta(minutes=1)


def feed_token_user(*, token: str, at: datetime) -> User | None:
    """The active user a token belongs to, or None; records when it was last used (to the
    minute: at most one write a minute per token). One query, two when it records."""
    if not token or len(token) > 200:
        return None
    rows = _TOKEN_OWNER.rows(hash_token(token), using=DEFAULT_DB_ALIAS)
    if not rows:
        return None
    token_pk, last_used, *user_values = rows[0]
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, user_values)
    if not user.is_active:
        return None
    if last_used is None or not last_used <= at < last_used + LAST_USED_PRECISION:
        FeedToken.objects.filter(pk=token_pk).update(last_used_at=at)
    return user


_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]


def _token_owner(token_hash: str) -> QuerySet[FeedToken, tuple[Any, ...]]:
    return FeedToken.objects.filter(token_hash=token_hash).values_list(
        "pk", "last_used_at", *(f"user__{name}" for name in _USER_FIELDS)
    )


#: Compiled once per process: programs poll the feed and the API, each poll one lookup.
_TOKEN_OWNER = PreparedQuery(_token_owner, TEXT)


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None for no or another scheme."""
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def without_token(path: str, query: dict[str, list[str]]) -> str:
    """`path` with its query string minus any token: where to send someone after they log in."""
    kept = [(key, value) for key, values in query.items() for value in values]
    kept = [(key, value) for key, value in kept if key != TOKEN_PARAMETER]
    return f"{path}?{urlencode(kept)}" if kept else path
