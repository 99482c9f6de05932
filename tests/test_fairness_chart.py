"""The fairness bar chart: bars to scale, the mean line, names escaped."""

import re

from escalation.fairness_chart import LABEL_WIDTH, VALUE_WIDTH, WIDTH, Bar, render_fairness_chart

BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH


def widths(svg, css):
    return [
        float(w)
        for w in re.findall(rf'<rect class="{css}" x="[^"]+" y="[^"]+" width="([^"]+)"', svg)
    ]


def test_bars_are_to_scale_with_the_longest_filling_the_area():
    svg = render_fairness_chart(
        [Bar("A", 100, 20, True), Bar("B", 50, 0)], mean_hours=75, chart_id="c", title="Hours"
    )
    assert widths(svg, "fairness-bar") == [BAR_AREA, BAR_AREA / 2]
    assert widths(svg, "fairness-weekend") == [BAR_AREA / 5, 0]
    assert f'<line class="fairness-mean" x1="{LABEL_WIDTH + BAR_AREA * 0.75:g}"' in svg
    assert svg.count('class="fairness-row fairness-above"') == 1
    assert "<title>A: 100 h on call, 20 h at weekends</title>" in svg


def test_names_are_escaped_cut_and_kept_whole_in_the_title():
    name = '<b onload="x">' + "Very long name " * 5 + "\x0b&"
    svg = render_fairness_chart([Bar(name, 1, 0)], mean_hours=1, chart_id="c", title="T<")
    assert "<b " not in svg and "\x0b" not in svg
    assert '<title id="c-title">T&lt;</title>' in svg
    assert "&lt;b onload=&quot;x&quot;&gt;Very long name Very long name" in svg.split("<title>")[1]
    shown = re.search(r'class="fairness-name"[^>]*>([^<]*)</text>', svg)[1]
    assert shown.endswith("…") and len(shown) < 40


def test_no_bars_and_no_hours_draw_an_empty_chart():
    svg = render_fairness_chart([], mean_hours=0, chart_id="c", title="T")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and svg.endswith("</svg>")
