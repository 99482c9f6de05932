"""Test settings: the production settings with the test switch on (no secrets needed)."""

import os

os.environ.setdefault("PORTAL_TESTING", "1")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SLACK_WEBHOOK_URL = ""
SLACK_SIGNING_SECRET = ""
SLACK_BOT_TOKEN = ""
# As in development: the notification tests see what a request sends as it commits; the
# production mode (cron delivery) has its own tests (tests/test_notify_outage.py).
NOTIFY_DELIVER_IN_REQUEST = True
PAGERDUTY_API_KEY = ""  # the tests that need PagerDuty start a fake and point at it
PAGERDUTY_FROM_EMAIL = ""
PAGERDUTY_SUBDOMAIN = ""
AXES_ENABLED = True
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
