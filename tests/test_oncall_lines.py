"""The dashboard's one-line rows, written in Python, say what the templates they replace said:
the same markup, the same escaping, in the viewer's time zone."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone

from escalation import models
from escalation import rotation as engine
from escalation.oncall_lines import compact_row, compact_rows, holder_line
from escalation.selectors.oncall import Holder

HOSTILE = "</span><script>alert(1)</script>\"&<>' 🚨\u200fאב"
START = datetime(2026, 11, 30, 9, tzinfo=UTC)
END = START + timedelta(days=7)

#: The templates the rows replace, as they were.
HOLDER_TEMPLATE = (
    "{% load oncall_tags %}"
    '<span class="text-nowrap">{% if holder.person %}{% if holder.person.phone %}'
    '<a href="tel:{{ holder.person.phone.as_e164 }}" aria-label="Call '
    '{{ holder.person.display_name }} on {{ holder.person.phone.as_international }}">'
    "{{ holder.person.display_name }}</a>{% else %}{{ holder.person.display_name }}{% endif %}"
    "{% if holder.person.pagerduty_user_id %} "
    '{% include "escalation/includes/_pagerduty_action.html" with person=holder.person '
    "icon=True %}{% endif %}{% else %}nobody{% endif %} "
    '<span class="text-body-secondary">({{ holder.tier|tier_name|lower }}'
    "{% if holder.overridden %}, covering{% endif %})</span></span>"
)
ROW_TEMPLATE = (
    "{% load oncall_tags %}"
    '<li class="list-group-item" id="rotation-{{ card.rotation.slug }}">\n'
    "      <strong>{{ card.rotation.name }}</strong>:\n"
    "      " + HOLDER_TEMPLATE.replace("holder.", "card.primary.now.") + ",\n"
    "      " + HOLDER_TEMPLATE.replace("holder.", "card.secondary.now.") + "\n"
    '      <span class="text-body-secondary text-nowrap">until <time datetime="'
    '{{ card.handoff|iso_utc }}">{{ card.handoff|local_time }}</time></span>\n'
    "    </li>"
)


def person(**fields):
    values = {
        "pk": 7,
        "display_name": "Ada Lovelace",
        "phone": "+442079460000",
        "pagerduty_user_id": "",
    }
    return models.Person(**(values | fields))


def holder(who, *, tier=engine.Tier.PRIMARY, covering=False):
    override = (
        engine.OverrideSpec(tier=tier, person=getattr(who, "pk", 1), start=START, end=END)
        if covering
        else None
    )
    return Holder(engine.Assignment(tier, getattr(who, "pk", None), START, END, override), who)


PEOPLE = {
    "with a phone": person(),
    "without a phone": person(phone=""),
    "with a number the parser refuses": person(phone="not a number"),
    "with a hostile name": person(display_name=HOSTILE),
    "with a PagerDuty user": person(pagerduty_user_id="PABC123"),
    "hostile, with a PagerDuty user": person(display_name=HOSTILE, pagerduty_user_id="P<&>"),
    "nobody": None,
}


@pytest.fixture(params=["off", "link", "page"])
def pagerduty_mode(request, settings):
    settings.PAGERDUTY_API_KEY = "key" if request.param == "page" else ""
    settings.PAGERDUTY_SUBDOMAIN = "acme" if request.param == "link" else ""
    return request.param


@pytest.mark.parametrize("covering", [False, True], ids=["scheduled", "covering"])
@pytest.mark.parametrize("tier", list(engine.Tier))
@pytest.mark.parametrize("who", PEOPLE.values(), ids=PEOPLE.keys())
def test_a_holder_line_is_what_the_template_wrote(who, tier, covering, pagerduty_mode):
    one = holder(who, tier=tier, covering=covering)

    expected = Template(HOLDER_TEMPLATE).render(Context({"holder": one}))

    assert holder_line(one) == expected


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize("name", ["Payments", HOSTILE])
def test_a_compact_row_is_what_the_template_wrote_in_the_viewers_zone(name, zone, pagerduty_mode):
    card = SimpleNamespace(
        rotation=models.Rotation(pk=3, name=name, slug="pay-ments"),
        primary=SimpleNamespace(now=holder(PEOPLE["with a PagerDuty user"])),
        secondary=SimpleNamespace(
            now=holder(PEOPLE["without a phone"], tier=engine.Tier.SECONDARY, covering=True)
        ),
        handoff=END + timedelta(seconds=30),
    )

    with timezone.override(zone):
        expected = Template(ROW_TEMPLATE).render(Context({"card": card}))
        assert compact_row(card) == expected  # type: ignore[arg-type]
    assert "<script>" not in expected


def test_the_other_rotations_are_the_template_loop_of_their_rows_whatever_the_handoff():
    def card(pk, handoff):
        return SimpleNamespace(
            rotation=models.Rotation(pk=pk, name=f"Rotation {pk}", slug=f"rotation-{pk}"),
            primary=SimpleNamespace(now=holder(PEOPLE["with a phone"])),
            secondary=SimpleNamespace(now=holder(None, tier=engine.Tier.SECONDARY)),
            handoff=handoff,
        )

    # Two rotations handing over at the same instant, one at another.
    cards = [card(1, END), card(2, END + timedelta(hours=1)), card(3, END)]
    loop = "{% for card in cards %}" + ROW_TEMPLATE + "\n    {% endfor %}"

    with timezone.override("America/New_York"):
        expected = Template(loop).render(Context({"cards": cards}))
        written = compact_rows(cards)  # type: ignore[arg-type]

    assert written + "\n    " == expected
    assert written.count("Mon 7 Dec 2026, 04:00 EST") == 2
    assert written.count("Mon 7 Dec 2026, 05:00 EST") == 1
