"""Markup written in Python row by row escapes as Django's templates do, and the contacts page's
rotation table says what its template loop said."""

import re

import pytest
from django.template import Context, Template
from django.utils.html import conditional_escape
from django.utils.html import format_html as django_format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from escalation import markup
from escalation.contact_cells import rotation_table_rows
from escalation.models import Person, Rotation, RotationSlot
from escalation.selectors.contacts import RotationTableRow

HOSTILE = "</td><script>alert(1)</script>\"&<>' 🚨\u200fאב"


@given(st.one_of(st.text(), st.integers(), st.none()))
def test_escape_is_djangos_conditional_escape(value):
    assert markup.escape(value) == conditional_escape(value)


@pytest.mark.parametrize(
    "value", [mark_safe("<b>safe</b>"), gettext_lazy("Contacts"), HOSTILE, 3], ids=repr
)
def test_escape_keeps_markup_and_reads_lazy_text_as_django_does(value):
    assert markup.escape(value) == conditional_escape(value)
    assert markup.format_html("<i>{}</i>{}", value, HOSTILE) == django_format_html(
        "<i>{}</i>{}", value, HOSTILE
    )


#: The loop the rows replace, as it was.
SLOTS_TEMPLATE = """{% for slot, current in rotation_slots %}
      <tr{% if current %} class="table-active"{% endif %}>
        <td data-label="Week"><span class="fw-semibold">{{ slot.label }}</span>{% if current %} <span class="badge text-bg-success">now</span>{% endif %}{% if directory_rotations|length > 1 %}<div class="small text-body-secondary">{{ slot.rotation.name }}</div>{% endif %}</td>
        <td data-label="Primary">{{ slot.primary.display_name }}</td>
        <td data-label="Secondary">{{ slot.secondary.display_name|default:"—" }}</td>
      </tr>
      {% endfor %}"""  # noqa: E501


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize("rotations", [1, 2])
def test_the_rotation_table_rows_are_what_the_template_wrote(rotations):
    rotation = Rotation(pk=1, name=HOSTILE)
    ada, bob = Person(pk=1, display_name=HOSTILE), Person(pk=2, display_name="Bob")
    slots = [
        (RotationSlot(rotation=rotation, label="Week A", primary=ada, secondary=bob), True),
        (RotationSlot(rotation=rotation, label=HOSTILE, primary=bob, secondary=None), False),
        (RotationSlot(rotation=rotation, label="C", primary=bob, secondary=Person(pk=3)), False),
    ]
    context = {"rotation_slots": slots, "directory_rotations": [rotation] * rotations}

    expected = Template(SLOTS_TEMPLATE).render(Context(context))
    rows = [
        RotationTableRow(
            slot.label,
            slot.rotation.name,
            slot.primary.display_name,
            slot.secondary.display_name if slot.secondary is not None else "",
            current,
        )
        for slot, current in slots
    ]
    written = rotation_table_rows(rows, with_rotation=rotations > 1)

    assert squeezed(written) == squeezed(expected)
    assert "<script>" not in written
