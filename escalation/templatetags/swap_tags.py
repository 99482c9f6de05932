"""The swap pages' repeated pieces, written at once: a request's interval, its state badge, and
the requests table's rows.

The requests table shows 25 rows of two or three of each; as includes they were most of the
page's time. The markup is the same as the includes had."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..links import address_of
from ..markup import escape
from ..models import OnCallTier, SwapKind, SwapRequest, SwapState
from ..selectors.swaps import SwapRow
from .oncall_tags import format_instant, iso_utc

register = template.Library()


@register.simple_tag
def swap_interval(start: datetime | None, end: datetime | None) -> SafeString:
    """`<time>` to `<time>` in the viewer's zone, each with its instant in UTC for machines."""
    return mark_safe(_interval(start, end))  # noqa: S308 - every value is escaped


def _interval(start: datetime | None, end: datetime | None) -> str:
    return (
        f'<span class="swap-interval">{_time(start)} <span aria-hidden="true">→</span>'
        f'<span class="visually-hidden">to</span> {_time(end)}</span>'
    )


def _time(value: datetime | None) -> str:
    shown = "" if value is None else escape(format_instant(value, year=False))
    return f'<time datetime="{iso_utc(value)}">{shown}</time>'


@register.simple_tag
def swap_state(swap: SwapRequest) -> SafeString:
    """A request's state as a badge."""
    return mark_safe(_state_badge(swap.state))  # noqa: S308 - every value is escaped


#: `get_state_display` and `get_tier_display`, read once.
_STATE_LABELS: dict[str, str] = dict(SwapState.choices)
_TIER_LABELS: dict[str, str] = dict(OnCallTier.choices)


def _state_badge(state: str) -> str:
    return (
        f'<span class="badge swap-state swap-state-{escape(state)}">'
        f"{escape(_STATE_LABELS.get(state, state))}</span>"
    )


@register.simple_tag
def swap_rows(swaps: Iterable[SwapRow]) -> SafeString:
    """The requests table's rows: each request with its rotation and tier, the shift handed over
    (and the one in return, for a swap), who hands it to whom, and its state."""
    detail = address_of("escalation:swap_detail")
    rows = []
    for swap in swaps:
        label = "Swap" if swap.kind == SwapKind.SWAP else "Cover"
        shift = _interval(swap.start, swap.end)
        if swap.kind == SwapKind.SWAP and swap.return_start:
            shift += (
                '\n<div class="small text-body-secondary">In return: '
                f"{_interval(swap.return_start, swap.return_end)}</div>"
            )
        state = _state_badge(swap.state)
        if swap.first_conflict:
            state += (
                f' <a class="badge text-bg-warning swap-conflict" '
                f'href="{escape(detail(swap.first_conflict))}">'
                f"conflicts with #{swap.first_conflict}</a>"
            )
        tier = _TIER_LABELS.get(swap.tier, swap.tier)
        rows.append(
            "<tr>"
            f'<td data-label="Request"><a class="fw-semibold" href="{escape(detail(swap.pk))}">'
            f"#{swap.pk} {label}</a>"
            f'<div class="small text-body-secondary">{escape(swap.rotation_name)} · '
            f"{escape(tier)}</div></td>"
            f'<td data-label="Shift handed over">{shift}</td>'
            '<td data-label="From → to">'
            f'<span class="text-nowrap">{escape(swap.requester_name)}</span> '
            '<i class="bi bi-arrow-right" aria-hidden="true"></i>'
            '<span class="visually-hidden">to</span> '
            f'<span class="text-nowrap">{escape(swap.colleague_name)}</span></td>'
            f'<td data-label="State">{state}</td>'
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value is escaped
