"""Settings for the escalation portal, read from the environment (and an optional `.env`).

Debug is off unless DEBUG is set; without debug, SECRET_KEY and ALLOWED_HOSTS must be given
or the process refuses to start. DATABASE_URL defaults to the embedded SQLite file.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("PORTAL_TESTING", default=False)

_INSECURE_DEV_KEY = "django-insecure-development-only-key-never-used-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (or .env) when DEBUG is off, "
            "e.g. SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = _INSECURE_DEV_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is not set. Give the portal's host names, comma-separated, "
            "e.g. ALLOWED_HOSTS=oncall.example.internal."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tables2",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "simple_history",
    "axes",
    "csp",
    "health_check",
    "escalation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside CommonMiddleware, so that its early answers (400 for an unknown host) get them too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside every middleware that can fail, so that any error under /api/ is answered in JSON.
    "escalation.api_errors.ApiErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "escalation.viewer.ViewerMiddleware",
    "escalation.login_required.PortalLoginRequiredMiddleware",  # keeps ?token= out of next=
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "escalation.context_processors.portal",
            ],
            # `{% url %}` with addresses remembered per process (escalation.links).
            "builtins": ["escalation.templatetags.links"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters travel apart from the SQL, and a statement run twice on a connection is
    # prepared: PostgreSQL then skips parsing and planning the portal's repeated queries
    # (`selectors.prepared` keeps their text identical). Turn off behind a pooler in
    # transaction mode that does not track prepared statements (PgBouncer before 1.21).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        _database_options = DATABASES["default"].setdefault("OPTIONS", {})
        _database_options.setdefault("server_side_binding", True)
        _database_options.setdefault("prepare_threshold", 2)
    # The portal's tables fit in memory many times over, where reading a row by its index costs
    # about what reading it in sequence does: with PostgreSQL's default of 4 the planner hashes
    # all of a company's people to join a page's twenty. Empty: the server's own setting (behind
    # a pooler that refuses startup options, set it on the database instead).
    _page_cost = env.str("DATABASE_RANDOM_PAGE_COST", default="1.1")
    if _page_cost:
        try:
            _page_cost_value = float(_page_cost)
        except ValueError:
            _page_cost_value = -1.0
        if not 0 < _page_cost_value < float("inf"):
            raise ImproperlyConfigured(
                f"DATABASE_RANDOM_PAGE_COST must be a number above 0, or empty: {_page_cost!r}."
            )
        _database_options = DATABASES["default"].setdefault("OPTIONS", {})
        _database_options["options"] = " ".join(
            part
            for part in (_database_options.get("options", ""), f"-c random_page_cost={_page_cost}")
            if part
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}
# A Redis that accepts connections but never answers must cost a page a fraction of a second,
# not the worker's whole timeout; after a failure the pages skip the cache for CACHE_RETRY_AFTER
# seconds (escalation.circuit_breaker). Options given in CACHE_URL's query string win.
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    _cache_options = CACHES["default"].setdefault("OPTIONS", {})
    _cache_options.setdefault(
        "socket_connect_timeout", env.float("CACHE_CONNECT_TIMEOUT", default=0.25)
    )
    _cache_options.setdefault("socket_timeout", env.float("CACHE_READ_TIMEOUT", default=0.5))
CACHE_RETRY_AFTER = env.float("CACHE_RETRY_AFTER", default=30.0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "escalation:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# The 24-hour clock in the admin too (portal/formats/en_GB).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default=(
                "django.contrib.staticfiles.storage.StaticFilesStorage"
                if DEBUG or TESTING
                else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            ),
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
PHONENUMBER_DB_FORMAT = "E164"

# Escalation portal
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="").rstrip("/")
PORTAL_SLACK_WORKSPACE_URL = env.str("SLACK_WORKSPACE_URL", default="")
SLACK_WEBHOOK_URL = env.str("SLACK_WEBHOOK_URL", default="")
# The Slack app (escalation.integrations.slack): /oncall, swap buttons, handoff posts. Optional.
SLACK_SIGNING_SECRET = env.str("SLACK_SIGNING_SECRET", default="")
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="")
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api/")
REMINDER_LEAD_HOURS = env.int("REMINDER_LEAD_HOURS", default=24)
# PagerDuty (optional): without an API key nothing is pushed or pulled.
PAGERDUTY_API_KEY = env.str("PAGERDUTY_API_KEY", default="")
PAGERDUTY_FROM_EMAIL = env.str("PAGERDUTY_FROM_EMAIL", default="")
PAGERDUTY_SUBDOMAIN = env.str("PAGERDUTY_SUBDOMAIN", default="")
PAGERDUTY_API_URL = env.str("PAGERDUTY_API_URL", default="https://api.pagerduty.com")
PAGERDUTY_TIMEOUT_SECONDS = env.float("PAGERDUTY_TIMEOUT_SECONDS", default=5.0)
# A CA bundle to verify PagerDuty's certificate with (a TLS-inspecting proxy); empty: the system's.
PAGERDUTY_CA_BUNDLE = env.str("PAGERDUTY_CA_BUNDLE", default="")

EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="escalation-portal@localhost")
# Outside services never hold a request: seconds to wait on the mail server and on Slack.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=5.0)
SLACK_TIMEOUT = env.float("SLACK_TIMEOUT", default=5.0)
# Requests only write mail and Slack messages to the outbox; `deliver_notifications` (cron)
# sends them. In development (DEBUG) they are sent as the request's transaction commits.
NOTIFY_DELIVER_IN_REQUEST = env.bool("NOTIFY_DELIVER_IN_REQUEST", default=DEBUG)

# Brute-force protection
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address (escalation.client_address): the socket's, unless the portal sits behind
# this many proxies that each append to X-Forwarded-For (the load balancer: 1).
AXES_CLIENT_IP_CALLABLE = "escalation.client_address.client_address"
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT must be 0 (clients connect to the portal directly) or the number "
        "of proxies in front of it, e.g. TRUSTED_PROXY_COUNT=1 behind one load balancer."
    )

# Content security policy: nothing inline, everything from this origin.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Transport security: on by default in production, switchable for a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("TRUST_X_FORWARDED_PROTO", default=False)
    else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
# Load balancers probe over plain HTTP: the health checks answer 200 or 503, never a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz/"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not (DEBUG or TESTING))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if (DEBUG or TESTING) else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# An intranet host cannot be on the browsers' public preload list, so not asking is no weakness.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # No feed token in a log line (escalation/log_redaction.py), the development server's
    # request lines included: they have their own handler, redeclared here with the filter.
    "filters": {"redact_feed_tokens": {"()": "escalation.log_redaction.RedactFeedTokens"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_feed_tokens"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_feed_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# Single sign-on with the company's OpenID Connect provider, when configured.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
    OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = "openid email profile"
    OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=True)
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.insert(1, "escalation.auth.PersonOIDCBackend")
    LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
