"""Generate the organisation into the database, or flush the escalation data out of it.

`generate_org` checks the size and that the database holds no escalation data (unless asked to
flush it first), then writes each topic in turn (`people`, `directory`, `rotations`, `history`)
in one transaction. The same seed gives the same organisation: every choice comes from one
`random.Random(seed)`, and the instants hang off `today`. Rows are written with `bulk_create`,
so no history rows are written (generated data has no past to audit).
"""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.db import connection, transaction

from escalation.cache import bump_data_version
from escalation.models import DataVersion, FeedToken, OutgoingMessage, Person, Rotation, Service
from escalation.orgdata import directory, history, people, rotations
from escalation.orgdata.org import GeneratedOrg, OrgSize

NOT_EMPTY = (
    "The database already holds escalation data ({count} people, {services} services). "
    "Run with --flush to delete it first, or use an empty database."
)
TOO_SMALL = "--people must be at least {minimum} for {teams} teams (two per team and a few more)."
NOT_POSITIVE = "--services, --rotations and --years must be at least 1."


class OrgRefused(Exception):
    """The organisation cannot be generated as asked; nothing was written."""


def org_size(
    *, people: int, services: int, rotations: int, years: int, teams: int | None = None
) -> OrgSize:
    """The size asked for, with `teams` defaulting to one per 50 people (3 to 40)."""
    teams = teams or max(3, min(40, people // 50))
    size = OrgSize(people=people, services=services, rotations=rotations, years=years, teams=teams)
    minimum = 2 * teams + 12
    if size.people < minimum:
        raise OrgRefused(TOO_SMALL.format(minimum=minimum, teams=teams))
    if min(size.services, size.rotations, size.years) < 1:
        raise OrgRefused(NOT_POSITIVE)
    return size


def generate_org(*, size: OrgSize, seed: int, today: date, flush: bool = False) -> GeneratedOrg:
    """Write a whole organisation of `size`; `flush` deletes the escalation data first."""
    with transaction.atomic():
        if flush:
            flush_escalation_data()
        elif Person.objects.exists() or Service.objects.exists() or Rotation.objects.exists():
            raise OrgRefused(
                NOT_EMPTY.format(count=Person.objects.count(), services=Service.objects.count())
            )
        org = GeneratedOrg(size=size, seed=seed, today=today)
        people.make_teams(org)
        people.make_people(org)
        people.make_roles(org)
        directory.make_channels(org)
        rotations.make_rotations(org)
        directory.make_severities(org)
        directory.make_services(org)
        directory.make_paths(org)
        directory.make_paging_rules(org)
        history.make_overrides_and_swaps(org)
        # Bulk writes send no signals: tell the caches (escalation.cache) explicitly.
        bump_data_version()
    return org


def escalation_tables() -> list[str]:
    """Every table of escalation data, history and many-to-many tables included."""
    kept = {DataVersion, FeedToken, OutgoingMessage}
    tables = []
    for model in apps.get_app_config("escalation").get_models(include_auto_created=True):
        if model not in kept:
            tables.append(model._meta.db_table)
    return tables


def flush_escalation_data() -> None:
    # Raw deletes: Model.delete() would collect every row and write a history row for each.
    # Foreign keys are deferred to the end of the transaction, so the order does not matter.
    with connection.cursor() as cursor:
        for table in escalation_tables():
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    bump_data_version()
