"""Queries of a fixed shape, compiled by the ORM once per process instead of on every request.

A page that asks the same question every time, an instant apart (the completeness panel: the
first rows of seven problems, each counted), spent far more time having Django build and
compile the query than the database spent answering it. `PreparedQuery` keeps what the ORM
compiled (the SQL text, its parameters, and how to convert the values read back) and runs it
again with only the instant changed. The rows are read afresh on every call: only the query's
text is kept, never its answer.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateTimeField, QuerySet
from django.db.models.sql.compiler import SQLCompiler

#: The instants a query is compiled for, one per argument: no row or other parameter has them.
_PLACEHOLDERS = tuple(
    datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC) + timedelta(days=number)
    for number in range(8)
)
_INSTANT_FIELD: DateTimeField[datetime, datetime] = DateTimeField()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    #: Where each instant goes among `params`.
    instants_at: tuple[tuple[int, ...], ...]
    compiler: SQLCompiler


class PreparedQuery:
    """The query `build(*instants)` returns (a `values_list` queryset), compiled once per
    database connection, whose only parameters that vary from call to call are its `instants`
    (up to eight), each used as it is (compared with a date-time column, not shifted in
    SQL)."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *, instants: int = 1) -> None:
        if not 0 < instants <= len(_PLACEHOLDERS):
            raise ValueError(f"from 1 to {len(_PLACEHOLDERS)} instants")
        self._build = build
        self._placeholders = _PLACEHOLDERS[:instants]
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = (
            weakref.WeakKeyDictionary()
        )

    def rows(self, *instants: datetime, using: str = "default") -> list[tuple[Any, ...]]:
        """The rows `build(*instants)` would return, converted as the ORM converts them. One
        query."""
        if len(instants) != len(self._placeholders):
            raise TypeError(f"{len(self._placeholders)} instants expected, got {len(instants)}")
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        params = list(compiled.params)
        for instant, positions in zip(instants, compiled.instants_at, strict=True):
            value = _INSTANT_FIELD.get_db_prep_value(instant, connection)
            for position in positions:
                params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return [
            tuple(row)
            for row in compiled.compiler.results_iter(results=[rows], tuple_expected=True)
        ]

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        compiler = self._build(*self._placeholders).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        instants_at = []
        for placeholder in self._placeholders:
            value = _INSTANT_FIELD.get_db_prep_value(placeholder, connection)
            positions = tuple(position for position, param in enumerate(params) if param == value)
            if not positions:
                raise ValueError("the query does not use each of its instants as a parameter")
            instants_at.append(positions)
        return _Compiled(
            sql=sql, params=tuple(params), instants_at=tuple(instants_at), compiler=compiler
        )
