"""The swap pages' repeated pieces, written at once: a request's interval and its state badge.

The requests table shows 25 rows of two or three of each; as includes they were most of the
page's time. The markup is the same as the includes had."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.safestring import SafeString, mark_safe

from ..markup import escape
from ..models import SwapRequest
from .oncall_tags import format_instant, iso_utc

register = template.Library()


@register.simple_tag
def swap_interval(start: datetime | None, end: datetime | None) -> SafeString:
    """`<time>` to `<time>` in the viewer's zone, each with its instant in UTC for machines."""
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<span class="swap-interval">{_time(start)} <span aria-hidden="true">→</span>'
        f'<span class="visually-hidden">to</span> {_time(end)}</span>'
    )


def _time(value: datetime | None) -> str:
    shown = "" if value is None else escape(format_instant(value, year=False))
    return f'<time datetime="{iso_utc(value)}">{shown}</time>'


@register.simple_tag
def swap_state(swap: SwapRequest) -> SafeString:
    """A request's state as a badge."""
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<span class="badge swap-state swap-state-{escape(swap.state)}">'
        f"{escape(swap.get_state_display())}</span>"
    )
