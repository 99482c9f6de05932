"""Printing: the escalation paths and a service sheet on A4, as Chromium prints them.

The checks read the PDF that `page.pdf` writes: its pages and the text on each. The page is also
laid out with print media at the width of an A4 sheet's printable area, to check that nothing
is wider than the paper (a PDF crops what overflows without saying so).
"""

import io
import re
import unicodedata

from playwright.sync_api import expect
from pypdf import PdfReader

from escalation.models import EscalationPath
from tests.e2e.conftest import VIEWER, log_in

MM = 96 / 25.4  # CSS pixels per millimetre
# A4 less print.css's @page margins (14 mm top and bottom, 12 mm left and right).
A4_PRINTABLE = {"width": int((210 - 2 * 12) * MM), "height": int((297 - 2 * 14) * MM)}
SHEET = "/services/database-postgresql/?severity=1&kind=technical&started=10:15"


def printed_pages(page) -> list[str]:
    """The text of each page of the open page printed on A4, as one line of words each
    (ligatures and line breaks undone, so a phrase can be found wherever the line wrapped)."""
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    return [
        " ".join(unicodedata.normalize("NFKC", sheet.extract_text()).split())
        for sheet in reader.pages
    ]


def words(text: str) -> str:
    return " ".join(text.split())


def open_for_print(new_page, url: str):
    page = new_page(A4_PRINTABLE)
    log_in(page, VIEWER)
    page.emulate_media(media="print")
    page.goto(url)
    expect(page.locator(".portal-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the printout is {overflow}px wider than the paper at {url}"
    return page


def test_the_escalation_paths_print_every_step_and_never_split_a_path(new_page, seeded_portal):
    paths = list(EscalationPath.objects.prefetch_related("steps__parties"))
    page = open_for_print(new_page, "/escalation/")
    sheets = printed_pages(page)

    assert 1 <= len(sheets) <= len(paths), f"{len(paths)} paths took {len(sheets)} pages"
    assert not any(line in "".join(sheets) for line in ("Skip to content", "Page or Slack"))
    for path in paths:
        # The path's name and every one of its steps are on one sheet of paper.
        holding = [text for text in sheets if path.name in text]
        assert len(holding) == 1, f"{path} is on {len(holding)} pages"
        text = holding[0]
        steps = text[text.index(path.name) :]
        for number, step in enumerate(path.steps.all(), start=1):
            for party in step.parties.all():
                assert words(party.label) in steps, (path.name, number, party.label)
            if step.condition:
                assert f"if {words(step.condition)}" in steps, (path.name, step.condition)
            if step.after_minutes:
                assert f"after {step.after_minutes} min" in steps, (path.name, number)
        assert f"{path.steps.count()}. " in steps, f"{path}: its last step is not numbered"


def test_a_service_sheet_prints_on_one_a4_page_with_its_escalation_times(new_page, seeded_portal):
    technical = EscalationPath.objects.get(slug="technical-escalation")
    page = open_for_print(new_page, SHEET)
    expect(page.locator(".sheet-form")).to_be_hidden()

    sheets = printed_pages(page)
    assert len(sheets) == 1, f"the sheet takes {len(sheets)} pages"
    (text,) = sheets
    assert "SEV1 Technical incident on Database (PostgreSQL)" in text
    assert re.search(r"Started 10:15 \w{3} \d{1,2} \w{3} \d{4}", text), text[:300]
    escalation = text[text.index("Escalate if unresolved") :]
    for step in technical.steps.prefetch_related("parties"):
        for party in step.parties.all():
            assert words(party.label) in escalation, party.label
    assert "Escalate to VP of Engineering at 10:45 if still unresolved" in escalation
    assert "Printed from http" in text
    assert "Show sheet" not in text  # the form stays on screen
