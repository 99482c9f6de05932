"""The escalation document (Markdown) in and out of the database.

- `parser.parse_document(text, source=...)`: text → plain dataclasses with line numbers (pure).
- `importer.import_document(text, source=..., dry_run=False)`: idempotent, atomic import that
  returns an `ImportReport` or raises `errors.DocumentError` (`PATH:LINE: message`).
- `exporter.export_document()`: the document back from the database, in the same format.

What lives where:
- `format.py`: the document's format, shared by the parser and the exporter: sections and
  their titles, each table's columns, the set phrases and word lists ("_Not required_",
  "Odd weeks"...), and how words compare (`plain`, `words`).
- Reading (pure): `parser.py` (the whole text, its sections) → `blocks.py` (Markdown lines into
  blocks; backslash escapes) → `sections.py` (a section's one table) → `section_readers.py`
  (each section's cells and lines) → `parsed.py` (the values read, with their lines).
- Importing: `known_rows.py` (existing rows by natural key; names resolved to rows) →
  `planners.py` (each parsed section into changes) → `change_set.py` (the changes recorded,
  validated, written and reported, whatever section they come from).
- `positions.py`: the positions the import gives rows (kept while they give the document's
  order).
- `errors.py`: every message the import gives, errors and warnings.
- `limits.py`: what the importer accepts at most (size, rows, parties, steps), checked while
  the document is read, before the database; how much of a value a message quotes.

A table cell is checked in three places, in this order: its table's shape and the cells every
table shares (header, separator, number of cells, an empty or repeated cell: `sections.py`),
what its words mean for its column (a severity, a weekday, a way to reach someone:
`section_readers.py`; a name nobody knows: `known_rows.py`), then the value against the model's
own validation (`full_clean()`, in `change_set.ChangeSet.validate`).
"""
