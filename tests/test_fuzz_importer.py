"""The Markdown importer fuzzed: random text, and the bundled document mutated (lines deleted,
duplicated, swapped; cells changed; pipes, backticks and odd Unicode injected). Whatever comes
in, the import either succeeds or raises DocumentError saying `PATH:LINE: what is wrong` — never
another exception — and a failed import leaves the database exactly as it was.

The database holds the bundled document throughout; each example runs in a savepoint that is
rolled back, so every example starts from the same rows.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest
from django.apps import apps
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalation.documents.errors import DocumentError
from escalation.documents.importer import import_document
from tests.conftest import SEED_DOCUMENT

pytestmark = pytest.mark.django_db

SOURCE = "fuzz/escalation-contacts.md"
ERROR_FORMAT = re.compile(r"fuzz/escalation-contacts\.md:(\d+): .+")
SEED_LINES = SEED_DOCUMENT.read_text(encoding="utf-8").split("\n")
CASES: Counter[str] = Counter()
OUTCOMES: Counter[str] = Counter()
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD_TEXT = st.sampled_from(
    [
        "|",
        "\\|",
        "`",
        "```",
        "**",
        "_",
        "+",
        " + ",
        "(",
        ")",
        ",",
        "#",
        "## ",
        "### ",
        "TBD",
        "_Not required_",
        "\t",
        "\u202e",
        "\u200d",
        "\ufeff",
        "\x00",
        "🚨",
        "SEV0",
        "SEV10",
        "(Pigeon)",
        "Page if sustained > 0 min",
        "Every 0 days, handoff on Funday 25:99 Mars/Olympus",
        "+44 20 7946 0000",
        "not a phone",
        "@bad handle!",
        "#Bad Channel",
        "x" * 300,
        "    |",
        "    v",
        "v",
    ]
)
ANY_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=80)
PIECE = st.one_of(ODD_TEXT, ANY_TEXT)


def fingerprint() -> tuple[tuple[str, int, str], ...]:
    """Every escalation table (history included): its row count and a hash of all its values."""
    prints = []
    for model in sorted(apps.get_app_config("escalation").get_models(), key=lambda m: m.__name__):
        rows = list(model._base_manager.order_by("pk").values_list())
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        prints.append((model.__name__, len(rows), digest))
    return tuple(prints)


def check_import(text: str, kind: str) -> None:
    """Import `text` in a savepoint: success or a clean, located error that changed nothing."""
    CASES[kind] += 1
    before = fingerprint()
    try:
        with transaction.atomic():
            import_document(text, source=SOURCE)
            transaction.set_rollback(True)
        OUTCOMES["imported"] += 1
    except DocumentError as error:
        OUTCOMES["refused"] += 1
        message = str(error)
        match = ERROR_FORMAT.fullmatch(message)
        assert match, f"not PATH:LINE: message: {message!r}"
        assert "\n" not in message
        lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
        assert 1 <= int(match.group(1)) <= lines, message
        assert fingerprint() == before, "a failed import changed the database"


@st.composite
def mutated_seed(draw) -> str:
    lines = list(SEED_LINES)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        operation = draw(
            st.sampled_from(["delete", "duplicate", "swap", "cell", "inject", "replace", "insert"])
        )
        line = lines[index]
        if operation == "delete":
            del lines[index]
        elif operation == "duplicate":
            lines.insert(index, line)
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], line
        elif operation == "cell" and line.count("|") >= 2:
            cells = line.split("|")
            which = draw(st.integers(1, len(cells) - 2))
            cells[which] = f" {draw(PIECE)} "
            lines[index] = "|".join(cells)
        elif operation == "inject":
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(PIECE) + line[at:]
        elif operation == "replace":
            lines[index] = draw(PIECE)
        else:
            lines.insert(index, draw(PIECE))
        if not lines:
            lines = [""]
    return "\n".join(lines)


@pytest.fixture
def seeded_database(seeded):
    return fingerprint()


@FUZZ
@given(text=ANY_TEXT)
def test_random_text_is_imported_or_refused_cleanly(seeded_database, text):
    check_import(text, "random text")


@FUZZ
@given(
    text=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "# Escalation Contacts",
                    "## Contact Matrix by Severity",
                    "## On-Call Rotation",
                    "## Service Ownership",
                    "## Escalation Paths",
                    "### Technical Escalation",
                    "```",
                    "| Week | Primary | Secondary |",
                    "|------|---------|-----------|",
                    "| Odd weeks | Engineer A | Engineer B |",
                    "**Rotation cadence:** Weekly, handoff on Monday 09:00 UTC",
                    "| Service / Component | Team | Primary Contact | Slack Channel |",
                    "|---|---|---|---|",
                    "| Backend API | Backend Team | Backend Tech Lead | #team-backend |",
                    "On-call Engineer",
                    "    |",
                    "    v",
                    "",
                ]
            ),
            PIECE,
        ),
        max_size=25,
    ).map("\n".join)
)
def test_markdown_shaped_text_is_imported_or_refused_cleanly(seeded_database, text):
    check_import(text, "markdown-shaped text")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=mutated_seed())
def mutated_seed_cases(seeded_database, text):
    check_import(text, "mutated seed")


def test_a_mutated_seed_is_imported_or_refused_without_a_partial_write(seeded_database):
    cases, outcomes = CASES["mutated seed"], OUTCOMES.copy()
    mutated_seed_cases(seeded_database)
    # Enough cases ran, and they reached both outcomes: the fuzzing really exercised both paths.
    assert CASES["mutated seed"] - cases >= 100
    assert OUTCOMES["imported"] > outcomes["imported"]
    assert OUTCOMES["refused"] > outcomes["refused"]


def test_the_unmutated_seed_imports_and_a_bad_one_changes_nothing(seeded_database):
    check_import("\n".join(SEED_LINES), "fixed")
    broken = "\n".join(SEED_LINES).replace("| Odd weeks | Engineer A |", "| Odd weeks | TBD |")
    before = fingerprint()
    with pytest.raises(DocumentError, match=r"^x\.md:16: "):
        import_document(broken, source="x.md")
    assert fingerprint() == before


@pytest.mark.parametrize("character", ["\x00", "\ufdd0"])
def test_a_nul_in_any_line_is_refused_cleanly(seeded_database, character):
    # PostgreSQL refuses NUL in text: without the parser's check it would be a DataError.
    for number in range(0, len(SEED_LINES), 3):
        lines = list(SEED_LINES)
        lines[number] += character
        with pytest.raises(DocumentError, match=rf"^x\.md:{number + 1}: the character"):
            import_document("\n".join(lines), source="x.md")
        CASES["reserved character"] += 1
    assert fingerprint() == seeded_database
