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
from datetime import UTC, datetime
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateTimeField, QuerySet
from django.db.models.sql.compiler import SQLCompiler

#: The instant the query is compiled for: no row or other parameter has it.
_PLACEHOLDER = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
_INSTANT_FIELD: DateTimeField[datetime, datetime] = DateTimeField()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    #: Where the instant goes among `params`.
    instant_at: tuple[int, ...]
    compiler: SQLCompiler


class PreparedQuery:
    """The query `build(instant)` returns (a `values_list` queryset), compiled once per
    database connection, whose only parameter that varies from call to call is `instant`,
    used as it is (compared with a date-time column, not shifted in SQL)."""

    def __init__(self, build: Callable[[datetime], QuerySet[Any]]) -> None:
        self._build = build
        self._compiled: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = (
            weakref.WeakKeyDictionary()
        )

    def rows(self, instant: datetime, *, using: str = "default") -> list[tuple[Any, ...]]:
        """The rows `build(instant)` would return, converted as the ORM converts them. One
        query."""
        connection = connections[using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self._compile(connection)
        params = list(compiled.params)
        value = _INSTANT_FIELD.get_db_prep_value(instant, connection)
        for position in compiled.instant_at:
            params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return [
            tuple(row)
            for row in compiled.compiler.results_iter(results=[rows], tuple_expected=True)
        ]

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        compiler = self._build(_PLACEHOLDER).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        placeholder = _INSTANT_FIELD.get_db_prep_value(_PLACEHOLDER, connection)
        instant_at = tuple(
            position for position, param in enumerate(params) if param == placeholder
        )
        if not instant_at:
            raise ValueError("the query does not use its instant as a parameter")
        return _Compiled(sql=sql, params=tuple(params), instant_at=instant_at, compiler=compiler)
