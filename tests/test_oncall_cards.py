"""A tier on a dashboard card, written in Python, says what the template it replaces said: the
same markup, whitespace included, the same escaping, in every branch."""

import pytest
from django.template import Context, Template

from escalation import rotation as engine
from escalation.oncall_cards import tier_now_html
from escalation.selectors.dashboard import TierNow
from tests.test_oncall_lines import (  # noqa: F401 - the fixture
    HOSTILE,
    PEOPLE,
    holder,
    pagerduty_mode,
    person,
)

#: `escalation/includes/_oncall_holder.html` as it was.
TIER_TEMPLATE = '{% load oncall_tags %}\n{# One tier on a dashboard card. Expects `tier_now` (TierNow). #}\n{% with holder=tier_now.now %}\n<div class="oncall-holder{% if holder.overridden %} oncall-holder-override{% endif %}">\n  <div class="oncall-tier">{{ holder.tier|tier_name }}</div>\n  {% if holder.person %}\n  <div class="oncall-person">{{ holder.person.display_name }}</div>\n  {% if holder.overridden %}\n  <div class="mb-1"><span class="badge override-badge"><i class="bi bi-arrow-left-right" aria-hidden="true"></i> Covering for {{ holder.covering_for.display_name|default:"the scheduled person" }}</span></div>\n  {% endif %}\n  <div class="my-2">{% include "includes/_person_contact.html" with person=holder.person paged=True %}</div>\n  {% if viewer_is_manager and holder.person.missing_contact_fields %}<div class="small"><span class="badge badge-tbd"><i class="bi bi-exclamation-triangle" aria-hidden="true"></i> No {{ holder.person.missing_contact_fields|join:", " }} on file</span></div>{% endif %}\n  {% else %}\n  <div class="oncall-person not-required">Nobody</div>\n  <div class="small text-body-secondary">This rotation has no {{ holder.tier|tier_name|lower }} in this slot.</div>\n  {% endif %}\n  <dl class="oncall-times small mb-0">\n    <dt>Since</dt><dd><time datetime="{{ holder.start|iso_utc }}">{{ holder.start|local_time }}</time></dd>\n    <dt>Until</dt><dd><time datetime="{{ holder.end|iso_utc }}">{{ holder.end|local_time }}</time></dd>\n  </dl>\n  {% if tier_now.then %}\n  <p class="small mb-0 mt-1 oncall-then"><i class="bi bi-arrow-return-right" aria-hidden="true"></i>\n    Then <strong>{{ tier_now.then.person.display_name|default:"nobody" }}</strong>{% if tier_now.then.overridden %} (covering for {{ tier_now.then.covering_for.display_name|default:"the scheduled person" }}){% endif %}\n    until <time datetime="{{ tier_now.then.end|iso_utc }}">{{ tier_now.then.end|local_time }}</time>\n  </p>\n  {% endif %}\n</div>\n{% endwith %}\n'

COVERED = {
    "nobody named": None,
    "someone": person(pk=9, display_name="Grace"),
    "someone hostile": person(pk=9, display_name=HOSTILE),
}


def tier_now(who, *, covering, covered, then):
    now = holder(who, covering=covering)
    if covering:
        now = type(now)(now.assignment, who, covered)
    later = None
    if then is not None:
        later = holder(then, covering=covering)
        later = type(later)(later.assignment, then, covered if covering else None)
    return TierNow(now, later)


THEN = ["no change", "with a phone", "hostile, with a PagerDuty user", "nobody"]


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("covering", [False, True])
@pytest.mark.parametrize("covered", list(COVERED))
@pytest.mark.parametrize("then", THEN)
@pytest.mark.parametrize("manager", [False, True])
@pytest.mark.usefixtures("pagerduty_mode")
def test_a_tier_is_written_as_the_template_wrote_it(who, covering, covered, then, manager):
    later = None if then == "no change" else PEOPLE[then]
    shown = tier_now(PEOPLE[who], covering=covering, covered=COVERED[covered], then=later)
    if then == "nobody":
        shown = TierNow(shown.now, holder(None))

    expected = Template(TIER_TEMPLATE).render(
        Context({"tier_now": shown, "viewer_is_manager": manager})
    )

    assert tier_now_html(shown, manager=manager) == expected
    assert "<script>" not in expected


@pytest.mark.parametrize("who", ["nobody", "with a phone"])
def test_the_secondary_tier_is_named_as_the_template_named_it(who):
    shown = TierNow(holder(PEOPLE[who], tier=engine.Tier.SECONDARY), None)

    expected = Template(TIER_TEMPLATE).render(Context({"tier_now": shown}))

    assert tier_now_html(shown) == expected
    assert "Secondary" in expected
