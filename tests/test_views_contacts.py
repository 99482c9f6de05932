"""Contacts: the directory table (TBD highlighted, links, team filter, edit links for managers)
and the managers' completeness panel."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from escalation.models import Person, Role
from escalation.models.people import VERIFICATION_MAX_AGE
from escalation.selectors.completeness import (
    _PROBLEMS,
    COMPLETENESS_PREVIEW,
    _problems,
    attention_counts,
    completeness,
)
from escalation.views.published import CONTACTS_PER_PAGE
from tests import factories
from tests.directory_fixtures import SEED_INSTANT, build_directory
from tests.helpers import instances_built, page_text, tables

URL = "/contacts/"
#: The viewer's request (3), who is on call (2), the roles shown with their number, the teams.
QUERIES_PER_CONTACTS_PAGE = 7


@pytest.fixture
def directory(db):
    with time_machine.travel(SEED_INSTANT, tick=False):
        yield build_directory()


def contact_table(client, query=""):
    html = client.get(URL + query).content.decode()
    table = next(t for t in tables(html) if "table-stack" in t.attrs.get("class", ""))
    return html, table


def test_url_name_is_the_one_the_navigation_uses():
    assert reverse("escalation:contacts") == URL


def test_contact_table_has_the_documents_columns_and_rows(viewer_client, directory):
    _html, table = contact_table(viewer_client)

    assert table.texts[0] == ["Role", "Name", "Slack", "PagerDuty", "Phone (emergency)"]
    assert [row[0].text for row in table.rows[1:9]] == [
        "On-call (primary) Engineering on-call",
        "On-call (secondary) Engineering on-call",
        "Backend Tech Lead Backend Team",
        "Frontend Tech Lead Frontend Team",
        "DBA Lead Platform Team",
        "DevOps Lead Platform Team",
        "Engineering Manager",
        "VP of Engineering",
    ]


def test_each_page_of_the_table_reads_the_roles_it_shows_in_document_order(
    viewer_client, directory, django_assert_num_queries
):
    for n in range(2 * CONTACTS_PER_PAGE):
        factories.RoleFactory(
            name=f"Grown role {(7 * n) % 200:03d}",
            contact_position=1000 + n if n % 3 == 0 else None,
        )
    expected = [
        f"{role.name} {role.team.name}" if role.team else role.name
        for role in Role.objects.select_related("team").order_by(
            F("contact_position").asc(nulls_last=True), "name", "pk"
        )
    ]

    shown, built = [], []
    for page in (1, 2, 3):
        cache.clear()
        with (
            django_assert_num_queries(QUERIES_PER_CONTACTS_PAGE) as queries,
            instances_built() as instances,
        ):
            _html, table = contact_table(viewer_client, f"?page={page}")
        shown += [row[0].text for row in table.rows[1:]]
        built.append(instances.by_model.get("Role", 0))
        assert len(queries) == QUERIES_PER_CONTACTS_PAGE

    on_call = [name for name in shown if name.startswith("On-call")]
    roles = [name for name in shown if name not in on_call]
    assert roles == expected, "every role once, in the document's order"
    assert built == [0, 0, 0], "a page's roles are read as plain values: no Role is built"


def test_on_call_rows_name_who_is_on_call_now(viewer_client, directory):
    _html, table = contact_table(viewer_client)

    primary = table.row("On-call (primary)")
    assert primary[1].text == "Engineer C Email Engineer C Even weeks See rotation"
    assert primary[2].text == "@engineer-c or via PagerDuty"
    assert primary[3].text == "Auto-paged @pd-c"
    assert primary[4].text.endswith("or via PagerDuty")
    assert table.row("On-call (secondary)")[1].text.startswith("Engineer D")


def test_tbd_cells_are_highlighted_and_group_aliases_still_shown(viewer_client, directory):
    _html, table = contact_table(viewer_client)

    backend = table.row("Backend Tech Lead")
    assert [cell.text for cell in backend[1:]] == [
        "TBD",
        "@backend-lead group",
        "@backend-lead group",
        "TBD",
    ]
    assert ["tbd" in cell.classes for cell in backend[1:]] == [True, False, False, True]
    security = table.row("Security Lead")
    assert [cell.text for cell in security[1:]] == ["TBD", "TBD", "TBD", "TBD"]
    assert all("tbd" in cell.classes for cell in security[1:])


def test_a_holder_is_reachable_in_one_tap(viewer_client, directory):
    role = directory["roles"]["DBA Lead"]
    role.holder = factories.PersonFactory(
        display_name="Dana Base",
        email="dana@example.com",
        slack_handle="@dana",
        pagerduty_handle="@pd-dana",
        phone="+442079460555",
    )
    role.save()

    html, table = contact_table(viewer_client)

    dba = table.row("DBA Lead")
    assert [cell.text for cell in dba[1:]] == [
        "Dana Base Email Dana Base",
        "@dana",
        "@pd-dana",
        "+44 20 7946 0555",
    ]
    assert not any("tbd" in cell.classes for cell in dba[1:])
    assert 'href="tel:+442079460555"' in html
    assert 'href="mailto:dana@example.com"' in html
    assert "slack://open" not in html  # no workspace address: the handle is text to copy
    assert 'slack-name user-select-all" title="Copy this name into Slack">' in html


def test_filter_by_team_keeps_that_teams_roles(viewer_client, directory):
    team = directory["teams"]["platform"]

    _html, table = contact_table(viewer_client, f"?team={team.pk}")

    assert [row[0].text for row in table.rows[1:]] == [
        "DBA Lead Platform Team",
        "DevOps Lead Platform Team",
    ]


def test_filter_by_team_includes_roles_held_by_its_members_and_its_on_call(
    viewer_client, directory
):
    team = directory["teams"]["backend"]
    role = directory["roles"]["CTO"]
    role.holder = factories.PersonFactory(display_name="Chief", team=team)
    role.save()

    _html, table = contact_table(viewer_client, f"?team={team.pk}")

    labels = [row[0].text for row in table.rows[1:]]
    assert labels == [
        "On-call (primary) Engineering on-call",
        "On-call (secondary) Engineering on-call",
        "Backend Tech Lead Backend Team",
        "CTO",
    ]


def test_viewers_see_no_edit_column(viewer_client, directory):
    html, table = contact_table(viewer_client)

    assert "Edit" not in table.texts[0]
    assert "/admin/" not in html.split("<main", 1)[1]


def test_managers_get_an_edit_link_per_row_to_the_admin(manager_client, directory):
    html, table = contact_table(manager_client)

    assert table.texts[0][-1] == "Edit"
    role = directory["roles"]["Backend Tech Lead"]
    rotation = directory["rotation"]
    assert f'href="/admin/escalation/role/{role.pk}/change/"' in html
    assert f'href="/admin/escalation/rotation/{rotation.pk}/change/"' in html
    assert table.row("Backend Tech Lead")[-1].text == "Edit Backend Tech Lead"


def test_the_page_says_how_the_rotation_and_swaps_work(viewer_client, directory):
    html, _table = contact_table(viewer_client)
    text = page_text(html)

    assert "On-call schedule: Managed in PagerDuty." in text
    assert "#on-call-swap" in text
    assert f'href="{reverse("escalation:swaps")}"' in html


# Completeness -----------------------------------------------------------------------------


def test_completeness_panel_is_for_managers_only(client, user, manager, directory):
    client.force_login(user)
    assert "Completeness" not in page_text(client.get(URL).content.decode())
    client.force_login(manager)
    assert "Completeness" in page_text(client.get(URL).content.decode())


@pytest.fixture
def gaps(directory):
    """One of each problem the panel lists, on top of the seed's TBD roles."""
    now = SEED_INSTANT
    engineer_a = directory["engineers"]["A"]
    engineer_a.phone = ""
    engineer_a.verified_at = now - timedelta(days=10)
    engineer_a.save()
    for letter in "BCD":
        person = directory["engineers"][letter]
        person.verified_at = now - timedelta(days=10)
        person.save()
    stale = directory["engineers"]["B"]
    stale.verified_at = now - VERIFICATION_MAX_AGE - timedelta(seconds=1)
    stale.save()
    gone = directory["engineers"]["D"]
    gone.is_active = False
    gone.save()
    retired_holder = factories.PersonFactory(display_name="Retired Holder", is_active=False)
    directory["roles"]["CTO"].holder = retired_holder
    directory["roles"]["CTO"].save()
    factories.PersonFactory(display_name="Inactive Nobody", is_active=False)
    orphan = factories.ServiceFactory(name="Orphan service", primary_contact=None)
    silent = factories.ServiceFactory(
        name="Silent service", slack_channel="", team=factories.TeamFactory(slack_channel="")
    )
    return {"orphan": orphan, "silent": silent, "retired": retired_holder}


def test_completeness_lists_what_keeps_the_document_untrustworthy(db, gaps):
    report = completeness(now=SEED_INSTANT)

    assert len(report.roles_tbd) == 11
    assert [p.display_name for p in report.people_missing_contact] == ["Engineer A"]
    assert [p.display_name for p in report.people_unverified] == ["Engineer B"] + sorted(
        p.display_name for p in report.people_unverified if p.display_name.startswith("Person")
    )
    assert [s.name for s in report.services_without_owner] == ["Orphan service"]
    assert [s.name for s in report.services_without_channel] == ["Silent service"]
    assert [p.display_name for p in report.inactive_people_in_use] == [
        "Engineer D",
        "Retired Holder",
    ]


def test_completeness_items_carry_what_the_panel_shows_and_defer_the_rest(db, gaps):
    report = completeness(now=SEED_INSTANT)

    [person] = report.people_missing_contact
    assert (person.display_name, person.missing_contact_fields) == ("Engineer A", ["phone"])
    # Read, not made up: any other field is read from the database if asked for.
    assert {"email", "is_active", "team_id"} <= person.get_deferred_fields()
    assert not person._state.adding
    [service] = report.services_without_owner
    assert service.name == "Orphan service"
    assert "team_id" in service.get_deferred_fields()


def test_completeness_costs_one_query_whatever_the_data(db, gaps, django_assert_num_queries):
    with django_assert_num_queries(1):
        completeness(now=SEED_INSTANT)
    for copy in range(1, 5):
        build_directory(copy)
    with django_assert_num_queries(1):
        report = completeness(now=SEED_INSTANT)
    # Counted in full, named only up to the preview.
    assert report.section("roles_tbd").count > COMPLETENESS_PREVIEW
    assert len(report.roles_tbd) == COMPLETENESS_PREVIEW


def test_completeness_reads_what_the_orm_would_at_each_instant(db, gaps):
    """The report's query is compiled once per process and run again with only the instant
    changed: at each instant, the same rows as the queryset built for it."""
    people = list(Person.objects.exclude(verified_at=None).order_by("verified_at")[:3])
    instants = [SEED_INSTANT, SEED_INSTANT + timedelta(days=400)] + [
        person.verified_at + VERIFICATION_MAX_AGE + offset
        for person in people
        for offset in (timedelta(0), timedelta(microseconds=1))
    ]
    for now in instants:
        stale_before = now - VERIFICATION_MAX_AGE
        assert _PROBLEMS.rows(stale_before) == list(_problems(stale_before)), now


def test_completeness_builds_the_rows_it_names_whatever_the_number_of_people(db, gaps):
    def grow(count):
        for _n in range(count):
            factories.PersonFactory(phone="", verified_at=None)
            factories.RoleFactory(holder=factories.PersonFactory(is_active=False))
            factories.ServiceFactory(primary_contact=None, slack_channel="")

    grow(COMPLETENESS_PREVIEW)
    with instances_built() as before:
        report = completeness(now=SEED_INSTANT)
    named = sum(len(section.items) for section in report.sections)
    grow(5 * COMPLETENESS_PREVIEW)
    with instances_built() as after:
        grown = completeness(now=SEED_INSTANT)

    # One row per item named, the few first of each problem; the rest only counted.
    assert before.count == named <= COMPLETENESS_PREVIEW * len(report.sections)
    assert after.count == before.count, after.by_model
    assert grown.section("people_missing_contact").count > 5 * COMPLETENESS_PREVIEW


def test_completeness_holds_until_the_next_contact_turns_stale(db):
    factories.PersonFactory(verified_at=SEED_INSTANT - timedelta(days=10))
    factories.PersonFactory(verified_at=SEED_INSTANT - timedelta(days=30))

    report = completeness(now=SEED_INSTANT)

    stale_at = SEED_INSTANT - timedelta(days=30) + VERIFICATION_MAX_AGE
    assert report.validity.contains(stale_at)
    assert not report.validity.contains(stale_at + timedelta(microseconds=1))
    assert report.section("people_unverified").count == 0
    later = completeness(now=stale_at + timedelta(microseconds=1))
    assert later.section("people_unverified").count == 1


def test_never_verified_people_count_as_unverified(db):
    person = factories.PersonFactory(verified_at=None)
    fresh = factories.PersonFactory(verified_at=datetime(2026, 11, 1, tzinfo=UTC))

    report = completeness(now=SEED_INSTANT)

    assert person in report.people_unverified
    assert fresh not in report.people_unverified


def test_the_panel_counts_and_links_each_item_to_its_admin_page(manager_client, gaps):
    html = manager_client.get(URL).content.decode()
    text = page_text(html)

    assert "11 Roles without a holder (TBD)" in text
    assert "1 People without phone, Slack or PagerDuty" in text
    assert "Engineer A missing phone" in text
    assert "1 Services without an owner" in text
    assert "2 Inactive people still on a rotation or holding a role" in text
    assert (
        f'href="/admin/escalation/service/{gaps["orphan"].pk}/change/">Orphan service</a>' in html
    )
    assert (
        f'href="/admin/escalation/service/{gaps["silent"].pk}/change/">Silent service</a>' in html
    )
    assert (
        f'href="/admin/escalation/person/{gaps["retired"].pk}/change/">Retired Holder</a>' in html
    )


def test_a_complete_directory_says_so(manager_client, db):
    factories.RoleFactory(holder__verified_at=SEED_INSTANT)
    with time_machine.travel(SEED_INSTANT, tick=False):
        text = page_text(manager_client.get(URL).content.decode())

    assert "All contacts complete" in text


def test_the_dashboard_include_renders_from_the_selector_alone(db, gaps):
    from django.template.loader import render_to_string

    html = render_to_string(
        "includes/_completeness.html", {"completeness": completeness(now=SEED_INSTANT)}
    )

    assert "Roles without a holder (TBD)" in page_text(f"<main>{html}</main>")
    assert "/admin/escalation/role/" in html


@pytest.mark.parametrize(
    "missing", [{"phone": ""}, {"slack_handle": ""}, {"pagerduty_handle": ""}], ids=str
)
def test_a_missing_contact_means_the_same_on_the_panel_in_the_admin_and_on_the_person(
    client, staff_user, missing
):
    """One rule (`models.people.missing_contact_q`): the panel, the admin's filter and count,
    and the person's own list of gaps agree on who lacks a contact detail."""
    now = timezone.now()
    lacking = factories.PersonFactory(verified_at=now, **missing)
    factories.PersonFactory(verified_at=now)
    client.force_login(staff_user)

    report = completeness(now=now)
    admin_list = client.get(
        reverse("admin:escalation_person_changelist"), {"missing": "any"}
    ).context["cl"]

    assert list(report.people_missing_contact) == [lacking]
    assert list(admin_list.result_list) == [lacking]
    assert attention_counts(at=now)["people_missing"] == 1
    assert len(lacking.missing_contact_fields) == 1


def test_with_a_workspace_address_slack_names_link_to_the_conversation(
    viewer_client, directory, settings
):
    settings.PORTAL_SLACK_WORKSPACE_URL = "https://acme.slack.com"
    html = viewer_client.get(reverse("escalation:channels")).content.decode()
    assert 'href="https://acme.slack.com/app_redirect?channel=incidents"' in html
    assert "Copy this name into Slack" not in html


def test_the_table_renders_no_template_per_row(viewer_client, directory):
    """The cells are written in Python: a page of 100 rows renders as many templates as 10."""
    few = viewer_client.get(URL)
    for copy in range(1, 12):
        build_directory(copy)
    many = viewer_client.get(URL)

    assert len(contact_table(viewer_client)[1].rows) > 3 * len(tables(few.content.decode())[0].rows)

    def page_templates(response):
        return sorted(t.name for t in response.templates if t.name.startswith("escalation/"))

    assert page_templates(many) == page_templates(few)
