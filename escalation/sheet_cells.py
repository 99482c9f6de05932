"""The “who do I contact?” sheet's escalation steps as HTML, written at once.

Each step says when to move on (now, next, a clock time, only if a condition holds, or not for
this severity) and who to reach then. Rendered by a template (an `{% if %}` ladder, three date
filters and the parties, per step), the steps were the largest part of the sheet's time, and
the sheet is the page opened most. The markup is the one `_sheet_escalate.html` rendered, the
same words between the same tags; every value is escaped as the templates escaped it
(`markup.escape`), times are in the viewer's zone as the `date` and `time` filters show them.
`tests/test_sheet_cells.py` compares them with the template they replace.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe

from .escalation_clock import Timing
from .markup import escape
from .party_cells import parties_html

if TYPE_CHECKING:
    from .models import Service, Severity
    from .selectors.services import SheetStep

#: What the sheet says at the left of a step, by when it applies (the clock time aside).
_WHEN = {
    Timing.START: '<span class="badge text-bg-primary">Now</span>',
    Timing.NEXT: '<span class="sheet-then">Next</span>',
}


def _local(value: datetime) -> datetime:
    # The `date` and `time` filters show an aware instant in the viewer's zone.
    return timezone.localtime(value) if timezone.is_aware(value) else value


def step_item(
    item: SheetStep, *, severity_name: str, service: Service | None, severity: Severity | None
) -> str:
    """One step: when to move on to it, and who to reach then (with their contact lines).
    `severity_name` comes escaped."""
    clock = item.clock
    step = item.view
    timing = clock.timing
    applies = timing is not Timing.NOT_APPLICABLE
    condition = escape(step.condition)
    if_condition = f" ({condition})" if condition else ""
    sentence = ""
    if timing in _WHEN:
        when = _WHEN[timing]
    elif timing is Timing.TIMED:
        at = _local(clock.escalate_at) if clock.escalate_at is not None else None
        hour = f"{at:%H:%M}" if at is not None else ""
        iso = at.isoformat() if at is not None else ""
        if clock.is_due:
            when = (
                f'<span class="sheet-clock urgent"><time datetime="{iso}">{hour}</time></span> '
                '<span class="badge text-bg-danger">due</span>'
            )
        else:
            when = f'<span class="sheet-clock"><time datetime="{iso}">{hour}</time></span>'
        sentence = (
            f'<p class="sheet-step-sentence mb-1">Escalate to <strong>{escape(step.title)}'
            f"</strong> at {hour} if still unresolved{if_condition}.</p>\n"
        )
    elif timing is Timing.CONDITIONAL:
        when = f'<span class="sheet-then">Only {condition}</span>'
    else:
        when = f'<span class="sheet-muted-label">not for {severity_name}</span>'
    if applies:
        who = sentence + parties_html(
            step.parties, contacts="line", service=service, severity=severity
        )
        note = step.step.note
        if note:
            who += f'\n<div class="small text-body-secondary">{escape(note)}</div>'
    else:
        who = (
            f'{sentence}<p class="sheet-step-sentence mb-1">{escape(step.title)}{if_condition}</p>'
        )
    return (
        f'<li class="sheet-step sheet-step-{escape(timing)}{"" if applies else " not-required"}">\n'
        f'  <div class="sheet-step-when">\n    {when}\n  </div>\n'
        f'  <div class="sheet-step-who">\n    {who}\n  </div>\n'
        "</li>"
    )


def step_items(
    steps: Iterable[SheetStep],
    *,
    severity_name: str,
    service: Service | None = None,
    severity: Severity | None = None,
) -> SafeString:
    """The sheet's steps as the items of its list, in order. `severity_name` is the severity
    the sheet is for; `service` and `severity`, what paging someone from a contact line is
    about (none on the general sheet)."""
    name = escape(severity_name)
    items = [
        step_item(item, severity_name=name, service=service, severity=severity) for item in steps
    ]
    return mark_safe("\n".join(items))  # noqa: S308 - step_item escapes every value


def severity_options(severities: Iterable[Severity], shown: Severity | None) -> SafeString:
    """The sheet form's severity choices, the one the sheet shows selected."""
    level = shown.level if shown is not None else None
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<option value="{escape(severity.level)}"'
            f"{' selected' if severity.level == level else ''}>{escape(severity.name)}</option>"
            for severity in severities
        )
    )


def choice_options(choices: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """A form field's choices as options, `selected` the one picked (the kind of incident)."""
    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in choices
        )
    )


def sheet_when(started_at: datetime, at: datetime) -> SafeString:
    """When the incident started, on the clock and the calendar of the viewer's zone, and the
    minute the sheet is as of: the sheet's subtitle."""
    started = _local(started_at)
    # The `date` filter's "D j M Y", from the same translated names.
    day = (
        f"{WEEKDAYS_ABBR[started.weekday()]} {started.day} "
        f"{MONTHS_3[started.month].title()} {started.year:04d}"
    )
    return mark_safe(  # noqa: S308 - every value escaped
        f'Started <time datetime="{started.isoformat()}"><strong>{started:%H:%M}</strong> '
        f"{escape(day)}</time> ({escape(timezone.get_current_timezone_name())}) ·\n"
        f"    sheet as of {_local(at):%H:%M}"
    )
