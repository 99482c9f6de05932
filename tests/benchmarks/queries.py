"""SQL queries per request, in process (Django's test client, same database and settings):
with the large organisation, and again with the seed document in a transaction rolled back
(`seed_organisation`, where the bench also times the pages that must not grow: `sizes`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.benchmarks.knobs import BASE_DIR, HOST, log
from tests.benchmarks.pages import Result, Target, display_path, targets


def client_for(target: Target, username: str) -> Any:
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(SERVER_NAME=HOST, raise_request_exception=True)
    if target.session:
        client.force_login(User.objects.get(username=username))
    return client


def count_queries(results: list[Result], username: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import Resolver404, resolve

    log("\nSQL queries per request (in process, same database and settings)")
    for result in results:
        path = result.target.path.split("?")[0]
        try:
            resolve(path)
        except Resolver404:
            result.problem = result.problem or "no such URL"
            log(f"  {result.target.path}: not in the URLconf")
            continue
        client = client_for(result.target, username)
        counts, times = [], []
        try:
            for _ in range(2):
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    response = client.get(result.target.path)
                    times.append((time.perf_counter() - began) * 1000)
                counts.append(len(queries))
        except Exception as error:  # noqa: BLE001 - a broken page is reported, not fatal
            result.problem = result.problem or f"{type(error).__name__}: {error}"[:120]
            log(f"  {result.target.path}: {result.problem}")
            continue
        if response.status_code != 200:
            result.problem = result.problem or f"HTTP {response.status_code}"
        result.cold_queries, result.queries = counts[0], counts[-1]
        result.in_process_ms = times[-1]
        log(
            f"  {result.target.label:<34} {result.queries:3d} queries"
            f"{'' if counts[0] == counts[-1] else f' (first request {counts[0]})'}"
            f"   {result.in_process_ms:6.1f} ms in process"
        )


@contextmanager
def seed_organisation(username: str, token: str) -> Iterator[dict[str, Target] | None]:
    """The seed document imported instead of the large organisation, in a transaction rolled
    back when the block ends, the bench user on call in it; yields the pages' targets at that
    size (its service and path), or None when the document could not be imported."""
    from django.contrib.auth.models import User
    from django.core.cache import caches
    from django.db import transaction

    from escalation.models import RotationSlot
    from escalation.orgdata.generate import flush_escalation_data

    try:
        from escalation.documents.importer import import_document
    except ImportError:
        log("No importer yet: pages at 1× not measured.")
        yield None
        return
    seed = BASE_DIR / "escalation" / "data" / "escalation-contacts.md"
    caches["default"].clear()
    try:
        with transaction.atomic():
            seed_targets: dict[str, Target] | None = None
            try:
                flush_escalation_data()
                import_document(seed.read_text(encoding="utf-8"), source=str(seed))
                slot = RotationSlot.objects.select_related("primary").order_by("position").first()
                if slot is not None:
                    slot.primary.user = User.objects.get(username=username)
                    slot.primary.save(update_fields=["user"])
                seed_targets = {target.key: target for target in targets(token)}
            except Exception as error:  # noqa: BLE001 - reported, not fatal
                log(f"  could not load the seed document: {type(error).__name__}: {error}")
            yield seed_targets
            transaction.set_rollback(True)
    finally:
        caches["default"].clear()


def count_seed_queries(
    results: list[Result], username: str, seed_targets: dict[str, Target]
) -> None:
    """Each page's queries with the seed document instead of the large organisation (inside
    `seed_organisation`): a page whose count differs does a query per row somewhere."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    log("\nSQL queries per request with the seed document (1×)")
    for result in results:
        target = seed_targets.get(result.target.key)
        if target is None or result.queries is None:
            continue
        client = client_for(target, username)
        try:
            for _ in range(2):
                with CaptureQueriesContext(connection) as queries:
                    client.get(target.path)
        except Exception as error:  # noqa: BLE001 - reported, not fatal
            result.notes.append(f"at 1×: {type(error).__name__}")
            continue
        result.seed_queries = len(queries)
        log(f"  {target.label:<34} {len(queries):3d} queries  ({display_path(target.path)[:60]})")
