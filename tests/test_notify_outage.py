"""A mail server and a Slack that accept connections and never answer: no request waits on them,
delivery gives up on them in its timeouts, and a Slack post that may have gone out is not posted
a second time.

The stand-ins are real sockets on 127.0.0.1: an SMTP server that never says hello, and an HTTP
server that reads the whole webhook request and never answers. Production settings: requests
only write to the outbox (`NOTIFY_DELIVER_IN_REQUEST` off), `deliver_notifications` sends.
"""

import socket
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from escalation.models import MessageChannel, MessageStatus, OutgoingMessage
from escalation.notify import outbox
from tests.swaps_data import NOW, accepted_request, build_team, file_request

# Longer than any timeout below: a test that would hang fails instead.
SILENCE_SECONDS = 8


class SilentServer:
    """Accepts connections, reads what comes, never answers; counts complete requests."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests = 0
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection: socket.socket) -> None:
        connection.settimeout(SILENCE_SECONDS)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            while len(body) < length:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                body += chunk
            self.requests += 1
            time.sleep(SILENCE_SECONDS)  # received whole, never answered
        except OSError:
            return

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent_mail_and_slack(settings):
    mail_server, slack_server = SilentServer(), SilentServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mail_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 0.5
    settings.SLACK_TIMEOUT = 0.5
    settings.SLACK_WEBHOOK_URL = f"http://127.0.0.1:{slack_server.port}/services/T0/B0/secret"
    settings.NOTIFY_DELIVER_IN_REQUEST = False
    yield mail_server, slack_server
    mail_server.close()
    slack_server.close()


@pytest.mark.django_db(transaction=True)
def test_a_request_that_notifies_answers_at_once_whatever_mail_and_slack_do(
    client, silent_mail_and_slack
):
    with time_machine.travel(NOW, tick=True):
        team = build_team()
        swap = file_request(team)
        client.force_login(swap.colleague.user)
        started = time.monotonic()
        response = client.post(reverse("escalation:swap_accept", args=[swap.pk]))
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 1.0, f"the accept took {elapsed:.2f} s"
    swap.refresh_from_db()
    assert swap.state == "accepted"
    queued = OutgoingMessage.objects.filter(status=MessageStatus.PENDING)
    assert queued.filter(channel=MessageChannel.SLACK).exists()
    assert queued.filter(channel=MessageChannel.EMAIL).exists()
    mail_server, slack_server = silent_mail_and_slack
    assert slack_server.requests == 0 and not mail_server.connections  # nothing was tried


@pytest.mark.django_db
def test_delivery_gives_up_on_a_silent_mail_server_within_its_timeout(silent_mail_and_slack):
    with time_machine.travel(NOW, tick=True):
        team = build_team()
        accepted_request(team)
        OutgoingMessage.objects.filter(channel=MessageChannel.SLACK).delete()
        emails = OutgoingMessage.objects.count()
        started = time.monotonic()
        report = outbox.deliver()
        elapsed = time.monotonic() - started
    assert report.failed == emails and report.sent == 0
    # One wait of EMAIL_TIMEOUT per message, not the gunicorn worker's 30 s.
    assert elapsed < emails * 0.5 + 2, f"{elapsed:.2f} s for {emails} emails"
    for message in OutgoingMessage.objects.all():
        assert message.status == MessageStatus.PENDING and message.attempts == 1
        assert message.next_attempt_at is not None  # retried later
        assert "timed out" in message.last_error.lower()


@pytest.mark.django_db
def test_a_slack_post_received_but_not_answered_is_never_posted_twice(silent_mail_and_slack):
    _, slack_server = silent_mail_and_slack
    with time_machine.travel(NOW, tick=True) as clock:
        team = build_team()
        file_request(team)
        OutgoingMessage.objects.filter(channel=MessageChannel.EMAIL).delete()
        report = outbox.deliver()
        assert report.failed == 1
        clock.shift(timedelta(days=1))
        assert outbox.deliver() == outbox.DeliveryReport()  # nothing left to try
    assert slack_server.requests == 1
    message = OutgoingMessage.objects.get()
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert message.last_error.startswith(outbox.SLACK_OUTCOME_UNKNOWN.split("(")[0])


@pytest.mark.django_db
def test_a_slack_that_refuses_the_connection_is_retried(settings):
    settings.NOTIFY_DELIVER_IN_REQUEST = False
    settings.SLACK_TIMEOUT = 0.5
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: the connection is refused, nothing was posted
    settings.SLACK_WEBHOOK_URL = f"http://127.0.0.1:{port}/services/T0/B0/secret"
    with time_machine.travel(NOW, tick=True):
        team = build_team()
        file_request(team)
        OutgoingMessage.objects.filter(channel=MessageChannel.EMAIL).delete()
        outbox.deliver()
    message = OutgoingMessage.objects.get()
    assert message.status == MessageStatus.PENDING and message.next_attempt_at is not None


def test_requests_only_enqueue_unless_development_says_otherwise():
    from portal import settings as production

    assert production.NOTIFY_DELIVER_IN_REQUEST is production.DEBUG
    assert 0 < production.EMAIL_TIMEOUT <= 10 and 0 < production.SLACK_TIMEOUT <= 10
