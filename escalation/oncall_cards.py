"""One tier of a rotation on a dashboard card (who holds it now, how to reach them, and what
changes before the handoff), as HTML written once.

It was the template `escalation/includes/_oncall_holder.html`, included twice per card; the
markup is the one it rendered, whitespace included, every value escaped as it escaped them
(`markup.escape`). `tests/test_oncall_cards.py` keeps the template's text and compares.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

from .contact_buttons import contact_buttons
from .markup import escape as _e
from .templatetags.oncall_tags import iso_utc, local_time, tier_name

if TYPE_CHECKING:
    from .selectors.dashboard import TierNow

_SCHEDULED = "the scheduled person"


def _time(value: datetime) -> str:
    return f'<time datetime="{_e(iso_utc(value))}">{_e(local_time(value))}</time>'


def tier_now_html(tier_now: TierNow, *, manager: bool = False) -> SafeString:
    """The tier `tier_now` on a card; `manager`: the viewer is an escalation manager (told what
    contact details are missing, and when paging from the portal is off)."""
    holder = tier_now.now
    person = holder.person
    tier = tier_name(holder.tier)
    override = " oncall-holder-override" if holder.overridden else ""
    html = (
        f'\n\n\n<div class="oncall-holder{override}">\n'
        f'  <div class="oncall-tier">{_e(tier)}</div>\n  '
    )
    if person:
        html += f'\n  <div class="oncall-person">{_e(person.display_name)}</div>\n  '
        if holder.overridden:
            covering = holder.covering_for.display_name if holder.covering_for else ""
            html += (
                '\n  <div class="mb-1"><span class="badge override-badge"><i class="bi '
                'bi-arrow-left-right" aria-hidden="true"></i> Covering for '
                f"{_e(covering or _SCHEDULED)}</span></div>\n  "
            )
        html += (
            f'\n  <div class="my-2">{contact_buttons(person, paged=True, viewer_is_manager=manager)}</div>'
            "\n  "
        )
        missing = person.missing_contact_fields if manager else None
        if missing:
            html += (
                '<div class="small"><span class="badge badge-tbd"><i class="bi '
                'bi-exclamation-triangle" aria-hidden="true"></i> No '
                f"{', '.join(_e(field) for field in missing)} on file</span></div>"
            )
        html += "\n  "
    else:
        html += (
            '\n  <div class="oncall-person not-required">Nobody</div>\n'
            '  <div class="small text-body-secondary">This rotation has no '
            f"{_e(tier.lower())} in this slot.</div>\n  "
        )
    html += (
        '\n  <dl class="oncall-times small mb-0">\n'
        f"    <dt>Since</dt><dd>{_time(holder.start)}</dd>\n"
        f"    <dt>Until</dt><dd>{_time(holder.end)}</dd>\n"
        "  </dl>\n  "
    )
    then = tier_now.then
    if then:
        who = then.person.display_name if then.person else ""
        html += (
            '\n  <p class="small mb-0 mt-1 oncall-then"><i class="bi bi-arrow-return-right" '
            f'aria-hidden="true"></i>\n    Then <strong>{_e(who or "nobody")}</strong>'
        )
        if then.overridden:
            covering = then.covering_for.display_name if then.covering_for else ""
            html += f" (covering for {_e(covering or _SCHEDULED)})"
        html += f"\n    until {_time(then.end)}\n  </p>\n  "
    html += "\n</div>\n\n"
    return mark_safe(html)  # noqa: S308 - every value above is escaped
