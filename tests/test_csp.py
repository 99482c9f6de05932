"""The content security policy and the security headers, on every page the URL conf serves.

The policy forbids inline scripts and styles, so no page may rely on them: the HTML of every
page (the admin's included, as a superuser sees it) is read for `<script>` without `src`,
`style="…"` attributes, `<style>` elements, `on…=` handlers and `javascript:` links — the
browser would block or refuse each of them.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.helpers import header_problems, inline_code
from tests.security_urls import endpoints, fill, security_data

pytestmark = pytest.mark.django_db


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
    for path in (
        "/accounts/login/",
        "/admin/login/",
        "/healthz/",
        "/healthz/status/",
        "/no-such-page/",
    ):
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
