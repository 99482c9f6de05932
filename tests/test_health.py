from unittest import mock

import pytest
from django.db.utils import OperationalError


@pytest.mark.django_db
def test_healthz_needs_no_login_and_answers_200_when_healthy(client):
    response = client.get("/healthz/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert any("Database" in name for name in body)
    assert any("Cache" in name for name in body)


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client):
    with mock.patch(
        "health_check.checks.Database.run", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503


@pytest.mark.django_db
def test_healthz_renders_for_a_browser(client):
    response = client.get("/healthz/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Database" in response.content
