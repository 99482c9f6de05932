"""Benchmark: the rotation engine over 10 years with 1,000 overrides, and each on-call page's
SQL query count with little and with lots of data.

Not collected by pytest (the file is bench_*.py). Run it as a script:

    DJANGO_SETTINGS_MODULE=portal.settings_test python -m tests.benchmarks.bench_engine

Engine timings are the min and median of several runs. The query counts come from a throwaway
test database (in memory on SQLite; `test_<name>` when DATABASE_URL points at PostgreSQL).
"""

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")

import django  # noqa: E402

django.setup()

from escalation import rotation as engine  # noqa: E402

RUNS = 7
YEARS = 10
OVERRIDES = 1000
START = datetime(2026, 1, 5, 9, tzinfo=UTC)
END = START + timedelta(days=365 * YEARS + 3)


def seed_schedule(time_zone: str = "UTC") -> engine.Schedule:
    return engine.Schedule(
        handoff_weekday=0,
        handoff_time=wall_time(9, 0),
        time_zone=time_zone,
        shift_days=7,
        rule=engine.SlotRule.ISO_WEEK_PARITY,
        slots=(
            engine.Slot("Odd weeks", 1, 2, engine.WeekParity.ODD),
            engine.Slot("Even weeks", 3, 4, engine.WeekParity.EVEN),
        ),
    )


def alternation_schedule() -> engine.Schedule:
    return engine.Schedule(
        handoff_weekday=0,
        handoff_time=wall_time(9, 0),
        time_zone="Europe/Berlin",
        shift_days=7,
        rule=engine.SlotRule.ALTERNATION,
        anchor=date(2026, 1, 5),
        slots=tuple(engine.Slot(f"Slot {n}", 10 + n, 20 + n) for n in range(3)),
    )


def overrides(count: int) -> list[engine.OverrideSpec]:
    """`count` overrides spread over the ten years, both tiers, 1 to 3 days long."""
    step = (END - START) / count
    return [
        engine.OverrideSpec(
            tier=engine.Tier.PRIMARY if n % 2 else engine.Tier.SECONDARY,
            person=100 + n % 17,
            start=START + step * n + timedelta(hours=5),
            end=START + step * n + timedelta(hours=5 + 24 * (1 + n % 3)),
            key=n,
        )
        for n in range(count)
    ]


def full_timeline(schedule: engine.Schedule, specs: list[engine.OverrideSpec]) -> int:
    """Every shift of ten years, cut into per-tier segments with the overrides applied."""
    index = engine.OverrideIndex(specs)
    count = 0
    for shift in engine.shifts_between(schedule, START, END):
        for tier in engine.Tier:
            count += len(engine.segments(shift, tier, index))
    engine.parity_repeats(schedule, START, END)
    return count


def hourly_lookups(schedule: engine.Schedule, specs: list[engine.OverrideSpec]) -> int:
    index = engine.OverrideIndex(specs)
    at, count = START, 0
    while at < START + timedelta(days=365):
        engine.on_call_at(schedule, at, index)
        at += timedelta(hours=1)
        count += 1
    return count


def timed(label: str, work: Callable[[], int]) -> None:
    times = []
    result = 0
    for _ in range(RUNS):
        began = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - began) * 1000)
    print(
        f"  {label:<62} min {min(times):7.1f} ms   median {statistics.median(times):7.1f} ms"
        f"   ({result} items)"
    )


def bench_engine() -> None:
    specs = overrides(OVERRIDES)
    print(f"Engine ({RUNS} runs each)")
    timed(
        f"{YEARS} years of weekly shifts, {OVERRIDES} overrides, UTC parity",
        lambda: full_timeline(seed_schedule(), specs),
    )
    timed(
        f"{YEARS} years, {OVERRIDES} overrides, Europe/Berlin 3-slot alternation",
        lambda: full_timeline(alternation_schedule(), specs),
    )
    timed(
        f"{YEARS} years, no overrides, UTC parity",
        lambda: full_timeline(seed_schedule(), []),
    )
    timed(
        f"on_call_at every hour for a year, {OVERRIDES} overrides",
        lambda: hourly_lookups(seed_schedule("America/New_York"), specs),
    )


def bench_queries() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import (
        CaptureQueriesContext,
        setup_test_environment,
        teardown_test_environment,
    )

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from escalation.services.feed_tokens import feed_token_regenerate
        from tests import factories
        from tests.oncall_data import many_overrides, seed_rotation

        seed = seed_rotation()
        viewer = factories.UserFactory(username="bench-viewer")
        seed.a.user = viewer
        seed.a.save()
        manager = factories.ManagerFactory(username="bench-manager")
        token = feed_token_regenerate(user=viewer)
        viewer_client, manager_client, anonymous = Client(), Client(), Client()
        viewer_client.force_login(viewer)
        manager_client.force_login(manager)

        pages: list[tuple[str, Client, str]] = [
            ("dashboard (viewer)", viewer_client, "/"),
            ("dashboard (manager, with completeness)", manager_client, "/"),
            ("calendar, 8 weeks", viewer_client, "/oncall/"),
            (
                "calendar, 104 weeks + ?at=",
                viewer_client,
                "/oncall/?weeks=104&at=2027-02-01T12:00:00Z",
            ),
            ("calendar.ics (token)", anonymous, f"/oncall/calendar.ics?token={token}"),
            (
                "calendar.ics?person= (token)",
                anonymous,
                f"/oncall/calendar.ics?person={seed.a.pk}&token={token}",
            ),
            ("calendar.ics (session)", viewer_client, "/oncall/calendar.ics"),
            ("api/oncall/ (token)", anonymous, f"/api/oncall/?token={token}"),
            ("api/oncall/ (session)", viewer_client, "/api/oncall/"),
            ("profile", viewer_client, "/profile/"),
        ]

        def counts() -> list[int]:
            result = []
            for _label, client, url in pages:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                result.append(len(queries))
            return result

        small = counts()
        many_overrides(seed.rotation, count=500, start=datetime.now(UTC) - timedelta(days=30))
        for n in range(5):
            other = seed_rotation(name=f"Extra {n}", slug=f"extra-{n}", people_suffix=f" {n}")
            many_overrides(other.rotation, count=100, start=datetime.now(UTC))
        large = counts()
        print(
            "\nSQL queries per request (1 rotation, no overrides | 6 rotations, 1,000 overrides),"
            f" and the median time of {RUNS} requests with the larger data (test client, in process)"
        )
        for (label, client, url), before, after in zip(pages, small, large, strict=True):
            flag = "" if before == after else "   <-- grows!"
            times = []
            for _ in range(RUNS):
                began = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            print(
                f"  {label:<44} {before:3d} | {after:3d}{flag}   {statistics.median(times):7.1f} ms"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    bench_engine()
    if "--engine-only" not in sys.argv:
        bench_queries()
