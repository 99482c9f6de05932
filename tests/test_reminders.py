"""`send_oncall_reminders`: once per person and shift, the covering person reminded, never a
repeat of what the swap flow already said, and news of overrides made in the admin."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from escalation.management.commands.send_oncall_reminders import LEAD_HOURS_INVALID
from escalation.models import OutgoingMessage
from escalation.services import swaps as service
from tests import factories
from tests.swaps_data import NOW, WEEK_3, accepted_request, approved_request, build_team

pytestmark = pytest.mark.django_db

#: 24 hours before week 3 (Alex primary, Blair secondary) starts.
DAY_BEFORE_WEEK_3 = WEEK_3[0] - timedelta(hours=24)


@pytest.fixture
def team(db):
    with time_machine.travel(NOW, tick=False):
        return build_team()


def run(at, *args):
    with time_machine.travel(at, tick=False):
        call_command("send_oncall_reminders", *args)


def reminded():
    """Reminder emails sent, as (recipient, subject)."""
    return sorted(
        (message.to[0], message.subject)
        for message in mail.outbox
        if message.subject.startswith("[On call] You are on call")
    )


def reminder_bodies():
    return [
        (message.to[0], message.body)
        for message in mail.outbox
        if message.subject.startswith("[On call] You are on call")
    ]


def test_each_person_is_reminded_once_however_often_the_job_runs(team):
    minute = timedelta(minutes=1)
    for step in range(-15, 1):  # every minute from 08:45 to 09:00 the day before
        run(DAY_BEFORE_WEEK_3 + step * minute)
    assert len(reminded()) == 2  # at 09:00 sharp
    for step in range(1, 16):  # and on to 09:15
        run(DAY_BEFORE_WEEK_3 + step * minute)
    run(DAY_BEFORE_WEEK_3 + timedelta(hours=6))

    assert reminded() == [
        ("alex@example.com", "[On call] You are on call (primary, Platform) in 24 hours"),
        ("blair@example.com", "[On call] You are on call (secondary, Platform) in 24 hours"),
    ]
    keys = set(OutgoingMessage.objects.values_list("dedupe_key", flat=True))
    assert keys == {
        f"reminder:platform:primary:2026-01-12T09:00:00Z:{team.alex.pk}",
        f"reminder:platform:secondary:2026-01-12T09:00:00Z:{team.blair.pk}",
    }


def test_no_reminder_before_the_lead_time(team):
    run(DAY_BEFORE_WEEK_3 - timedelta(minutes=1))

    assert reminded() == []


def test_the_reminder_says_when_in_the_readers_time_zone(team):
    # Casey (Europe/Berlin) holds week 4: remind her a day before it.
    run(datetime(2026, 1, 18, 9, 0, tzinfo=UTC))

    [email] = [m for m in mail.outbox if m.to == ["casey@example.com"]]
    assert "You are on call as primary for Platform in 24 hours:" in email.body
    assert "Mon 19 Jan 2026 10:00 → Mon 26 Jan 2026 10:00 (CET)" in email.body


def test_the_person_covering_is_reminded_instead_of_the_one_covered(team):
    with time_machine.travel(NOW, tick=False):
        approved_request(team, colleague=team.drew)  # days ahead: old news by then

    run(DAY_BEFORE_WEEK_3)

    assert [to for to, _ in reminded()] == ["blair@example.com", "drew@example.com"]
    [body] = [body for to, body in reminder_bodies() if to == "drew@example.com"]
    assert "You cover this interval: Cover request #" in body


def test_someone_staying_on_call_past_a_handoff_is_not_reminded_of_it(team):
    # Casey holds week 2 and now covers week 3 too: nothing starts for her at the handoff.
    with time_machine.travel(NOW, tick=False):
        approved_request(team)

    run(DAY_BEFORE_WEEK_3)

    assert [to for to, _ in reminded()] == ["blair@example.com"]


def test_no_reminder_repeats_an_approval_sent_within_the_lead_time(team):
    with time_machine.travel(NOW, tick=False):
        swap = accepted_request(team)
    with time_machine.travel(DAY_BEFORE_WEEK_3 + timedelta(hours=2), tick=False):
        service.swap_request_approve(swap=swap, by=team.manager)

    run(DAY_BEFORE_WEEK_3 + timedelta(hours=3))

    assert [to for to, _ in reminded()] == ["blair@example.com"]


def test_no_reminder_repeats_a_revert_sent_within_the_lead_time(team):
    with time_machine.travel(NOW, tick=False):
        swap = approved_request(team)
    with time_machine.travel(DAY_BEFORE_WEEK_3 + timedelta(hours=2), tick=False):
        service.swap_request_revert(swap=swap, by=team.manager)

    run(DAY_BEFORE_WEEK_3 + timedelta(hours=3))

    assert [to for to, _ in reminded()] == ["blair@example.com"]


def test_a_revert_long_before_leaves_the_usual_reminder(team):
    with time_machine.travel(NOW, tick=False):
        swap = approved_request(team)
        service.swap_request_revert(swap=swap, by=team.manager)

    run(DAY_BEFORE_WEEK_3)

    assert [to for to, _ in reminded()] == ["alex@example.com", "blair@example.com"]


def test_the_lead_time_is_an_option(team):
    run(WEEK_3[0] - timedelta(hours=48), "--lead-hours", "48")

    assert [subject for _, subject in reminded()] == [
        "[On call] You are on call (primary, Platform) in 2 days",
        "[On call] You are on call (secondary, Platform) in 2 days",
    ]


def test_the_lead_time_defaults_to_the_setting(team, settings):
    settings.REMINDER_LEAD_HOURS = 2
    run(DAY_BEFORE_WEEK_3)
    assert reminded() == []

    run(WEEK_3[0] - timedelta(hours=2))
    assert len(reminded()) == 2


def test_a_lead_time_must_be_positive(team):
    with pytest.raises(CommandError, match=LEAD_HOURS_INVALID):
        call_command("send_oncall_reminders", "--lead-hours", "0")


def test_a_dry_run_sends_nothing(team, capsys):
    run(DAY_BEFORE_WEEK_3, "--dry-run")

    assert "would send to alex@example.com" in capsys.readouterr().out
    assert not OutgoingMessage.objects.exists()


def test_people_without_email_or_no_longer_active_get_no_reminder(team):
    team.alex.email = ""
    team.alex.save()
    team.blair.is_active = False
    team.blair.save()

    run(DAY_BEFORE_WEEK_3)

    assert reminded() == []


def test_someone_covering_part_of_a_shift_is_reminded_before_their_part(team):
    # Drew covers Tuesday of week 3 (primary), added in the admin long before.
    with time_machine.travel(NOW, tick=False):
        factories.OverrideFactory(
            rotation=team.rotation,
            tier="primary",
            person=team.drew,
            start=WEEK_3[0] + timedelta(days=1),
            end=WEEK_3[0] + timedelta(days=2),
        )

    run(WEEK_3[0])  # Monday 09:00: Drew's part starts in 24 hours

    assert (
        "drew@example.com",
        "[On call] You are on call (primary, Platform) in 24 hours",
    ) in reminded()


def test_an_override_made_in_the_admin_is_announced_once_to_both_people(team):
    with time_machine.travel(NOW, tick=False):
        override = factories.OverrideFactory(
            rotation=team.rotation, tier="primary", person=team.drew, start=WEEK_3[0], end=WEEK_3[1]
        )

    run(NOW + timedelta(minutes=1))
    run(NOW + timedelta(minutes=2))

    changes = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert changes == [
        (
            "alex@example.com",
            "[On call] Drew Doe now covers your primary on-call of Platform (an override)",
        ),
        (
            "drew@example.com",
            "[On call] You now cover the primary on-call of Platform (an override)",
        ),
    ]

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        override.reverted_at = NOW + timedelta(hours=1)
        override.save()
    mail.outbox.clear()
    run(NOW + timedelta(hours=1, minutes=1))
    run(NOW + timedelta(hours=1, minutes=2))

    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        (
            "alex@example.com",
            "[On call] You are on call again: the override by Drew Doe on Platform was withdrawn",
        ),
        ("drew@example.com", "[On call] You no longer cover the primary on-call of Platform"),
    ]


def test_overrides_from_swaps_are_not_announced_again(team, django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        approved_request(team)
    queued = OutgoingMessage.objects.count()
    mail.outbox.clear()

    run(NOW + timedelta(minutes=1))

    assert mail.outbox == []
    assert OutgoingMessage.objects.count() == queued


def test_a_slot_given_to_someone_else_is_announced_once_to_both(team):
    later = NOW + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        slot = team.rotation.slots.get(label="Odd weeks")
        slot.primary = team.drew
        slot.save()

    run(later + timedelta(minutes=1))
    run(later + timedelta(minutes=2))

    changes = {m.to[0]: m for m in mail.outbox}
    assert sorted((to, m.subject) for to, m in changes.items()) == [
        (
            "alex@example.com",
            "[On call] You are no longer the primary on call for Odd weeks of Platform; Drew Doe is",
        ),
        ("drew@example.com", "[On call] You are now the primary on call for Odd weeks of Platform"),
    ]
    assert (
        "Your next shifts: Mon 12 Jan 2026 09:00 → Mon 19 Jan 2026 09:00 (UTC); "
        "Mon 26 Jan 2026 09:00 → Mon 2 Feb 2026 09:00 (UTC)"
    ) in changes["drew@example.com"].body


def test_old_changes_are_not_news(team):
    with time_machine.travel(NOW, tick=False):
        slot = team.rotation.slots.get(label="Odd weeks")
        slot.secondary = team.drew
        slot.save()

    run(NOW + timedelta(days=2))

    assert mail.outbox == []


def test_the_job_reports_what_it_sent(team, capsys):
    run(DAY_BEFORE_WEEK_3)

    assert "2 new message(s): 2 sent, 0 kept for a retry." in capsys.readouterr().out


def test_the_reminder_carries_the_outgoing_pairs_handoff_note(team):
    factories.HandoffNoteFactory(
        rotation=team.rotation,
        shift_start=WEEK_3[0] - timedelta(weeks=1),
        shift_end=WEEK_3[0],
        text="INC-12 still open.\nWatch the billing queue.",
    )
    run(DAY_BEFORE_WEEK_3)

    bodies = dict(reminder_bodies())
    assert set(bodies) == {"alex@example.com", "blair@example.com"}
    for body in bodies.values():
        assert (
            "Handoff note from the pair before you:\nINC-12 still open.\nWatch the billing queue."
        ) in body
