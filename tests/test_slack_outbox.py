"""The outbox posting with the Slack app's bot: through slack_sdk, against the local fake."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from escalation import models
from escalation.notify.outbox import NOT_POSTED_YET, Notice, deliver, enqueue

pytestmark = pytest.mark.django_db

CHANNEL = "#on-call-swap"


def app_notice(key: str, text: str = "Hello", **fields) -> Notice:
    return Notice(
        channel=models.MessageChannel.SLACK_APP,
        recipient=CHANNEL,
        subject=text,
        body=text,
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        dedupe_key=key,
        **fields,
    )


def test_a_message_is_posted_with_its_blocks_and_remembers_where_it_landed(slack_app):
    [message] = enqueue([app_notice("k1", "*Hello*")])
    assert deliver().sent == 1
    [call] = slack_app.called("chat.postMessage")
    assert call.arguments["channel"] == CHANNEL
    assert call.arguments["text"] == "*Hello*"
    assert call.arguments["blocks"][0]["text"]["text"] == "*Hello*"
    message.refresh_from_db()
    assert message.status == models.MessageStatus.SENT
    assert message.slack_channel_id == slack_app.channel_id(CHANNEL)
    assert message.slack_ts.startswith("1700000000.")


def test_an_edit_updates_the_message_in_place(slack_app):
    enqueue([app_notice("k1", "Before")])
    deliver()
    enqueue([app_notice("k1:edit", "After", updates_key="k1")])
    deliver()
    [call] = slack_app.called("chat.update")
    [(key, message)] = slack_app.messages.items()
    assert call.arguments["ts"] == key[1] and call.arguments["channel"] == key[0]
    assert message["text"] == "After"


def test_an_edit_of_a_message_never_posted_by_the_app_is_dropped(slack_app):
    assert enqueue([app_notice("k1:edit", "After", updates_key="k1")]) == []


def test_an_edit_waits_until_the_message_is_posted(slack_app):
    slack_app.fail_next("chat.postMessage", 200, {"ok": False, "error": "internal_error"})
    original, edit = enqueue(
        [app_notice("k1", "Before"), app_notice("k2", "After", updates_key="k1")]
    )
    report = deliver()
    assert report.failed == 2
    edit.refresh_from_db()
    assert edit.last_error == f"RuntimeError: {NOT_POSTED_YET}"
    original.refresh_from_db()
    assert "internal_error" in original.last_error
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert deliver().sent == 2
    assert list(slack_app.messages.values())[0]["text"] == "After"


def test_an_older_edit_delivered_late_does_not_undo_a_newer_one(slack_app):
    enqueue([app_notice("k1", "Posted")])
    deliver()
    slack_app.fail_next("chat.update", 200, {"ok": False, "error": "internal_error"})
    enqueue([app_notice("e1", "Accepted", updates_key="k1")])
    deliver()
    enqueue([app_notice("e2", "Approved", updates_key="k1")])
    deliver()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        deliver()
    assert list(slack_app.messages.values())[0]["text"] == "Approved"
    assert len(slack_app.called("chat.update")) == 2  # the failed one, and "Approved" only


def test_a_rate_limit_waits_as_long_as_slack_says(slack_app):
    slack_app.fail_next(
        "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"}
    )
    [message] = enqueue([app_notice("k1")])
    before = timezone.now()
    assert deliver().failed == 1
    message.refresh_from_db()
    assert message.status == models.MessageStatus.PENDING
    assert "ratelimited" in message.last_error
    assert timedelta(seconds=29) < message.next_attempt_at - before <= timedelta(seconds=31)


def test_a_bad_token_keeps_the_message_for_a_retry(slack_app, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-wrong"
    [message] = enqueue([app_notice("k1")])
    assert deliver().failed == 1
    message.refresh_from_db()
    assert "invalid_auth" in message.last_error
    assert message.status == models.MessageStatus.PENDING


def test_swap_messages_use_the_webhook_when_the_app_has_no_token(settings, slack_app):
    from tests.swaps_data import NOW, build_team, file_request

    settings.SLACK_BOT_TOKEN = ""
    settings.SLACK_WEBHOOK_URL = "https://hooks.slack.invalid/services/T/B/x"
    team = build_team()
    with time_machine.travel(NOW, tick=False):
        file_request(team)
    assert models.OutgoingMessage.objects.filter(channel=models.MessageChannel.SLACK).count() == 1
    assert not models.OutgoingMessage.objects.filter(channel=models.MessageChannel.SLACK_APP)
