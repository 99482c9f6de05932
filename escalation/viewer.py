"""Facts about the person looking at a page, read once per request in one query.

Every page needs three facts before it can even look in the cache: the data version the cache
is keyed by (`escalation.cache`), whether the viewer is an Escalation manager, and the viewer's
Person (their time zone). One query brings all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import connection
from django.http import HttpRequest

from .models import DataVersion, Person
from .models.cache import VERSION_ROW
from .permissions import MANAGERS_GROUP

DEFAULT_TIME_ZONE = "UTC"


@dataclass(frozen=True)
class Viewer:
    person: Person | None
    is_manager: bool
    #: None when the version row is missing (a flushed database): nothing is cached then.
    data_version: int | None

    @property
    def time_zone(self) -> str:
        return self.person.time_zone if self.person else DEFAULT_TIME_ZONE


def viewer(request: HttpRequest) -> Viewer:
    """The signed-in user's Person, manager flag and the data version; one query per request."""
    if not hasattr(request, "_viewer"):
        request._viewer = _read_viewer(getattr(request, "user", None))  # type: ignore[attr-defined]
    return request._viewer  # type: ignore[attr-defined,no-any-return]


def viewer_person(request: HttpRequest) -> Person | None:
    return viewer(request).person


def viewer_time_zone(request: HttpRequest) -> str:
    return viewer(request).time_zone


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
        person = Person.from_db(connection.alias, _person_columns(), person_values)
    is_manager = user.is_superuser or bool(member)
    # `permissions.is_manager(user)` reads this instead of querying again.
    user._is_escalation_manager = is_manager
    return Viewer(
        person=person,
        is_manager=is_manager,
        data_version=None if version is None else int(version),
    )


@cache
def _person_columns() -> list[str]:
    return [field.attname for field in Person._meta.concrete_fields]


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
    columns = ", ".join(f"{person}.{quote(name)}" for name in _person_columns())
    return (
        f"SELECT (SELECT v.{quote('value')} FROM {version} v WHERE v.{quote('id')} = %s),"  # noqa: S608
        f" EXISTS (SELECT 1 FROM {quote(membership.db_table)} m"
        f" INNER JOIN {quote(Group._meta.db_table)} g ON g.{quote('id')} = m.{quote('group_id')}"
        f" WHERE m.{quote('user_id')} = %s AND g.{quote('name')} = %s), {columns}"
        f" FROM (SELECT 1 AS one) viewer"
        f" LEFT OUTER JOIN {person} ON {person}.{quote('user_id')} = %s"
    )
