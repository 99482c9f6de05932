"""Every fact of the bundled escalation document, imported, is on a published page: the pages
replace the document, so nothing it says may be lost. One test per section of the document."""

import pytest
import time_machine

from tests.directory_fixtures import SEED_INSTANT
from tests.helpers import page_text, svgs, tables

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def seed(seeded, viewer_client):
    with time_machine.travel(SEED_INSTANT, tick=False):  # even ISO week: Engineers C and D
        yield viewer_client


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_contact_matrix_by_severity(seed):
    html = get(seed, "/severity/")
    matrix = next(t for t in tables(html) if "severity-matrix" in t.attrs.get("class", ""))

    rows = {row[0].text: [cell.text for cell in row[1:]] for row in matrix.rows[1:]}
    assert rows["SEV1"][0].startswith("On-call engineer via PagerDuty On call now: Engineer C")
    assert rows["SEV1"][1].startswith(
        "Backend lead Backend Tech Lead TBD @backend-lead + Frontend lead"
    )
    assert rows["SEV1"][2] == (
        "Engineering Manager TBD @eng-manager + VP Eng VP of Engineering TBD @vp-eng"
    )
    assert rows["SEV1"][3] == "Status page + #incidents"
    assert rows["SEV2"][0].startswith("On-call engineer via PagerDuty")
    assert rows["SEV2"][1] == "Relevant team lead Depends on the service"
    assert rows["SEV2"][2] == "Engineering Manager TBD @eng-manager"
    assert rows["SEV2"][3] == "#incidents"
    assert rows["SEV3"][0].startswith("On-call engineer via Slack")
    assert rows["SEV3"][1:] == [
        "Relevant team lead Depends on the service",
        "Not required",
        "#incidents-low",
    ]
    assert rows["SEV4"] == [
        "Team responsible for service Depends on the service",
        "Not required",
        "Not required",
        "Ticket only",  # not "Ticket only", then "Ticket"
    ]


def test_on_call_rotation(seed):
    html = get(seed, "/contacts/")
    text = page_text(html)
    slots = next(t for t in tables(html) if "rotation-slots" in t.attrs.get("class", ""))

    assert slots.texts == [
        ["Week", "Primary", "Secondary"],
        ["Odd weeks", "Engineer A", "Engineer B"],
        ["Even weeks now", "Engineer C", "Engineer D"],
    ]
    assert "On-call schedule: Managed in PagerDuty." in text
    assert "Rotation: every week, handoff on Monday 09:00 UTC." in text
    assert "#on-call-swap" in text


def test_service_ownership(seed):
    html = get(seed, "/services/")

    rows = [[cell.text for cell in row[:4]] for row in tables(html)[0].rows[1:]]
    assert [[row[0].removesuffix(" Who do I contact?"), *row[1:]] for row in rows] == [
        ["Backend API (FastAPI)", "Backend Team", "Backend Tech Lead TBD", "#team-backend"],
        ["Frontend (React)", "Frontend Team", "Frontend Tech Lead TBD", "#team-frontend"],
        ["Database (PostgreSQL)", "Platform Team", "DBA Lead TBD", "#team-platform"],
        ["Redis / Caching", "Platform Team", "Platform Engineer TBD", "#team-platform"],
        ["CI/CD Pipeline", "Platform Team", "DevOps Lead TBD", "#team-platform"],
        ["Authentication", "Backend Team", "Auth Module Owner TBD", "#team-backend"],
        ["Infrastructure / Cloud", "Platform Team", "Infrastructure Lead TBD", "#team-platform"],
        ["Third-party integrations", "Backend Team", "Integration Lead TBD", "#team-backend"],
    ]


def test_escalation_paths(seed):
    drawings = svgs(get(seed, "/escalation/"))

    def boxes(svg):
        return [
            " ".join(
                text.text
                for text in g.iter(f"{SVG}text")
                if "node-title" in text.get("class") or "node-note" in text.get("class")
            )
            for g in svg.iter(f"{SVG}g")
            if g.get("class", "").startswith("node")
        ]

    def arrows(svg):
        return [
            " ".join(text.text for text in g.iter(f"{SVG}text"))
            for g in svg.iter(f"{SVG}g")
            if g.get("class") == "edge-group"
        ]

    assert [svg.find(f"{SVG}title").text for svg in drawings] == [
        "Technical Escalation: flowchart",
        "Data / Security Incidents: flowchart",
        "Third-Party / Vendor Issues: flowchart",
    ]
    technical, security, vendor = drawings
    assert boxes(technical) == [
        "On-call Engineer",
        "Team Lead for affected service",
        "Engineering Manager",
        "VP of Engineering",
    ]
    assert arrows(technical) == ["", "", "SEV1 only · after 30 min"]
    assert boxes(security) == ["On-call Engineer", "Security Lead", "CTO + Legal"]
    assert arrows(security) == ["", "if data breach confirmed"]
    assert boxes(vendor) == [
        "On-call Engineer",
        "Integration Lead",
        "Vendor support using premium support channel",
    ]


def test_communication_channels(seed):
    html = get(seed, "/channels/")

    assert tables(html)[0].texts[1:] == [
        [
            "#incidents Slack channel",
            "Active SEV1/SEV2 incident coordination",
            "Incident commander, responders",
        ],
        ["#incidents-low Slack channel", "SEV3/SEV4 tracking", "On-call engineer"],
        ["#engineering Slack channel", "Post-incident summaries", "Incident commander"],
        ["#status-updates Slack channel", "External-facing status updates", "Incident commander"],
        ["PagerDuty PagerDuty", "Automated alerting and paging", "Monitoring system"],
    ]
    # The channels the document names elsewhere: the matrix's, and where overrides are asked
    # for. No column whose every cell would be "—".
    assert tables(html)[1].texts == [
        ["Channel", "Kind", "Purpose"],
        ["#on-call-swap", "Slack channel", "Override requests"],
        ["Status page", "Status page", "—"],
        ["Ticket", "Ticket queue", "—"],
    ]


def test_contact_information(seed):
    html = get(seed, "/contacts/")
    table = next(t for t in tables(html) if "table-inline-labels" in t.attrs.get("class", ""))

    assert table.texts[0] == ["Role", "Name", "Slack", "PagerDuty", "Phone (emergency)"]
    on_call = table.texts[1:3]
    assert on_call == [
        [
            "On-call (primary) On-call rotation",
            "Engineer C Even weeks See rotation",
            "Via PagerDuty",
            "Auto-paged",
            "Via PagerDuty",
        ],
        [
            "On-call (secondary) On-call rotation",
            "Engineer D Even weeks See rotation",
            "Via PagerDuty",
            "Auto-paged",
            "Via PagerDuty",
        ],
    ]
    assert [row[0] for row in table.texts[3:9]] == [
        "Backend Tech Lead Backend Team",
        "Frontend Tech Lead Frontend Team",
        "DBA Lead Platform Team",
        "DevOps Lead Platform Team",
        "Engineering Manager",
        "VP of Engineering",
    ]
    assert [row[1:] for row in table.texts[3:9]] == [
        ["TBD", "@backend-lead group", "@backend-lead group", "TBD"],
        ["TBD", "@frontend-lead group", "@frontend-lead group", "TBD"],
        ["TBD", "@dba-lead group", "@dba-lead group", "TBD"],
        ["TBD", "@devops-lead group", "@devops-lead group", "TBD"],
        ["TBD", "@eng-manager group", "@eng-manager group", "TBD"],
        ["TBD", "@vp-eng group", "@vp-eng group", "TBD"],
    ]


def test_when_to_page_vs_when_to_slack(seed):
    html = get(seed, "/paging/")

    assert tables(html)[0].texts[1:] == [
        ["Service completely down", "Page immediately", "PagerDuty"],
        ["Error rate > 5%", "Page immediately", "PagerDuty"],
        ["Error rate 1-5%", "Slack notification", "#incidents"],
        ["Performance degradation > 2x", "Page if sustained > 5 min", "PagerDuty"],
        ["Single user report", "Investigate, no page", "#incidents-low"],
        ["Multiple user reports", "Evaluate severity, likely page", "PagerDuty or #incidents"],
        ["Scheduled maintenance issue", "Slack notification", "#incidents-low"],
    ]


def test_the_sheet_of_a_seeded_service_times_the_vp_escalation(seed):
    with time_machine.travel(SEED_INSTANT.replace(minute=20), tick=False):
        text = page_text(get(seed, "/services/backend-api-fastapi/?severity=1&started=10:12"))

    assert (
        "Escalate to VP of Engineering at 10:42 if still unresolved (SEV1 only · after 30 min)."
        in text
    )
    assert "4 Communicate Status page + #incidents" in text
