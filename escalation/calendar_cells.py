"""The calendar's shift rows as HTML, written in Python once per row.

The 104-week calendar of every rotation has some six thousand rows of six cells: a template
tag and a filter per cell was most of the page's time at the large organisation. The markup
is the one `calendar.html` rendered row by row, whitespace included, and every value is
escaped as the template escaped it. A shift's end is the next one's start, and rotations share
their handoffs, so each instant is written once per page (`CellTexts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo

from django.utils.safestring import SafeString, mark_safe

from .markup import escape
from .models import Person
from .selectors.calendar import ShiftRow, TierRow
from .selectors.oncall import Holder
from .selectors.time_off import ClashMark
from .templatetags.oncall_tags import format_local, iso_utc, tier_name
from .time_zones import UTC_NAME, zone_or_utc

NOW = '<span class="badge text-bg-primary">now</span>'
ASKED = '<span class="badge text-bg-warning">asked</span>'
REPEAT = (
    '<span class="badge text-bg-warning" title="The same slot as the shift before">repeat</span>'
)
NOBODY_SCHEDULED = '<span class="not-required">Nobody</span>'
STRUCK = ' class="text-decoration-line-through text-body-secondary"'
PARTLY_COVERED = '<br><span class="badge override-badge">partly covered</span>'
NO_OVERRIDE = '<span class="text-body-secondary">—</span>'
HOLIDAY = (
    '<div class="oncall-holiday small"><span class="badge text-bg-info">'
    '<i class="bi bi-flag" aria-hidden="true"></i> public holiday</span> {}</div>'
)
CLASH = (
    '\n<div class="oncall-clash small"><span class="badge text-bg-danger">'
    '<i class="bi bi-airplane" aria-hidden="true"></i> time off</span> <strong>{name}</strong> '
    '({tier}) is away: {kind}, <time datetime="{start_iso}">{start}</time> → '
    '<time datetime="{end_iso}">{end}</time>{on}.{ask}</div>\n'
)
ASK_FOR_COVER = ' <a class="oncall-ask-cover no-print" href="{}?{}">Ask for cover</a>'


#: The zone `utc_time` writes instants in.
_UTC_ZONE = zone_or_utc(UTC_NAME)


class CellTexts:
    """What the rows write again and again, each worked out and escaped once per page: the
    instants as `oncall_tags` writes them (`short` is `local_time_short` in `zone`, `utc` is
    `utc_time`, `iso` is `iso_utc`) and names and labels (`text`)."""

    def __init__(self, zone: tzinfo) -> None:
        # The zone instants end up in, rather than `zone` itself when it only stands in for one
        # (the viewer's zone, `ViewerZone`, converts each instant in Python before handing it to
        # its own): the same wall-clock times and abbreviations, for less.
        self.zone = datetime(2000, 1, 1, tzinfo=UTC).astimezone(zone).tzinfo or zone
        self._short: dict[datetime, str] = {}
        self._utc: dict[datetime, str] = {}
        self._iso: dict[datetime, str] = {}
        self._text: dict[str, str] = {}
        #: A tier's cell when the slot's person holds it all shift, by tier and person.
        self.plain_cells: dict[tuple[str, object], str] = {}
        #: A row's end (slot, tiers, overrides) when no override touches the shift, by slot
        #: label and the slot's people.
        self.plain_row_ends: dict[tuple[str, object, object], str] = {}
        self._when: dict[tuple[datetime, datetime], str] = {}

    def when(self, start: datetime, end: datetime) -> str:
        """The shift cell's times: start → end, and the start in UTC unless the zone shows the
        same wall-clock time (rotations that hand over together share it)."""
        text = self._when.get((start, end))
        if text is None:
            utc = self.utc_unless_same(start)
            text = self._when[start, end] = (
                f'<time datetime="{self.iso(start)}">{self.short(start)}</time> → '
                f'<time datetime="{self.iso(end)}">{self.short(end)}</time>'
                + (f'<br><span class="small text-body-secondary">{utc}</span>' if utc else "")
            )
        return text

    def short(self, value: datetime) -> str:
        text = self._short.get(value)
        if text is None:
            text = self._short[value] = escape(
                format_local(value.astimezone(self.zone), year=False)
            )
        return text

    def iso(self, value: datetime) -> str:
        text = self._iso.get(value)
        if text is None:
            text = self._iso[value] = iso_utc(value)
        return text

    def utc_unless_same(self, value: datetime) -> str:
        """`utc_time`, or "" when the zone shows the same wall-clock time as UTC then."""
        text = self._utc.get(value)
        if text is None:
            same = value.astimezone(self.zone).utcoffset() == timedelta(0)
            text = self._utc[value] = (
                "" if same else escape(format_local(value.astimezone(_UTC_ZONE)))
            )
        return text

    def text(self, value: str) -> str:
        escaped = self._text.get(value)
        if escaped is None:
            escaped = self._text[value] = escape(value)
        return escaped

    def name(self, person: Person | None, default: str) -> str:
        """`{{ person.display_name|default:"…" }}`."""
        name = person.display_name if person is not None else ""
        return self.text(name) if name else default


def clash_html(
    mark: ClashMark,
    texts: CellTexts,
    *,
    cover_url: str | None,
    show_rotation: bool = False,
) -> str:
    """`includes/_clash.html`; `cover_url` is the swap form's address when the viewer may ask
    for cover (a manager, or the person away), else None."""
    clash = mark.clash
    ask = ""
    if cover_url is not None:
        ask = ASK_FOR_COVER.format(escape(cover_url), escape(mark.cover_query))
    return CLASH.format(
        name=texts.name(mark.person, "Someone"),
        tier=escape(tier_name(clash.tier).lower()),
        kind=escape(mark.kind_label.lower()),
        start_iso=texts.iso(clash.start),
        start=texts.short(clash.start),
        end_iso=texts.iso(clash.end),
        end=texts.short(clash.end),
        on=f" on {escape(mark.rotation.name)}" if show_rotation else "",
        ask=ask,
    )


def _tier_cell(tier_row: TierRow, texts: CellTexts) -> str:
    scheduled = tier_row.scheduled
    if tier_row.cut is None and scheduled is not None:
        # Most cells: the slot's person all shift long, the same text in every such week.
        key = (tier_row.tier, scheduled.id)
        cell = texts.plain_cells.get(key)
        if cell is None:
            cell = texts.plain_cells[key] = _written_tier_cell(tier_row, texts)
        return cell
    return _written_tier_cell(tier_row, texts)


def _written_tier_cell(tier_row: TierRow, texts: CellTexts) -> str:
    holders = tier_row.holders
    fully_covered = len(holders) == 1 and holders[0].overridden
    if tier_row.scheduled is not None:
        struck = STRUCK if fully_covered else ""
        scheduled = f"<span{struck}>{texts.text(tier_row.scheduled.display_name)}</span>"
    else:
        scheduled = NOBODY_SCHEDULED
    if fully_covered:
        cover = (
            '<br><span class="badge override-badge">'
            f"{texts.name(holders[0].person, 'Nobody')} covers</span>"
        )
    elif any(holder.overridden for holder in holders):
        cover = PARTLY_COVERED
    else:
        cover = ""
    return (
        f'\n      <td data-label="{texts.text(tier_name(tier_row.tier))}" class="oncall-half">'
        f"{scheduled}\n        {cover}</td>\n      "
    )


def _override_html(holder: Holder, texts: CellTexts) -> str:
    return (
        '\n        <div class="oncall-override small"><span class="oncall-tier">'
        f"{texts.text(tier_name(holder.tier))}</span> "
        f"<strong>{texts.name(holder.person, 'Nobody')}</strong> covering for "
        f"{texts.name(holder.covering_for, 'the scheduled person')}, "
        f"{texts.short(holder.start)} → {texts.short(holder.end)}</div>\n        "
    )


def shift_row_html(
    row: ShiftRow,
    texts: CellTexts,
    *,
    viewer_is_manager: bool,
    viewer_pk: object,
    cover_url: str,
) -> str:
    """One `<tr>` of a rotation's table, with the whitespace around it the template's loop had.

    `viewer_pk` is the viewer's Person's key (None without one): they may ask for cover for
    their own clashes, a manager for anyone's.
    """
    shift = row.shift
    if row.is_focus:
        css = "oncall-row-focus"
    elif row.is_current:
        css = "oncall-row-current"
    else:
        css = ""
    if row.repeats_previous:
        css += " oncall-row-repeat"
    # Most rows have no clash, holiday or override: nothing to join.
    clashes = (
        "".join(
            clash_html(
                mark,
                texts,
                cover_url=cover_url
                if viewer_is_manager or (mark.person is not None and mark.person.pk == viewer_pk)
                else None,
            )
            for mark in row.clashes
        )
        if row.clashes
        else ""
    )
    holidays = (
        "".join(HOLIDAY.format(escape(mark.text)) for mark in row.holidays) if row.holidays else ""
    )
    return (
        f'\n    <tr class="{css}">'
        f'\n      <th scope="row" data-label="ISO week">{shift.iso_year}-W{shift.iso_week:02d}'
        f"\n        {NOW if row.is_current else ''}"
        f"\n        {ASKED if row.is_focus else ''}"
        f"\n        {REPEAT if row.repeats_previous else ''}</th>"
        f'\n      <td data-label="Shift">{texts.when(shift.start, shift.end)}'
        f"\n        {clashes}\n        {holidays}</td>{_row_end(row, texts)}"
    )


def _row_end(row: ShiftRow, texts: CellTexts) -> str:
    """The row's slot, tiers and overrides cells, to the end of the row."""
    primary, secondary = row.primary, row.secondary
    if primary.cut is None and secondary.cut is None:
        # Most rows: the slot's people all shift long, the same cells in every such week.
        primary_person, secondary_person = primary.scheduled, secondary.scheduled
        key = (
            row.shift.label,
            None if primary_person is None else primary_person.id,
            None if secondary_person is None else secondary_person.id,
        )
        end = texts.plain_row_ends.get(key)
        if end is None:
            end = texts.plain_row_ends[key] = _written_row_end(row, texts)
        return end
    return _written_row_end(row, texts)


def _written_row_end(row: ShiftRow, texts: CellTexts) -> str:
    # Only a tier an override cuts (`TierRow.cut`) has any.
    primary, secondary = row.primary.cut, row.secondary.cut
    overrides = (
        "".join(
            _override_html(holder, texts)
            for holder in (*(primary or ()), *(secondary or ()))
            if holder.assignment.override is not None
        )
        if primary is not None or secondary is not None
        else ""
    )
    return (
        f'\n      <td data-label="Slot" class="text-nowrap">{texts.text(row.shift.label)}</td>'
        f"\n      {_tier_cell(row.primary, texts)}{_tier_cell(row.secondary, texts)}"
        '\n      <td data-label="Overrides">'
        f"\n        {overrides or NO_OVERRIDE}"
        "\n      </td>\n    </tr>\n    "
    )


def shift_rows_html(
    rows: Iterable[ShiftRow],
    texts: CellTexts,
    *,
    viewer_is_manager: bool,
    viewer_pk: object,
    cover_url: str,
) -> SafeString:
    """The rows of one rotation's table (`shift_row_html`), every value escaped."""
    return mark_safe(  # noqa: S308
        "".join(
            shift_row_html(
                row,
                texts,
                viewer_is_manager=viewer_is_manager,
                viewer_pk=viewer_pk,
                cover_url=cover_url,
            )
            for row in rows
        )
    )
