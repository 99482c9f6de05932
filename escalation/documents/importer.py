"""Load the escalation document into the database: idempotent, atomic, validated.

`import_document(text, source=...)` parses the whole document first (`parser.py`: syntax
errors stop it before anything is read from the database), then plans every row against the
existing ones, loaded in bulk and matched by natural key (`known_rows.py`: a role by name, a
service by name...; `planners.py`: a responder by severity, tier and position...), then
validates and writes the change set inside one transaction (`change_set.py`: `full_clean()`
before each save). Any error raises `DocumentError` (`PATH:LINE: message`) and the
transaction rolls back: the database is left exactly as it was. Rows that did not change are
not saved again, so importing twice changes nothing and records no history.
"""

from __future__ import annotations

from django.db import transaction

from escalation.cache import bump_data_version

from .change_set import ChangeSet, ImportReport
from .known_rows import KnownRows
from .parser import parse_document
from .planners import DocumentPlanner


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that it rolls back."""


def import_document(text: str, *, source: str, dry_run: bool = False) -> ImportReport:
    """Import the escalation document `text` (read from `source`, named in messages).

    Raises DocumentError (`PATH:LINE: message`) and writes nothing when anything is wrong.
    With `dry_run`, everything is written and checked inside a transaction that is then
    rolled back: the report says what would change.
    """
    document = parse_document(text, source=source)
    changes = ChangeSet(document.source, document.warnings)
    try:
        with transaction.atomic():
            known = KnownRows(changes)
            known.load()
            DocumentPlanner(document, known, changes).plan()
            changes.validate()
            changes.write()
            if dry_run:
                raise _DryRun
            if changes.report(dry_run).changed:
                # Bulk writes send no signals: tell the caches (escalation.cache) explicitly.
                bump_data_version()
    except _DryRun:
        pass
    return changes.report(dry_run)
