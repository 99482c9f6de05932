"""`/oncall` from Slack: signed requests only, and every form of the command, on the seed data."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from escalation import models
from escalation.integrations.slack import commands
from escalation.integrations.slack.client import NOT_CONFIGURED
from escalation.views.slack import BAD_SIGNATURE
from tests import factories
from tests.fakes.slack import command_body, post_signed, signed_headers

pytestmark = pytest.mark.django_db

URL = "/slack/commands/"
# ISO week 48 of 2026 is even (Engineer C and D); week 49, from Monday 30 Nov 09:00 UTC, odd.
LAST_SECOND_OF_WEEK_48 = datetime(2026, 11, 30, 8, 59, 59, tzinfo=UTC)
HANDOFF_TO_WEEK_49 = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def slack_client():
    return Client(raise_request_exception=False)


def ask(client, text: str, **body) -> dict:
    response = post_signed(client, URL, command_body(text, **body))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


# --- Who may ask --------------------------------------------------------------------------------


def test_a_command_signed_with_the_signing_secret_is_answered(slack_app, seeded, slack_client):
    answer = ask(slack_client, "help")
    assert answer["response_type"] == "ephemeral"
    assert "/oncall sev1 <service>" in answer["text"]
    assert slack_app.calls == []  # nothing is asked of Slack while it waits for the answer


def _broken_headers(kind: str) -> dict[str, str]:
    body, now = command_body("help"), int(time.time())
    return {
        "wrong-secret": lambda: signed_headers(body, secret="another-secret"),
        "stale-timestamp": lambda: signed_headers(body, timestamp=now - 301),
        "timestamp-from-the-future": lambda: signed_headers(body, timestamp=now + 301),
        "timestamp-not-a-number": lambda: {
            "HTTP_X_SLACK_REQUEST_TIMESTAMP": "soon",
            "HTTP_X_SLACK_SIGNATURE": "v0=00",
        },
        "signature-missing": lambda: {"HTTP_X_SLACK_REQUEST_TIMESTAMP": str(now)},
        "headers-missing": lambda: {},
    }[kind]()


@pytest.mark.parametrize(
    "kind",
    [
        "wrong-secret",
        "stale-timestamp",
        "timestamp-from-the-future",
        "timestamp-not-a-number",
        "signature-missing",
        "headers-missing",
    ],
)
def test_a_command_not_signed_by_slack_gets_401_and_no_answer(
    slack_app, seeded, slack_client, kind
):
    response = slack_client.generic(
        "POST",
        URL,
        command_body("help"),
        content_type="application/x-www-form-urlencoded",
        **_broken_headers(kind),
    )
    assert response.status_code == 401
    assert response.content.decode() == BAD_SIGNATURE
    assert "/oncall" not in response.content.decode()


def test_a_signature_for_another_body_is_refused(slack_app, seeded, slack_client):
    headers = signed_headers(command_body("help"))
    response = slack_client.generic(
        "POST",
        URL,
        command_body("sev1 backend-api"),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )
    assert response.status_code == 401


def test_a_timestamp_four_minutes_old_is_still_accepted(slack_app, seeded, slack_client):
    body = command_body("help")
    headers = signed_headers(body, timestamp=int(time.time()) - 240)
    response = slack_client.generic(
        "POST", URL, body, content_type="application/x-www-form-urlencoded", **headers
    )
    assert response.status_code == 200


def test_a_retried_command_is_answered_again_and_changes_nothing(slack_app, seeded, slack_client):
    body = command_body("")
    first = post_signed(slack_client, URL, body)
    again = post_signed(slack_client, URL, body, HTTP_X_SLACK_RETRY_NUM="1")
    assert first.json() == again.json()
    assert models.OutgoingMessage.objects.count() == 0


def test_without_slack_settings_the_endpoints_say_so_and_do_nothing(settings, seeded):
    settings.SLACK_SIGNING_SECRET = ""
    client = Client()
    for url in (URL, "/slack/interactions/"):
        response = post_signed(client, url, command_body("help"))
        assert response.status_code == 503
        assert response.content.decode() == NOT_CONFIGURED


def test_the_endpoints_need_no_login_and_no_csrf_token_but_only_take_posts(slack_app, seeded):
    client = Client(enforce_csrf_checks=True)
    assert post_signed(client, URL, command_body("help")).status_code == 200
    assert client.get(URL).status_code == 405
    assert client.get("/slack/interactions/").status_code == 405


# --- /oncall ------------------------------------------------------------------------------------


def test_oncall_alone_names_the_pair_until_the_handoff_and_the_next_pair(
    slack_app, seeded, slack_client
):
    with time_machine.travel(LAST_SECOND_OF_WEEK_48, tick=False):
        text = ask(slack_client, "")["text"]
    assert "Primary: Engineer C" in text
    assert "Secondary: Engineer D" in text
    assert "until Mon 30 Nov 09:00 UTC" in text
    assert "Next: Engineer A" in text and "Engineer B" in text
    assert "from Mon 30 Nov 09:00 UTC" in text


def test_oncall_at_the_monday_0900_handoff_names_the_new_pair(slack_app, seeded, slack_client):
    with time_machine.travel(HANDOFF_TO_WEEK_49, tick=False):
        answer = ask(slack_client, "")
    text = answer["text"]
    assert "Primary: Engineer A" in text
    assert "Secondary: Engineer B" in text
    assert "until Mon 7 Dec 09:00 UTC" in text
    assert "Next: Engineer C" in text
    assert answer["blocks"][0]["type"] == "section"
    assert all(block["text"]["type"] == "mrkdwn" for block in answer["blocks"])


def test_oncall_shows_an_override_as_cover(slack_app, seeded, slack_client):
    rotation = models.Rotation.objects.get()
    cover = factories.PersonFactory(display_name="Casey Cover")
    factories.OverrideFactory(
        rotation=rotation,
        person=cover,
        tier=models.OnCallTier.PRIMARY,
        start=HANDOFF_TO_WEEK_49,
        end=HANDOFF_TO_WEEK_49 + timedelta(days=1),
    )
    with time_machine.travel(HANDOFF_TO_WEEK_49 + timedelta(hours=1), tick=False):
        text = ask(slack_client, "")["text"]
    assert "Primary: Casey Cover" in text
    assert "(covering for Engineer A), until Tue 1 Dec 09:00 UTC" in text


def test_a_linked_slack_user_sees_their_own_rotations_first(slack_app, seeded, slack_client):
    from tests.oncall_data import seed_rotation

    other = seed_rotation(people_suffix=" (data)", name="Data rotation", slug="data", position=9)
    other.a.slack_user_id = "U0DATAA"
    other.a.save()
    with time_machine.travel(HANDOFF_TO_WEEK_49, tick=False):
        mine = ask(slack_client, "", user_id="U0DATAA")["text"]
        anyone = ask(slack_client, "", user_id="U0STRANGER")["text"]
    assert mine.index("Data rotation") < mine.index("On-call rotation")
    assert anyone.index("On-call rotation") < anyone.index("Data rotation")


def test_with_more_rotations_than_the_dashboard_shows_as_cards_oncall_names_every_one(
    slack_app, seeded, slack_client
):
    from escalation.selectors.dashboard import DASHBOARD_CARDS_UP_TO
    from tests.oncall_data import seed_rotation

    count = max(DASHBOARD_CARDS_UP_TO, commands.MAX_ROTATIONS) + 2
    for n in range(1, count):
        seed_rotation(people_suffix=f" {n}", name=f"Rotation {n:02}", slug=f"r{n}", position=n)
    with time_machine.travel(HANDOFF_TO_WEEK_49, tick=False):
        text = ask(slack_client, "")["text"]
    assert "No rotation" not in text
    assert "*On-call rotation*" in text
    assert "*Rotation 01*" in text and "Primary: Engineer A 1" in text
    assert f"*Rotation {commands.MAX_ROTATIONS - 1:02}*" in text
    assert f"*Rotation {commands.MAX_ROTATIONS:02}*" not in text
    # The rest are a link away.
    assert "2 more rotations" in text and "http" in text


def test_a_linked_slack_user_reads_times_in_their_own_zone(slack_app, seeded, slack_client):
    person = models.Person.objects.get(display_name="Engineer A")
    person.slack_user_id = "U0ENGA"
    person.time_zone = "Europe/Berlin"
    person.save()
    with time_machine.travel(HANDOFF_TO_WEEK_49, tick=False):
        text = ask(slack_client, "", user_id="U0ENGA")["text"]
    assert "until Mon 7 Dec 10:00 CET" in text


def test_oncall_for_a_service_names_whom_to_reach_first_with_a_link(
    slack_app, seeded, slack_client
):
    with time_machine.travel(HANDOFF_TO_WEEK_49, tick=False):
        text = ask(slack_client, "Database (PostgreSQL)")["text"]
        by_slug = ask(slack_client, "database-postgresql")["text"]
        by_word = ask(slack_client, "postgresql")["text"]
    assert text == by_slug == by_word
    assert "Reach first for *Database (PostgreSQL)*" in text
    assert "On-call primary: Engineer A" in text
    assert "On-call secondary: Engineer B" in text
    assert "DBA Lead: TBD" in text
    assert "Channel: #team-platform" in text
    assert (
        "<https://oncall.example.internal/services/database-postgresql/|Database (PostgreSQL)>"
        in text
    )


def test_oncall_for_a_team_lists_its_services(slack_app, seeded, slack_client):
    text = ask(slack_client, "platform team")["text"]
    assert text.startswith("*Platform Team* owns ")
    for name in ("Database (PostgreSQL)", "Redis / Caching", "CI/CD Pipeline"):
        assert name in text
    assert "Backend API" not in text


def test_oncall_sev1_gives_the_sheet_steps_with_their_clock_times(slack_app, seeded, slack_client):
    with time_machine.travel(HANDOFF_TO_WEEK_49 + timedelta(minutes=12), tick=False):
        answer = ask(slack_client, "sev1 backend api")
    text = answer["text"]
    assert "SEV1 on *Backend API (FastAPI)* — as of Mon 30 Nov 09:12 UTC" in text
    assert "Reach first: On-call engineer (Engineer A" in text
    assert "1. On-call Engineer: Engineer A" in text and "— now" in text
    assert "4. VP of Engineering: TBD — at Mon 30 Nov 09:42 UTC (SEV1 only · after 30 min)" in text
    assert "/services/backend-api-fastapi/?severity=1|Backend API (FastAPI)>" in text


def test_oncall_sev3_says_the_sev1_only_step_does_not_apply(slack_app, seeded, slack_client):
    text = ask(slack_client, "SEV3 backend api")["text"]
    assert "VP of Engineering: TBD — not for SEV3" in text


def test_oncall_sev_without_a_service_or_with_an_unknown_level_says_what_to_type(
    slack_app, seeded, slack_client
):
    assert ask(slack_client, "sev2")["text"] == commands.SEVERITY_NEEDS_SERVICE.format(level=2)
    assert ask(slack_client, "sev9 backend api")["text"] == commands.NO_SUCH_SEVERITY.format(
        level=9
    )


def test_oncall_at_a_time_names_who_was_on_call_then(slack_app, seeded, slack_client):
    before = ask(slack_client, "at 2026-11-30 08:59:59")["text"]
    after = ask(slack_client, "at 2026-11-30T09:00:00Z")["text"]
    assert "On call at Mon 30 Nov 08:59 UTC" in before
    assert "Primary: Engineer C" in before and "ISO week 48" in before
    assert "Primary: Engineer A" in after and "ISO week 49" in after


def test_oncall_at_a_bad_time_explains_how_to_say_it(slack_app, seeded, slack_client):
    text = ask(slack_client, "at next tuesday")["text"]
    assert commands.AT_NEEDS_TIME in text
    assert ask(slack_client, "at")["text"] == commands.AT_NEEDS_TIME


def test_an_unknown_service_gets_the_closest_names_and_the_general_path(
    slack_app, seeded, slack_client
):
    with time_machine.travel(HANDOFF_TO_WEEK_49, tick=False):
        text = ask(slack_client, "redsi cache")["text"]
    assert commands.UNKNOWN_SERVICE.format(text="redsi cache") in text
    assert "Did you mean: “Redis / Caching”" in text
    assert "<https://oncall.example.internal/escalation/|technical escalation path>" in text
    assert "On call now (On-call rotation): Engineer A" in text


def test_a_name_matching_several_services_asks_which(slack_app, seeded, slack_client):
    factories.ServiceFactory(name="Backend Workers", slug="backend-workers")
    text = ask(slack_client, "backend")["text"]
    assert "matches several services" in text
    assert "Backend API (FastAPI)" in text and "Backend Workers" in text


def test_names_typed_into_slack_markup_are_escaped(slack_app, seeded, slack_client):
    text = ask(slack_client, "<!channel> <https://evil.test|x>")["text"]
    assert "<!channel>" not in text
    assert "&lt;!channel&gt;" in text


def test_public_posts_the_answer_in_the_channel(slack_app, seeded, slack_client):
    assert ask(slack_client, "public")["response_type"] == "in_channel"
    assert ask(slack_client, "sev1 backend api public")["response_type"] == "in_channel"
    assert ask(slack_client, "sev1 backend api")["response_type"] == "ephemeral"


def test_the_command_answers_in_a_fixed_number_of_queries(
    slack_app, seeded, slack_client, django_assert_num_queries
):
    from tests.oncall_data import seed_rotation

    linked = models.Person.objects.get(display_name="Engineer A")
    linked.slack_user_id = "U0ENGA"
    linked.save()
    for scale in (1, 4):
        for n in range(scale - 1):
            seed_rotation(people_suffix=f" {scale}{n}", name=f"R {scale}{n}", slug=f"r-{scale}{n}")
        # Who asks (nobody linked), then the dashboard's two.
        with django_assert_num_queries(3):
            ask(slack_client, "")
        # A linked person: also the rotations they are on.
        with django_assert_num_queries(4):
            ask(slack_client, "", user_id="U0ENGA")
        with django_assert_num_queries(8):
            ask(slack_client, "sev1 backend api")


@pytest.mark.parametrize(
    ("text", "kind", "argument", "level", "public"),
    [
        ("", commands.CommandKind.NOW, "", None, False),
        ("  help ", commands.CommandKind.HELP, "", None, False),
        ("at 2026-12-14 09:00", commands.CommandKind.AT, "2026-12-14 09:00", None, False),
        ("sev1 Backend API", commands.CommandKind.SEVERITY, "Backend API", 1, False),
        ("SEV 2 redis public", commands.CommandKind.SEVERITY, "redis", 2, True),
        ("Redis / Caching", commands.CommandKind.SERVICE, "Redis / Caching", None, False),
        ("public", commands.CommandKind.NOW, "", None, True),
    ],
)
def test_the_command_text_is_read_as_slack_sends_it(text, kind, argument, level, public):
    assert commands.parse(text) == commands.Command(kind, argument, level, public)


def test_the_api_reverse_names(slack_app):
    assert reverse("escalation:slack_commands") == URL
    assert reverse("escalation:slack_interactions") == "/slack/interactions/"
