"""The handoff post: who is on call from now, in each rotation's channel, once per handoff."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from escalation import models
from escalation.notify import messages
from escalation.selectors.handoffs import HANDOFF_POST_GRACE, handoffs_due
from tests import factories
from tests.oncall_data import seed_rotation

pytestmark = pytest.mark.django_db

# Week 49 of 2026 (odd: Engineer A and B) starts Monday 30 Nov 09:00 UTC.
HANDOFF = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# 2026 has 53 ISO weeks: week 53 (odd) is followed by week 1 of 2027 (odd) on Mon 4 Jan 2027.
AFTER_WEEK_53 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def seed(slack_app):
    return seed_rotation(swap_channel="#on-call-swap")


@pytest.fixture(autouse=True)
def _deliver_on_commit(django_capture_on_commit_callbacks):
    """The outbox delivers once the command's transaction commits, as in production."""
    global _capture
    _capture = django_capture_on_commit_callbacks
    yield


_capture = None


def run(at: datetime) -> str:
    out = StringIO()
    with time_machine.travel(at, tick=False), _capture(execute=True):
        call_command("post_handoffs", stdout=out)
    return out.getvalue()


def posts(fake) -> list[str]:
    return [call.arguments["text"] for call in fake.called("chat.postMessage")]


def test_the_handoff_is_posted_to_the_rotations_channel(seed, slack_app):
    assert run(HANDOFF + timedelta(seconds=30)).startswith("1 handoff post(s)")
    [call] = slack_app.called("chat.postMessage")
    assert call.arguments["channel"] == "#on-call-swap"
    assert call.arguments["text"] == (
        "*On-call rotation* — On call from now: Engineer A (primary), Engineer B (secondary), "
        "until Mon 7 Dec 09:00 UTC"
    )
    assert call.arguments["blocks"][0]["text"]["text"] == call.arguments["text"]


def test_the_handoff_channel_wins_over_the_swap_channel(seed, slack_app):
    seed.rotation.handoff_channel = "#on-call"
    seed.rotation.save()
    run(HANDOFF)
    assert [call.arguments["channel"] for call in slack_app.called("chat.postMessage")] == [
        "#on-call"
    ]


def test_the_post_goes_out_once_however_often_cron_runs(seed, slack_app):
    run(HANDOFF)
    run(HANDOFF + timedelta(minutes=1))
    assert run(HANDOFF + timedelta(minutes=5)).startswith("0 handoff post(s)")
    assert len(posts(slack_app)) == 1
    assert models.OutgoingMessage.objects.count() == 1


def test_a_late_run_still_posts_once_but_not_after_the_grace(seed, slack_app):
    run(HANDOFF + HANDOFF_POST_GRACE - timedelta(seconds=1))
    assert len(posts(slack_app)) == 1
    run(HANDOFF + timedelta(days=7) + HANDOFF_POST_GRACE)  # the next handoff, too late
    assert len(posts(slack_app)) == 1


def test_nothing_is_posted_in_the_last_second_before_the_handoff(seed, slack_app):
    run(HANDOFF - timedelta(seconds=1))
    assert posts(slack_app) == []
    run(HANDOFF)
    assert "Engineer A (primary)" in posts(slack_app)[0]


def test_each_handoff_gets_its_own_post(seed, slack_app):
    run(HANDOFF)
    run(HANDOFF + timedelta(days=7))
    first, second = posts(slack_app)
    assert "Engineer A (primary)" in first
    assert "Engineer C (primary), Engineer D (secondary), until Mon 14 Dec 09:00 UTC" in second


def test_overrides_at_and_after_the_handoff_are_named(seed, slack_app):
    cover = factories.PersonFactory(display_name="Casey Cover")
    factories.OverrideFactory(
        rotation=seed.rotation, person=cover, start=HANDOFF, end=HANDOFF + timedelta(days=1)
    )
    factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.SECONDARY,
        person=seed.c,
        start=HANDOFF + timedelta(days=3),
        end=HANDOFF + timedelta(days=4),
    )
    run(HANDOFF)
    [text] = posts(slack_app)
    assert (
        "On call from now: Casey Cover (primary, covering for Engineer A), "
        "Engineer B (secondary), until Mon 7 Dec 09:00 UTC"
    ) in text
    assert "From Tue 1 Dec 09:00 UTC: Engineer A (primary)" in text
    assert "From Thu 3 Dec 09:00 UTC: Engineer C (secondary, covering for Engineer B)" in text
    assert "From Fri 4 Dec 09:00 UTC: Engineer B (secondary)" in text


def test_the_week_53_repeat_is_noted(seed, slack_app):
    run(AFTER_WEEK_53)
    [text] = posts(slack_app)
    assert "On call from now: Engineer A (primary), Engineer B (secondary)" in text
    assert messages.HANDOFF_REPEAT.format(year=2026, label="Odd weeks") in text
    run(AFTER_WEEK_53 + timedelta(days=7))
    assert "53 weeks" not in posts(slack_app)[1]


def test_times_are_in_the_rotations_time_zone(slack_app):
    berlin = seed_rotation(swap_channel="#on-call-swap", time_zone="Europe/Berlin")
    start = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
    assert handoffs_due(at=start)[0].rotation == berlin.rotation
    run(start)
    assert "until Mon 7 Dec 09:00 CET" in posts(slack_app)[0]


def test_a_rotation_without_a_channel_is_not_announced(slack_app):
    seed_rotation(swap_channel="", handoff_channel="")
    run(HANDOFF)
    assert posts(slack_app) == []


def test_without_slack_nothing_is_queued(settings):
    seed_rotation(swap_channel="#on-call-swap")
    settings.SLACK_BOT_TOKEN = ""
    settings.SLACK_WEBHOOK_URL = ""
    assert run(HANDOFF).startswith("0 handoff post(s)")
    assert not models.OutgoingMessage.objects.exists()


def test_the_webhook_posts_it_when_the_app_has_no_token(settings):
    seed_rotation(swap_channel="#on-call-swap")
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/unreachable"
    run(HANDOFF)
    [message] = models.OutgoingMessage.objects.all()
    assert message.channel == models.MessageChannel.SLACK
    assert message.body.startswith("*On-call rotation* — On call from now: Engineer A")


def test_a_dry_run_posts_nothing(seed, slack_app):
    out = StringIO()
    with time_machine.travel(HANDOFF, tick=False):
        call_command("post_handoffs", "--dry-run", stdout=out)
    assert out.getvalue().startswith("would post to #on-call-swap: On call from now: Engineer A")
    assert posts(slack_app) == []


def test_handoffs_due_costs_three_queries_whatever_the_rotations(
    slack_app, django_assert_num_queries
):
    for n in range(4):
        seed_rotation(
            people_suffix=f" {n}", name=f"R{n}", slug=f"r{n}", swap_channel="#on-call-swap"
        )
    with django_assert_num_queries(3):  # slots, overrides, the notes of the shifts handed over
        assert len(handoffs_due(at=HANDOFF)) == 4


def test_the_post_carries_the_outgoing_pairs_note_as_text(seed, slack_app):
    factories.HandoffNoteFactory(
        rotation=seed.rotation,
        shift_start=HANDOFF - timedelta(weeks=1),
        shift_end=HANDOFF,
        text="INC-7 open <!channel> & watch the disk",
    )
    run(HANDOFF + timedelta(seconds=30))
    [text] = posts(slack_app)
    assert text.endswith(
        "Handoff note from the pair before:\nINC-7 open &lt;!channel&gt; &amp; watch the disk"
    )
