"""Notifications: the outbox, Slack through a real webhook server on 127.0.0.1, email through
Django's locmem backend, delivery after commit, retries, and what the messages say."""

import json
import smtplib
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from uuid import uuid4

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from escalation.models import MessageChannel, MessageStatus, OutgoingMessage, Person, Rotation
from escalation.notify import outbox
from escalation.services import swaps as service
from tests import factories
from tests.swaps_data import NOW, WEEK_3, accepted_request, build_team, file_request

pytestmark = pytest.mark.django_db


class Webhook:
    """What the fake Slack received, and what it answers next."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 200
        self.url = ""

    @property
    def payloads(self) -> list[dict]:
        return [request["json"] for request in self.received]


@pytest.fixture
def webhook(settings):
    hook = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hook.received.append(
                {
                    "path": self.path,
                    "content_type": self.headers["Content-Type"],
                    "json": json.loads(body),
                }
            )
            answer = b"ok" if hook.status == 200 else b"internal_error"
            self.send_response(hook.status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_port}/services/T000/B000/secret"
    settings.SLACK_WEBHOOK_URL = hook.url
    yield hook
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(db):
    return build_team()


def slack_messages():
    return OutgoingMessage.objects.filter(channel=MessageChannel.SLACK)


def test_filing_posts_to_the_swap_channel_and_emails_only_after_commit(
    team, webhook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        swap = file_request(team)

    assert webhook.received == []
    assert mail.outbox == []
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {"pending"}

    for callback in callbacks:
        callback()

    headline = "Alex Doe asked Casey Doe to cover their primary on-call"
    [request] = webhook.received
    assert request["path"] == "/services/T000/B000/secret"
    assert request["content_type"].startswith("application/json")
    payload = request["json"]
    assert set(payload) == {"channel", "text"}
    assert payload["channel"] == "#on-call-swap"
    assert payload["text"].splitlines() == [
        f"*{headline}* (Platform)",
        "Casey Doe takes Mon 12 Jan 2026 09:00 → Mon 19 Jan 2026 09:00 (UTC).",
        "Casey Doe can accept or decline it on the request's page. "
        f"</swaps/{swap.pk}/|Request #{swap.pk}>",
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "alex@example.com",
        "casey@example.com",
    ]
    assert {message.subject for message in mail.outbox} == {f"[On call] {headline}"}
    assert set(OutgoingMessage.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_emails_show_times_in_each_readers_time_zone(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        file_request(team)

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Mon 12 Jan 2026 09:00 → Mon 19 Jan 2026 09:00 (UTC)" in bodies["alex@example.com"]
    assert "Mon 12 Jan 2026 10:00 → Mon 19 Jan 2026 10:00 (CET)" in bodies["casey@example.com"]
    assert "Reason: Family event" in bodies["alex@example.com"]


def test_every_step_notifies_the_channel(team, webhook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        swap = accepted_request(team)
        service.swap_request_approve(swap=swap, by=team.manager)
        service.swap_request_revert(swap=swap, by=team.manager)
        other = file_request(team, colleague=team.drew)
        service.swap_request_cancel(swap=other, by=team.alex.user)
        declined = file_request(team, colleague=team.drew)
        service.swap_request_decline(swap=declined, by=team.drew.user, note="Away")

    headlines = [payload["text"].splitlines()[0] for payload in webhook.payloads]
    assert headlines == [
        "*Alex Doe asked Casey Doe to cover their primary on-call* (Platform)",
        "*Casey Doe agreed to cover Alex Doe's primary on-call* (Platform)",
        "*boss approved: Casey Doe will cover Alex Doe's primary on-call* (Platform)",
        "*boss reverted the approval for Casey Doe to cover Alex Doe's primary on-call* (Platform)",
        "*Alex Doe asked Drew Doe to cover their primary on-call* (Platform)",
        "*Alex Doe cancelled the request for Drew Doe to cover their primary on-call* (Platform)",
        "*Alex Doe asked Drew Doe to cover their primary on-call* (Platform)",
        "*Drew Doe declined to cover Alex Doe's primary on-call* (Platform)",
    ]
    assert "Note: Away" in webhook.payloads[-1]["text"]


def test_a_swap_message_names_the_return_shift(team, webhook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        file_request(
            team,
            kind="swap",
            return_start=WEEK_3[1],
            return_end=WEEK_3[1] + timedelta(days=7),
        )

    text = webhook.payloads[0]["text"]
    assert "Alex Doe asked Casey Doe to swap primary on-call shifts with them" in text
    assert "in return Alex Doe takes Mon 19 Jan 2026 09:00 → Mon 26 Jan 2026 09:00 (UTC)" in text


def test_an_accepted_request_also_emails_the_managers(team, django_capture_on_commit_callbacks):
    """They are the ones to approve it now."""
    with django_capture_on_commit_callbacks(execute=True):
        accepted_request(team)

    accepted = [m.to[0] for m in mail.outbox if "agreed" in m.subject]
    assert sorted(accepted) == ["alex@example.com", "boss@example.com", "casey@example.com"]


def test_without_a_webhook_url_no_slack_message_is_queued(team, settings):
    settings.SLACK_WEBHOOK_URL = ""

    file_request(team)

    assert not slack_messages().exists()
    assert OutgoingMessage.objects.filter(channel=MessageChannel.EMAIL).count() == 2


def test_a_rotation_without_swap_channel_gets_no_slack_message(team, webhook):
    team.rotation.swap_channel = ""
    team.rotation.save()

    file_request(team)

    assert not slack_messages().exists()


def test_a_failing_webhook_leaves_the_message_pending_then_the_command_sends_it(
    team, webhook, django_capture_on_commit_callbacks, frozen_clock, caplog
):
    webhook.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        swap = file_request(team)

    message = slack_messages().get()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert "500" in message.last_error
    assert message.next_attempt_at == NOW + outbox.RETRY_DELAYS[0]
    assert swap.pk and len(mail.outbox) == 2  # the emails went; the request is saved
    assert "Could not deliver slack message" in caplog.text

    webhook.status = 200
    call_command("deliver_notifications")  # not due yet
    assert len(webhook.received) == 1

    frozen_clock.shift(outbox.RETRY_DELAYS[0])
    call_command("deliver_notifications")

    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert message.sent_at == NOW + outbox.RETRY_DELAYS[0]
    assert len(webhook.received) == 2
    assert webhook.payloads[0] == webhook.payloads[1]


def test_an_unreachable_webhook_never_fails_the_request(
    team, settings, django_capture_on_commit_callbacks
):
    settings.SLACK_WEBHOOK_URL = "http://127.0.0.1:9/unreachable"  # discard port: refused

    with django_capture_on_commit_callbacks(execute=True):
        swap = file_request(team)

    assert swap.pk is not None
    assert slack_messages().get().status == MessageStatus.PENDING


def test_a_failing_mail_server_leaves_the_email_pending(
    team, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        file_request(team)

    assert set(OutgoingMessage.objects.values_list("status", "attempts")) == {("pending", 1)}
    assert "SMTPServerDisconnected: gone" in OutgoingMessage.objects.first().last_error


def test_retries_wait_longer_each_time_then_give_up(frozen_clock, monkeypatch):
    monkeypatch.setattr(outbox, "_send", lambda message: 1 / 0)
    message = factories.OutgoingMessageFactory()

    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver()
        message.refresh_from_db()
        if message.next_attempt_at:
            frozen_clock.move_to(message.next_attempt_at)

    assert (message.status, message.attempts) == (MessageStatus.FAILED, outbox.MAX_ATTEMPTS)
    assert message.next_attempt_at is None
    assert "ZeroDivisionError" in message.last_error


def test_the_retry_delay_grows(frozen_clock, monkeypatch):
    monkeypatch.setattr(outbox, "_send", lambda message: 1 / 0)
    message = factories.OutgoingMessageFactory()
    waits = []
    for _ in range(3):
        now = outbox.timezone.now()
        outbox.deliver()
        message.refresh_from_db()
        waits.append(message.next_attempt_at - now)
        frozen_clock.move_to(message.next_attempt_at)

    assert waits == list(outbox.RETRY_DELAYS[:3])


def test_a_message_being_sent_elsewhere_is_not_sent_twice(webhook):
    message = factories.OutgoingMessageFactory(
        channel=MessageChannel.SLACK,
        recipient="#on-call-swap",
        next_attempt_at=NOW + outbox.CLAIM_LEASE,  # claimed by another sender
    )

    report = outbox.deliver([message.pk])

    assert (report.sent, report.failed) == (0, 0)
    assert webhook.received == []


def test_a_dedupe_key_is_used_once_per_channel_and_recipient():
    notice = outbox.Notice(
        channel=MessageChannel.EMAIL,
        recipient="alex@example.com",
        subject="Hi",
        body="Body",
        dedupe_key="reminder:x",
    )
    other_reader = outbox.Notice(**{**notice.__dict__, "recipient": "casey@example.com"})

    outbox.enqueue([notice])
    outbox.enqueue([notice, other_reader])

    assert sorted(OutgoingMessage.objects.values_list("recipient", flat=True)) == [
        "alex@example.com",
        "casey@example.com",
    ]


def test_deliver_notifications_reports_what_it_did(capsys):
    factories.OutgoingMessageFactory(recipient="drew@example.com")

    call_command("deliver_notifications")

    assert "1 sent, 0 failed" in capsys.readouterr().out
    assert mail.outbox[0].to == ["drew@example.com"]


def test_messages_link_to_the_portal_when_its_address_is_set(
    team, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://oncall.example.internal/"
    with django_capture_on_commit_callbacks(execute=True):
        swap = file_request(team)

    assert f"https://oncall.example.internal/swaps/{swap.pk}/" in mail.outbox[0].body


def test_headlines_name_whoever_took_the_step(team, webhook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        swap = file_request(team, filed_by=team.manager)
        service.swap_request_accept(swap=swap, by=team.casey.user)
        service.swap_request_decline(swap=swap, by=team.manager)

    assert [payload["text"].splitlines()[0] for payload in webhook.payloads] == [
        "*boss asked Casey Doe to cover Alex Doe's primary on-call* (Platform)",
        "*Casey Doe agreed to cover Alex Doe's primary on-call* (Platform)",
        "*boss declined the request for Casey Doe to cover Alex Doe's primary on-call* (Platform)",
    ]


def test_with_the_seed_document_requests_are_announced_in_on_call_swap(
    seeded, webhook, django_capture_on_commit_callbacks
):
    manager = factories.ManagerFactory(username="lead")
    engineers = {person.display_name: person for person in Person.objects.all()}
    with django_capture_on_commit_callbacks(execute=True):
        service.swap_request_create(
            rotation=Rotation.objects.get(slug="on-call"),
            tier="primary",
            kind="cover",
            requester=engineers["Engineer A"],
            colleague=engineers["Engineer C"],
            start=WEEK_3[0],
            end=WEEK_3[1],
            reason="Conference",
            filed_by=manager,
            submission_key=uuid4(),
        )

    assert [payload["channel"] for payload in webhook.payloads] == ["#on-call-swap"]
    assert webhook.payloads[0]["text"].startswith(
        "*lead asked Engineer C to cover Engineer A's primary on-call* (On-call rotation)"
    )
    assert mail.outbox == []  # the document has no email addresses
