"""`make bench`'s size check: a page whose output does not grow with the company passes when,
computed, it costs at most twice as much at the large organisation as at the seed document,
and the report shows only those pages, under their own heading."""

import importlib
import os

import pytest

from tests.benchmarks.pages import ColdTime, Result, Target


@pytest.fixture(scope="module")
def report():
    """tests.benchmarks.report, without the production environment its settings module
    (`knobs`) sets for the bench (its database, DEBUG off) staying in this test process."""
    saved = dict(os.environ)
    try:
        return importlib.import_module("tests.benchmarks.report")
    finally:
        os.environ.clear()
        os.environ.update(saved)


def flat_page(large_ms: float | None, seed_ms: float | None, label: str = "paging guide"):
    result = Result(Target("paging", label, "/paging/", 0.25, flat=True))
    if large_ms is not None:
        result.large_cold = ColdTime(wall_ms=large_ms, cpu_ms=large_ms / 2)
    if seed_ms is not None:
        result.seed_cold = ColdTime(wall_ms=seed_ms, cpu_ms=seed_ms / 4)
    return result


def test_a_page_twice_as_slow_at_the_large_size_meets_the_target(report):
    assert report.size_verdict(flat_page(20.0, 10.0)) == ("2.00× (CPU 4.00×)", "ok")


def test_a_page_more_than_twice_as_slow_at_the_large_size_misses_on_wall_time(report):
    assert report.size_verdict(flat_page(20.5, 10.0)) == ("2.05× (CPU 4.10×)", "MISS")


@pytest.mark.parametrize(("large_ms", "seed_ms"), [(20.0, None), (None, 10.0)])
def test_a_page_not_timed_at_one_size_fails(report, large_ms, seed_ms):
    assert report.size_verdict(flat_page(large_ms, seed_ms)) == ("", "FAILED")


def test_the_size_table_lists_only_the_flat_pages_with_both_times(report):
    growing = Result(Target("contacts", "contacts", "/contacts/", 0.25))
    broken = flat_page(None, 4.0, label="escalation path")
    broken.size_problem = "at large: RuntimeError: HTTP 500"

    lines = report.size_section([growing, flat_page(30.0, 10.0), broken])

    assert f"### {report.SIZE_TITLE}" in lines
    assert "| page | ms at 1× | ms at large | ratio | target (≤2×) | result |" in lines
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    assert rows == [
        "| paging guide | 10.0 (2.5) | 30.0 (15.0) | 3.00× (CPU 6.00×) | ≤2× | MISS |",
        "| escalation path | 4.0 (1.0) |  |  | ≤2× | FAILED — at large: RuntimeError: HTTP 500 |",
    ]
