"""The benchmark's database: recreated (or reused), migrated, filled with a generated
organisation, and a manager login who is on call, with a feed token."""

from __future__ import annotations

import io
import re
import secrets
import time
import urllib.parse
from typing import Any

from tests.benchmarks.knobs import BENCH_USERNAME, DATABASE_URL, ORG, REUSE_DB, log


def recreate_database() -> None:
    import psycopg

    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise SystemExit(f"Unexpected database name in BENCH_DATABASE_URL: {name!r}")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare_data() -> dict[str, Any]:
    from django.core.management import call_command

    from escalation.models import Person

    facts: dict[str, Any] = {}
    if REUSE_DB and _database_has_org():
        log(f"Reusing the generated organisation in {DATABASE_URL} (BENCH_REUSE_DB=1).")
        call_command("migrate", verbosity=0)
    else:
        log(f"Creating the database {DATABASE_URL} ...")
        recreate_database()
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        log(f"  migrated in {time.perf_counter() - began:.1f} s")
        out = io.StringIO()
        began = time.perf_counter()
        call_command("generate_org", flush=True, stdout=out, **ORG)
        facts["generate_seconds"] = time.perf_counter() - began
        log(out.getvalue().rstrip())
        log(f"  generate_org took {facts['generate_seconds']:.1f} s (command and all)")
    analyze()
    facts["people"] = Person.objects.count()
    return facts


def analyze() -> None:
    """Statistics for the planner, as autovacuum keeps them in production: a database filled a
    moment ago has none, and its plans (hashing every person to join a few rows) would be
    measured instead of the portal's."""
    from django.db import connection

    if connection.vendor == "postgresql":
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log(f"  ANALYZE took {time.perf_counter() - began:.1f} s")


def _database_has_org() -> bool:
    from django.db import connection
    from django.db.utils import OperationalError, ProgrammingError

    try:
        from escalation.models import Service

        return Service.objects.exists()
    except (OperationalError, ProgrammingError):
        connection.close()
        return False


def make_bench_user() -> tuple[str, str, str]:
    """A manager linked to someone on call; returns (username, password, feed token)."""
    from django.contrib.auth.models import Group, User
    from django.db import transaction

    from escalation.models import Person, RotationSlot
    from escalation.permissions import MANAGERS_GROUP
    from escalation.services.feed_tokens import feed_token_regenerate

    password = secrets.token_urlsafe(16)
    with transaction.atomic():
        user = User.objects.filter(username=BENCH_USERNAME).first()
        if user is None:
            user = User.objects.create_user(BENCH_USERNAME, f"{BENCH_USERNAME}@example.com")
        user.set_password(password)
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=MANAGERS_GROUP))
        # The bench user is someone on call (the dashboard then shows "your shifts"), taking
        # over that person's generated login.
        slot = (
            RotationSlot.objects.select_related("primary")
            .filter(primary__is_active=True)
            .order_by("rotation__position", "position")
            .first()
        )
        if slot is not None and not Person.objects.filter(user=user).exists():
            slot.primary.user = user
            slot.primary.save(update_fields=["user"])
    token = feed_token_regenerate(user=user)
    return BENCH_USERNAME, password, token
