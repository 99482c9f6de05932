"""A local fake of Slack's Web API and of its `response_url`s: a real HTTP server on 127.0.0.1.

It follows the documented contract the portal relies on: `chat.postMessage` (→ `ok`, `channel`,
`ts`), `chat.update` (the message must exist), `users.lookupByEmail` (→ `user.id`, else
`users_not_found`), errors as `{"ok": false, "error": …}` with HTTP 200, a bad token as
`invalid_auth`, and a 429 with `Retry-After` when told to. Every call is recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

BOT_TOKEN = "xoxb-test-bot-token"
SIGNING_SECRET = "test-signing-secret-8f3a"


@dataclass
class Call:
    method: str  # "chat.postMessage", or "response" for a post to a response_url
    path: str
    arguments: dict[str, Any]
    authorization: str


@dataclass
class FakeSlack:
    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    users_by_email: dict[str, str] = field(default_factory=dict)
    #: (channel id, ts) → the message as last posted or updated
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: method → answers to give next instead of the normal one: (status, body, headers)
    queued: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(
        default_factory=dict
    )
    _ts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api/"

    def response_url(self, name: str = "T1/1/abc") -> str:
        return f"http://{self.host}:{self.port}/actions/{name}"

    def channel_id(self, channel: str) -> str:
        return "C" + hashlib.sha1(channel.encode()).hexdigest()[:8].upper()  # noqa: S324

    def called(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def fail_next(self, method: str, status: int, body: dict, headers: dict | None = None) -> None:
        self.queued.setdefault(method, []).append((status, body, headers or {}))

    def answer(self, method: str, arguments: dict[str, Any], authorization: str):
        queued = self.queued.get(method)
        if queued:
            return queued.pop(0)
        if authorization != f"Bearer {BOT_TOKEN}":
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if method == "chat.postMessage":
            if not arguments.get("channel"):
                return 200, {"ok": False, "error": "channel_not_found"}, {}
            self._ts += 1
            channel = self.channel_id(arguments["channel"])
            ts = f"1700000000.{self._ts:06d}"
            message = {"text": arguments.get("text", ""), "blocks": arguments.get("blocks", [])}
            self.messages[(channel, ts)] = message
            return 200, {"ok": True, "channel": channel, "ts": ts, "message": message}, {}
        if method == "chat.update":
            key = (arguments.get("channel", ""), arguments.get("ts", ""))
            if key not in self.messages:
                return 200, {"ok": False, "error": "message_not_found"}, {}
            message = {"text": arguments.get("text", ""), "blocks": arguments.get("blocks", [])}
            self.messages[key] = message
            return 200, {"ok": True, "channel": key[0], "ts": key[1], "text": message["text"]}, {}
        if method == "users.lookupByEmail":
            user_id = self.users_by_email.get(str(arguments.get("email", "")).lower())
            if user_id is None:
                return 200, {"ok": False, "error": "users_not_found"}, {}
            return 200, {"ok": True, "user": {"id": user_id, "profile": {}}}, {}
        return 200, {"ok": False, "error": "unknown_method"}, {}


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _arguments(self) -> dict[str, Any]:
            parts = urlsplit(self.path)
            arguments: dict[str, Any] = dict(parse_qsl(parts.query))
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if raw:
                if "json" in (self.headers.get("Content-Type") or ""):
                    arguments.update(json.loads(raw))
                else:
                    arguments.update(dict(parse_qsl(raw.decode())))
            return arguments

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            arguments = self._arguments()
            authorization = self.headers.get("Authorization", "")
            if parts.path.startswith("/actions/"):
                with fake.lock:
                    fake.calls.append(Call("response", parts.path, arguments, authorization))
                self._send(200, b"ok", "text/html", {})
                return
            method = parts.path.removeprefix("/api/")
            with fake.lock:
                fake.calls.append(Call(method, parts.path, arguments, authorization))
                status, body, headers = fake.answer(method, arguments, authorization)
            self._send(status, json.dumps(body).encode(), "application/json", headers)

        def _send(self, status: int, body: bytes, content_type: str, headers: dict) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = _handle
        do_POST = _handle

    return Handler


class FakeSlackServer:
    def __init__(self) -> None:
        self.fake = FakeSlack()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.fake.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSlack:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- Signed requests, as Slack sends them -----------------------------------------------------


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Slack's signature headers for `body` (computed here, independently of slack_sdk)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp,
        "HTTP_X_SLACK_SIGNATURE": f"v0={digest.hexdigest()}",
    }


def command_body(text: str, *, user_id: str = "U0NOBODY", response_url: str = "") -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": "T0001",
            "team_domain": "acme",
            "channel_id": "C0001",
            "channel_name": "incidents",
            "user_id": user_id,
            "user_name": "someone",
            "command": "/oncall",
            "text": text,
            "response_url": response_url or "https://hooks.slack.invalid/commands/1",
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        }
    )


def click_body(
    *, user_id: str, action_id: str, value: str, response_url: str, action_ts: str = "1.1"
) -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "someone", "team_id": "T0001"},
        "team": {"id": "T0001", "domain": "acme"},
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": "C1"},
        "channel": {"id": "C1", "name": "on-call-swap"},
        "trigger_id": "trigger-" + action_ts,
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": f"swap:{value}",
                "value": value,
                "action_ts": action_ts,
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def post_signed(client, path: str, body: str, **headers: Any):
    """POST a form body with Slack's signature (override headers to break it)."""
    signed = signed_headers(body)
    signed.update(headers)
    return client.generic(
        "POST", path, body, content_type="application/x-www-form-urlencoded", **signed
    )
