"""Export the escalation document: `manage.py export_escalation_doc [--output PATH]`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from escalation.documents.exporter import export_document

WRITTEN = "Wrote {path}."


class Command(BaseCommand):
    help = "Write the escalation contacts document (Markdown) from the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", "-o", metavar="PATH", help="Write to this file instead of stdout."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = export_document()
        output = options["output"]
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(WRITTEN.format(path=output))
        else:
            self.stdout.write(text, ending="")
