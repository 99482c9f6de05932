"""`manage.py pagerduty_link`: people to PagerDuty users by e-mail, tiers to schedules; and the
completeness item for people on a linked rotation without a PagerDuty user."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from escalation.models import Person, Rotation
from escalation.selectors.completeness import completeness
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(pagerduty_fake):
    alex = factories.PersonFactory(display_name="Alex Doe", email="alex@example.com")
    blair = factories.PersonFactory(display_name="Blair Doe", email="Blair.Doe@Example.com")
    nobody = factories.PersonFactory(display_name="Nobody Known", email="nobody@example.com")
    rotation = factories.RotationFactory(
        name="Platform on-call", slug="platform", pairs=[(alex, blair), (blair, nobody)]
    )
    for number in range(30):  # more than a page of users: the client follows `more`
        pagerduty_fake.add_user(
            f"PFILL{number:02d}", f"Filler {number}", f"filler{number}@example.com"
        )
    pagerduty_fake.add_user("PALEX01", "Alex D.", "ALEX@example.com")
    pagerduty_fake.add_user("PBLAIR1", "Blair D.", "blair.doe@example.com")
    pagerduty_fake.add_schedule("PSECOND", "Platform secondary")
    pagerduty_fake.add_schedule("PPRIMAR", "Platform primary")
    pagerduty_fake.add_schedule("POTHER1", "Data primary")
    return rotation


def _run(*args):
    out = StringIO()
    call_command("pagerduty_link", *args, stdout=out)
    return out.getvalue()


def test_link_shows_matches_and_stores_nothing_without_apply(account):
    output = _run()
    assert "Alex Doe <alex@example.com> → PALEX01 (Alex D.)" in output
    assert "Blair Doe <Blair.Doe@Example.com> → PBLAIR1" in output
    assert "Nobody Known <nobody@example.com>" in output
    assert "Platform on-call primary: suggested PPRIMAR (Platform primary)" in output
    assert "Platform on-call secondary: suggested PSECOND (Platform secondary)" in output
    assert "Nothing stored" in output
    assert not Person.objects.exclude(pagerduty_user_id="").exists()


def test_link_apply_stores_people_and_schedules(account):
    assert "Stored: 2 people and 2 rotation tiers linked." in _run("--apply")
    assert dict(
        Person.objects.exclude(pagerduty_user_id="").values_list(
            "display_name", "pagerduty_user_id"
        )
    ) == {
        "Alex Doe": "PALEX01",
        "Blair Doe": "PBLAIR1",
    }
    rotation = Rotation.objects.get(pk=account.pk)
    assert (rotation.pagerduty_primary_schedule_id, rotation.pagerduty_secondary_schedule_id) == (
        "PPRIMAR",
        "PSECOND",
    )
    assert "(nothing new)" in _run()  # a second run finds nothing to change


def test_link_with_a_wrong_key_fails_clearly_and_changes_nothing(account, settings):
    settings.PAGERDUTY_API_KEY = "wrong"
    with pytest.raises(CommandError, match="401"):
        _run("--apply")
    assert not Person.objects.exclude(pagerduty_user_id="").exists()


def test_link_without_settings_says_pagerduty_is_not_connected(db, settings):
    settings.PAGERDUTY_API_KEY = ""
    with pytest.raises(CommandError, match="PagerDuty is not connected"):
        _run()


def test_people_on_a_linked_tier_without_a_pagerduty_user_are_a_completeness_item(db):
    alex = factories.PersonFactory(display_name="Alex Doe", pagerduty_user_id="PALEX01")
    blair = factories.PersonFactory(display_name="Blair Doe")
    casey = factories.PersonFactory(display_name="Casey Doe")
    dana = factories.PersonFactory(display_name="Dana Doe", pagerduty_user_id="PDANA01")
    factories.RotationFactory(
        pairs=[(alex, blair), (dana, alex)], pagerduty_secondary_schedule_id="PSECOND"
    )
    other = factories.PersonFactory()
    factories.RotationFactory(pairs=[(casey, other), (other, casey)])  # not linked
    from django.utils import timezone

    report = completeness(now=timezone.now())
    section = report.section("people_without_pagerduty_user")
    assert [person.display_name for person in section.items] == ["Blair Doe"]
    assert section.count == 1


def test_completeness_panel_says_pagerduty_is_not_connected(manager_client, db):
    page = manager_client.get("/").content.decode()
    assert "PagerDuty is not connected" in page
