"""Facts about the person looking at a page, read once per request in one query.

Pages need three facts: the data version the cached ones are keyed by (`escalation.cache`,
read before the cache is looked in), whether the viewer is an Escalation manager, and the
viewer's Person (their time zone). One query brings all three.

`ViewerMiddleware` puts them on the request as `request.viewer`, like `request.user`, and makes
the viewer's time zone the active one for the request, so that pages show times with filters
that take no zone (Django's `date` and `time`, `oncall_tags.local_time`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cache, cached_property
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group, User
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .model_rows import attnames, from_row
from .models import DataVersion, Person
from .models.cache import VERSION_ROW
from .permissions import MANAGERS_GROUP
from .time_zones import UTC_NAME, zone_or_utc


@dataclass(frozen=True)
class Viewer:
    person: Person | None
    is_manager: bool
    #: None when the version row is missing (a flushed database): nothing is cached then.
    data_version: int | None

    @property
    def time_zone(self) -> str:
        return self.person.time_zone if self.person else UTC_NAME

    @property
    def zone(self) -> ZoneInfo:
        return zone_or_utc(self.time_zone)


class PortalRequest(HttpRequest):
    """A request as `ViewerMiddleware` passes it on."""

    viewer: Viewer


class ViewerMiddleware:
    """`request.viewer`, and the viewer's time zone active while the request is answered.

    Both are read the first time they are used, so a request that neither shows a time nor asks
    about the viewer (a step on a swap request, answered with a redirect) runs no query for them.
    The admin keeps the server's zone, UTC: its forms and its history say their times are UTC.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        portal_request = cast(PortalRequest, request)
        portal_request.viewer = cast(
            Viewer, SimpleLazyObject(lambda: _read_viewer(getattr(request, "user", None)))
        )
        timezone.activate(ViewerZone(portal_request))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        match = request.resolver_match
        if match is not None and "admin" in match.app_names:
            timezone.deactivate()


class ViewerZone(tzinfo):
    """The viewer's time zone (UTC for a visitor not signed in), as a `tzinfo` that reads the
    viewer only when a time is first converted to it."""

    def __init__(self, request: PortalRequest) -> None:
        self._request = request

    @cached_property
    def zone(self) -> ZoneInfo:
        user = getattr(self._request, "user", None)
        if user is None or not user.is_authenticated:
            return ZoneInfo(UTC_NAME)
        return self._request.viewer.zone

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return self.zone.utcoffset(dt)

    def dst(self, dt: datetime | None) -> timedelta | None:
        return self.zone.dst(dt)

    def tzname(self, dt: datetime | None) -> str | None:
        return self.zone.tzname(dt)

    def fromutc(self, dt: datetime) -> datetime:
        # The converted time carries the zone itself, not this stand-in for it.
        return self.zone.fromutc(dt.replace(tzinfo=self.zone))

    def __str__(self) -> str:
        return self.zone.key


def current_data_version() -> int | None:
    """The data version alone, for requests without a signed-in user (feeds, API). One query."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(), [VERSION_ROW])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _read_viewer(user: Any) -> Viewer:
    if user is None or not user.is_authenticated:
        return Viewer(person=None, is_manager=False, data_version=current_data_version())
    # Raw SQL on purpose: this runs on every page, and compiling the equivalent queryset (an
    # Exists, a LEFT JOIN) costs the ORM more time than the database needs to answer it. It
    # always returns one row, with or without a Person or a version row.
    with connection.cursor() as cursor:
        cursor.execute(_viewer_sql(), [VERSION_ROW, user.pk, MANAGERS_GROUP, user.pk])
        version, member, *person_values = cursor.fetchone()
    person = None
    if person_values[0] is not None:
        person = from_row(Person, attnames(Person), person_values, connection.alias)
    is_manager = user.is_superuser or bool(member)
    # `permissions.is_manager(user)` reads this instead of querying again.
    user._is_escalation_manager = is_manager
    return Viewer(
        person=person,
        is_manager=is_manager,
        data_version=None if version is None else int(version),
    )


@cache
def _version_sql() -> str:
    quote = connection.ops.quote_name
    table = quote(DataVersion._meta.db_table)
    return f"SELECT {table}.{quote('value')} FROM {table} WHERE {table}.{quote('id')} = %s"  # noqa: S608


@cache
def _viewer_sql() -> str:
    quote = connection.ops.quote_name
    membership = User.groups.through._meta
    version = quote(DataVersion._meta.db_table)
    person = quote(Person._meta.db_table)
    columns = ", ".join(f"{person}.{quote(name)}" for name in attnames(Person))
    return (
        f"SELECT (SELECT v.{quote('value')} FROM {version} v WHERE v.{quote('id')} = %s),"  # noqa: S608
        f" EXISTS (SELECT 1 FROM {quote(membership.db_table)} m"
        f" INNER JOIN {quote(Group._meta.db_table)} g ON g.{quote('id')} = m.{quote('group_id')}"
        f" WHERE m.{quote('user_id')} = %s AND g.{quote('name')} = %s), {columns}"
        f" FROM (SELECT 1 AS one) viewer"
        f" LEFT OUTER JOIN {person} ON {person}.{quote('user_id')} = %s"
    )
