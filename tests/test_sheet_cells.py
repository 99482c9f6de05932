"""The sheet's escalation steps, written in Python (`escalation.sheet_cells`), say what the
template they replace said: the same markup (whitespace aside), the same escaping, the clock
times in the viewer's zone. No database."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from escalation.escalation_clock import StepClock, StepRule, Timing
from escalation.models import EscalationStep, PartyKind, Person, Role
from escalation.parties import ResolvedParty
from escalation.selectors.paths import PathStepView
from escalation.selectors.services import SheetStep
from escalation.sheet_cells import choice_options, severity_options, sheet_when, step_items

HOSTILE = "</li><script>alert(1)</script>\"&<>' 🚨\u200fאב"

#: `_sheet_escalate.html`'s list items, as they were.
STEPS_TEMPLATE = """{% load tz directory_tags %}
    {% for item in sheet.steps %}{% with clock=item.clock step=item.view %}
    <li class="sheet-step sheet-step-{{ clock.timing }}{% if not clock.applies %} not-required{% endif %}">
      <div class="sheet-step-when">
        {% if clock.timing == "start" %}<span class="badge text-bg-primary">Now</span>
        {% elif clock.timing == "next" %}<span class="sheet-then">Next</span>
        {% elif clock.timing == "timed" %}<span class="sheet-clock{% if clock.is_due %} urgent{% endif %}"><time datetime="{{ clock.escalate_at|date:'c' }}">{{ clock.escalate_at|time:"H:i" }}</time></span>{% if clock.is_due %} <span class="badge text-bg-danger">due</span>{% endif %}
        {% elif clock.timing == "conditional" %}<span class="sheet-then">Only {{ step.condition }}</span>
        {% else %}<span class="sheet-muted-label">not for {{ sheet.severity.name }}</span>{% endif %}
      </div>
      <div class="sheet-step-who">
        {% if clock.timing == "timed" %}<p class="sheet-step-sentence mb-1">Escalate to <strong>{{ step.title }}</strong> at {{ clock.escalate_at|time:"H:i" }} if still unresolved{% if step.condition %} ({{ step.condition }}){% endif %}.</p>{% endif %}
        {% if not clock.applies %}<p class="sheet-step-sentence mb-1">{{ step.title }}{% if step.condition %} ({{ step.condition }}){% endif %}</p>
        {% else %}
        {% parties step.parties "line" %}
        {% if step.step.note %}<div class="small text-body-secondary">{{ step.step.note }}</div>{% endif %}
        {% endif %}
      </div>
    </li>
    {% endwith %}{% endfor %}
"""  # noqa: E501 - the template's own lines

STARTED = datetime(2026, 3, 29, 0, 40, 12, 345678, tzinfo=UTC)  # Europe's clocks change at 01:00


def normalised(html: str) -> str:
    return " ".join(html.split())


def person() -> Person:
    return Person(
        pk=7,
        display_name=HOSTILE,
        phone=PhoneNumber.from_string("+12025550100"),
        slack_handle="@o'brien<x>",
        email="o'brien&co@example.com",
        pagerduty_user_id="PABC123",
    )


PARTIES = (
    ResolvedParty(kind=PartyKind.PERSON, label=HOSTILE, person=person()),
    ResolvedParty(kind=PartyKind.ROLE, label="VP Eng", role=Role(name=HOSTILE), is_tbd=True),
)


def step(timing, *, minutes=None, due=False, condition="", note="", parties=PARTIES):
    rule = StepRule(position=1, after_minutes=minutes, condition=condition)
    view = PathStepView(
        step=EscalationStep(position=1, condition=condition, note=note),
        number=1,
        parties=parties,
        rule=rule,
    )
    escalate_at = STARTED + timedelta(minutes=minutes) if minutes is not None else None
    return SheetStep(
        view=view, clock=StepClock(rule=rule, timing=timing, escalate_at=escalate_at, is_due=due)
    )


STEPS = {
    "now": step(Timing.START, note=HOSTILE),
    "next": step(Timing.NEXT, parties=()),
    "timed": step(Timing.TIMED, minutes=30),
    "timed, due, with a condition and a note": step(
        Timing.TIMED, minutes=15, due=True, condition=HOSTILE, note=HOSTILE
    ),
    "only if": step(Timing.CONDITIONAL, condition=HOSTILE),
    "not for this severity": step(Timing.NOT_APPLICABLE),
    "not for this severity, with a condition": step(
        Timing.NOT_APPLICABLE, minutes=5, condition=HOSTILE
    ),
}


@pytest.fixture(params=["off", "link", "page"])
def pagerduty_mode(request, settings):
    settings.PAGERDUTY_API_KEY = "key" if request.param == "page" else ""
    settings.PAGERDUTY_SUBDOMAIN = "acme" if request.param == "link" else ""
    return request.param


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "Asia/Kolkata"])
@pytest.mark.parametrize("which", STEPS, ids=STEPS.keys())
@pytest.mark.parametrize("on_a_service", [True, False], ids=["service sheet", "general sheet"])
def test_a_step_is_what_the_template_wrote(which, zone, on_a_service, pagerduty_mode):
    severity = SimpleNamespace(name=HOSTILE, level=2)
    sheet = SimpleNamespace(steps=(STEPS[which],), severity=severity)
    service = SimpleNamespace(slug="pay<ments>") if on_a_service else None
    page = {"page_service": service, "page_severity": severity if on_a_service else None}

    with timezone.override(zone):
        expected = Template(STEPS_TEMPLATE).render(Context({"sheet": sheet, **page}))
        written = step_items(sheet.steps, severity_name=severity.name, **_as_drawn(page))
        tagged = Template("{% load directory_tags %}{% sheet_steps sheet %}").render(
            Context({"sheet": sheet, **page})
        )

    assert normalised(written) == normalised(expected)
    assert tagged == written
    assert "<script>" not in written


def _as_drawn(page):
    return {"service": page["page_service"], "severity": page["page_severity"]}


def test_all_the_steps_in_order():
    sheet = SimpleNamespace(steps=tuple(STEPS.values()), severity=SimpleNamespace(name="SEV2"))

    with timezone.override("America/New_York"):
        expected = Template(STEPS_TEMPLATE).render(Context({"sheet": sheet}))
        written = step_items(sheet.steps, severity_name="SEV2")

    assert normalised(written) == normalised(expected)
    assert written.count('<li class="sheet-step') == len(STEPS)


def test_a_timed_step_says_its_clock_time_in_the_viewers_zone():
    with timezone.override("Europe/Paris"):
        html = step_items([STEPS["timed"]], severity_name="SEV1")

    # 00:40 UTC + 30 min is 01:10 UTC: 03:10 in Paris, summer time since 01:00 UTC.
    assert '<time datetime="2026-03-29T03:10:12.345678+02:00">03:10</time>' in html
    assert "</strong> at 03:10 if still unresolved (after 30 min).</p>" in html


#: The sheet form's options, as the templates wrote them.
SEVERITY_OPTIONS_TEMPLATE = (
    '{% for severity in sheet.severities %}<option value="{{ severity.level }}"'
    "{% if sheet.severity.level == severity.level %} selected{% endif %}>{{ severity.name }}"
    "</option>{% endfor %}"
)
KIND_OPTIONS_TEMPLATE = (
    '{% for value, label in choices %}<option value="{{ value }}"'
    "{% if selected == value %} selected{% endif %}>{{ label }}</option>{% endfor %}"
)


@pytest.mark.parametrize("shown", [0, 2, None], ids=["first", "third", "none"])
def test_the_severity_options_are_what_the_template_wrote(shown):
    severities = [SimpleNamespace(level=level, name=f"{HOSTILE}{level}") for level in (1, 2, 3)]
    sheet = SimpleNamespace(
        severities=severities, severity=severities[shown] if shown is not None else None
    )

    expected = Template(SEVERITY_OPTIONS_TEMPLATE).render(Context({"sheet": sheet}))

    assert severity_options(sheet.severities, sheet.severity) == expected
    assert expected.count(" selected") == (0 if shown is None else 1)


@pytest.mark.parametrize("selected", ["technical", "security", "<bogus>"])
def test_the_kind_options_are_what_the_template_wrote(selected):
    from escalation.forms.questions import ServiceSheetForm

    choices = [*ServiceSheetForm().fields["kind"].choices, ("x&y", HOSTILE)]

    expected = Template(KIND_OPTIONS_TEMPLATE).render(
        Context({"choices": choices, "selected": selected})
    )

    assert choice_options(choices, selected) == expected
    assert "<script>" not in expected


#: The sheet's subtitle, as the templates wrote it.
WHEN_TEMPLATE = """{% load tz %}{% get_current_timezone as time_zone %}
    Started <time datetime="{{ sheet.started_at|date:'c' }}"><strong>{{ sheet.started_at|time:"H:i" }}</strong> {{ sheet.started_at|date:"D j M Y" }}</time> ({{ time_zone }}) ·
    sheet as of {{ sheet.at|time:"H:i" }}
"""  # noqa: E501 - the template's own lines


@pytest.mark.parametrize("language", ["en-gb", "de", "fr"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/St_Johns", "Pacific/Kiritimati"])
def test_the_sheets_subtitle_is_what_the_template_wrote(zone, language):
    from django.utils import translation

    sheet = SimpleNamespace(started_at=STARTED, at=STARTED + timedelta(hours=2, seconds=5))

    with timezone.override(zone), translation.override(language):
        expected = Template(WHEN_TEMPLATE).render(Context({"sheet": sheet}))
        written = sheet_when(sheet.started_at, sheet.at)

    assert normalised(written) == normalised(expected)
