"""The services table's cells written in Python (`escalation.service_cells`): markup and escaping."""

from types import SimpleNamespace

from escalation.models import Person, Role, Rotation
from escalation.service_cells import name_cell, on_call_cell, role_cell, slack_cell

HOSTILE = '<b>"O\'Brien" & co</b>'
ESCAPED = "&lt;b&gt;&quot;O&#x27;Brien&quot; &amp; co&lt;/b&gt;"


def test_the_name_links_to_the_sheet_twice():
    html = name_cell(HOSTILE, "/services/x/?a=1&b=2")

    assert html.startswith(f'<a class="fw-semibold" href="/services/x/?a=1&amp;b=2">{ESCAPED}</a>')
    assert html.count('href="/services/x/?a=1&amp;b=2"') == 2
    assert "Who do I contact?" in html


def test_a_role_shows_its_holder_or_tbd_and_no_role_says_no_owner():
    held = role_cell(Role(name=HOSTILE, holder=Person(display_name=HOSTILE)))

    assert held == f'<div>{ESCAPED}</div>\n<div class="small"><strong>{ESCAPED}</strong></div>'
    assert role_cell(Role(name="DBA")) == '<div>DBA</div>\n<span class="badge badge-tbd">TBD</span>'
    assert role_cell(None) == '<span class="badge badge-tbd">No owner</span>'


def test_a_missing_channel_is_flagged():
    assert slack_cell("") == '<span class="badge badge-tbd">No channel</span>'
    assert "#ops &lt;x&gt;" in slack_cell("#ops <x>")


def test_who_is_on_call_with_the_rotation_in_the_calendar():
    rotation = Rotation(name=HOSTILE, slug="platform")
    answer = SimpleNamespace(
        rotation=rotation, primary=Person(display_name=HOSTILE), secondary=None
    )
    nobody = SimpleNamespace(rotation=rotation, primary=None, secondary=Person(display_name="B"))

    html = on_call_cell(answer, "/oncall/")

    assert html.startswith(f"<div><strong>{ESCAPED}</strong> ")
    assert ">secondary<" not in html
    assert 'href="/oncall/#calendar-platform">' in html and html.endswith(f"{ESCAPED}</a>")
    assert on_call_cell(nobody, "/oncall/").startswith("<div><strong>Nobody</strong>")
    assert '<div class="small">B <span' in on_call_cell(nobody, "/oncall/")
    assert on_call_cell(None, "/oncall/") == '<span class="text-body-secondary">No rotation</span>'
