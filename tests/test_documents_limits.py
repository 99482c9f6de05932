"""The importer's limits: a value quoted in an error is cut short, and a document past a limit
(its size, a table's rows, a cell's parties, a flowchart's steps) is refused with `PATH:LINE`
while it is read, before any query, changing nothing. The README lists the same limits."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from escalation.documents import errors, limits
from escalation.documents.errors import DocumentError
from escalation.documents.importer import import_document
from escalation.documents.limits import (
    ECHO_CHARACTERS,
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENT_CHARACTERS,
    MAX_FLOWCHART_STEPS,
    MAX_PARTIES,
    MAX_STEPS,
    MAX_TABLE_ROWS,
)
from escalation.documents.parser import parse_document
from tests.conftest import SEED_DOCUMENT
from tests.test_fuzz_importer import fingerprint

pytestmark = pytest.mark.django_db

SEED = SEED_DOCUMENT.read_text(encoding="utf-8")
SERVICE_ROW = "| Authentication | Backend Team | Auth Module Owner | #team-backend |"


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def refused(text: str, django_assert_num_queries) -> DocumentError:
    """The error importing `text` raises, having run no query at all."""
    with django_assert_num_queries(0), pytest.raises(DocumentError) as caught:
        import_document(text, source="big.md")
    return caught.value


def test_an_over_long_cell_is_quoted_by_its_start_and_its_length(seeded):
    name = "A" * 100_000
    before = fingerprint()
    with pytest.raises(DocumentError) as caught:
        import_document(
            SEED.replace(SERVICE_ROW, SERVICE_ROW.replace("Authentication", name)), source="x.md"
        )
    message = str(caught.value)
    assert message.startswith(f'x.md:{line_of(SEED, SERVICE_ROW)}: Service / Component "')
    assert f'"{"A" * ECHO_CHARACTERS}… (100,000 characters)": ' in message
    assert "at most 200 characters" in message
    assert len(message) < 300
    assert fingerprint() == before


def test_a_long_text_in_a_warning_is_quoted_short_too(seeded):
    report = import_document(SEED + "\n" + "x" * 1000 + "\n", source="x.md")
    (warning,) = [w for w in report.warnings if "x" * ECHO_CHARACTERS in w.message]
    assert "(1,000 characters)" in warning.message
    assert len(warning.message) < 200


def test_echo_keeps_short_values_whole():
    assert limits.echo("Backend lead") == "Backend lead"
    assert limits.echo("x" * 81) == "x" * 80 + "… (81 characters)"
    # The importer's own words are never cut: only what it quotes from the document.
    assert errors.INVALID_VALUE.format(column="Team", value="y" * 100, problem="z" * 100).endswith(
        "z" * 100
    )


def test_a_document_past_the_character_limit_is_refused_at_the_line_passing_it(
    db, django_assert_num_queries
):
    padding = ("Some notes that are not imported.\n") * (MAX_DOCUMENT_CHARACTERS // 34 + 10)
    text = SEED + padding
    error = refused(text, django_assert_num_queries)
    assert error.line == text.count("\n", 0, MAX_DOCUMENT_CHARACTERS) + 1
    assert error.message == errors.DOCUMENT_TOO_LONG.format(limit=MAX_DOCUMENT_CHARACTERS)
    assert "2,000,000 characters" in error.message


def test_a_table_past_the_row_limit_is_refused_at_its_first_row_too_many(
    db, django_assert_num_queries
):
    rows = "\n".join(
        f"| Service {n} | Backend Team | Backend Tech Lead | #team-backend |"
        for n in range(MAX_TABLE_ROWS + 1)
    )
    text = SEED.replace(SERVICE_ROW, rows)
    error = refused(text, django_assert_num_queries)
    # The seed lists five services before the replaced row: the first row too many is later.
    assert error.line == line_of(text, "| Backend API (FastAPI) |") + MAX_TABLE_ROWS
    assert error.message == errors.TOO_MANY_ROWS.format(limit=MAX_TABLE_ROWS)


def test_a_table_at_the_row_limit_is_read():
    rows = "\n".join(
        f"| Service {n} | Backend Team | Backend Tech Lead | #team-backend |"
        for n in range(MAX_TABLE_ROWS - 7)
    )
    document = parse_document(SEED.replace(SERVICE_ROW, rows), source="big.md")
    assert document.services is not None
    assert len(document.services) == MAX_TABLE_ROWS


def test_a_cell_naming_too_many_parties_is_refused(db, django_assert_num_queries):
    cell = " + ".join(f"Party {n}" for n in range(MAX_PARTIES + 1))
    text = SEED.replace("Backend lead + Frontend lead", cell)
    error = refused(text, django_assert_num_queries)
    assert error.line == line_of(text, "| **SEV1**")
    assert error.message == errors.TOO_MANY_PARTIES.format(
        column="Secondary Contact", limit=MAX_PARTIES
    )


def flowchart(title: str, steps: int) -> str:
    boxes = "\n    |\n    v\n".join(f"Step {n} of {title}" for n in range(steps))
    return f"### {title}\n\n```\n{boxes}\n```\n"


def with_paths(*paths: str) -> str:
    start = SEED.index("### Technical Escalation")
    end = SEED.index("## Communication Channels")
    return SEED[:start] + "\n".join(paths) + "\n" + SEED[end:]


def test_a_flowchart_past_the_step_limit_is_refused_at_its_first_step_too_many(
    db, django_assert_num_queries
):
    text = with_paths(flowchart("Long", MAX_FLOWCHART_STEPS + 1))
    error = refused(text, django_assert_num_queries)
    assert error.line == line_of(text, f"Step {MAX_FLOWCHART_STEPS} of Long")
    assert error.message == errors.TOO_MANY_STEPS.format(limit=MAX_FLOWCHART_STEPS)


def test_paths_past_the_limit_of_steps_in_all_are_refused(db, django_assert_num_queries):
    count = MAX_STEPS // MAX_FLOWCHART_STEPS + 1
    text = with_paths(*(flowchart(f"Path {n}", MAX_FLOWCHART_STEPS) for n in range(count)))
    error = refused(text, django_assert_num_queries)
    last = count - 1
    assert error.line == line_of(text, f"Step 0 of Path {last}\n")
    assert error.message == errors.TOO_MANY_STEPS_IN_ALL.format(limit=MAX_STEPS)


def test_command_refuses_a_file_past_the_byte_limit_before_reading_it(seeded, tmp_path):
    path = tmp_path / "big.md"
    path.write_bytes(SEED.encode() + b"x" * MAX_DOCUMENT_BYTES)
    before = fingerprint()
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_escalation_doc", str(path), stderr=err)
    assert exit_.value.code == 1
    size = path.stat().st_size
    assert err.getvalue().strip() == f"{path}:1: " + errors.FILE_TOO_LARGE.format(
        size=size, limit=MAX_DOCUMENT_BYTES
    )
    assert fingerprint() == before


def test_the_readme_lists_the_limits_the_importer_applies():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The escalation document", 1)[1].split("\n## ", 1)[0]
    for limit in (
        MAX_DOCUMENT_BYTES,
        MAX_DOCUMENT_CHARACTERS,
        MAX_TABLE_ROWS,
        MAX_PARTIES,
        MAX_FLOWCHART_STEPS,
        MAX_STEPS,
        ECHO_CHARACTERS,
    ):
        assert re.search(rf"\b{limit:,}\b", section), limit
