"""The portal's PostgreSQL connections: `timestamptz` values read by `escalation.postgres_types`
(the same values as Django's own loader gives, in UTC, whatever their form), and the planner's
settings."""

import os
from datetime import UTC, datetime

import pytest
from django.db import DataError, connection, transaction

from escalation.models import Override
from tests import factories

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the loader is PostgreSQL's",
)


def read(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::timestamptz", [text])
        (value,) = cursor.fetchone()
    return value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30 09:00:00+00", datetime(2026, 11, 30, 9, tzinfo=UTC)),
        ("2026-11-30 09:00:00.5+00", datetime(2026, 11, 30, 9, 0, 0, 500_000, tzinfo=UTC)),
        ("2026-11-30 09:00:00.000001+00", datetime(2026, 11, 30, 9, 0, 0, 1, tzinfo=UTC)),
        # Given in another zone, written back by PostgreSQL in the connection's (UTC).
        ("2026-03-29 03:30:00+02", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        ("0001-01-01 00:00:00+00", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31 23:59:59.999999+00", datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)),
    ],
)
def test_a_timestamp_reads_as_the_same_instant_in_utc(db, text, expected):
    value = read(text)

    assert value == expected
    assert value.tzinfo is UTC


@pytest.mark.parametrize("text", ["infinity", "0044-03-15 00:00:00+00 BC", "10000-01-01 00:00+00"])
def test_a_timestamp_python_cannot_hold_is_refused_as_django_refuses_it(db, text):
    with transaction.atomic(), pytest.raises(DataError):
        read(text)


def test_models_read_their_instants_through_it(db):
    from psycopg.pq import Format

    from escalation.postgres_types import _TIMESTAMPTZ_OID, _IsoFirst

    override = factories.OverrideFactory(
        start=datetime(2026, 11, 30, 9, tzinfo=UTC),
        end=datetime(2026, 12, 1, 9, 0, 0, 250_000, tzinfo=UTC),
    )

    start, end = Override.objects.values_list("start", "end").get(pk=override.pk)

    assert (start, end) == (override.start, override.end)
    loader = connection.connection.adapters.get_loader(_TIMESTAMPTZ_OID, Format.TEXT)
    assert issubclass(loader, _IsoFirst)
    # Django's check of the connection's time zone still finds it (`create_cursor`).
    assert loader.timezone is UTC


def test_the_portal_s_connections_count_random_reads_as_cheap(db):
    # `DATABASE_RANDOM_PAGE_COST` (portal/settings.py): the tables fit in memory.
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)
