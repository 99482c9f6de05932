"""The published pages together: login required, fixed query budgets, hostile names escaped,
and the channels and paging guide pages. Page-specific behaviour: test_views_<page>.py."""

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from escalation import models
from tests import factories
from tests.directory_fixtures import SEED_INSTANT, build_directory, grow_company
from tests.helpers import instances_built, page_text, svgs, tables

# Every page pays for the session, the user, and the viewer (their Person, the managers-group
# check and the data version, in one query); most ask who is on call (`on_call_now`, two).
REQUEST = 3
ON_CALL = 2
QUERY_BUDGET = {
    "escalation:severity": REQUEST + ON_CALL + 1,  # severities with their responders
    "escalation:services": REQUEST + ON_CALL + 3,  # count, page of rows, teams of the filter
    "escalation:paths": REQUEST + ON_CALL + 1,  # paths with their steps, severities, parties
    "escalation:contacts": REQUEST + ON_CALL + 2,  # roles, teams of the filter
    "escalation:channels": REQUEST + 4,
    "escalation:paging": REQUEST + ON_CALL + 1,
}
SHEET_QUERIES = REQUEST + ON_CALL + 3  # service, severities + responders, path + steps + parties
PATH_QUERIES = QUERY_BUDGET["escalation:paths"]
MANAGER_CONTACTS_QUERIES = QUERY_BUDGET["escalation:contacts"] + 1  # completeness
FILTERED_SERVICES_QUERIES = QUERY_BUDGET["escalation:services"] + 1  # the team chosen

HOSTILE = "</text><script>alert(1)</script>\"&<>' 🚨\u200fאב"


PAGES = {
    "severity": ("escalation:severity", []),
    "services": ("escalation:services", []),
    "service sheet": ("escalation:service_detail", ["backend-api"]),
    "paths": ("escalation:paths", []),
    "one path": ("escalation:path_detail", ["technical"]),
    "contacts": ("escalation:contacts", []),
    "channels": ("escalation:channels", []),
    "paging": ("escalation:paging", []),
}
#: The pages that need no row to exist (the service sheet and a path are looked up by slug).
LISTS = ["severity", "services", "paths", "contacts", "channels", "paging"]


def page_url(page: str) -> str:
    name, args = PAGES[page]
    return reverse(name, args=args)


@pytest.fixture
def frozen():
    with time_machine.travel(SEED_INSTANT, tick=False):
        yield


@pytest.fixture
def directory(db, frozen):
    return build_directory()


# The ladder -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, page):
    url = page_url(page)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", PAGES)
def test_signed_in_people_read_every_page(viewer_client, directory, page):
    response = viewer_client.get(page_url(page))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "page", ["severity", "service sheet", "paths", "one path", "channels", "paging"]
)
def test_pages_only_read(viewer_client, directory, page):
    response = viewer_client.post(page_url(page))

    assert response.status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/services/no-such-service/", "/escalation/no-such-path/"],
)
def test_unknown_service_or_path_is_not_found(viewer_client, url):
    assert viewer_client.get(url).status_code == 404


EMPTY_PAGE_SAYS = {
    "severity": "No severity has been defined yet.",
    "services": "No service matches.",
    "paths": "No escalation path yet.",
    "contacts": "No contact matches.",
    "channels": "No channel yet.",
    "paging": "No paging rule yet.",
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", LISTS)
def test_an_empty_directory_says_so_on_every_list(viewer_client, page):
    response = viewer_client.get(page_url(page))

    assert response.status_code == 200
    assert EMPTY_PAGE_SAYS[page] in page_text(response.content.decode())


# Query budgets ----------------------------------------------------------------------------


def assert_budgets(client, django_assert_num_queries):
    team = models.Team.objects.get(slug="backend")
    pages = [(reverse(name), queries) for name, queries in QUERY_BUDGET.items()] + [
        (reverse("escalation:service_detail", args=["backend-api"]) + "?severity=2", SHEET_QUERIES),
        (reverse("escalation:path_detail", args=["technical"]), PATH_QUERIES),
        (
            reverse("escalation:services") + f"?q=lead&team={team.pk}&sort=team",
            FILTERED_SERVICES_QUERIES,
        ),
    ]
    for url, queries in pages:
        with django_assert_num_queries(queries):
            first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(REQUEST):  # cached whole: the content from the cache
            again = client.get(url)
        assert page_text(again.content.decode()) == page_text(first.content.decode()), url


def test_each_page_has_its_query_budget(viewer_client, directory, django_assert_num_queries):
    assert_budgets(viewer_client, django_assert_num_queries)


def test_query_budgets_hold_with_twenty_times_the_seed(
    viewer_client, directory, django_assert_num_queries
):
    for copy in range(1, 20):
        build_directory(copy)
    factories.OverrideFactory(
        rotation=directory["rotation"],
        start=SEED_INSTANT.replace(hour=0),
        person=factories.PersonFactory(),
    )
    assert models.Service.objects.count() == 160
    assert models.EscalationPath.objects.count() == 60

    assert_budgets(viewer_client, django_assert_num_queries)


def test_managers_contacts_page_adds_the_completeness_panel_for_one_query(
    manager_client, directory, django_assert_num_queries
):
    with django_assert_num_queries(MANAGER_CONTACTS_QUERIES):
        response = manager_client.get(reverse("escalation:contacts"))

    assert "Completeness" in page_text(response.content.decode())


# Hostile names ----------------------------------------------------------------------------


@pytest.fixture
def hostile(directory):
    """Every free-text field a page shows, filled with markup, quotes, emoji and RTL marks."""
    engineer = directory["engineers"]["C"]  # on call at SEED_INSTANT
    engineer.display_name = HOSTILE
    engineer.save()
    vp = directory["roles"]["VP of Engineering"]
    vp.name = f"VP {HOSTILE}"
    vp.holder = factories.PersonFactory(display_name=f"Holder {HOSTILE}")
    vp.save()
    team = directory["teams"]["backend"]
    team.name = f"Team {HOSTILE}"
    team.save()
    service = directory["services"]["Backend API (FastAPI)"]
    service.name = f"Service {HOSTILE}"
    service.description = HOSTILE
    service.save()
    path = directory["paths"]["technical"]
    path.name = f"Path {HOSTILE}"
    path.description = HOSTILE
    path.save()
    step = path.steps.get(position=1)
    step.note = f"note {HOSTILE}"
    step.condition = f"cond {HOSTILE}"
    step.save()
    models.EscalationStepParty.objects.filter(step=step).update(label=f"Label {HOSTILE}")
    models.SeverityResponder.objects.filter(
        severity__level=2, tier=models.ResponderTier.SECONDARY
    ).update(label=f"Responder {HOSTILE}")
    channel = directory["channels"]["#incidents"]
    channel.purpose = f"Purpose {HOSTILE}"
    channel.who_posts = f"Who {HOSTILE}"
    channel.save()
    models.PagingRule.objects.filter(signal="Error rate > 5%").update(signal=f"Signal {HOSTILE}")
    return directory


HOSTILE_ON_PAGE = {
    "severity": ["Responder ", "VP ", "Holder "],
    "services": ["Service ", "Team ", ""],
    "service sheet": ["Service ", "Label ", "note ", "cond ", "VP "],
    "paths": ["Path ", "Label ", "note ", "cond ", "VP ", "Holder "],
    "one path": ["Path ", "Label ", "note ", "VP ", "Holder "],
    "contacts": ["VP ", "Holder ", "Team "],
    "channels": ["Purpose ", "Who ", "Team ", "Service "],
    "paging": ["Signal "],
}


@pytest.mark.parametrize("page", PAGES)
def test_hostile_names_are_shown_as_text_on_every_page(manager_client, hostile, page):
    response = manager_client.get(page_url(page))
    html = response.content.decode()

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    text = page_text(html)
    for prefix in HOSTILE_ON_PAGE[page]:
        assert f"{prefix}{HOSTILE}" in text
    for svg in svgs(html):
        assert "script" not in {element.tag.rsplit("}", 1)[-1] for element in svg.iter()}


@pytest.mark.parametrize("page", ["paths", "one path"])
def test_hostile_names_inside_flowcharts_keep_the_svg_well_formed(viewer_client, hostile, page):
    html = viewer_client.get(page_url(page)).content.decode()

    drawing = svgs(html)[0]
    words = "".join(drawing.itertext())
    assert f"Label {HOSTILE}" in words
    assert f"note {HOSTILE}" in words
    assert f"Holder {HOSTILE}" in words
    assert f"Path {HOSTILE}" in words


def test_longest_names_keep_the_flowchart_whole_and_narrow(viewer_client, directory):
    label = "W" * 200  # the longest label the database takes, with nowhere to break
    holder = factories.PersonFactory(display_name="N" * 200)
    models.Role.objects.filter(pk=directory["roles"]["Security Lead"].pk).update(holder=holder)
    models.EscalationStepParty.objects.filter(
        step__path=directory["paths"]["security"], step__position=1
    ).update(label=label)
    path = directory["paths"]["security"]
    path.description = "D" * 10_000
    path.save()

    html = viewer_client.get(reverse("escalation:path_detail", args=["security"])).content.decode()

    drawing = svgs(html)[0]
    node_titles = [element.text for element in drawing.iter("{http://www.w3.org/2000/svg}title")]
    assert f"{label} — Security Lead: {holder.display_name}" in node_titles
    assert float(drawing.get("width")) < 400
    assert "D" * 10_000 in page_text(html)


# Channels ---------------------------------------------------------------------------------


def test_channels_page_lists_the_documents_channels_in_order(viewer_client, directory):
    html = viewer_client.get(reverse("escalation:channels")).content.decode()

    incident_table = tables(html)[0]
    assert incident_table.texts[1:] == [
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
    assert "slack://open" not in html
    assert 'slack-name user-select-all" title="Copy this name into Slack">' in html


def test_channels_page_shows_other_channels_and_each_teams_channel(viewer_client, directory):
    html = viewer_client.get(reverse("escalation:channels")).content.decode()

    other, teams = tables(html)[1], tables(html)[2]
    assert [row[0].text for row in other.rows[1:]] == ["Status page", "Ticket queue"]
    platform = teams.row("#team-platform")
    assert platform[1].text == "Platform Team"
    assert platform[2].text == (
        "Database (PostgreSQL), Redis / Caching, CI/CD Pipeline, Infrastructure / Cloud"
    )


def test_channels_page_says_how_swaps_work_now(viewer_client, directory):
    html = viewer_client.get(reverse("escalation:channels")).content.decode()
    text = page_text(html)

    assert "On-call schedule: Managed in PagerDuty." in text
    assert "every week, handoff on Monday 09:00 UTC" in text
    assert "#on-call-swap" in text
    assert f'href="{reverse("escalation:swaps")}"' in html


# Paging guide -----------------------------------------------------------------------------


def test_paging_guide_lists_every_rule_with_its_action_and_channel(viewer_client, directory):
    html = viewer_client.get(reverse("escalation:paging")).content.decode()

    assert tables(html)[0].texts[1:] == [
        ["Service completely down", "Page immediately", "PagerDuty"],
        ["Error rate > 5%", "Page immediately", "PagerDuty"],
        ["Error rate 1-5%", "Slack notification", "#incidents"],
        ["Performance degradation > 2x", "Page if sustained > 5 min", "PagerDuty"],
        ["Single user report", "Investigate, no page", "#incidents-low"],
        ["Multiple user reports", "Evaluate severity, likely page", "PagerDuty or #incidents"],
        ["Scheduled maintenance issue", "Slack notification", "#incidents-low"],
    ]


def test_page_immediately_rows_stand_out(viewer_client, directory):
    html = viewer_client.get(reverse("escalation:paging")).content.decode()

    table = tables(html)[0]
    urgent = [
        row[0].text
        for row, attrs in zip(table.rows, table.row_attrs, strict=True)
        if "row-urgent" in attrs.get("class", "")
    ]
    assert urgent == ["Service completely down", "Error rate > 5%"]
    table_html = html[html.index("<table") : html.index("</table>")]
    assert table_html.count('<span class="urgent">') == 2


def test_paging_guide_says_who_a_page_reaches_now(viewer_client, directory):
    text = page_text(viewer_client.get(reverse("escalation:paging")).content.decode())

    assert "A page reaches the on-call engineer: now Engineer C, then Engineer D." in text


@pytest.mark.parametrize(
    "url",
    [
        "/services/?q=%00",
        "/services/?page=abc",
        "/services/?page=999",
        "/services/?sort=%3Cscript%3E",
        "/services/?team=abc",
        "/contacts/?team=%00",
        "/contacts/?page=-1",
        "/services/backend-api/?started=%00&severity=%00&kind=%00",
    ],
)
def test_malformed_query_strings_never_fail(viewer_client, directory, url):
    response = viewer_client.get(url)

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    "sort", ["../../etc/passwd", "team.slug", "-nonsense", "primary_contact__holder"]
)
def test_an_unknown_sort_shows_the_services_in_document_order(viewer_client, directory, sort):
    plain = viewer_client.get(reverse("escalation:services"))
    odd = viewer_client.get(reverse("escalation:services"), {"sort": sort})

    assert odd.status_code == 200
    assert [str(row.record) for row in odd.context["table"].page.object_list] == [
        str(row.record) for row in plain.context["table"].page.object_list
    ]


def test_a_known_sort_still_sorts_the_services(viewer_client, directory):
    response = viewer_client.get(reverse("escalation:services"), {"sort": "-name"})

    names = [row.record.name for row in response.context["table"].page.object_list]
    assert names == sorted(names, reverse=True)


# Rows read --------------------------------------------------------------------------------

#: Model instances a request builds (`helpers.instances_built`), the cache cold, at the seed's
#: size and with thirty more teams, each with people, a rotation with a week of overrides, a
#: role and a service (`grow_company(30)`). Each request builds its session and user (2).
#: What a page shows from severities, paths and paging rules alone does not grow with the
#: company, and neither do its rows: those pages read the rotations they name, not all.
SAME_AT_ANY_SIZE = {
    "/severity/": 33,
    "/paging/": 20,
    "/services/backend-api/?severity=2": 29,  # the responders of the severity shown only
    "/escalation/technical/": 16,
    "/escalation/": 34,
    "/swaps/": 2,
    "/profile/": 2,
}
#: Pages that show something per rotation, service or team: (at the seed's size, grown).
GROWING = {
    "/services/": (29, 165),  # one page of 25 rows and their rotations; the team filter reads names
    "/": (7, 155),  # one line per rotation: the pair on call now
    "/contacts/": (5, 95),  # who is on call in each rotation; the slot table reads names only
    "/channels/": (9, 9),  # the channels; rotations, teams and services read as plain values
    "/oncall/": (7, 157),  # the viewer has no rotation: every rotation's weeks, no slot built
    "/api/oncall/": (5, 95),  # every rotation
    "/oncall/calendar.ics": (7, 157),  # every rotation's shifts
}


def instances_per_page(client) -> dict[str, int]:
    counts = {}
    for url in [*SAME_AT_ANY_SIZE, *GROWING]:
        cache.clear()
        with instances_built() as built:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = built.count
    return counts


def test_pages_read_rows_for_what_they_show_not_for_the_size_of_the_company(
    viewer_client, directory, frozen
):
    seed = instances_per_page(viewer_client)
    grow_company(30)
    assert models.Rotation.objects.count() == 31
    grown = instances_per_page(viewer_client)

    assert {url: seed[url] for url in SAME_AT_ANY_SIZE} == SAME_AT_ANY_SIZE
    assert {url: grown[url] for url in SAME_AT_ANY_SIZE} == SAME_AT_ANY_SIZE
    assert {url: (seed[url], grown[url]) for url in GROWING} == GROWING


def test_also_used_leaves_out_the_columns_no_channel_fills(viewer_client, directory):
    html = viewer_client.get(reverse("escalation:channels")).content.decode()

    assert tables(html)[1].texts[0] == ["Channel", "Kind"]
