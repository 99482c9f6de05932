"""Query parameters fuzzed: whatever a link, a bookmark or a script sends, the pages and feeds
answer 200 (a notice, the default) or 400 (a clear error), never 500.

Strings come from Hypothesis: anything at all, things that look almost like dates, times,
numbers and slugs, and the classics (NUL, superscript and Arabic-Indic digits, huge numbers,
30 February, offsets of 99 hours).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security_urls import security_data

pytestmark = pytest.mark.django_db

CASES: Counter[str] = Counter()  # examples run per page, for the closing count

CLASSICS = [
    "",
    " ",
    "\x00",
    "%00",
    "²",
    "١٢",
    "٣",
    "Ⅻ",
    "9" * 30,
    "9" * 5000,
    "-1",
    "0",
    "1e3",
    "0x10",
    "+",
    "now",
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "9999-12-31",
    "1969-12-31T23:59:59Z",
    "2199-12-31T23:59:59+00:00",
    "2200-01-01T00:00:00Z",
    "2026-11-30T09:00:00+99:00",
    "2026-11-30T09:00:00 01:00",
    "2026-11-30T25:00:00Z",
    "2026-W48-1",
    "24:00",
    "10:61",
    "1012",
    "SEV0",
    "sev 10",
    "technical\x00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\u202e",
]
# Anything but lone surrogates, which no browser can send (they are not UTF-8).
ANY_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=60)
DATE_LIKE = st.text(st.sampled_from("0123456789-:T+Z.,W /"), max_size=32)
VALUES = st.one_of(st.sampled_from(CLASSICS), ANY_TEXT, DATE_LIKE)
FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def data():
    return security_data()


@pytest.fixture
def viewer(data):
    client = Client(raise_request_exception=False)
    client.force_login(data.viewer)
    return client


@pytest.fixture
def manager(data):
    client = Client(raise_request_exception=False)
    client.force_login(data.manager)
    return client


def get(client: Client, name: str, url: str, query: dict[str, str]):
    CASES[name] += 1
    response = client.get(url, query)
    assert response.status_code in {200, 400}, (url, query, response.status_code)
    return response


@FUZZ
@given(at=VALUES)
def test_api_at(viewer, at):
    response = get(viewer, "api ?at", reverse("escalation:api_oncall"), {"at": at})
    body = json.loads(response.content)
    if response.status_code == 400:
        assert body["error"]
    else:
        assert body["at"].endswith("Z") and isinstance(body["rotations"], list)


@FUZZ
@given(start=VALUES, weeks=VALUES, at=VALUES)
def test_calendar_start_weeks_at(viewer, start, weeks, at):
    query = {"start": start, "weeks": weeks, "at": at}
    response = get(viewer, "calendar ?start&weeks&at", reverse("escalation:calendar"), query)
    assert response.status_code == 200  # a notice and the default, never an error page
    assert b"Traceback" not in response.content


@FUZZ
@given(severity=VALUES, kind=VALUES, started=VALUES)
def test_service_sheet_severity_kind_started(viewer, data, severity, kind, started):
    url = reverse("escalation:service_detail", args=[data.service.slug])
    query = {"severity": severity, "kind": kind, "started": started}
    get(viewer, "service ?severity&kind&started", url, query)


@FUZZ
@given(person=VALUES)
def test_calendar_feed_person(viewer, person):
    response = get(
        viewer, "calendar.ics ?person", reverse("escalation:calendar_ics"), {"person": person}
    )
    if response.status_code == 200:
        assert response.content.startswith(b"BEGIN:VCALENDAR")


@FUZZ
@given(token=VALUES, at=VALUES)
def test_feeds_token(client, token, at):
    # Without a session: a wrong token is 403 whatever it looks like.
    client.raise_request_exception = False
    CASES["feeds ?token"] += 1
    for name in ("escalation:api_oncall", "escalation:calendar_ics"):
        response = client.get(reverse(name), {"token": token, "at": at})
        assert response.status_code in {401, 403}, (token, response.status_code)


@FUZZ
@given(q=VALUES, team=VALUES, sort=VALUES, page=VALUES)
def test_table_pages_search_filter_sort_page(viewer, q, team, sort, page):
    for name in ("escalation:services", "escalation:contacts"):
        query = {"q": q, "team": team, "sort": sort, "page": page}
        get(viewer, "services/contacts ?q&team&sort&page", reverse(name), query)


@FUZZ
@given(show=VALUES, page=VALUES)
def test_swap_list_show_page(viewer, show, page):
    get(viewer, "swaps ?show&page", reverse("escalation:swaps"), {"show": show, "page": page})


@FUZZ
@given(requester=VALUES, shift=VALUES, kind=VALUES, colleague=VALUES)
def test_swap_form_prefill(manager, requester, shift, kind, colleague):
    query = {"requester": requester, "shift": shift, "kind": kind, "colleague": colleague}
    get(manager, "swaps/new ?requester&shift&kind&colleague", reverse("escalation:swap_new"), query)


# The classics, every one on every parameter of a page at once (Hypothesis only samples them).
PARAMETERS = [
    ("escalation:api_oncall", None, ["at"]),
    ("escalation:calendar", None, ["start", "weeks", "at"]),
    ("escalation:service_detail", "service", ["severity", "kind", "started"]),
    ("escalation:calendar_ics", None, ["person"]),
    ("escalation:services", None, ["q", "team", "sort", "page"]),
    ("escalation:contacts", None, ["team", "sort", "page"]),
    ("escalation:swaps", None, ["show", "page"]),
    ("escalation:swap_new", None, ["requester", "shift", "kind", "colleague", "return_shift"]),
]


def test_every_classic_on_every_parameter(data, manager):
    failures = []
    for name, argument, parameters in PARAMETERS:
        args = [data.service.slug] if argument == "service" else []
        url = reverse(name, args=args)
        for value in CLASSICS:
            CASES["classics"] += 1
            response = manager.get(url, dict.fromkeys(parameters, value))
            if response.status_code not in {200, 400}:
                failures.append(f"{url} with {value[:40]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_zz_fuzz_cases_were_run():
    """The count for the closing note (runs last in this module)."""
    if not CASES:
        pytest.skip("run with the fuzz tests above")
    print("fuzz cases:", dict(CASES), "total", sum(CASES.values()))
    assert all(count >= 20 for count in CASES.values())
