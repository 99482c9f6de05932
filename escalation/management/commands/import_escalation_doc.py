"""Import the escalation document: `manage.py import_escalation_doc PATH [--dry-run]`.

Bad input prints `PATH:LINE: what is wrong` on stderr, exits 1 and changes nothing; a file over
`limits.MAX_DOCUMENT_BYTES` is refused before it is read.
"""

import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from escalation.documents import errors
from escalation.documents.change_set import ImportReport
from escalation.documents.errors import DocumentError
from escalation.documents.importer import import_document
from escalation.documents.limits import MAX_DOCUMENT_BYTES

CANNOT_READ = "{path}: cannot read the file: {reason}"
IMPORTED = "Imported {path}."
DRY_RUN = "Dry run of {path}: nothing was written."
WOULD_CHANGE = "It would make these changes:"
CHANGES = "Changes:"
NOTHING_TO_CHANGE = "Nothing to change: the database already holds this document."


class Command(BaseCommand):
    help = "Import the escalation contacts document (Markdown) into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The Markdown document, e.g. escalation-contacts.md")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: str = options["path"]
        try:
            size = Path(path).stat().st_size
            if size > MAX_DOCUMENT_BYTES:
                error = errors.FILE_TOO_LARGE.format(size=size, limit=MAX_DOCUMENT_BYTES)
                self.fail(str(DocumentError(path, 1, error)))
            data = Path(path).read_bytes()
        except OSError as exc:
            self.fail(CANNOT_READ.format(path=path, reason=exc.strerror or exc))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.fail(str(DocumentError(path, line, errors.NOT_UTF8.format(byte=data[exc.start]))))
        try:
            report = import_document(text, source=path, dry_run=options["dry_run"])
        except DocumentError as exc:
            self.fail(str(exc))
        self.show(report)

    def fail(self, message: str) -> NoReturn:
        self.stderr.write(message)
        sys.exit(1)

    def show(self, report: ImportReport) -> None:
        for warning in report.warnings:
            self.stderr.write(str(warning))
        if report.dry_run:
            self.stdout.write(DRY_RUN.format(path=report.source))
        else:
            self.stdout.write(IMPORTED.format(path=report.source))
        if not report.changed:
            self.stdout.write(NOTHING_TO_CHANGE)
        else:
            self.stdout.write(WOULD_CHANGE if report.dry_run else CHANGES)
        for change in report.changes:
            self.stdout.write(f"  {change}")
        self.stdout.write("")
        for line in report.summary_lines():
            self.stdout.write(line)
