"""Queries compiled once per process: the same rows as the ORM reads, at every instant."""

from datetime import UTC, datetime, timedelta

import pytest

from escalation.models import Person
from escalation.selectors.prepared import PreparedQuery
from tests import factories

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def verified_since(instant):
    return (
        Person.objects.filter(verified_at__gte=instant)
        .order_by("verified_at", "pk")
        .values_list("pk", "display_name", "verified_at")
    )


def test_a_prepared_query_reads_the_rows_the_orm_reads_at_each_instant(db):
    for days in (1, 10, 100):
        factories.PersonFactory(verified_at=NOW - timedelta(days=days))
    prepared = PreparedQuery(verified_since)

    for instant in (
        NOW,
        NOW - timedelta(days=10),
        NOW - timedelta(days=50),
        NOW - timedelta(days=1000),
    ):
        rows = prepared.rows(instant)
        assert rows == list(verified_since(instant))
    # The dates come back as the ORM gives them on every database (SQLite stores text).
    assert all(isinstance(verified_at, datetime) for _, _, verified_at in rows)
    assert len(rows) == 3


def test_a_prepared_query_is_built_and_compiled_once(db, django_assert_num_queries):
    built = []

    def build(instant):
        built.append(instant)
        return verified_since(instant)

    prepared = PreparedQuery(build)
    for days in range(3):
        with django_assert_num_queries(1):
            prepared.rows(NOW - timedelta(days=days))

    assert len(built) == 1


def test_a_query_that_does_not_use_its_instant_is_refused(db):
    prepared = PreparedQuery(lambda _instant: Person.objects.values_list("pk"))

    with pytest.raises(ValueError, match="instant"):
        prepared.rows(NOW)
