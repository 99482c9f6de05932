"""`/api/oncall/`: DESIGN.md's shape, times in UTC with a Z, session or token; errors in JSON too."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from escalation import api_errors, models
from escalation.forms import questions as forms
from escalation.services.feed_tokens import feed_token_regenerate
from escalation.views import oncall as views
from tests import factories
from tests.oncall_data import THURSDAY_EVEN_WEEK, many_overrides, seed_rotation

pytestmark = pytest.mark.django_db

API = reverse("escalation:api_oncall")


@pytest.fixture
def seed():
    return seed_rotation()


@pytest.fixture
def token(user):
    return feed_token_regenerate(user=user)


def pair(body):
    [rotation] = body["rotations"]
    return rotation["primary"]["name"], rotation["secondary"]["name"]


def test_answers_in_the_designed_shape(viewer_client, seed):
    response = viewer_client.get(API, {"at": "2026-11-26T12:00:00Z"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "at": "2026-11-26T12:00:00Z",
        "rotations": [
            {
                "slug": "on-call",
                "name": "On-call rotation",
                "shift": {
                    "start": "2026-11-23T09:00:00Z",
                    "end": "2026-11-30T09:00:00Z",
                    "label": "Even weeks",
                    "iso_week": 48,
                    "iso_year": 2026,
                    "repeat": False,
                },
                "primary": {
                    "name": "Engineer C",
                    "slack": "@engineer-c",
                    "pagerduty": "@pd-engineer-c",
                    "phone": "+442079460007",
                    "overridden": False,
                    "from": "2026-11-23T09:00:00Z",
                    "until": "2026-11-30T09:00:00Z",
                },
                "secondary": {
                    "name": "Engineer D",
                    "slack": "@engineer-d",
                    "pagerduty": "@pd-engineer-d",
                    "phone": "+442079460008",
                    "overridden": False,
                    "from": "2026-11-23T09:00:00Z",
                    "until": "2026-11-30T09:00:00Z",
                },
            }
        ],
    }


def test_a_token_request_from_a_signed_in_browser_never_reads_the_session(
    viewer_client, seed, token
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ics = reverse("escalation:calendar_ics")
    for path in (API, ics):
        viewer_client.get(path, {"token": token})  # the token's use is recorded once a minute
        with CaptureQueriesContext(connection) as queries:
            response = viewer_client.get(path, {"token": token})
        assert response.status_code == 200
        read = " ".join(query["sql"] for query in queries)
        assert "django_session" not in read, path
        assert "auth_user_groups" not in read, path  # the viewer's manager flag
    # Without the token, the session is who the feed is for.
    with CaptureQueriesContext(connection) as queries:
        assert viewer_client.get(API).status_code == 200
    assert "django_session" in " ".join(query["sql"] for query in queries)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-26T12:00:00Z", ("Engineer C", "Engineer D")),
        ("2026-11-30T08:59:59Z", ("Engineer C", "Engineer D")),
        ("2026-11-30T08:59:59.999999Z", ("Engineer C", "Engineer D")),
        ("2026-11-30T09:00:00Z", ("Engineer A", "Engineer B")),
        ("2026-11-30T04:00:00-05:00", ("Engineer A", "Engineer B")),
        ("2026-11-30T09:59:59 01:00", ("Engineer C", "Engineer D")),  # "+" sent unencoded
    ],
)
def test_the_seed_boundaries(viewer_client, seed, at, expected):
    assert pair(viewer_client.get(API, {"at": at}).json()) == expected


def test_a_time_without_offset_is_read_as_utc(viewer_client, seed):
    body = viewer_client.get(API, {"at": "2026-11-30T09:00:00"}).json()
    assert body["at"] == "2026-11-30T09:00:00Z"
    assert pair(body) == ("Engineer A", "Engineer B")


def test_defaults_to_now(viewer_client, seed):
    with time_machine.travel(THURSDAY_EVEN_WEEK, tick=False):
        body = viewer_client.get(API).json()
    assert body["at"] == "2026-11-26T12:00:00Z"
    assert pair(body) == ("Engineer C", "Engineer D")


def test_an_override_is_flagged(viewer_client, seed):
    cover = factories.PersonFactory(display_name="Rosa Cover", phone="", slack_handle="")
    factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.SECONDARY,
        person=cover,
        start=THURSDAY_EVEN_WEEK - timedelta(hours=1),
        end=THURSDAY_EVEN_WEEK + timedelta(hours=1),
    )
    [rotation] = viewer_client.get(API, {"at": "2026-11-26T12:00:00Z"}).json()["rotations"]
    assert rotation["secondary"]["name"] == "Rosa Cover"
    assert rotation["secondary"]["overridden"] is True
    assert rotation["secondary"]["phone"] is None and rotation["secondary"]["slack"] is None
    assert rotation["primary"]["overridden"] is False


@pytest.mark.parametrize(
    ("at", "week", "repeat"),
    [
        ("2026-12-27T12:00:00Z", (2026, 52), False),
        ("2026-12-30T12:00:00Z", (2026, 53), True),
        ("2027-01-05T12:00:00Z", (2027, 1), True),
        ("2027-01-11T09:00:00Z", (2027, 2), False),
    ],
)
def test_the_week_53_repeat_is_flagged_with_the_iso_year(viewer_client, seed, at, week, repeat):
    [rotation] = viewer_client.get(API, {"at": at}).json()["rotations"]
    shift = rotation["shift"]
    assert ((shift["iso_year"], shift["iso_week"]), shift["repeat"]) == (week, repeat)


def test_each_person_has_their_own_window_around_a_partial_cover(viewer_client, seed):
    cover = factories.PersonFactory(display_name="Rosa Cover")
    factories.OverrideFactory(
        rotation=seed.rotation,
        tier=models.OnCallTier.PRIMARY,
        person=cover,
        start=datetime(2026, 11, 25, 9, tzinfo=UTC),
        end=datetime(2026, 11, 27, 0, tzinfo=UTC),
    )

    def primary(at):
        [rotation] = viewer_client.get(API, {"at": at}).json()["rotations"]
        assert rotation["shift"]["end"] == "2026-11-30T09:00:00Z"
        return (
            rotation["primary"]["name"],
            rotation["primary"]["from"],
            rotation["primary"]["until"],
        )

    assert primary("2026-11-24T12:00:00Z") == (
        "Engineer C",
        "2026-11-23T09:00:00Z",
        "2026-11-25T09:00:00Z",
    )
    assert primary("2026-11-26T23:59:59Z") == (
        "Rosa Cover",
        "2026-11-25T09:00:00Z",
        "2026-11-27T00:00:00Z",
    )
    assert primary("2026-11-27T00:00:00Z") == (
        "Engineer C",
        "2026-11-27T00:00:00Z",
        "2026-11-30T09:00:00Z",
    )


def test_a_slot_without_secondary_answers_null(viewer_client):
    slot = factories.RotationSlotFactory(secondary=None)
    factories.RotationSlotFactory(
        rotation=slot.rotation, secondary=None, week_parity=models.WeekParity.EVEN
    )
    [rotation] = viewer_client.get(API).json()["rotations"]
    assert rotation["secondary"] is None


@pytest.mark.parametrize(
    "at",
    [
        "tomorrow",
        "2026-13-01T00:00:00Z",
        "2026-11-30T25:00Z",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00+01:00",
        "x" * 500,
    ],
)
def test_a_bad_at_is_a_400_with_a_json_error(viewer_client, seed, at):
    response = viewer_client.get(API, {"at": at})
    assert response.status_code == 400
    error = response.json()["error"]
    assert views.API_NAIVE_AT in error
    assert "ISO 8601" in error or forms.AT_OUT_OF_RANGE in error


@settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(at=st.text(max_size=40))
def test_any_at_answers_200_or_400(viewer_client, seed, at):
    response = viewer_client.get(API, {"at": at})
    assert response.status_code in (200, 400)


# --- Access -------------------------------------------------------------------------------


def test_no_session_and_no_token_is_a_401_json_error(client, seed):
    response = client.get(API)
    assert response.status_code == 401
    assert response.json() == {"error": views.FEED_LOGIN_REQUIRED}
    assert "WWW-Authenticate" in response


def test_a_401_names_the_bearer_scheme(client, seed):
    assert client.get(API)["WWW-Authenticate"] == 'Bearer realm="escalation-portal"'


def test_a_program_sends_its_token_in_an_authorization_bearer_header(client, seed, token):
    response = client.get(API, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["rotations"]
    lower = client.get(API, headers={"Authorization": f"bearer  {token} "})
    assert lower.status_code == 200


def test_a_bad_bearer_token_is_a_403_even_with_a_good_one_in_the_address(client, seed, token):
    response = client.get(API, {"token": token}, headers={"Authorization": f"Bearer {token}x"})
    assert response.status_code == 403
    assert response.json() == {"error": views.FEED_LINK_INVALID}


def test_another_authorization_scheme_is_not_a_token(client, seed, token):
    response = client.get(API, headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 401


def test_a_bad_token_is_a_403_json_error(client, seed, token):
    response = client.get(API, {"token": token[:-1]})
    assert response.status_code == 403
    assert response.json() == {"error": views.FEED_LINK_INVALID}


def test_a_good_token_answers_and_a_regenerated_one_replaces_it(client, user, seed, token):
    assert client.get(API, {"token": token}).status_code == 200
    new_token = feed_token_regenerate(user=user)
    assert client.get(API, {"token": token}).status_code == 403
    assert client.get(API, {"token": new_token}).status_code == 200


def test_query_count_does_not_grow_with_overrides(client, seed, token, django_assert_num_queries):
    # The token (read, and its use recorded at most once a minute), the data version, the
    # slots and the overrides.
    with django_assert_num_queries(5):
        client.get(API, {"token": token})
    many_overrides(seed.rotation, count=500, start=datetime(2026, 11, 1, tzinfo=UTC))
    seed_rotation(name="Second", slug="second", people_suffix="2")
    with django_assert_num_queries(4):
        body = client.get(API, {"token": token, "at": "2026-11-26T12:00:00Z"}).json()
    assert len(body["rotations"]) == 2


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-26T12:00:00Z", ("Engineer C", "Engineer D")),
        ("2026-11-30T08:59:59Z", ("Engineer C", "Engineer D")),
        ("2026-11-30T09:00:00Z", ("Engineer A", "Engineer B")),
    ],
)
def test_seeded_document_at_the_boundaries(viewer_client, seeded, at, expected):
    body = viewer_client.get(API, {"at": at}).json()
    assert pair(body) == expected
    assert body["rotations"][0]["shift"]["label"] == (
        "Even weeks" if expected[0] == "Engineer C" else "Odd weeks"
    )


# --- Errors are JSON too ---------------------------------------------------------------------

REFUSED = 'connection to server at "db.internal" (10.1.2.3), port 5432 failed: refused'
SECRET_WORDS = "SELECT password FROM auth_user WHERE secret = 'hunter2'"


def assert_json_error(response, status: int, message: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": message}
    for leak in ("db.internal", "10.1.2.3", "5432", "Traceback", "hunter2", "<html"):
        assert leak not in response.content.decode()


@pytest.mark.parametrize("by", ["token", "session"])
def test_with_the_database_down_the_api_answers_503_in_json(client, user, token, by):
    params = {"token": token} if by == "token" else {}
    if by == "session":
        client.force_login(user)
    client.raise_request_exception = False
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError(REFUSED)):
        response = client.get(API, params)
    assert_json_error(response, 503, api_errors.DATABASE_UNAVAILABLE)


def test_an_unexpected_error_is_a_500_in_json(viewer_client, seed, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError(SECRET_WORDS)

    monkeypatch.setattr("escalation.selectors.oncall.on_call_now", broken)
    viewer_client.raise_request_exception = False
    assert_json_error(viewer_client.get(API), 500, api_errors.SERVER_ERROR)


def test_an_unknown_api_address_is_a_404_in_json(viewer_client):
    assert_json_error(viewer_client.get("/api/nothing-here/"), 404, api_errors.NOT_FOUND)


def test_a_wrong_method_is_a_405_in_json_that_names_the_right_ones(viewer_client, seed):
    response = viewer_client.post(API)
    assert_json_error(response, 405, "Method Not Allowed")
    assert response["Allow"] == "GET, HEAD"


def test_errors_outside_the_api_stay_the_portals_pages(viewer_client):
    response = viewer_client.get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
