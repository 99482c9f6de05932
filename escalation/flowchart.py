"""Escalation paths drawn as inline SVG, laid out on the server from plain step data.

No JavaScript, no CDN, no system binary: boxes stacked top to bottom (one per step, its parties
joined by “+”), the holder or the on-call person under each party, arrows between steps with the
condition to move on written beside them. The drawing keeps its natural size on a desktop and
scales down (viewBox) on a phone; it is narrow enough to stay readable at 390 px.

Every string is escaped, and characters XML 1.0 forbids are dropped, so any name keeps the SVG
well-formed. Long text wraps; what does not fit is cut with “…” on screen but kept whole in each
box's `<title>` (and in the text version the page shows beside the drawing).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe

from .markup import format_html

TITLE_SIZE = 15.0
DETAIL_SIZE = 13.0
LABEL_SIZE = 12.5
TITLE_LINE = 19
DETAIL_LINE = 17
LABEL_LINE = 16
MARGIN = 8
PAD_X = 12
PAD_Y = 10
MIN_BOX_WIDTH = 220
MAX_BOX_WIDTH = 340
MIN_GAP = 38
ARROWHEAD = 9
LABEL_OFFSET = 10
MAX_TITLE_LINES = 3
MAX_DETAIL_LINES = 2
MAX_LABEL_LINES = 3
ELLIPSIS = "…"

_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FlowParty:
    """One party in a box: the document's words and who answers (“TBD”, “on call now: …”)."""

    label: str
    detail: str = ""
    tbd: bool = False
    oncall: bool = False


@dataclass(frozen=True)
class FlowStep:
    """One box. `condition` labels the arrow into it; `note` says how or why (“for …”)."""

    parties: tuple[FlowParty, ...]
    condition: str = ""
    note: str = ""
    muted: bool = False

    @property
    def title(self) -> str:
        return " + ".join(party.label for party in self.parties)

    @property
    def tbd(self) -> bool:
        return any(party.tbd for party in self.parties)


@dataclass(frozen=True)
class Line:
    text: str
    css: str
    size: float
    height: int


@dataclass(frozen=True)
class Box:
    step: FlowStep
    x: float
    y: float
    width: float
    height: float
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Edge:
    x: float
    y1: float
    y2: float
    label_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    boxes: tuple[Box, ...] = ()
    edges: tuple[Edge, ...] = field(default=())


def xml_text(value: str) -> str:
    """The string without the characters XML 1.0 cannot carry (control characters)."""
    return _XML_INVALID.sub("", value)


def char_width(char: str, size: float) -> float:
    """A rough advance width: enough to wrap text without measuring fonts."""
    return size * _width_factor(char)


@lru_cache(maxsize=4096)
def _width_factor(char: str) -> float:
    """A character's advance as a share of the font size (asked of Unicode once per character:
    every path's flowchart measures its words letter by letter while wrapping them)."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Cf", "Mn", "Me"):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F") or ord(char) > 0xFFFF:
        return 1.05
    if char in "il.,:;'|!":
        return 0.3
    if char.isupper() or char in "mwMW@%&":
        return 0.7
    return 0.56


def text_width(text: str, size: float) -> float:
    return sum(size * _width_factor(char) for char in text)


def wrap(text: str, size: float, width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to `width`; words longer than a line are cut; at most `max_lines`."""
    return list(_wrapped(text, size, width, max_lines))


@lru_cache(maxsize=4096)
def _wrapped(text: str, size: float, width: float, max_lines: int) -> tuple[str, ...]:
    """`wrap`'s lines, measured once per process for each text: the paths page wraps the same
    labels on every request, letter by letter."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if current and text_width(current + char, size) > width:
                lines.append(current)
                current = ""
            current += char
        if len(lines) > max_lines:
            break
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + ELLIPSIS, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + ELLIPSIS
    return tuple(lines)


def _party_detail(party: FlowParty, single: bool) -> str:
    if not party.detail:
        return ""
    return party.detail if single else f"{party.label}: {party.detail}"


def _box_texts(step: FlowStep, first: bool) -> list[tuple[str, str, float, int, int]]:
    """(text, css class, font size, line height, max lines) for each paragraph of a box."""
    texts = [(step.title, "node-title", TITLE_SIZE, TITLE_LINE, MAX_TITLE_LINES)]
    single = len(step.parties) == 1
    for party in step.parties:
        detail = _party_detail(party, single)
        if detail:
            css = "node-detail" + (" node-detail-tbd" if party.tbd else "")
            css += " node-detail-oncall" if party.oncall else ""
            texts.append((detail, css, DETAIL_SIZE, DETAIL_LINE, MAX_DETAIL_LINES))
    if step.note:
        texts.append((step.note, "node-detail node-note", DETAIL_SIZE, DETAIL_LINE, 2))
    if first and step.condition:
        texts.append((step.condition, "node-detail node-note", DETAIL_SIZE, DETAIL_LINE, 2))
    return texts


def layout(steps: Sequence[FlowStep]) -> Layout:
    """Where every box, line of text and arrow goes."""
    cleaned = [_clean(step) for step in steps]
    paragraphs = [_box_texts(step, index == 0) for index, step in enumerate(cleaned)]
    natural = max(
        (
            text_width(text, size) + 2 * PAD_X
            for texts in paragraphs
            for text, _css, size, _h, _n in texts
        ),
        default=MIN_BOX_WIDTH,
    )
    box_width = min(MAX_BOX_WIDTH, max(MIN_BOX_WIDTH, natural))
    center = MARGIN + box_width / 2
    label_width = box_width / 2 - LABEL_OFFSET + MARGIN - 2
    boxes: list[Box] = []
    edges: list[Edge] = []
    y = float(MARGIN)
    for index, (step, texts) in enumerate(zip(cleaned, paragraphs, strict=True)):
        if index > 0:
            label_lines = tuple(wrap(step.condition, LABEL_SIZE, label_width, MAX_LABEL_LINES))
            gap = max(MIN_GAP, len(label_lines) * LABEL_LINE + 14)
            edges.append(Edge(x=center, y1=y, y2=y + gap, label_lines=label_lines))
            y += gap
        lines = tuple(
            Line(text=line, css=css, size=size, height=height)
            for text, css, size, height, max_lines in texts
            for line in wrap(text, size, box_width - 2 * PAD_X, max_lines)
        )
        height = 2 * PAD_Y + sum(line.height for line in lines)
        boxes.append(Box(step=step, x=MARGIN, y=y, width=box_width, height=height, lines=lines))
        y += height
    return Layout(
        width=box_width + 2 * MARGIN,
        height=y + MARGIN if boxes else 2 * MARGIN,
        boxes=tuple(boxes),
        edges=tuple(edges),
    )


def render_flowchart(
    steps: Sequence[FlowStep], *, chart_id: str, title: str, description: str = ""
) -> SafeString:
    """The path as an `<svg>` element, accessible by its title and description."""
    return _drawn(tuple(steps), chart_id, title, description)


@lru_cache(maxsize=256)
def _drawn(steps: tuple[FlowStep, ...], chart_id: str, title: str, description: str) -> SafeString:
    """`render_flowchart`'s drawing, laid out once per process for each set of boxes: the
    paths page draws every path on every request, and what a box says changes only with the
    data or with who is on call."""
    drawing = layout(steps)
    chart_id = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id) or "flowchart"
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="flowchart" id="{0}" '
            'viewBox="0 0 {1} {2}" width="{1}" height="{2}" role="img" '
            'aria-labelledby="{0}-title{3}">',
            chart_id,
            _num(drawing.width),
            _num(drawing.height),
            f" {chart_id}-desc" if description else "",
        ),
        format_html('<title id="{}-title">{}</title>', chart_id, xml_text(title)),
    ]
    if description:
        parts.append(format_html('<desc id="{}-desc">{}</desc>', chart_id, xml_text(description)))
    parts.extend(_render_edge(edge) for edge in drawing.edges)
    parts.extend(_render_box(box) for box in drawing.boxes)
    parts.append(mark_safe("</svg>"))  # noqa: S308 - markup of our own, no data
    return mark_safe("".join(parts))  # noqa: S308 - every part built by format_html


def _render_box(box: Box) -> SafeString:
    step = box.step
    css = "node"
    if step.tbd:
        css += " node-tbd"
    if step.muted:
        css += " node-muted"
    center = box.x + box.width / 2
    single = len(step.parties) == 1
    details = [_party_detail(party, single) for party in step.parties if party.detail]
    full_text = " — ".join([step.title, *details, *([step.note] if step.note else [])])
    y = box.y + PAD_Y
    texts = []
    x = _num(center)
    for line in box.lines:
        y += line.height
        texts.append(
            format_html(
                '<text class="{}" x="{}" y="{}" text-anchor="middle">{}</text>',
                line.css,
                x,
                _num(y - line.height * 0.28),
                line.text,
            )
        )
    return format_html(
        '<g class="{0}"><title>{1}</title>'
        '<rect x="{2}" y="{3}" width="{4}" height="{5}" rx="6" ry="6"></rect>{6}</g>',
        css,
        full_text,
        _num(box.x),
        _num(box.y),
        _num(box.width),
        _num(box.height),
        SafeString("".join(texts)),
    )


def _render_edge(edge: Edge) -> SafeString:
    tip = edge.y2
    label_top = edge.y1 + (edge.y2 - edge.y1 - len(edge.label_lines) * LABEL_LINE) / 2
    labels = "".join(
        format_html(
            '<text class="edge-label" x="{}" y="{}">{}</text>',
            _num(edge.x + LABEL_OFFSET),
            _num(label_top + (i + 1) * LABEL_LINE - 4),
            line,
        )
        for i, line in enumerate(edge.label_lines)
    )
    # Positions: x, y1, y2, tip, left, base, right, labels.
    return format_html(
        '<g class="edge-group"><line class="edge" x1="{0}" y1="{1}" x2="{0}" y2="{2}"></line>'
        '<polygon class="arrowhead" points="{0},{3} {4},{5} {6},{5}"></polygon>'
        "{7}</g>",
        _num(edge.x),
        _num(edge.y1),
        _num(tip - ARROWHEAD + 1),
        _num(tip),
        _num(edge.x - ARROWHEAD * 0.7),
        _num(tip - ARROWHEAD),
        _num(edge.x + ARROWHEAD * 0.7),
        SafeString(labels),
    )


def _clean(step: FlowStep) -> FlowStep:
    return FlowStep(
        parties=tuple(
            FlowParty(
                label=xml_text(party.label),
                detail=xml_text(party.detail),
                tbd=party.tbd,
                oncall=party.oncall,
            )
            for party in step.parties
        ),
        condition=xml_text(step.condition),
        note=xml_text(step.note),
        muted=step.muted,
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
