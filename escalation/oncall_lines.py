"""The dashboard's one-line rows of the other rotations, as HTML written once per row.

A large company has dozens of other rotations, two people each: a template include per person
(and one more for the PagerDuty action) was most of the dashboard's rendering time. The markup
is the one the templates rendered, whitespace included; every value is escaped as the
templates escaped it (`markup.escape`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

from .markup import escape as _e
from .pagerduty_actions import ICON, action_for, action_html
from .templatetags.oncall_tags import iso_utc, local_time, tier_name

if TYPE_CHECKING:
    from .selectors.dashboard import RotationNow
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


def compact_row(card: RotationNow) -> SafeString:
    """A rotation on one line: its name, the pair on call now, and until when."""
    rotation = card.rotation
    html = (
        f'<li class="list-group-item" id="rotation-{_e(rotation.slug)}">\n'
        f"      <strong>{_e(rotation.name)}</strong>:\n"
        f"      {holder_line(card.primary.now)},\n"
        f"      {holder_line(card.secondary.now)}\n"
        '      <span class="text-body-secondary text-nowrap">until '
        f'<time datetime="{_e(iso_utc(card.handoff))}">{_e(local_time(card.handoff))}</time>'
        "</span>\n    </li>"
    )
    return mark_safe(html)  # noqa: S308 - every value above is escaped
