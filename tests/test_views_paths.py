"""Escalation paths: a server-drawn SVG flowchart per path, beside an ordered-list text version."""

import re

import pytest
import time_machine
from django.urls import reverse

from tests import factories
from tests.directory_fixtures import SEED_INSTANT, build_directory
from tests.helpers import page_text, svgs

SVG = "{http://www.w3.org/2000/svg}"
LIST = "/escalation/"
TECHNICAL = "/escalation/technical/"


@pytest.fixture
def directory(db):
    with time_machine.travel(SEED_INSTANT, tick=False):
        yield build_directory()


def node_texts(svg, css):
    return [
        element.text
        for element in svg.iter(f"{SVG}text")
        if css in (element.get("class") or "").split()
    ]


def steps_list(html, slug):
    """The text version: each <li> of the path's ordered list, as words."""
    start = html.index(f'aria-labelledby="steps-{slug}"')
    block = html[start : html.index("</ol>", start)]
    return [
        page_text(f"<main>{item}</main>")
        for item in re.split(r"<li class=\"path-step\">", block)[1:]
    ]


def test_url_names_are_the_ones_the_navigation_uses():
    assert reverse("escalation:paths") == LIST
    assert reverse("escalation:path_detail", args=["technical"]) == TECHNICAL


def test_list_draws_every_path_in_order(viewer_client, directory):
    html = viewer_client.get(LIST).content.decode()

    drawings = svgs(html)
    assert [svg.find(f"{SVG}title").text for svg in drawings] == [
        "Technical Escalation: flowchart",
        "Data / Security Incidents: flowchart",
        "Third-Party / Vendor Issues: flowchart",
    ]
    assert [node_texts(svg, "node-title") for svg in drawings] == [
        ["On-call Engineer", "Team Lead", "Engineering Manager", "VP of Engineering"],
        ["On-call Engineer", "Security Lead", "CTO + Legal"],
        ["On-call Engineer", "Integration Lead", "Vendor support"],
    ]


def test_conditions_are_written_on_the_arrows(viewer_client, directory):
    drawings = svgs(viewer_client.get(LIST).content.decode())

    labels = [" ".join(node_texts(svg, "edge-label")) for svg in drawings]
    assert labels == ["SEV1 only · after 30 min", "if data breach confirmed", ""]


def test_boxes_show_the_holder_or_tbd_and_who_is_on_call_now(viewer_client, directory):
    role = directory["roles"]["Engineering Manager"]
    role.holder = factories.PersonFactory(display_name="Maria Gómez")
    role.save()

    technical = svgs(viewer_client.get(TECHNICAL).content.decode())[0]

    assert node_texts(technical, "node-detail") == [
        "on call now: Engineer C",
        "depends on the service",
        "for affected service",
        "Maria Gómez",
        "TBD",
    ]
    classes = [
        g.get("class") for g in technical.iter(f"{SVG}g") if g.get("class", "").startswith("node")
    ]
    assert classes == ["node", "node", "node", "node node-tbd"]


def test_notes_and_outside_parties_appear_in_boxes(viewer_client, directory):
    drawings = svgs(viewer_client.get(LIST).content.decode())

    assert node_texts(drawings[1], "node-detail")[-1] == "CTO: TBD"
    assert node_texts(drawings[2], "node-detail")[-1] == "using premium support channel"


def test_flowcharts_are_accessible_images(viewer_client, directory):
    html = viewer_client.get(TECHNICAL).content.decode()
    drawing = svgs(html)[0]

    assert drawing.get("role") == "img"
    labelled_by = drawing.get("aria-labelledby").split()
    assert [drawing.find(f".//*[@id='{ref}']").text for ref in labelled_by] == [
        "Technical Escalation: flowchart",
        "The same steps are listed as text beside the drawing.",
    ]
    assert drawing.get("viewBox").startswith("0 0 ")


def test_each_flowchart_has_an_ordered_list_text_version(viewer_client, directory):
    html = viewer_client.get(TECHNICAL).content.decode()

    steps = steps_list(html, "technical")
    assert steps[0].startswith("On-call Engineer On call now: Engineer C +44 20 7946")
    assert steps[1:] == [
        "next Team Lead Depends on the service for affected service",
        "next Engineering Manager TBD @eng-manager",
        "SEV1 only · after 30 min VP of Engineering TBD @vp-eng",
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("security", ["next Security Lead", "if data breach confirmed CTO"]),
        ("vendor", ["next Integration Lead", "next Vendor support"]),
    ],
)
def test_steps_say_only_the_documents_conditions(viewer_client, directory, path, expected):
    html = viewer_client.get(reverse("escalation:path_detail", args=[path])).content.decode()

    steps = steps_list(html, path)
    assert [step[: len(start)] for step, start in zip(steps[1:], expected, strict=True)] == expected
    assert "not resolved" not in " ".join(steps)


def test_the_list_links_each_path_to_its_page(viewer_client, directory):
    html = viewer_client.get(LIST).content.decode()

    for slug in ("technical", "security", "vendor"):
        assert f'href="/escalation/{slug}/"' in html
        assert f'id="path-{slug}"' in html


def test_two_flowcharts_on_one_page_have_distinct_ids(viewer_client, directory):
    drawings = svgs(viewer_client.get(LIST).content.decode())

    ids = [svg.get("id") for svg in drawings]
    assert len(set(ids)) == len(ids) == 3


def test_the_page_needs_no_javascript_and_no_outside_resource(viewer_client, directory):
    html = viewer_client.get(LIST).content.decode()
    main = html[html.index("<main") : html.index("</main>")]

    assert "<script" not in main
    assert "<img" not in main
    assert re.findall(r'(?:href|src)="https?:', main) == []
    assert "style=" not in main
