"""Queries of a fixed shape, compiled by the ORM once per process instead of on every request.

A page asks the same few questions on every request: the slots of the rotations it names, the
overrides that overlap the time it shows, the first rows of each completeness problem. For
each, Django spent more time building and compiling the query than the database spent
answering it (about a millisecond for a join over slots, rotations and people, against a few
tenths to run it). `PreparedQuery` keeps what the ORM compiled (the SQL text, its parameters,
and how to convert the values read back) and runs it again with only the arguments changed.
The rows are read afresh on every call: only the query's text is kept, never its answer.

A query's arguments are of the kinds below, each used as it is in a comparison (compared with a
column, never shifted or formatted in SQL, which the compiler checks):
- `INSTANT`: a date-time;
- `WINDOWS`: a list of (start, end) date-times;
- `ID`: an integer key;
- `IDS`: a list of integer keys, for `__in`;
- `TEXT`: a string, for an exact match.
A list of windows changes the SQL (one `OR` per window), so a query is compiled once per
number of windows. A list of keys is one array on PostgreSQL (`__in` is asked as `= ANY(%s)`):
one text and one prepared statement whatever its length, short enough for psycopg to keep its
parsing, and planned by PostgreSQL without a parameter per key. Elsewhere it is `IN (%s, %s)`,
compiled once per length, rounded up to a power of two: the last element is repeated to fill,
which asks the same question (`IN (1, 2, 2)` is `IN (1, 2)`). Windows are padded the same way.
An empty list is asked as the ORM asks it: `rotation_id__in=[]` alone reads nothing and sends
no query.
"""

from __future__ import annotations

import enum
import itertools
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateTimeField, QuerySet
from django.db.models.sql.compiler import SQLCompiler


class Kind(enum.Enum):
    """What one argument of a prepared query is."""

    INSTANT = "instant"
    WINDOWS = "windows"
    ID = "id"
    IDS = "ids"
    TEXT = "text"


INSTANT, WINDOWS, ID, IDS, TEXT = Kind
_LISTS = {WINDOWS, IDS}
_INSTANT_FIELD: DateTimeField[datetime, datetime] = DateTimeField()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    #: For each argument (each element of a list argument), where it goes among `params`.
    positions: tuple[tuple[int, ...], ...]
    compiler: SQLCompiler | None  # None: the query reads nothing at this shape
    #: How to convert the values read back (`SQLCompiler.get_converters`), worked out once.
    converters: dict[int, Any]


class PreparedQuery:
    """The query `build(*arguments)` returns (a `values_list` queryset), compiled once per
    database connection and shape, whose only parameters that change from call to call are
    its arguments, of `kinds` (`instants=n`: that many `INSTANT`s)."""

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        *kinds: Kind,
        instants: int = 0,
    ) -> None:
        self._build = build
        self._kinds = (*kinds, *(INSTANT,) * instants)
        self._compiled: weakref.WeakKeyDictionary[
            BaseDatabaseWrapper, dict[tuple[int, ...], _Compiled]
        ] = weakref.WeakKeyDictionary()

    def rows(self, *arguments: Any, using: str = "default") -> list[tuple[Any, ...]]:
        """The rows `build(*arguments)` would return, converted as the ORM converts them. One
        query (none when the arguments leave nothing to read)."""
        if len(arguments) != len(self._kinds):
            raise TypeError(f"{len(self._kinds)} arguments expected, got {len(arguments)}")
        connection = connections[using]
        arrays = connection.vendor == "postgresql"
        values = [
            _normalised(kind, value, arrays)
            for kind, value in zip(self._kinds, arguments, strict=True)
        ]
        shape = tuple(
            (min(len(value), 1) if arrays and kind is IDS else len(value)) if kind in _LISTS else 1
            for kind, value in zip(self._kinds, values, strict=True)
        )
        by_shape = self._compiled.get(connection)
        if by_shape is None:
            by_shape = self._compiled[connection] = {}
        compiled = by_shape.get(shape)
        if compiled is None:
            compiled = by_shape[shape] = self._compile(connection, shape)
        if compiled.compiler is None:
            return []
        params = list(compiled.params)
        scalars = _scalars(self._kinds, values, connection, arrays)
        for value, positions in zip(scalars, compiled.positions, strict=True):
            for position in positions:
                params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return [tuple(row) for row in rows]
        return [tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)]

    def _compile(self, connection: BaseDatabaseWrapper, shape: tuple[int, ...]) -> _Compiled:
        counter = itertools.count()
        placeholders = [
            _placeholder(kind, length, counter)
            for kind, length in zip(self._kinds, shape, strict=True)
        ]
        try:
            compiler = self._build(*placeholders).query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _Compiled(sql="", params=(), positions=(), compiler=None, converters={})
        positions = []
        for value in _scalars(self._kinds, placeholders, connection):
            found = tuple(position for position, param in enumerate(params) if param == value)
            if not found:
                raise ValueError(
                    "the query does not use each of its arguments as a parameter, as it is"
                )
            positions.append(found)
        if connection.vendor == "postgresql":
            # The parameters that are lists of keys (compiled with one key each, `IN (%s)`).
            keys = {
                key
                for kind, value in zip(self._kinds, placeholders, strict=True)
                if kind is IDS
                for key in value
            }
            sql = _as_arrays(
                sql,
                {n for n, param in enumerate(params) if type(param) is int and param in keys},
            )
        columns = [column for column, *_ in compiler.select[: compiler.col_count]]
        return _Compiled(
            sql=sql,
            params=tuple(params),
            positions=tuple(positions),
            compiler=compiler,
            converters=compiler.get_converters(columns),
        )


def _normalised(kind: Kind, value: Any, arrays: bool) -> Any:
    """A list argument as the ORM would ask it (no None, no repeats, for keys), padded to a
    power of two by repeating its last element (unless keys go as an array)."""
    if kind not in _LISTS:
        return value
    items = (
        list(dict.fromkeys(key for key in value if key is not None)) if kind is IDS else list(value)
    )
    if items and not (arrays and kind is IDS):
        items += [items[-1]] * (_padded(len(items)) - len(items))
    return items


def _padded(length: int) -> int:
    return 1 << (length - 1).bit_length()


def _scalars(
    kinds: Sequence[Kind],
    values: Sequence[Any],
    connection: BaseDatabaseWrapper,
    arrays: bool = False,
) -> list[Any]:
    """Every argument's database values, in order: each end of a window, each key of a list
    (with `arrays`, a list of keys as one value)."""
    scalars: list[Any] = []
    for kind, value in zip(kinds, values, strict=True):
        if kind is INSTANT:
            scalars.append(_INSTANT_FIELD.get_db_prep_value(value, connection))
        elif kind is WINDOWS:
            for start, end in value:
                scalars.append(_INSTANT_FIELD.get_db_prep_value(start, connection))
                scalars.append(_INSTANT_FIELD.get_db_prep_value(end, connection))
        elif kind is IDS:
            if arrays:
                if value:
                    scalars.append(value)
            else:
                scalars.extend(value)
        else:
            scalars.append(value)
    return scalars


#: The first instant a query is compiled with: no row or other parameter has such instants.
_FIRST_INSTANT = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
#: The first key a query is compiled with: no row has a negative key this large.
_FIRST_KEY = -(2**52)


def _placeholder(kind: Kind, length: int, counter: itertools.count[int]) -> Any:
    """A value of `kind` (of `length`, for lists) that no other placeholder shares."""
    if kind is INSTANT:
        return _FIRST_INSTANT + timedelta(days=next(counter))
    if kind is WINDOWS:
        return [
            (
                _FIRST_INSTANT + timedelta(days=next(counter)),
                _FIRST_INSTANT + timedelta(days=next(counter)),
            )
            for _ in range(length)
        ]
    if kind is ID:
        return _FIRST_KEY - next(counter)
    if kind is IDS:
        return [_FIRST_KEY - next(counter) for _ in range(length)]
    return f"\x1fprepared-{next(counter)}\x1f"


_PARAMETER = re.compile(r"%[s%]")


def _as_arrays(sql: str, positions: set[int]) -> str:
    """`sql` with the `IN (%s)` of each parameter at `positions` (a list of keys compiled with
    one key) asked as `= ANY(%s)`, whose parameter is then the whole list."""
    parts = []
    done = 0
    number = 0
    for match in _PARAMETER.finditer(sql):
        if match.group() == "%%":
            continue
        if number in positions:
            start, end = match.span()
            if not (sql.endswith("IN (", 0, start) and sql.startswith(")", end)):
                raise ValueError("a list of keys is used other than as `__in`")
            parts += [sql[done : start - len("IN (")], "= ANY(%s)"]
            done = end + 1
        number += 1
    return "".join([*parts, sql[done:]])
