"""The escalation flowchart as inline SVG: layout, wrapping, accessibility and escaping (no DB)."""

import xml.etree.ElementTree as ET

import pytest

from escalation.flowchart import (
    MAX_BOX_WIDTH,
    MAX_TITLE_LINES,
    MIN_BOX_WIDTH,
    FlowParty,
    FlowStep,
    layout,
    render_flowchart,
    text_width,
    wrap,
)

SVG = "{http://www.w3.org/2000/svg}"

HOSTILE_NAMES = [
    "</text><script>alert(1)</script>",
    "\"&<>'",
    "]]><!-- --><![CDATA[",
    "Zoë 🚨 on call 👩🏽‍💻",
    "\u200fשלום\u200e Ahmed \u202eevil",
    "x" * 10_000,
]


def technical_path() -> list[FlowStep]:
    return [
        FlowStep(parties=(FlowParty("On-call Engineer", "on call now: Engineer A", oncall=True),)),
        FlowStep(
            parties=(FlowParty("Team Lead", "depends on the service"),),
            note="for affected service",
        ),
        FlowStep(parties=(FlowParty("Engineering Manager", "TBD", tbd=True),)),
        FlowStep(
            parties=(FlowParty("VP of Engineering", "TBD", tbd=True),),
            condition="SEV1 only · after 30 min",
        ),
    ]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed


def texts(root: ET.Element, css: str) -> list[str]:
    return [
        "".join(element.itertext())
        for element in root.iter(f"{SVG}text")
        if css in element.get("class", "").split()
    ]


def test_one_box_per_step_and_an_arrow_between_each_pair():
    root = parse(render_flowchart(technical_path(), chart_id="technical", title="Technical"))

    nodes = [g for g in root.iter(f"{SVG}g") if "node" in g.get("class", "").split()]
    assert len(nodes) == 4
    assert len(list(root.iter(f"{SVG}line"))) == 3
    assert len(list(root.iter(f"{SVG}polygon"))) == 3


def test_boxes_show_parties_and_who_answers_in_order():
    root = parse(render_flowchart(technical_path(), chart_id="technical", title="Technical"))

    assert texts(root, "node-title") == [
        "On-call Engineer",
        "Team Lead",
        "Engineering Manager",
        "VP of Engineering",
    ]
    assert texts(root, "node-detail") == [
        "on call now: Engineer A",
        "depends on the service",
        "for affected service",
        "TBD",
        "TBD",
    ]


def test_the_condition_labels_the_arrow_into_its_step():
    root = parse(render_flowchart(technical_path(), chart_id="technical", title="Technical"))

    assert " ".join(texts(root, "edge-label")) == "SEV1 only · after 30 min"
    last_arrow = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge-group"][-1]
    assert " ".join(t.text for t in last_arrow.iter(f"{SVG}text")) == "SEV1 only · after 30 min"


def test_parties_of_one_step_are_joined_by_plus_with_a_detail_each():
    step = FlowStep(
        parties=(FlowParty("CTO", "TBD", tbd=True), FlowParty("Legal")),
        condition="if data breach confirmed",
    )
    root = parse(render_flowchart([technical_path()[0], step], chart_id="s", title="Security"))

    assert texts(root, "node-title")[-1] == "CTO + Legal"
    assert texts(root, "node-detail")[-1] == "CTO: TBD"
    assert " ".join(texts(root, "edge-label")) == "if data breach confirmed"


def test_tbd_and_muted_steps_get_their_classes():
    steps = [
        FlowStep(parties=(FlowParty("Security Lead", "TBD", tbd=True),)),
        FlowStep(parties=(FlowParty("VP", "Jane"),), muted=True),
    ]
    root = parse(render_flowchart(steps, chart_id="c", title="T"))

    classes = [
        g.get("class") for g in root.iter(f"{SVG}g") if g.get("class", "").startswith("node")
    ]
    assert classes == ["node node-tbd", "node node-muted"]


def test_svg_is_an_image_labelled_by_its_title_and_description():
    svg = render_flowchart(
        technical_path(), chart_id="technical", title="Technical: flowchart", description="Beside"
    )
    root = parse(svg)

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "technical-title technical-desc"
    assert root.find(f"{SVG}title").get("id") == "technical-title"
    assert root.find(f"{SVG}title").text == "Technical: flowchart"
    assert root.find(f"{SVG}desc").text == "Beside"


def test_width_comes_from_the_view_box_so_it_scales_down_on_a_phone():
    root = parse(render_flowchart(technical_path(), chart_id="c", title="T"))

    _x, _y, width, height = (float(v) for v in root.get("viewBox").split())
    assert float(root.get("width")) == width
    assert float(root.get("height")) == height
    assert width <= MAX_BOX_WIDTH + 16
    assert height > 4 * 40


def test_box_width_adapts_to_content_within_bounds():
    short = layout([FlowStep(parties=(FlowParty("CTO"),))])
    long = layout([FlowStep(parties=(FlowParty("A much longer role name " * 5),))])

    assert short.boxes[0].width == MIN_BOX_WIDTH
    assert long.boxes[0].width == MAX_BOX_WIDTH


def test_boxes_and_arrows_do_not_overlap():
    drawing = layout(technical_path())

    for box, edge, following in zip(drawing.boxes, drawing.edges, drawing.boxes[1:], strict=False):
        assert edge.y1 == box.y + box.height
        assert edge.y2 == following.y
        assert edge.y2 > edge.y1
    assert drawing.height >= drawing.boxes[-1].y + drawing.boxes[-1].height


def test_long_titles_wrap_and_are_cut_with_an_ellipsis_but_kept_whole_in_the_title():
    name = "Principal Site Reliability Engineering Lead for Payments " * 6
    root = parse(render_flowchart([FlowStep(parties=(FlowParty(name),))], chart_id="c", title="T"))

    lines = texts(root, "node-title")
    assert len(lines) == MAX_TITLE_LINES
    assert lines[-1].endswith("…")
    node_title = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "node").find(
        f"{SVG}title"
    )
    assert node_title.text == name


def test_wrap_cuts_words_longer_than_a_line():
    lines = wrap("x" * 200, 13, 100, 50)

    assert "".join(lines) == "x" * 200
    assert all(text_width(line, 13) <= 100 for line in lines)


def test_wide_characters_count_wider_than_latin_letters():
    assert text_width("🚨🚨", 13) > text_width("ab", 13)
    assert text_width("\u200f", 13) == 0


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_stay_text_and_the_svg_still_parses(name):
    steps = [
        FlowStep(
            parties=(FlowParty(name, name, tbd=True), FlowParty("CTO", name)),
            condition=name,
            note=name,
        ),
        FlowStep(parties=(FlowParty(name),), condition=name),
    ]
    svg = render_flowchart(steps, chart_id="x", title=name, description=name)
    root = parse(svg)

    assert "<script" not in svg
    assert root.find(f"{SVG}title").text == name
    assert root.find(f"{SVG}desc").text == name
    node_titles = [
        g.find(f"{SVG}title").text
        for g in root.iter(f"{SVG}g")
        if g.get("class", "").startswith("node")
    ]
    assert name in node_titles[1]
    assert node_titles[0].startswith(f"{name} + CTO")
    assert [element.tag for element in root.iter() if "script" in element.tag] == []


def test_characters_xml_cannot_carry_are_dropped_not_fatal():
    name = "Bell\x07 and\x0b vertical\x00 tab"
    root = parse(render_flowchart([FlowStep(parties=(FlowParty(name),))], chart_id="c", title=name))

    assert root.find(f"{SVG}title").text == "Bell and vertical tab"


def test_chart_id_is_reduced_to_a_safe_token():
    root = parse(render_flowchart(technical_path(), chart_id='a" onload="x', title="T"))

    assert root.get("id") == "a--onload--x"
    assert root.get("onload") is None


def test_an_empty_path_is_still_a_valid_drawing():
    root = parse(render_flowchart([], chart_id="empty", title="Empty"))

    assert root.get("role") == "img"
    assert list(root.iter(f"{SVG}rect")) == []
