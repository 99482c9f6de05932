"""Two health endpoints (DESIGN.md, "Operating at company scale"):

- `/healthz/` (`HealthView`), the load balancer's check: can this node serve? The process
  answers and the database does; 503 when it cannot. The cache is left out on purpose: every
  node shares one Redis, so a cache outage would take every node out at once, although the
  pages still work without it (`escalation.cache`).
- `/healthz/status/` (`StatusView`), for people and monitoring: the database, the cache and
  the outbox backlog. The cache and the outbox are reported and never make it a 503.
"""

import dataclasses
from datetime import datetime
from typing import Any, ClassVar

from asgiref.sync import sync_to_async
from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.timesince import timesince
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import HealthCheckException, ServiceUnavailable
from health_check.views import HealthCheckView

from ..models import MessageStatus, OutgoingMessage

# Anyone may read both pages: the driver's own message names hosts and ports, so the pages say
# only what is down; the full error goes to the log.
DATABASE_DOWN = "the database does not answer"
CACHE_DOWN = "the cache does not answer"
OUTBOX_UNREADABLE = "the outbox cannot be read"


@dataclasses.dataclass
class Database(checks.Database):
    name: ClassVar[str] = "database"

    def run(self) -> None:
        try:
            super().run()
        except HealthCheckException as error:
            raise ServiceUnavailable(DATABASE_DOWN) from error


@dataclasses.dataclass
class Cache(checks.Cache):
    name: ClassVar[str] = "cache"

    async def run(self) -> None:
        try:
            await super().run()
        except HealthCheckException as error:
            raise ServiceUnavailable(CACHE_DOWN) from error


@dataclasses.dataclass
class Outbox(HealthCheck):
    """Messages not delivered yet (pending, retried by cron), and how long the oldest has waited.

    A backlog is reported, not a failure: the node serves pages whatever the outbox holds."""

    name: ClassVar[str] = "outbox"
    pending: int | None = dataclasses.field(default=None, init=False, repr=False)
    oldest_since: datetime | None = dataclasses.field(default=None, init=False, repr=False)

    async def run(self) -> None:
        try:
            # In the request's own thread, with its database connection (closed with the request).
            await sync_to_async(self._read)()
        except DatabaseError as error:
            raise ServiceUnavailable(OUTBOX_UNREADABLE) from error

    def _read(self) -> None:
        backlog = OutgoingMessage.objects.filter(status=MessageStatus.PENDING).aggregate(
            pending=Count("pk"), oldest=Min("created_at")
        )
        self.pending, self.oldest_since = backlog["pending"], backlog["oldest"]

    @property
    def oldest_pending_seconds(self) -> int | None:
        if self.oldest_since is None:
            return None
        return round((timezone.now() - self.oldest_since).total_seconds())

    def pretty_status(self) -> str:
        if not self.pending or self.oldest_since is None:
            return "nothing waiting"
        messages = "1 message" if self.pending == 1 else f"{self.pending} messages"
        return f"{messages} waiting, the oldest for {timesince(self.oldest_since)}"


def check_name(check: HealthCheck) -> str:
    return str(getattr(check, "name", type(check).__name__.lower()))


class HealthView(HealthCheckView):
    """Can this node serve? 200, or 503 when one of `serving_checks` fails."""

    checks: tuple[type[HealthCheck], ...] = (Database,)
    serving_checks: ClassVar[tuple[type[HealthCheck], ...]] = (Database,)

    @property
    def serving(self) -> bool:
        return not any(
            result.error for result in self.results if isinstance(result.check, self.serving_checks)
        )

    async def get(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 200 if self.serving else 503
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "serving": self.serving, "detailed": False}


class StatusView(HealthView):
    """The node's checks, the cache and the outbox: 503 only when the node cannot serve."""

    checks = (Database, Cache, Outbox)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "detailed": True}

    def _statuses(self) -> dict[str, str]:
        return {
            check_name(result.check): str(result.error) if result.error else "OK"
            for result in self.results
        }

    def render_to_response_json(self, status: int) -> JsonResponse:
        outbox = next(result.check for result in self.results if isinstance(result.check, Outbox))
        return JsonResponse(
            {
                "serving": self.serving,
                "checks": self._statuses(),
                "outbox": {
                    "pending": outbox.pending,
                    "oldest_pending_seconds": outbox.oldest_pending_seconds,
                },
            },
            status=status,
        )

    def render_to_response_text(self, status: int) -> HttpResponse:
        lines = [f"serving: {'yes' if self.serving else 'no'}"]
        for result in self.results:
            detail = str(result.error) if result.error else result.check.pretty_status()
            lines.append(f"{check_name(result.check)}: {detail}")
        return HttpResponse(
            "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8", status=status
        )
