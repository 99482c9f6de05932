from pathlib import Path

import pytest
from django.conf import settings

from tests import factories

SEED_DOCUMENT = Path(settings.BASE_DIR) / "escalation" / "data" / "escalation-contacts.md"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: a test's rolled-back writes also roll back the
    data version its cached pages are keyed by (escalation.cache). And with the cache's circuit
    breaker closed: a test whose cache failed must not leave the next ones skipping it."""
    from django.core.cache import cache

    from escalation.cache import breaker

    cache.clear()
    breaker.reset()


@pytest.fixture
def seed_path() -> Path:
    return SEED_DOCUMENT


@pytest.fixture
def user(db):
    return factories.UserFactory(username="viewer")


@pytest.fixture
def staff_user(db):
    return factories.UserFactory(username="staff", is_staff=True)


@pytest.fixture
def manager(db):
    return factories.ManagerFactory(username="manager")


@pytest.fixture
def viewer_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def seeded(db):
    """The bundled escalation document imported into the test database; returns the ImportReport."""
    from escalation.documents.importer import import_document

    return import_document(SEED_DOCUMENT.read_text(encoding="utf-8"), source=str(SEED_DOCUMENT))


@pytest.fixture
def slack_api():
    """A local fake of Slack's Web API (a real HTTP server on 127.0.0.1)."""
    from tests.fakes.slack import FakeSlackServer

    with FakeSlackServer() as fake:
        yield fake


@pytest.fixture
def slack_app(settings, slack_api):
    """The Slack app configured against the fake: signing secret, bot token, API address."""
    from tests.fakes.slack import BOT_TOKEN, SIGNING_SECRET

    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    settings.SLACK_BOT_TOKEN = BOT_TOKEN
    settings.SLACK_API_URL = slack_api.api_url
    settings.PORTAL_BASE_URL = "https://oncall.example.internal"
    return slack_api


@pytest.fixture(scope="session")
def pagerduty_certificate(tmp_path_factory):
    from tests.fakes.pagerduty import make_certificate

    return make_certificate(tmp_path_factory.mktemp("pagerduty"))


@pytest.fixture
def pagerduty_fake(settings, pagerduty_certificate):
    """A fake PagerDuty (a real HTTPS server on 127.0.0.1) and the settings pointing at it."""
    from tests.fakes.pagerduty import FakePagerDuty, FakePagerDutyServer

    server = FakePagerDutyServer(FakePagerDuty(), pagerduty_certificate)
    fake = server.start()
    settings.PAGERDUTY_CA_BUNDLE = str(pagerduty_certificate[0])
    settings.PAGERDUTY_API_KEY = fake.api_key
    settings.PAGERDUTY_API_URL = fake.url
    settings.PAGERDUTY_FROM_EMAIL = "oncall-portal@example.com"
    settings.PAGERDUTY_SUBDOMAIN = "acme"
    settings.PAGERDUTY_TIMEOUT_SECONDS = 2.0
    yield fake
    server.stop()
