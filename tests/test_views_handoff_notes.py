"""Handoff notes: written by the outgoing pair in the shift's last day (or a manager), read by
everyone on the dashboard and, for any instant asked about, on the calendar."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from escalation import models
from escalation.selectors.handoff_notes import notes_for, notes_near
from escalation.services.handoff_notes import NOT_YOURS_TO_WRITE
from tests import factories
from tests.helpers import instances_built
from tests.oncall_data import seed_rotation

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("escalation:dashboard")
CALENDAR = reverse("escalation:calendar")
NOTE = reverse("escalation:handoff_note")
# C and D hold week 48: Monday 23 November 09:00 UTC to Monday 30 November 09:00; A and B next.
WEEK_48 = datetime(2026, 11, 23, 9, tzinfo=UTC)
LAST_DAY_STARTS = datetime(2026, 11, 29, 9, tzinfo=UTC)
HANDOFF = datetime(2026, 11, 30, 9, tzinfo=UTC)
HOSTILE = "INC-7 <script>alert(1)</script> still open\nwatch the queue & the disk"


@pytest.fixture
def seed():
    seed = seed_rotation()
    for letter in "abcd":
        person = getattr(seed, letter)
        person.user = factories.UserFactory(username=f"engineer-{letter}")
        person.save()
    return seed


def as_user(client, user):
    client.force_login(user)
    return client


def post_note(client, seed, text=HOSTILE):
    return client.post(
        NOTE,
        {"rotation": seed.rotation.slug, "shift_start": int(WEEK_48.timestamp()), "text": text},
    )


def write_link(html):
    return f'href="{NOTE}?rotation=on-call&amp;shift_start={int(WEEK_48.timestamp())}"' in html


def test_the_outgoing_pair_gets_the_link_only_in_the_shifts_last_day(client, seed):
    as_user(client, seed.c.user)
    with time_machine.travel(LAST_DAY_STARTS.replace(hour=8, minute=59), tick=False):
        assert not write_link(client.get(DASHBOARD).content.decode())
    with time_machine.travel(LAST_DAY_STARTS, tick=False):
        assert write_link(client.get(DASHBOARD).content.decode())
        as_user(client, seed.a.user)  # incoming, not outgoing
        assert not write_link(client.get(DASHBOARD).content.decode())


def test_outgoing_writes_incoming_reads_everywhere_escaped(client, seed):
    with time_machine.travel(datetime(2026, 11, 29, 18, tzinfo=UTC), tick=False):
        response = post_note(as_user(client, seed.d.user), seed)
        assert response.status_code == 302
        note = models.HandoffNote.objects.get()
        assert (note.rotation, note.shift_start, note.shift_end) == (
            seed.rotation,
            WEEK_48,
            HANDOFF,
        )
        assert note.updated_by == seed.d.user
        html = client.get(DASHBOARD).content.decode()
        assert "Handoff note for the next pair" in html
    with time_machine.travel(datetime(2026, 11, 30, 10, tzinfo=UTC), tick=False):
        html = as_user(client, seed.a.user).get(DASHBOARD).content.decode()
    escaped = (
        "INC-7 &lt;script&gt;alert(1)&lt;/script&gt; still open<br>watch the queue &amp; the disk"
    )
    assert "Handoff note from the pair before" in html
    assert escaped in html and "<script>alert(1)" not in html
    # Later, asked about an instant of either shift, the calendar shows it with its shift.
    with time_machine.travel(datetime(2027, 3, 1, tzinfo=UTC), tick=False):
        as_user(client, factories.UserFactory(username="reader"))  # anyone reads it
        response = client.get(CALENDAR, {"at": "2026-11-27T12:00:00Z"})
        assert response.status_code == 200, response
        during = response.content.decode()
        after = client.get(CALENDAR, {"at": "2026-12-01T12:00:00Z"}).content.decode()
        before = client.get(CALENDAR, {"at": "2026-11-20T12:00:00Z"}).content.decode()
    assert "Handoff note for the next pair" in during and escaped in during
    assert "Handoff note from the pair before" in after and escaped in after
    assert escaped not in before


@pytest.mark.parametrize("letter", ["a", "b"])
def test_anyone_else_cannot_write_it(client, seed, letter):
    with time_machine.travel(datetime(2026, 11, 29, 18, tzinfo=UTC), tick=False):
        response = post_note(as_user(client, getattr(seed, letter).user), seed)
    assert response.status_code == 403
    assert NOT_YOURS_TO_WRITE in response.content.decode()
    assert not models.HandoffNote.objects.exists()


def test_the_outgoing_pair_cannot_write_before_the_last_day(client, seed):
    with time_machine.travel(datetime(2026, 11, 27, 18, tzinfo=UTC), tick=False):
        assert post_note(as_user(client, seed.c.user), seed).status_code == 403


def test_someone_covering_in_the_last_day_is_outgoing_and_a_manager_may_correct_it(
    client, seed, manager
):
    rosa = factories.PersonFactory(display_name="Rosa", user=factories.UserFactory(username="rosa"))
    factories.OverrideFactory(
        rotation=seed.rotation, person=rosa, start=LAST_DAY_STARTS, end=HANDOFF
    )
    with time_machine.travel(datetime(2026, 11, 29, 18, tzinfo=UTC), tick=False):
        assert post_note(as_user(client, rosa.user), seed, "Disk at 80%").status_code == 302
        assert post_note(as_user(client, manager), seed, "Disk at 85%").status_code == 302
    with time_machine.travel(datetime(2026, 12, 20, tzinfo=UTC), tick=False):
        assert post_note(as_user(client, manager), seed, "Disk at 90%").status_code == 302
    assert models.HandoffNote.objects.get().text == "Disk at 90%"
    history = models.HandoffNote.history.order_by("history_id")
    assert [entry.history_user for entry in history] == [rosa.user, manager, manager]


def test_control_characters_are_refused(client, seed):
    with time_machine.travel(datetime(2026, 11, 29, 18, tzinfo=UTC), tick=False):
        response = post_note(as_user(client, seed.c.user), seed, "bell\x07")
    assert response.status_code == 200
    assert "Remove the control character U+0007" in response.content.decode()
    assert not models.HandoffNote.objects.exists()


def test_notes_near_are_the_notes_of_exactly_the_keys_asked(django_assert_num_queries):
    """The dashboard's read asks for the notes starting between the first and the last shift,
    of every rotation, and builds only those of the shifts it names."""
    weekly, daily = factories.RotationFactory(), factories.RotationFactory()
    starts = [datetime(2026, 11, day, 9, tzinfo=UTC) for day in (16, 23, 30)]
    for rotation in (weekly, daily):
        for start in starts:
            factories.HandoffNoteFactory(rotation=rotation, shift_start=start)
    factories.HandoffNoteFactory(rotation=daily, shift_start=datetime(2026, 11, 24, 9, tzinfo=UTC))
    keys = [(weekly.pk, starts[0]), (weekly.pk, starts[1]), (daily.pk, starts[1])]
    keys.append((daily.pk, datetime(2026, 11, 22, 9, tzinfo=UTC)))  # no note

    with django_assert_num_queries(1), instances_built() as built:
        near = notes_near(keys)

    assert near.keys() == notes_for(keys).keys() == set(keys[:3])
    assert {key: note.pk for key, note in near.items()} == {
        key: note.pk for key, note in notes_for(keys).items()
    }
    assert built.count == 3, built.by_model
    assert all(note.text == "INC-1 still open: watch the queue depth." for note in near.values())
    with django_assert_num_queries(0):
        assert notes_near([]) == {}
