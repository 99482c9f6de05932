"""What the portal caches, and how every process knows a cached value is stale.

Pages are cached whole where it pays (docs/benchmarks.md):
- the content of the published pages (`render_cached`): the dashboard, the severity matrix,
  services and each service's sheet, the escalation paths and each path, contacts, channels and
  the paging guide, each a few milliseconds from the cache against tens to hundreds computed
  at the large organisation; and the on-call calendar's, up to 104 weeks of every rotation;
- the iCalendar feed's body and the JSON API's rotations (`cached_value`): programs poll them,
  and the feed is years of shifts.
A page is cached whole or not at all: its content block is the same for everyone with the same
key, and anything that changes by the second (a countdown) is written by the browser from the
absolute time on the page (static/js/oncall-countdown.js).

Cached values live in Django's default cache: local memory by default (one cache per process),
Redis in production (`CACHE_URL=redis://…`). Their keys carry the *data version*, a number in
one database row (`models.DataVersion`) that changes with every write to escalation data, so a
write made through any process makes every process miss its old entries: no process has to be
told, and no cache has to be cleared. Each request reads the version once (`request.viewer`).

Who is on call changes with time as well as with data: an entry also records the stretch of
time its value holds for (`Validity`: from the last handoff or override boundary before it was
computed to the next one), and is used only inside that stretch, so a cached page is exactly as
right at a handoff, to the second, as a freshly computed one.

The version moves:
- on every save and delete of an escalation model, and on changes to a step's severities
  (signal receivers, connected in `EscalationConfig.ready()`). These receivers only invalidate
  caches; they do no business (STYLE.md keeps business effects out of signals);
- explicitly after writes that send no signals (`bulk_create`, `QuerySet.update()`): the
  importer and `generate_org` call `bump_data_version()`; any new such write must too;
- after `migrate`, so a deployment with new templates or code never serves old pages.

The version row is updated inside the writing transaction: a rollback takes the move back with
the data, and values the transaction cached under its own, never committed, number are never
read again (see `MAX_STEP`). Writers hold the row's lock until they commit, so writes to
escalation data are serialized; they are rare (admin edits, swaps, imports).
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .circuit_breaker import CircuitBreaker
from .models import DataVersion
from .models.cache import VERSION_ROW
from .pagerduty_actions import mode as pagerduty_mode
from .validity import ALWAYS, Validity

if TYPE_CHECKING:
    from .viewer import PortalRequest

T = TypeVar("T")
logger = logging.getLogger(__name__)

KEY_PREFIX = "escalation"
#: How long an entry may stay in the cache at most; its `Validity` decides whether it is used.
TIMEOUT = 6 * 3600
#: The version moves by a random step rather than by one: a transaction that moved it and then
#: rolled back may have cached values under the number it saw, and the next committed write
#: must not land on that number again.
MAX_STEP = 2**31

#: Escalation models whose rows no cached page shows; writing them leaves the caches alone.
UNCACHED_MODELS = {"dataversion", "feedtoken", "outgoingmessage", "pagerdutyincident"}


# --- the version --------------------------------------------------------------------------


def bump_data_version(**_signal: Any) -> None:
    """Move the data version: every cached value computed before is stale from now on."""
    step = random.randint(1, MAX_STEP)
    if DataVersion.objects.filter(pk=VERSION_ROW).update(value=F("value") + step):
        return
    # The row is gone (a flushed database): put it back.
    try:
        with transaction.atomic():
            DataVersion.objects.create(pk=VERSION_ROW, value=step)
    except IntegrityError:
        DataVersion.objects.filter(pk=VERSION_ROW).update(value=F("value") + step)


def _bump_on_write(sender: type[Model], **kwargs: Any) -> None:
    bump_data_version()


def _bump_on_m2m_change(sender: type[Model], action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        bump_data_version()


def _bump_after_migrate(sender: Any, **kwargs: Any) -> None:
    if sender.label == "escalation":
        bump_data_version()


def cached_models() -> list[type[Model]]:
    """The escalation models cached pages show (their history tables excluded)."""
    return [
        model
        for model in apps.get_app_config("escalation").get_models()
        if (name := model._meta.model_name or "") not in UNCACHED_MODELS
        and not name.startswith("historical")
    ]


def connect_receivers() -> None:
    for model in cached_models():
        uid = f"escalation.cache:{model._meta.label}"
        post_save.connect(_bump_on_write, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_bump_on_write, sender=model, dispatch_uid=f"{uid}:delete")
        for relation in model._meta.local_many_to_many:
            m2m_changed.connect(
                _bump_on_m2m_change,
                sender=relation.remote_field.through,
                dispatch_uid=f"{uid}:{relation.name}",
            )
    post_migrate.connect(_bump_after_migrate, dispatch_uid="escalation.cache:migrate")


# --- entries ----------------------------------------------------------------------------


def cache_key(version: int, *parts: object) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"{KEY_PREFIX}:{version}:{digest}"


# An unreachable cache (Redis down) costs speed, never a page: every read then computes. A hung
# one costs one client timeout (settings: CACHE_CONNECT_TIMEOUT, CACHE_READ_TIMEOUT), then
# nothing: the pages skip the cache for CACHE_RETRY_AFTER seconds.
breaker = CircuitBreaker()


def _cache_failed(message: str, key: str) -> None:
    breaker.record_failure(retry_after=settings.CACHE_RETRY_AFTER)
    logger.warning(
        "cache unavailable: %s %s; skipping the cache for %g s",
        message,
        key,
        settings.CACHE_RETRY_AFTER,
        exc_info=True,
    )


def _read(key: str) -> Any:
    if not breaker.closed:
        return None
    try:
        return cache.get(key)
    except Exception:
        _cache_failed("computing", key)
        return None


_MISSING = object()


def _held(key: str, at: datetime) -> Any:
    """The value stored under `key` if its stretch of time holds at `at`, else `_MISSING`."""
    entry = _read(key)
    if entry is None:
        return _MISSING
    start, end, value = entry
    return value if Validity(start, end).contains(at) else _MISSING


def _write(key: str, entry: object) -> None:
    if not breaker.closed:
        return
    try:
        cache.set(key, entry, TIMEOUT)
    except Exception:
        _cache_failed("not storing", key)


def cached_value(
    version: int | None,
    parts: tuple[object, ...],
    *,
    at: datetime,
    compute: Callable[[], tuple[T, Validity]],
) -> T:
    """The value stored under `parts` for this version if it holds at `at`, else computed and
    stored. Without a version (no version row), always computed."""
    if version is None:
        return compute()[0]
    key = cache_key(version, *parts)
    held = _held(key, at)
    if held is not _MISSING:
        return held  # type: ignore[no-any-return]
    value, validity = compute()
    if validity.contains(at):
        _write(key, (validity.start, validity.end, value))
    return value


@dataclass
class CachedPage:
    """A page's content (base.html's `content` block) for `render_cached`: found in the cache,
    or to be stored once rendered. `{% cached_content %}` in base.html reads it."""

    key: str | None
    at: datetime
    validity: Validity = ALWAYS
    #: The content found in the cache; None when the page is rendered now.
    content: str | None = None
    #: The page's title (`page_title` in the context), stored with the content.
    title: str = ""

    def store(self, content: str) -> None:
        if self.key is not None and self.validity.contains(self.at):
            _write(self.key, (self.validity.start, self.validity.end, (self.title, content)))


def render_cached(
    request: PortalRequest,
    template_name: str,
    build: Callable[[], tuple[dict[str, Any], Validity]],
    *,
    at: datetime,
    vary: tuple[object, ...] = (),
    context: dict[str, Any] | None = None,
    title: Callable[[dict[str, Any]], str] | None = None,
) -> HttpResponse:
    """`template_name` rendered with the context `build()` returns, its `content` block taken
    from the cache when an entry holds at `at`, so that `build` is not called at all.

    The rest of the page (navigation, the viewer's name, messages, CSRF token) is rendered for
    each request: only the content block is shared, so it must show nothing of the viewer
    beyond what the key holds. The key is the data version, the address (path and query
    string), the active time zone (the viewer's, which the page shows its times in), the
    viewer's manager flag, how people are paged (the PagerDuty settings decide the "Page via
    PagerDuty" actions), and `vary` (whatever else the content depends on). `build` returns
    the context and the stretch of time it holds for. One cache read; no query beyond the
    viewer's. The page's other blocks (title, head, scripts) are rendered without `build`'s
    context when the content comes from the cache: they must not need it, or find what they need
    in `context`, given to the whole page on every request (values already at hand, like `at`).
    A title that depends on the data is `title(context)`: stored with the content and given to
    the page as `page_title`.
    """

    facts = request.viewer
    key = None
    if facts.data_version is not None:
        key = cache_key(
            facts.data_version,
            "page",
            template_name,
            request.build_absolute_uri(),
            timezone.get_current_timezone_name(),
            facts.is_manager,
            pagerduty_mode(),
            *vary,
        )
        held = _held(key, at)
        if held is not _MISSING:
            page_title, content = held
            page = CachedPage(key=None, at=at, content=content, title=page_title)
            return render(
                request,
                template_name,
                {**(context or {}), "cached_page": page, "page_title": page_title},
            )
    built, validity = build()
    page_title = title(built) if title is not None else ""
    page = CachedPage(key=key, at=at, validity=validity, title=page_title)
    return render(
        request,
        template_name,
        {**(context or {}), **built, "cached_page": page, "page_title": page_title},
    )
