"""Settings for `make bench`: the production settings plus the benchmark's trivial view.

Everything else (DEBUG off, SECRET_KEY, ALLOWED_HOSTS, the database) comes from the environment,
as in production; the driver sets it. Static files are collected outside the working tree.
"""

import os
from pathlib import Path

from portal.settings import *  # noqa: F403

BENCH_TRIVIAL_VIEW = True
ROOT_URLCONF = "tests.benchmarks.urls_bench"
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "/tmp/escalation-portal-bench-static"))
