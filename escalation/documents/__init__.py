"""The escalation document (Markdown) in and out of the database.

- `parser.parse_document(text, source=...)`: text → plain dataclasses with line numbers (pure).
- `importer.import_document(text, source=..., dry_run=False)`: idempotent, atomic import that
  returns an `ImportReport` or raises `errors.DocumentError` (`PATH:LINE: message`).
- `exporter.export_document()`: the document back from the database, in the same format.
"""
