"""Queries compiled once per process: the same rows as the ORM reads, at every instant."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Q

from escalation.models import Person
from escalation.selectors.prepared import IDS, INSTANT, TEXT, WINDOWS, PreparedQuery
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
    prepared = PreparedQuery(verified_since, INSTANT)

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

    prepared = PreparedQuery(build, INSTANT)
    for days in range(3):
        with django_assert_num_queries(1):
            prepared.rows(NOW - timedelta(days=days))

    assert len(built) == 1


def test_a_query_that_does_not_use_its_instant_is_refused(db):
    prepared = PreparedQuery(lambda _instant: Person.objects.values_list("pk"), INSTANT)

    with pytest.raises(ValueError, match="does not use each of its arguments"):
        prepared.rows(NOW)


def named(ids, name, windows):
    overlapping = Q()
    for start, end in windows:
        overlapping |= Q(verified_at__gte=start, verified_at__lt=end)
    return (
        Person.objects.filter(overlapping, pk__in=ids)
        .exclude(display_name=name)
        .order_by("pk")
        .values_list("pk", "display_name")
    )


def test_lists_of_any_length_read_what_the_orm_reads(db):
    people = [
        factories.PersonFactory(display_name=f"Person {n}", verified_at=NOW - timedelta(days=n))
        for n in range(1, 8)
    ]
    keys = [person.pk for person in people]
    prepared = PreparedQuery(named, IDS, TEXT, WINDOWS)
    cases = [
        (keys, "Person 2", [(NOW - timedelta(days=30), NOW)]),
        (keys[:3], "nobody", [(NOW - timedelta(days=2, hours=1), NOW)]),
        # Repeats and None are asked as the ORM asks them; three keys are padded to four.
        ([keys[4], None, keys[4], keys[0], keys[6]], "Person 1", [(NOW - timedelta(days=9), NOW)]),
        (
            keys,
            "nobody",
            [
                (NOW - timedelta(days=1, hours=1), NOW),
                (NOW - timedelta(days=5, hours=1), NOW - timedelta(days=4, hours=12)),
                (NOW - timedelta(days=7, hours=1), NOW - timedelta(days=6, hours=12)),
            ],
        ),
        # No windows: no condition on the time, as with the ORM.
        (keys[:5], "Person 3", []),
        (keys[5:], "nobody", [(NOW - timedelta(days=100), NOW - timedelta(days=99))]),
    ]
    for ids, name, windows in cases:
        assert prepared.rows(ids, name, windows) == list(named(ids, name, windows))
    assert prepared.rows(keys, "Person 2", [(NOW - timedelta(days=30), NOW)]) == [
        (person.pk, person.display_name) for person in people if person.display_name != "Person 2"
    ]


ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")


def test_a_list_of_keys_is_compiled_once_per_length_rounded_up_or_once_as_an_array(db):
    keys = [factories.PersonFactory().pk for _ in range(6)]
    built = []

    def build(ids):
        built.append(len(ids))
        return Person.objects.filter(pk__in=ids).order_by("pk").values_list("pk")

    prepared = PreparedQuery(build, IDS)
    for length in (1, 2, 3, 4, 5, 6, 3, 6, 1):
        assert prepared.rows(keys[:length]) == [(key,) for key in keys[:length]]

    # PostgreSQL takes the keys as one array, whatever their number.
    assert built == ([1] if ON_POSTGRESQL else [1, 2, 4, 8])


def test_keys_excluded_or_asked_twice_read_what_the_orm_reads(db):
    people = [factories.PersonFactory(display_name=f"Person {n}") for n in range(5)]
    keys = [person.pk for person in people]

    def build(ids, name):
        return (
            Person.objects.exclude(pk__in=ids)
            .filter(Q(display_name=name) | Q(pk__in=ids) | ~Q(team__lead_role__holder__in=ids))
            .order_by("pk")
            .values_list("pk")
        )

    prepared = PreparedQuery(build, IDS, TEXT)
    for ids, name in ((keys[:2], "Person 3"), (keys[1:4], "nobody"), (keys, "Person 0")):
        assert prepared.rows(ids, name) == list(build(ids, name))


def test_an_empty_list_reads_nothing_without_a_query(db, django_assert_num_queries):
    factories.PersonFactory()
    prepared = PreparedQuery(lambda ids: Person.objects.filter(pk__in=ids).values_list("pk"), IDS)

    with django_assert_num_queries(0):
        assert prepared.rows([]) == []
        assert prepared.rows([None]) == []


def test_an_empty_list_beside_another_condition_is_asked_as_the_orm_asks_it(db):
    person = factories.PersonFactory(display_name="Ada")

    def build(ids, name):
        return Person.objects.filter(Q(pk__in=ids) | Q(display_name=name)).values_list("pk")

    prepared = PreparedQuery(build, IDS, TEXT)

    assert prepared.rows([], "Ada") == [(person.pk,)] == list(build([], "Ada"))
    assert prepared.rows([], "Grace") == []


def test_a_query_with_no_arguments_is_compiled_once(db, django_assert_num_queries):
    built = []

    def build():
        built.append(1)
        return Person.objects.order_by("pk").values_list("pk")

    prepared = PreparedQuery(build)
    first = factories.PersonFactory()
    assert prepared.rows() == [(first.pk,)]
    second = factories.PersonFactory()
    with django_assert_num_queries(1):
        assert prepared.rows() == [(first.pk,), (second.pk,)]
    assert built == [1]


def test_an_argument_the_query_transforms_is_refused(db):
    # `icontains` asks for "%Ada%", not the argument as it is: it cannot be swapped in.
    prepared = PreparedQuery(
        lambda name: Person.objects.filter(display_name__icontains=name).values_list("pk"), TEXT
    )

    with pytest.raises(ValueError, match="as it is"):
        prepared.rows("Ada")


def test_the_wrong_number_of_arguments_is_refused(db):
    prepared = PreparedQuery(verified_since, INSTANT)

    with pytest.raises(TypeError, match="1 arguments expected, got 2"):
        prepared.rows(NOW, NOW)


def prepared_statements(like):
    """How many statements prepared on this connection read like `like` (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [like]
        )
        (statements,) = cursor.fetchone()
    return statements


@pytest.mark.skipif(not ON_POSTGRESQL, reason="prepared statements are PostgreSQL's")
def test_on_postgresql_a_query_run_again_is_a_prepared_statement(db):

    factories.PersonFactory(verified_at=NOW - timedelta(days=1))
    prepared = PreparedQuery(verified_since, INSTANT)
    for days in (1, 2, 3):
        assert len(prepared.rows(NOW - timedelta(days=days))) == 1
    # The same text each time, with its instant bound by the server: parsed and planned once.
    assert prepared_statements("%verified_at%") == 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="arrays are PostgreSQL's")
def test_on_postgresql_keys_go_as_one_array_in_one_prepared_statement(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    keys = [factories.PersonFactory(verified_at=NOW).pk for _ in range(40)]
    prepared = PreparedQuery(named, IDS, TEXT, WINDOWS)
    window = [(NOW - timedelta(days=1), NOW + timedelta(days=1))]
    lengths = (1, 3, 17, 40, 3, 17)
    with CaptureQueriesContext(connection) as queries:
        read = [prepared.rows(keys[:length], "nobody", window) for length in lengths]
    assert read == [list(named(keys[:length], "nobody", window)) for length in lengths]
    assert [len(rows) for rows in read] == list(lengths)
    assert all("= ANY(" in query["sql"] and " IN (" not in query["sql"] for query in queries)
    assert prepared_statements("%display_name%= ANY($%") == 1
