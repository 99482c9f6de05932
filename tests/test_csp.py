"""The content security policy and the security headers, on every page the URL conf serves.

The policy forbids inline scripts and styles, so no page may rely on them: the HTML of every
page (the admin's included, as a superuser sees it) is read for `<script>` without `src`,
`style="…"` attributes, `<style>` elements, `on…=` handlers and `javascript:` links — the
browser would block or refuse each of them.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.security_urls import endpoints, fill, security_data

pytestmark = pytest.mark.django_db

# Data blocks a browser never runs, so the policy does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


class InlineCode(HTMLParser):
    """Everything in a page that a no-inline policy would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            kind = (attributes.get("type") or "").lower()
            if kind not in DATA_SCRIPT_TYPES:
                self._script = ""
        if tag == "style":
            self.found.append("a <style> element")
        for name, value in attrs:
            runs_code = name.startswith("on") or (
                name in {"href", "src", "action", "formaction"}
                and (value or "").strip().lower().startswith("javascript:")
            )
            if name == "style" or runs_code:
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.found.append(f"an inline <script>: {self._script.strip()[:80]!r}")
            self._script = None


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def header_problems(response) -> list[str]:
    problems = []
    policy = response.get("Content-Security-Policy")
    if not policy:
        return ["no Content-Security-Policy header"]
    parsed = directives(policy)
    for directive in ("script-src", "style-src"):
        sources = parsed.get(directive, parsed.get("default-src", []))
        if not sources:
            problems.append(f"{directive}: no sources at all (nor default-src)")
        for source in sources:
            if source.strip("'") in {"unsafe-inline", "unsafe-eval", "unsafe-hashes", "*"}:
                problems.append(f"{directive} allows {source}")
    if parsed.get("object-src") != ["'none'"]:
        problems.append(f"object-src is {parsed.get('object-src')}, not 'none'")
    if parsed.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {parsed.get('frame-ancestors')}, not 'none'")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options is {response.get('X-Frame-Options')!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"X-Content-Type-Options is {response.get('X-Content-Type-Options')!r}")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')!r}")
    return problems


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def walk(client: Client, data, *, admin: bool) -> tuple[list[str], int]:
    """Every page's problems, and how many HTML pages were read."""
    problems, pages = [], 0
    for endpoint in endpoints():
        if endpoint.is_admin != admin:
            continue
        path = fill(endpoint, data)
        response = client.get(path)
        found = header_problems(response)
        if is_html(response) and not getattr(response, "streaming", False):
            pages += 1
            found += inline_code(response.content.decode())
        problems += [f"GET {path} ({response.status_code}): {problem}" for problem in found]
    return problems, pages


# --- The policy itself ------------------------------------------------------------------------


def test_the_policy_allows_scripts_and_styles_from_this_origin_only():
    configured = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert configured["script-src"] == ["'self'"]
    assert configured["style-src"] == ["'self'"]
    assert configured["object-src"] == ["'none'"]
    assert configured["frame-ancestors"] == ["'none'"]


def test_the_inline_code_reader_finds_what_the_policy_blocks():
    html = (
        '<script src="/static/a.js"></script><script type="application/json">{"a": 1}</script>'
        '<script>alert(1)</script><p style="color:red" onclick="go()">x</p>'
        '<a href=" JavaScript:alert(1)">y</a><style>p{}</style>'
    )
    found = inline_code(html)
    assert len(found) == 5, found
    assert inline_code('<p class="a">fine</p><script src="/x.js" defer></script>') == []


# --- Every page -------------------------------------------------------------------------------


def test_every_portal_page_has_the_headers_and_no_inline_code_for_a_viewer():
    data = security_data()
    client = Client(raise_request_exception=False)
    client.force_login(data.viewer)
    problems, pages = walk(client, data, admin=False)
    assert not problems, "\n".join(problems)
    assert pages >= 15


def test_every_admin_page_has_the_headers_and_no_inline_code_for_a_superuser():
    data = security_data()
    client = Client(raise_request_exception=False)
    client.force_login(data.superuser)
    problems, pages = walk(client, data, admin=True)
    assert not problems, "\n".join(problems)
    assert pages >= 120


def test_public_pages_have_the_headers_and_no_inline_code():
    client = Client(raise_request_exception=False)
    problems = []
    for path in ("/accounts/login/", "/admin/login/", "/healthz/", "/no-such-page/"):
        response = client.get(path, HTTP_ACCEPT="text/html")
        problems += [f"{path}: {p}" for p in header_problems(response)]
        problems += [f"{path}: {p}" for p in inline_code(response.content.decode())]
    assert not problems, "\n".join(problems)


def test_feeds_and_the_api_are_never_sniffed_as_html():
    data = security_data()
    client = Client()
    client.force_login(data.viewer)
    for name, content_type in (
        ("escalation:calendar_ics", "text/calendar"),
        ("escalation:api_oncall", "application/json"),
    ):
        response = client.get(reverse(name))
        assert response["Content-Type"].startswith(content_type)
        assert response["X-Content-Type-Options"] == "nosniff"
