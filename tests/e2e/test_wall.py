"""The wall edition printed, as Chromium prints it: one page on A4 and on Letter, with the
rotation's pairs and phones, the paths' conditions, the date printed and the portal's address,
and nothing that is only true now."""

import io
import re
import unicodedata

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from escalation.models import Person
from tests.e2e.conftest import VIEWER, log_in

MM = 96 / 25.4


def printed(page, paper: str) -> list[str]:
    reader = PdfReader(io.BytesIO(page.pdf(format=paper)))
    return [
        " ".join(unicodedata.normalize("NFKC", sheet.extract_text()).split())
        for sheet in reader.pages
    ]


@pytest.mark.parametrize(("paper", "width_mm"), [("A4", 210), ("Letter", 216)])
def test_the_wall_edition_prints_on_one_page(new_page, seeded_portal, paper, width_mm):
    page = new_page({"width": int((width_mm - 18) * MM), "height": 1000})
    log_in(page, VIEWER)
    page.goto("/")
    page.get_by_role("link", name="Print the wall edition").click()
    expect(page).to_have_url(re.compile(r"/print/$"))
    page.emulate_media(media="print")
    expect(page.locator(".portal-header")).to_be_hidden()

    sheets = printed(page, paper)

    assert len(sheets) == 1, f"the wall edition takes {len(sheets)} pages on {paper}"
    text = sheets[0]
    assert re.search(r"Printed \d{1,2} \w{3} \d{4}, \d\d:\d\d", text), text
    assert page.url.removesuffix("print/") in text
    for person in Person.objects.filter(display_name__startswith="Engineer"):
        assert f"{person.display_name} {person.phone.as_international}" in text, person
    assert "Odd weeks" in text and "Even weeks" in text
    assert "SEV1 only · after 30 min: VP of Engineering" in text
    assert "if data breach confirmed" in text
    assert "#incidents: Active SEV1/SEV2 incident coordination" in text
    assert "On call now" not in text
    assert "now:" not in text
