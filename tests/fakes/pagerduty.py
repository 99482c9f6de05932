"""A fake PagerDuty REST API v2 on 127.0.0.1, for the portal's tests to drive through the real
`pagerduty` client (no mocked client, no internet).

It follows the documented contract (see /work/shared/INTEGRATIONS.md): the `Authorization:
Token token=…` and `Accept: application/vnd.pagerduty+json;version=2` headers (401 / 406
otherwise), `limit`/`offset`/`more` pagination, `ratelimit-*` headers on every answer and 429
with `{"error": {"message": "Rate Limit Exceeded", "code": 2020}}`, errors as
`{"error": {"message", "code", "errors"}}`, the multiple-overrides POST answering a status per
override, DELETE answering 204 (deleted) or 200 (in progress: cut short at now), `POST
/incidents` requiring `From` and the documented body (`type`, `title`, a known `service`;
`urgency` high or low; assignments or an escalation policy, not both; a second open incident
with the same `incident_key` on the same service refused), and `GET /incidents` filtered by
`incident_key`. Tests set its state (users, schedules and what they render, services) and
read what the portal did (`calls`, `overrides`, `incidents`).
"""

from __future__ import annotations

import itertools
import json
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ACCEPT = "application/vnd.pagerduty+json;version=2"
RATE_LIMIT = 960


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _month_ago(fake: FakePagerDuty) -> datetime:
    return (fake.now or datetime.now(UTC)) - timedelta(days=30)


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakePagerDuty:
    api_key: str = "fake-api-key"
    users: list[dict[str, Any]] = field(default_factory=list)
    #: schedule id → {"name": …, "entries": [(start, end, user_id)]} (the layers' result)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: schedule id → override id → {"id", "start", "end", "user": {"id", …}}
    overrides: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    incidents: list[dict[str, Any]] = field(default_factory=list)
    #: service id → name: the services incidents may be opened on.
    services: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    #: Statuses to answer the next requests with, whatever they are (e.g. [429, 429], [503]).
    fail_next: list[int] = field(default_factory=list)
    #: Answer every request with this status (PagerDuty is down) while set.
    down_with: int | None = None
    ratelimit_reset: int = 7
    #: Overrides for these user ids are refused with 400 (e.g. a user not on the schedule).
    refuse_users: set[str] = field(default_factory=set)
    now: datetime | None = None  # the fake's clock for DELETE (default: the real time)
    url: str = ""
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    # --- set-up helpers for tests ---------------------------------------------------------

    def add_user(self, user_id: str, name: str, email: str) -> None:
        self.users.append(
            {"id": user_id, "type": "user", "name": name, "summary": name, "email": email}
        )

    def add_service(self, service_id: str, name: str) -> None:
        self.services[service_id] = name

    def add_schedule(
        self, schedule_id: str, name: str, entries: list[tuple[datetime, datetime, str]] = ()
    ) -> None:
        self.schedules[schedule_id] = {"name": name, "entries": list(entries)}
        self.overrides.setdefault(schedule_id, {})

    def calls_to(self, method: str, prefix: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(prefix)]

    def user(self, user_id: str) -> dict[str, Any] | None:
        return next((u for u in self.users if u["id"] == user_id), None)

    def rendered(self, schedule_id: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """The final layer: the schedule's entries with its overrides on top (the last created
        wins), cut at [since, until)."""
        schedule = self.schedules[schedule_id]
        pieces = [(start, end, user) for start, end, user in schedule["entries"]]
        for override in self.overrides[schedule_id].values():
            o_start, o_end = _time(override["start"]), _time(override["end"])
            cut = []
            for start, end, user in pieces:
                if end <= o_start or start >= o_end:
                    cut.append((start, end, user))
                    continue
                if start < o_start:
                    cut.append((start, o_start, user))
                if end > o_end:
                    cut.append((o_end, end, user))
            cut.append((o_start, o_end, override["user"]["id"]))
            pieces = sorted(cut)
        entries = []
        for start, end, user_id in pieces:
            start, end = max(start, since), min(end, until)
            if start < end:
                user = self.user(user_id) or {"id": user_id, "summary": user_id}
                entries.append(
                    {
                        "start": _iso(start),
                        "end": _iso(end),
                        "user": {
                            "id": user_id,
                            "type": "user_reference",
                            "summary": user["summary"],
                        },
                    }
                )
        return entries


class _Handler(BaseHTTPRequestHandler):
    fake: FakePagerDuty

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    # --- plumbing ---------------------------------------------------------------------------

    def _answer(self, status: int, body: Any = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        remaining = max(RATE_LIMIT - len(self.fake.calls), 0)
        self.send_header("ratelimit-limit", str(RATE_LIMIT))
        self.send_header("ratelimit-remaining", str(remaining))
        self.send_header("ratelimit-reset", str(self.fake.ratelimit_reset))
        self.end_headers()
        self.wfile.write(payload)

    def _error(self, status: int, message: str, code: int, errors: list[str] = ()) -> None:
        self._answer(status, {"error": {"message": message, "code": code, "errors": list(errors)}})

    def _handle(self, method: str) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        query = parse_qs(parts.query)
        fake.calls.append(Call(method, parts.path, query, dict(self.headers.items()), body))
        if fake.fail_next:
            status = fake.fail_next.pop(0)
            if status == 429:
                return self._error(429, "Rate Limit Exceeded", 2020)
            return self._error(status, "Internal Server Error", 2001)
        if fake.down_with is not None:
            return self._error(fake.down_with, "Service Unavailable", 2001)
        if self.headers.get("Authorization") != f"Token token={fake.api_key}":
            return self._error(401, "Unauthorized", 2006)
        if self.headers.get("Accept") != ACCEPT:
            return self._error(406, "Not Acceptable", 2001)
        if method in ("POST", "PUT") and "application/json" not in (
            self.headers.get("Content-Type") or ""
        ):
            return self._error(400, "Invalid Input Provided", 2001, ["Content-Type"])
        route = [piece for piece in parts.path.split("/") if piece]
        try:
            self._route(method, route, query, body)
        except (KeyError, ValueError, TypeError) as error:
            self._error(400, "Invalid Input Provided", 2001, [str(error)])

    def _page(self, key: str, rows: list[dict[str, Any]], query: dict[str, list[str]]) -> None:
        limit = min(int(query.get("limit", ["25"])[0]), 100)
        offset = int(query.get("offset", ["0"])[0])
        page = rows[offset : offset + limit]
        self._answer(
            200,
            {
                key: page,
                "limit": limit,
                "offset": offset,
                "more": offset + limit < len(rows),
                "total": len(rows) if query.get("total") == ["true"] else None,
            },
        )

    def _window(self, query: dict[str, list[str]]) -> tuple[datetime, datetime] | None:
        try:
            since, until = _time(query["since"][0]), _time(query["until"][0])
        except (KeyError, ValueError):
            self._error(400, "Invalid Input Provided", 2004, ["since and until are required"])
            return None
        if until <= since:
            self._error(400, "Invalid Input Provided", 2004, ["until must be after since"])
            return None
        return since, until

    # --- the API ----------------------------------------------------------------------------

    def _route(self, method: str, route: list[str], query: dict[str, list[str]], body: Any) -> None:
        fake = self.fake
        if method == "GET" and route == ["users"]:
            text = query.get("query", [""])[0].lower()
            rows = [
                u for u in fake.users if text in u["email"].lower() or text in u["name"].lower()
            ]
            return self._page("users", rows, query)
        if method == "GET" and route == ["schedules"]:
            rows = [
                {"id": key, "type": "schedule", "name": s["name"], "summary": s["name"]}
                for key, s in fake.schedules.items()
            ]
            return self._page("schedules", rows, query)
        if route[:1] == ["schedules"] and len(route) >= 2 and route[1] not in fake.schedules:
            return self._error(404, "Not Found", 3004, ["Schedule not found"])
        if method == "GET" and len(route) == 2 and route[0] == "schedules":
            window = self._window(query)
            if window is None:
                return None
            schedule = fake.schedules[route[1]]
            entries = fake.rendered(route[1], *window)
            return self._answer(
                200,
                {
                    "schedule": {
                        "id": route[1],
                        "type": "schedule",
                        "name": schedule["name"],
                        "final_schedule": {
                            "name": "Final Schedule",
                            "rendered_schedule_entries": entries,
                        },
                    }
                },
            )
        if len(route) >= 3 and route[0] == "schedules" and route[2] == "overrides":
            return self._overrides(method, route, query, body)
        if method == "POST" and route == ["incidents"]:
            return self._incident(body)
        if method == "GET" and route == ["incidents"]:
            key = query.get("incident_key", [""])[0]
            rows = [i for i in fake.incidents if not key or i["incident_key"] == key]
            if query.get("date_range") != ["all"]:  # PagerDuty's default: the last month
                rows = [i for i in rows if _time(i["created_at"]) > _month_ago(fake)]
            return self._page("incidents", rows, query)
        return self._error(404, "Not Found", 2100)

    def _overrides(
        self, method: str, route: list[str], query: dict[str, list[str]], body: Any
    ) -> None:
        fake = self.fake
        existing = fake.overrides[route[1]]
        if method == "GET" and len(route) == 3:
            window = self._window(query)
            if window is None:
                return None
            since, until = window
            rows = [
                o
                for o in existing.values()
                if _time(o["start"]) < until and _time(o["end"]) > since
            ]
            return self._answer(200, {"overrides": rows})
        if method == "POST" and len(route) == 3:
            answers = []
            for item in body["overrides"]:
                user_id = item["user"]["id"]
                start, end = _time(item["start"]), _time(item["end"])
                problem = ""
                if end <= start:
                    problem = "Override must end after its start"
                elif fake.user(user_id) is None:
                    problem = "User not found"
                elif user_id in fake.refuse_users:
                    problem = "User cannot be assigned to this schedule"
                if problem:
                    answers.append({"status": 400, "errors": [problem], "override": item})
                    continue
                override_id = f"PO{next(fake._ids):05d}"
                user = fake.user(user_id)
                row = {
                    "id": override_id,
                    "start": _iso(start),
                    "end": _iso(end),
                    "user": {"id": user_id, "type": "user_reference", "summary": user["summary"]},
                }
                existing[override_id] = row
                answers.append({"status": 201, "override": row})
            return self._answer(201, answers)
        if method == "DELETE" and len(route) == 4:
            override = existing.get(route[3])
            if override is None:
                return self._error(404, "Not Found", 4004, ["Override not found"])
            now = fake.now or datetime.now(UTC)
            if _time(override["end"]) <= now:
                return self._error(
                    400, "Invalid Input Provided", 2001, ["Cannot delete a past override"]
                )
            if _time(override["start"]) < now:
                override["end"] = _iso(now)
                return self._answer(200, {"override": override})
            del existing[route[3]]
            return self._answer(204)
        return self._error(404, "Not Found", 2100)

    def _incident(self, body: Any) -> None:
        fake = self.fake
        if not self.headers.get("From"):
            return self._error(400, "Invalid Input Provided", 2001, ["The From header is required"])
        incident = body["incident"]
        problems = []
        if incident.get("type") != "incident":
            problems.append("type must be incident")
        if not str(incident.get("title") or "").strip():
            problems.append("Title cannot be empty")
        service = incident.get("service") or {}
        if not service.get("id") or service.get("type") not in ("service_reference", "service"):
            problems.append("Service is required")
        elif service["id"] not in fake.services:
            problems.append("Service not found")
        if incident.get("urgency", "high") not in ("high", "low"):
            problems.append("Urgency must be high or low")
        if incident.get("assignments") and incident.get("escalation_policy"):
            problems.append("Cannot specify both assignments and an escalation policy")
        for assignment in incident.get("assignments", []):
            if fake.user(assignment["assignee"]["id"]) is None:
                problems.append("Assignee not found")
        key = incident.get("incident_key")
        if key and any(
            other["incident_key"] == key
            and other["service"]["id"] == service.get("id")
            and other["status"] != "resolved"
            for other in fake.incidents
        ):
            problems.append(
                "Open incident with matching incident key already exists on this service"
            )
        if problems:
            return self._error(400, "Invalid Input Provided", 2001, problems)
        number = len(fake.incidents) + 1
        row = {
            **incident,
            "id": f"PINC{number:04d}",
            "incident_number": number,
            "status": "triggered",
            "incident_key": key or f"generated{number:08d}",
            "service": {
                "id": service["id"],
                "type": "service_reference",
                "summary": fake.services[service["id"]],
            },
            "html_url": f"https://acme.pagerduty.com/incidents/PINC{number:04d}",
            "created_at": _iso(fake.now or datetime.now(UTC)),
            "from": self.headers["From"],
        }
        fake.incidents.append(row)
        return self._answer(201, {"incident": row})

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client only speaks https): (cert, key)."""
    cert, key = folder / "pagerduty-fake.pem", folder / "pagerduty-fake.key"
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class FakePagerDutyServer:
    """Serves a `FakePagerDuty` over TLS on 127.0.0.1 from a thread until `stop()`."""

    def __init__(self, fake: FakePagerDuty, certificate: tuple[Path, Path]) -> None:
        handler = type("Handler", (_Handler,), {"fake": fake})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*certificate)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        host, port = self.server.server_address[:2]
        fake.url = f"https://{host}:{port}"
        self.fake = fake
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakePagerDuty:
        self.thread.start()
        return self.fake

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
