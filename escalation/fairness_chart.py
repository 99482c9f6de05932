"""The fairness report's bar chart as inline SVG, drawn on the server (no chart library).

One row per person: their on-call hours as a bar, the weekend part of it darker at its start,
the hours written after it, and a dashed line at the mean. Colours come from the stylesheet
(classes only: the content security policy forbids inline style). Names are escaped and
stripped of what XML cannot carry, cut with "…" when too long, and given whole in each row's
`<title>`; the table beside the chart carries the same figures for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .flowchart import wrap, xml_text

WIDTH = 400
LABEL_WIDTH = 110
VALUE_WIDTH = 60
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 22
BOTTOM = 8
FONT_SIZE = 13.0


@dataclass(frozen=True)
class Bar:
    name: str
    hours: float
    weekend_hours: float
    above_mean: bool = False


def render_fairness_chart(
    bars: Sequence[Bar], *, mean_hours: float, chart_id: str, title: str
) -> SafeString:
    """The bars as an `<svg>` element labelled by `title`."""
    bar_area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    scale_max = max([bar.hours for bar in bars] + [mean_hours, 1.0])
    height = TOP + ROW_HEIGHT * len(bars) + BOTTOM

    def x_of(hours: float) -> float:
        return LABEL_WIDTH + bar_area * hours / scale_max

    rows = []
    for index, bar in enumerate(bars):
        y = TOP + index * ROW_HEIGHT
        name = xml_text(bar.name)
        shown = (wrap(name, FONT_SIZE, LABEL_WIDTH - 10, 1) or [""])[0]
        rows.append(
            format_html(
                '<g class="fairness-row{above}"><title>{full}: {hours} on call, {weekend} at '
                "weekends</title>"
                '<text class="fairness-name" x="{label_x}" y="{text_y}" text-anchor="end">{name}'
                "</text>"
                '<rect class="fairness-bar" x="{x0}" y="{bar_y}" width="{w}" height="{bh}"></rect>'
                '<rect class="fairness-weekend" x="{x0}" y="{bar_y}" width="{ww}" height="{bh}">'
                "</rect>"
                '<text class="fairness-value" x="{value_x}" y="{text_y}">{hours}</text></g>',
                above=" fairness-above" if bar.above_mean else "",
                full=name,
                hours=f"{_hours(bar.hours)} h",
                weekend=f"{_hours(bar.weekend_hours)} h",
                label_x=_num(LABEL_WIDTH - 8),
                text_y=_num(y + ROW_HEIGHT / 2 + FONT_SIZE * 0.35),
                name=shown,
                x0=_num(LABEL_WIDTH),
                bar_y=_num(y + (ROW_HEIGHT - BAR_HEIGHT) / 2),
                w=_num(x_of(bar.hours) - LABEL_WIDTH),
                ww=_num(x_of(bar.weekend_hours) - LABEL_WIDTH),
                bh=BAR_HEIGHT,
                value_x=_num(x_of(bar.hours) + 6),
            )
        )
    mean_x = _num(x_of(mean_hours))
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="fairness-chart" id="{id}" '
        'viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title">'
        '<title id="{id}-title">{title}</title>{rows}'
        '<line class="fairness-mean" x1="{mx}" y1="{top}" x2="{mx}" y2="{bottom}"></line>'
        '<text class="fairness-mean-label" x="{mx}" y="14" text-anchor="middle">mean {mean} h'
        "</text></svg>",
        id=chart_id,
        w=WIDTH,
        h=_num(height),
        title=xml_text(title),
        rows=format_html_join("", "{}", ((row,) for row in rows)) if rows else mark_safe(""),
        mx=mean_x,
        top=_num(TOP - 4),
        bottom=_num(height - BOTTOM + 4),
        mean=_hours(mean_hours),
    )


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
