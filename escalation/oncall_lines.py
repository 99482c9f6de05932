"""The dashboard's one-line rows of the other rotations, as HTML written once per row.

A large company has dozens of other rotations, two people each: a template include per person
(and one more for the PagerDuty action) was most of the dashboard's rendering time. The markup
is the one the templates rendered, whitespace included; every value is escaped as the
templates escaped it (`markup.escape`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

from .markup import escape as _e
from .pagerduty_actions import ICON, action_for, action_html
from .templatetags.oncall_tags import iso_utc, local_time, tier_name

if TYPE_CHECKING:
    from .selectors.dashboard import RotationLine, RotationNow
    from .selectors.oncall import Holder


def holder_line(holder: Holder) -> str:
    """One tier of a rotation on one line: who (a `tel:` link with a number), and the tier."""
    person = holder.person
    if person is None:
        who = "nobody"
    else:
        name = _e(person.display_name)
        phone = person.phone
        if phone:
            who = (
                f'<a href="tel:{_e(phone.as_e164)}" '
                f'aria-label="Call {name} on {_e(phone.as_international)}">{name}</a>'
            )
        else:
            who = name
        if person.pagerduty_user_id:
            # The action's template ended with a line break, which the row kept.
            who += f" {action_html(action_for(person), ICON)}\n"
    covering = ", covering" if holder.overridden else ""
    tier = _e(tier_name(holder.tier).lower())
    return (
        f'<span class="text-nowrap">{who} '
        f'<span class="text-body-secondary">({tier}{covering})</span></span>'
    )


def _until(handoff: datetime) -> str:
    """The `<time>` a one-line row ends with."""
    return f'<time datetime="{_e(iso_utc(handoff))}">{_e(local_time(handoff))}</time>'


def compact_row(
    card: RotationLine | RotationNow, *, until: dict[datetime, str] | None = None
) -> SafeString:
    """A rotation on one line: its name, the pair on call now, and until when. `until`: the
    handoffs written so far (many rotations hand over at the same instant)."""
    rotation = card.rotation
    handoff = card.handoff
    if until is None:
        until = {}
    if handoff not in until:
        until[handoff] = _until(handoff)
    html = (
        f'<li class="list-group-item" id="rotation-{_e(rotation.slug)}">\n'
        f"      <strong>{_e(rotation.name)}</strong>:\n"
        f"      {holder_line(card.primary.now)},\n"
        f"      {holder_line(card.secondary.now)}\n"
        f'      <span class="text-body-secondary text-nowrap">until {until[handoff]}'
        "</span>\n    </li>"
    )
    return mark_safe(html)  # noqa: S308 - every value above is escaped


def compact_rows(cards: Iterable[RotationLine | RotationNow]) -> SafeString:
    """The rotations on one line each (`compact_row`), as the dashboard lists the others."""
    until: dict[datetime, str] = {}
    return SafeString("\n    ".join(compact_row(card, until=until) for card in cards))
