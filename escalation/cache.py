"""What the portal caches, and how every process knows a cached value is stale.

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
- after `migrate`, so a deployment with new templates or code never serves old fragments.

The version row is updated inside the writing transaction: a rollback takes the move back with
the data, and values the transaction cached under its own, never committed, number are never
read again (see `MAX_STEP`). Writers hold the row's lock until they commit, so writes to
escalation data are serialized; they are rare (admin edits, swaps, imports).
"""

from __future__ import annotations

import hashlib
import logging
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

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
class Fragment:
    """The parts of a page rendered once per data version and stretch of time, then reused.

    The view asks for it before reading anything (`page_fragment`); when it is not found, the
    view computes its data with `build` and the template renders each part between
    `{% fragment fragment "name" %}…{% endfragment %}` (`templatetags.fragment_tags`). The parts
    are stored together once all of `names` are rendered, so a page whose rendering failed
    half-way leaves nothing behind.

    Only what is the same for every viewer with the same key may go in a part: never a CSRF
    token, the viewer's name, their messages or their swaps (those stay outside the parts).
    """

    key: str | None
    at: datetime
    names: tuple[str, ...] = ("body",)
    #: The parts found in the cache (name: HTML, as `oncall_tags.stored_html` keeps it).
    parts: dict[str, Any] | None = None
    validity: Validity = ALWAYS
    _rendered: dict[str, Any] = field(default_factory=dict)
    _nonce: str = field(default_factory=lambda: secrets.token_hex(8))

    @property
    def found(self) -> bool:
        return self.parts is not None

    def build(self, compute: Callable[[], T]) -> T | None:
        """`compute()`'s result, or None when the fragment was found (nothing to compute).

        The result's `validity` attribute, when it has one, bounds how long the fragment holds.
        """
        if self.found:
            return None
        result = compute()
        self.limit(getattr(result, "validity", ALWAYS))
        return result

    def limit(self, validity: Validity) -> None:
        self.validity = self.validity & validity

    def placeholder(self, name: str) -> SafeString:
        """What the template renders for a part found in the cache; `render` swaps it."""
        return mark_safe(f"<!--fragment:{self._nonce}:{name}-->")  # noqa: S308

    def render(
        self, request: HttpRequest, template_name: str, context: dict[str, Any]
    ) -> HttpResponse:
        """`django.shortcuts.render`, with the parts found in the cache put into the response
        as the bytes they were stored as: a large page is neither decoded nor encoded again."""
        from .templatetags.oncall_tags import fill_countdowns

        response = render(request, template_name, context)
        if self.parts is not None:
            content = response.content
            for name, html in self.parts.items():
                marker = self.placeholder(name).encode()
                content = content.replace(marker, fill_countdowns(html, self.at), 1)
            response.content = content
        return response

    def store(self, name: str, html: object) -> None:
        """Keep a part just rendered; the page's parts are stored together, once all are."""
        self._rendered[name] = html
        if self.key is None or not self._rendered.keys() >= set(self.names):
            return
        if self.validity.contains(self.at):
            _write(self.key, (self.validity.start, self.validity.end, dict(self._rendered)))


def fragment(version: int | None, *parts: object, at: datetime) -> Fragment:
    """The cached part of a page keyed by `parts` alone (one cache read), for a part that is
    the same for every viewer and every address it shows on, like the rows of a table."""
    if version is None:
        return Fragment(key=None, at=at)
    key = cache_key(version, "fragment", *parts)
    held = _held(key, at)
    return Fragment(key=key, at=at, parts=None if held is _MISSING else held)


def page_fragment(
    request: PortalRequest, *vary: object, at: datetime, names: tuple[str, ...] = ("body",)
) -> Fragment:
    """The cached parts (`names`) of the page asked for, when they hold at `at`.

    Keyed by the address (path and query string), the active time zone (the viewer's, which
    the parts show their times in), the viewer's manager flag, how people are paged (the
    PagerDuty settings decide the "Page via PagerDuty" actions), and `vary` (whatever else the
    parts depend on). One cache read; no query beyond the viewer's.
    """

    facts = request.viewer
    if facts.data_version is None:
        return Fragment(key=None, at=at, names=names)
    key = cache_key(
        facts.data_version,
        "page",
        request.build_absolute_uri(),
        timezone.get_current_timezone_name(),
        facts.is_manager,
        pagerduty_mode(),
        names,
        *vary,
    )
    held = _held(key, at)
    return Fragment(key=key, at=at, names=names, parts=None if held is _MISSING else held)
