"""What `make bench` can be told, and the production environment it runs under.

The knobs are the BENCH_* environment variables (listed in `bench_http`), read once on import.
Importing this module also sets the environment production would set (DEBUG off, a random
SECRET_KEY, the benchmark's database...): `bench_http` imports it before setting Django up.
Progress goes to stdout as it happens (`log`): a run takes minutes.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
PORT = env_int("BENCH_PORT", 8118)
#: Seconds of load per run (each page, and the trivial view before it), per mode.
DURATION = float(os.environ.get("BENCH_DURATION") or 10)
#: Which modes to run: hot (same address, cache on), mixed (many addresses), cold (cache off).
MODES = [mode for mode in (os.environ.get("BENCH_MODES") or "hot,mixed,cold").split(",") if mode]
#: How many distinct addresses the mixed mode cycles through.
MIXED_ADDRESSES = env_int("BENCH_MIXED_ADDRESSES", 4000)
REUSE_DB = os.environ.get("BENCH_REUSE_DB", "") == "1"
OUTPUT = os.environ.get("BENCH_OUTPUT", str(BASE_DIR / "docs" / "benchmarks.md"))
ORG = {
    "people": env_int("BENCH_PEOPLE", 2000),
    "services": env_int("BENCH_SERVICES", 400),
    "rotations": env_int("BENCH_ROTATIONS", 60),
    "years": env_int("BENCH_YEARS", 5),
    "seed": 1,
}
GUNICORN_LOG = Path("/tmp/escalation-portal-bench-gunicorn.log")
BENCH_USERNAME = "bench-manager"

# The benchmark runs with production settings; these are what production would set.
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "tests.benchmarks.settings_bench"
        ),
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("PORTAL_TESTING", None)


def log(message: str) -> None:
    print(message, flush=True)
