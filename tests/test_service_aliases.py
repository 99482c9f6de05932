"""A service's other names (“payments, billing”): managers edit them in the admin, validated like
every name, kept in the history, and searched by the services page and the incident start."""

import pytest
from django.core.exceptions import ValidationError

from escalation.models import Service
from tests import factories

pytestmark = pytest.mark.django_db


def test_aliases_are_one_line_of_text():
    service = factories.ServiceFactory()
    service.aliases = "payments\nbilling"

    with pytest.raises(ValidationError) as raised:
        service.full_clean()

    assert raised.value.error_dict["aliases"][0].code == "control_character"


def test_aliases_have_a_length_limit():
    service = factories.ServiceFactory()
    service.aliases = "x" * 301

    with pytest.raises(ValidationError) as raised:
        service.full_clean()

    assert "aliases" in raised.value.error_dict


def test_alias_list_reads_the_names_between_commas():
    assert Service(aliases=" payments, ,billing ,").alias_list == ["payments", "billing"]


def test_managers_edit_aliases_in_the_admin_and_the_history_keeps_them(manager_client):
    service = factories.ServiceFactory(name="Checkout", slug="checkout")
    url = f"/admin/escalation/service/{service.pk}/change/"
    form = manager_client.get(url)
    assert 'name="aliases"' in form.content.decode()

    response = manager_client.post(
        url,
        {
            "name": "Checkout",
            "slug": "checkout",
            "aliases": "payments, billing",
            "team": service.team_id,
            "description": "",
            "primary_contact": "",
            "slack_channel": "",
            "rotation": "",
            "position": 0,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.aliases == "payments, billing"
    assert service.history.first().aliases == "payments, billing"


def test_the_admin_finds_a_service_by_another_name(manager_client):
    factories.ServiceFactory(name="Checkout", slug="checkout", aliases="payments")

    html = manager_client.get("/admin/escalation/service/?q=payments").content.decode()

    assert "Checkout" in html
