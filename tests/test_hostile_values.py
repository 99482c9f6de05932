"""Hostile values through every surface: HTML and script tags, SVG and Markdown syntax, pipes and
line breaks, right-to-left overrides, zero-width joiners, emoji, 10,000 characters.

Each value is written into every free-text field the pages, the flowchart, the feed, the API and
the Markdown export show (names, labels, purposes, conditions, notes, reasons...), cut to the
field's maximum length. Then every page renders and shows it as text, the flowchart SVG parses
as XML, the iCalendar feed and the JSON API parse and give it back, and the Markdown export
re-imports to the same rows and exports the same bytes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from icalendar import Calendar

from escalation import models
from escalation.documents.errors import CONTROL_CHARACTER, DocumentError
from escalation.documents.exporter import export_document
from escalation.documents.importer import import_document
from escalation.documents.parser import parse_document
from escalation.notify.messages import swap_notices
from tests.security_urls import SecurityData, endpoints, fill, security_data

pytestmark = pytest.mark.django_db

LONG = "Ω" * 10_000

HOSTILE: dict[str, str] = {
    "script tag": "<script>alert(1)</script>",
    "attribute breakout": '"><img src=x onerror=alert(1)>',
    "svg breakout": "</text></svg><script>alert(2)</script>",
    "template syntax": "{{ request.user }} {% debug %}",
    "markdown syntax": "| * _ # [x](javascript:alert(1))",
    "markdown structure": "*draft* (EU), Lead + Deputy #1 ``` \\| back\\slash",
    "line breaks": "one\ntwo\r\nthree\rfour",
    "right-to-left override": "\u202eexe.gnp\u202c invoice",
    "zero-width joiners": "a\u200db\u200cc\u2060d",
    "emoji": "🚨 on fire 👩\u200d💻",
    "10,000 characters": LONG,
}
# What must never reach a page unescaped.
RAW = {
    "script tag": ["<script>alert(1)"],
    "attribute breakout": ["<img src=x", '" onerror=', "'><img"],
    "svg breakout": ["</text></svg><script>", "<script>alert(2)"],
    "markdown syntax": ['href="javascript:', "href='javascript:"],
}
SHOWN = {  # ...and how it shows instead, somewhere
    "script tag": "&lt;script&gt;alert(1)&lt;/script&gt;",
    "attribute breakout": "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
    "svg breakout": "&lt;/text&gt;&lt;/svg&gt;&lt;script&gt;alert(2)&lt;/script&gt;",
    "template syntax": "{{ request.user }} {% debug %}",
    "markdown syntax": "| * _ # [x](javascript:alert(1))",
    "right-to-left override": "\u202eexe.gnp\u202c invoice",
    "zero-width joiners": "a\u200db\u200cc\u2060d",
    "emoji": "🚨 on fire 👩\u200d💻",
}
ODD_WEEK = "2026-01-14T12:00:00Z"  # ISO week 3: Engineer A's


def one_line(text: str) -> str:
    return " ".join(text.split())


def ical_text(text: str) -> str:
    """`text` as iCalendar TEXT carries it: a line break is one escape, "\\n" (RFC 5545 3.3.11)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


_ICAL_ESCAPE = re.compile(r"\\([\\;,nN])")


def escape_ical_text(text: str) -> str:
    """RFC 5545 3.3.11 TEXT: backslash first, then semicolon, comma and line breaks."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return ical_text(text).replace("\n", "\\n")


def unescape_ical_text(escaped: str) -> str:
    """RFC 5545 3.3.11 TEXT, read in one pass: \\\\ \\; \\, and \\n are the only escapes."""
    return _ICAL_ESCAPE.sub(lambda m: "\n" if m[1] in "nN" else m[1], escaped)


def fit(obj, field: str, text: str) -> str:
    limit = obj._meta.get_field(field).max_length
    return text[:limit] if limit else text


@dataclass
class Planted:
    """Where the value went: what each field now holds."""

    person: models.Person
    role: models.Role
    service: models.Service
    path: models.EscalationPath
    swap: models.SwapRequest
    page: models.PagerDutyIncident
    values: dict[str, str]  # "Model.field" → the value stored
    viewer: object
    manager: object


def plant(value: str) -> Planted:
    """The bundled document, with `value` in every free-text field it and the pages show."""
    data = security_data()
    values: dict[str, str] = {}

    def put(obj, field: str, prefix: str, *, text: str | None = None) -> str:
        stored = fit(obj, field, text if text is not None else f"{prefix} {value}")
        setattr(obj, field, stored)
        obj.save()
        values[f"{type(obj).__name__}.{field}"] = stored
        return stored

    person = data.person  # Engineer A: odd weeks' primary, the swap's requester
    put(person, "display_name", "A")
    role = models.Role.objects.get(name="DBA Lead")
    role.holder = person
    put(role, "name", "DBA")
    manager_role = models.Role.objects.get(name="Engineering Manager")
    label = put(manager_role, "name", "EM")
    for party_model in (models.SeverityResponder, models.EscalationStepParty):
        for party in party_model.objects.filter(role=manager_role, label="Engineering Manager"):
            put(party, "label", "", text=label)
    put(models.Team.objects.get(name="Platform Team"), "name", "Platform")
    incidents = models.Channel.objects.get(name="#incidents")
    put(incidents, "purpose", "Purpose")
    put(incidents, "who_posts", "Posters")
    put(models.Channel.objects.get(name="PagerDuty"), "name", "PD")
    service = models.Service.objects.get(name="CI/CD Pipeline")
    put(service, "name", "CI")
    put(service, "description", "", text=value)
    path = models.EscalationPath.objects.get(name="Technical Escalation")
    put(path, "name", "Technical")  # "Technical" keeps the path's kind in the document
    put(path, "description", "", text=value)
    step = models.EscalationStep.objects.get(condition="data breach confirmed")
    put(step, "condition", "breach")
    put(models.EscalationStep.objects.get(note="for affected service"), "note", "for")
    vendor = models.EscalationStepParty.objects.get(kind=models.PartyKind.EXTERNAL)
    put(vendor, "label", "Vendor")  # "Vendor" keeps it an outside party
    put(models.PagingRule.objects.order_by("position").first(), "signal", "Signal")
    rotation = models.Rotation.objects.get()
    put(rotation, "name", "Rotation")
    put(rotation, "schedule_note", "Note")
    put(models.Severity.objects.get(level=1), "description", "Worst")
    swap = data.swap
    put(swap, "reason", "", text=value)
    put(models.Override.objects.get(), "reason", "", text=value)
    put(swap.events.get(), "note", "", text=value)
    put(data.page, "title", "", text=value)
    put(data.page, "error", "", text=value)
    return Planted(
        person=person,
        role=role,
        service=service,
        path=path,
        swap=swap,
        page=data.page,
        values=values,
        viewer=data.viewer,
        manager=data.manager,
    )


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def portal_pages(planted: Planted) -> dict[str, str]:
    """Every GET page of the portal, for a viewer and for a manager: path → HTML."""
    data = SecurityData(
        viewer=planted.viewer,
        staff=None,
        manager=planted.manager,
        superuser=None,
        service=planted.service,
        path=planted.path,
        swap=planted.swap,
        person=planted.person,
        page=planted.page,
    )
    pages = {}
    for user in (planted.viewer, planted.manager):
        client = logged_in(user)
        for endpoint in endpoints():
            if endpoint.is_admin or endpoint.name in {"escalation:calendar_ics", "logout"}:
                continue
            path = fill(endpoint, data)
            response = client.get(path, {"at": ODD_WEEK} if "api" in path else {})
            if response.status_code == 405:
                continue
            assert response.status_code == 200, f"{path}: {response.status_code}"
            if response["Content-Type"] == "application/json":
                # Inside a JSON string "<script>" is just text: compare the values it carries.
                assert planted.person.display_name in json_strings(json.loads(response.content))
                continue
            pages[f"{user}:{path}"] = response.content.decode()
    return pages


def json_strings(payload) -> set[str]:
    if isinstance(payload, dict):
        return set().union(*(json_strings(value) for value in payload.values()))
    if isinstance(payload, list):
        return set().union(*(json_strings(value) for value in payload))
    return {payload} if isinstance(payload, str) else set()


def admin_pages(planted: Planted) -> dict[str, str]:
    client = logged_in(planted.manager)
    pages = {}
    for obj in (planted.person, planted.role, planted.service, planted.path, planted.swap):
        info = (obj._meta.app_label, obj._meta.model_name)
        for url in (
            reverse("admin:{}_{}_changelist".format(*info)),
            reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
            reverse("admin:{}_{}_history".format(*info), args=[obj.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            pages[url] = response.content.decode()
    return pages


def assert_shown_as_text(name: str, pages: dict[str, str]) -> None:
    for where, html in pages.items():
        for raw in RAW.get(name, []):
            assert raw not in html, f"{where} shows {raw!r} unescaped"
    if name in SHOWN:
        assert any(SHOWN[name] in html for html in pages.values()), "the value is shown nowhere"


# --- The value on every surface ---------------------------------------------------------------


@pytest.fixture(params=list(HOSTILE), ids=list(HOSTILE))
def hostile(request):
    return request.param, HOSTILE[request.param]


def test_every_page_renders_and_shows_the_value_as_text(hostile):
    name, value = hostile
    planted = plant(value)
    pages = portal_pages(planted)
    assert len(pages) >= 30
    assert_shown_as_text(name, pages)
    contacts = pages[f"{planted.viewer}:/contacts/"]
    assert escape(one_line(planted.person.display_name))[:60] in one_line(contacts)


def test_admin_pages_render_and_show_the_value_as_text(hostile):
    name, value = hostile
    planted = plant(value)
    pages = admin_pages(planted)
    assert_shown_as_text(name, pages)


def test_the_flowchart_svg_stays_well_formed_and_keeps_the_text(hostile):
    _, value = hostile
    planted = plant(value)
    url = reverse("escalation:path_detail", args=[planted.path.slug])
    html = logged_in(planted.viewer).get(url).content.decode()
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)
    flowcharts = [svg for svg in svgs if "flowchart" in svg[:300]]
    assert flowcharts, "no flowchart on the path's page"
    texts = []
    for svg in flowcharts:
        # The portal's own output, parsed strictly on purpose: anything that breaks the XML raises.
        root = ET.fromstring(svg)  # noqa: S314
        texts.append(" ".join("".join(root.itertext()).split()))
    whole = " ".join(texts)
    for stored in (planted.values["EscalationPath.name"], planted.values["EscalationStep.note"]):
        assert one_line(stored)[:150] in whole


def test_the_ical_feed_parses_folds_and_gives_the_names_back(hostile):
    _, value = hostile
    planted = plant(value)
    client = logged_in(planted.viewer)
    for query in ({}, {"person": planted.person.pk}):
        response = client.get(reverse("escalation:calendar_ics"), query)
        assert response.status_code == 200
        body = response.content
        for line in body.split(b"\r\n"):
            assert len(line) <= 75, f"an unfolded line of {len(line)} octets"
            assert b"\n" not in line and b"\r" not in line
        unfolded = body.replace(b"\r\n ", b"").decode()
        heading = "On call" if not query else f"On call: {one_line(planted.person.display_name)}"
        assert f"\r\nX-WR-CALNAME:{escape_ical_text(heading)}\r\n" in unfolded
        calendar = Calendar.from_ical(body)
        summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
        descriptions = [str(event["DESCRIPTION"]) for event in calendar.walk("VEVENT")]
        assert f"Primary on call: {ical_text(planted.person.display_name)}" in summaries
        rotation = ical_text(planted.values["Rotation.name"])
        assert any(f"Rotation: {rotation}" in text for text in descriptions)
    # Not a property icalendar knows, so it hands back the escaped text as it stands.
    name = unescape_ical_text(str(calendar["X-WR-CALNAME"]))
    assert name == f"On call: {one_line(planted.person.display_name)}"


def test_the_json_api_is_valid_json_with_the_value(hostile):
    _, value = hostile
    planted = plant(value)
    response = logged_in(planted.viewer).get(reverse("escalation:api_oncall"), {"at": ODD_WEEK})
    payload = json.loads(response.content)
    (rotation,) = payload["rotations"]
    assert rotation["name"] == planted.values["Rotation.name"]
    assert rotation["primary"]["name"] == planted.person.display_name
    assert response["Content-Type"] == "application/json"


def test_the_markdown_export_reimports_to_the_same_rows_and_bytes(hostile):
    _, value = hostile
    plant(value)
    exported = export_document()
    document = parse_document(exported, source="export.md")
    assert document.paths is not None and document.services is not None
    with transaction.atomic():
        report = import_document(exported, source="export.md")
        assert export_document() == exported
        if one_line(value) == value:
            assert not report.changed, report.changes
        else:
            # The document has no line breaks inside a value: they come back as spaces, and
            # nothing else changes.
            for change in report.changes:
                assert whitespace_only(change), change
        transaction.set_rollback(True)


def whitespace_only(change: str) -> bool:
    """'updated Role "x y": name: x\ny → x y' changes only how the words are spaced."""
    if not change.startswith("updated "):
        return False
    fields = re.split(r'^updated \w+ "[^"]*": ', change, flags=re.DOTALL)[-1]
    for field_change in fields.split("; "):
        old, _, new = field_change.partition(" → ")
        if one_line(old.split(": ", 1)[-1]) != one_line(new):
            return False
    return True


def test_slack_messages_show_the_value_as_text_and_ping_nobody(settings):
    settings.SLACK_WEBHOOK_URL = "https://hooks.slack.invalid/T000/B000/XXX"
    planted = plant("<!channel> <https://evil.example|Request #1> & co")
    planted.person.email = "engineer.a@example.com"
    planted.person.save()
    notices = swap_notices(
        swap=planted.swap, action="declined", actor=planted.manager, note="<!here> see <@U123>"
    )
    (slack,) = [notice for notice in notices if notice.channel == "slack"]
    assert "<!channel>" not in slack.body and "<!here>" not in slack.body
    assert "<@U123>" not in slack.body and "<https://evil.example" not in slack.body
    assert "&lt;!here&gt; see &lt;@U123&gt;" in slack.body
    assert "&lt;!channel&gt;" in slack.body and "&amp; co" in slack.body
    assert re.search(r"<[^|<>]*/swaps/\d+/\|Request #\d+>$", slack.body)
    emails = [notice for notice in notices if notice.channel == "email"]
    assert emails and all("<!channel>" in email.body for email in emails)  # plain text


def test_hostile_values_are_counted():
    fields = plant("x").values
    tried = len(HOSTILE) * len(fields)
    assert len(HOSTILE) == 11 and len(fields) >= 20
    assert tried >= 220


@pytest.mark.parametrize(
    "text",
    [
        "a\\|b",
        "ends with a backslash\\",
        "*emphasised*",
        "_underlined_",
        "`code`",
        "```",
        "Lead + Deputy (EU), #2",
        "\\(already escaped\\)",
    ],
)
def test_markdown_special_names_round_trip_through_the_document(seeded, text):
    role = models.Role.objects.get(name="DBA Lead")
    role.name = text
    role.save()
    step = models.EscalationStep.objects.get(condition="data breach confirmed")
    step.condition = text
    step.note = text
    step.save()
    exported = export_document()
    with transaction.atomic():
        report = import_document(exported, source="export.md")
        assert not report.changed, report.changes
        assert export_document() == exported
        transaction.set_rollback(True)


@pytest.mark.parametrize("character", ["\x00", "\ufdd0", "\ufdef"])
def test_a_document_with_reserved_characters_is_refused_with_its_line(seed_path, character):
    text = seed_path.read_text(encoding="utf-8").replace("Engineer A", f"Engineer {character}A", 1)
    code = f"U\\+{ord(character):04X}"
    with pytest.raises(DocumentError, match=rf"^doc\.md:16: the character {code} cannot be part"):
        parse_document(text, source="doc.md")


@pytest.mark.parametrize(
    "character", ["\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x1b", "\x7f", "\x08"]
)
def test_a_name_with_a_control_character_is_refused_by_the_importer_with_its_line(
    seeded, seed_path, character
):
    # Python's str.split() and strip() take most of these for spaces: without the check the
    # name would be imported with the character, then exported with a space in its place.
    text = seed_path.read_text(encoding="utf-8").replace("Engineer A", f"Engineer{character}A", 1)
    before = list(models.Person.objects.values_list("display_name", flat=True))
    expected = CONTROL_CHARACTER.format(code=ord(character))
    with pytest.raises(DocumentError) as refused:
        import_document(text, source="doc.md")
    assert str(refused.value) == f"doc.md:16: {expected}"
    assert list(models.Person.objects.values_list("display_name", flat=True)) == before


def test_tabs_between_cells_are_still_read_as_spaces(seeded, seed_path):
    text = seed_path.read_text(encoding="utf-8").replace("| Engineer A |", "|\tEngineer A\t|", 1)
    assert not import_document(text, source="doc.md").changed
