"""Production settings fail fast when misconfigured, and pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "oncall.example.internal",
    "DEBUG": "0",
}


def _run(args: list[str], env_overrides: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
            "PORTAL_TESTING",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _run(["manage.py", "check"], {"ALLOWED_HOSTS": "oncall.example.internal"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = _run(["manage.py", "check"], {"SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_debug_runs_without_any_secret():
    result = _run(["manage.py", "check"], {"DEBUG": "1"})
    assert result.returncode == 0, result.stderr


def test_check_deploy_with_production_environment_reports_no_issues():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_clean_with_nothing_silenced_when_hsts_preload_is_asked_for():
    # The only silenced check is the preload one, and only while preload is not asked for.
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        PRODUCTION_ENV | {"SECURE_HSTS_PRELOAD": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_when_production_switches_transport_security_off():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        PRODUCTION_ENV | {"SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0"},
    )
    assert result.returncode != 0
    for check in ("security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_production_defaults_are_secure():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS > 0, s.STORAGES['staticfiles']['BACKEND'])",
        ],
        PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "True",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_the_log_in_lock_is_set_from_the_environment():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)",
        ],
        PRODUCTION_ENV | {"AXES_FAILURE_LIMIT": "3", "AXES_COOLOFF_HOURS": "0.5"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["3", "0.5"]


def test_in_production_the_health_check_answers_plain_http_while_pages_redirect(tmp_path):
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.test import Client; c = Client(); "
            "print(c.get('/healthz/', HTTP_ACCEPT='application/json').status_code, "
            "c.get('/healthz/status/', HTTP_ACCEPT='application/json').status_code, "
            "c.get('/accounts/login/').status_code)",
        ],
        PRODUCTION_ENV
        | {"ALLOWED_HOSTS": "testserver", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200", "301"]


PRINT_NEIGHBOURS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "o = s.CACHES['default'].get('OPTIONS', {}); "
    "print(o.get('socket_connect_timeout'), o.get('socket_timeout'), s.CACHE_RETRY_AFTER, "
    "s.TRUSTED_PROXY_COUNT)"
)


def test_cache_timeouts_the_breaker_window_and_the_proxy_count_have_defaults():
    result = _run(["-c", PRINT_NEIGHBOURS], PRODUCTION_ENV | {"CACHE_URL": "redis://cache:6379/1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0.25", "0.5", "30.0", "0"]


def test_cache_timeouts_the_breaker_window_and_the_proxy_count_come_from_the_environment():
    result = _run(
        ["-c", PRINT_NEIGHBOURS],
        PRODUCTION_ENV
        | {
            "CACHE_URL": "redis://cache:6379/1",
            "CACHE_CONNECT_TIMEOUT": "0.1",
            "CACHE_READ_TIMEOUT": "0.2",
            "CACHE_RETRY_AFTER": "5",
            "TRUSTED_PROXY_COUNT": "2",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0.1", "0.2", "5.0", "2"]


def test_a_negative_proxy_count_refuses_to_start():
    result = _run(["manage.py", "check"], PRODUCTION_ENV | {"TRUSTED_PROXY_COUNT": "-1"})
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


PRINT_DATABASE_OPTIONS = (
    "import django, os; django.setup(); from django.conf import settings; "
    "options = settings.DATABASES['default'].get('OPTIONS', {}); "
    "print(options.get('server_side_binding'), options.get('prepare_threshold'), "
    "repr(options.get('options')))"
)


def test_on_postgresql_statements_are_bound_by_the_server_and_prepared_unless_switched_off():
    postgres = PRODUCTION_ENV | {"DATABASE_URL": "postgres://portal@db:5432/escalation"}
    result = _run(["-c", PRINT_DATABASE_OPTIONS], postgres)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "2", "'-c", "random_page_cost=1.1'"]

    # Behind a transaction-mode pooler that does not track prepared statements.
    result = _run(
        ["-c", PRINT_DATABASE_OPTIONS],
        postgres | {"DATABASE_PREPARED_STATEMENTS": "0", "DATABASE_RANDOM_PAGE_COST": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "None", "None"]

    result = _run(["-c", PRINT_DATABASE_OPTIONS], PRODUCTION_ENV | {"DATABASE_URL": "sqlite:///x"})
    assert result.stdout.split() == ["None", "None", "None"]


def test_on_postgresql_the_planner_counts_random_reads_as_cheap_unless_told_otherwise():
    postgres = PRODUCTION_ENV | {
        "DATABASE_URL": "postgres://portal@db:5432/escalation?options=-c%20work_mem%3D8MB"
    }
    result = _run(["-c", PRINT_DATABASE_OPTIONS], postgres | {"DATABASE_RANDOM_PAGE_COST": "2"})
    assert result.returncode == 0, result.stderr
    # Added to the options the address gives.
    assert result.stdout.split()[2:] == ["'-c", "work_mem=8MB", "-c", "random_page_cost=2'"]

    for wrong in ("fast", "0", "-1", "nan", "inf"):
        result = _run(["manage.py", "check"], postgres | {"DATABASE_RANDOM_PAGE_COST": wrong})
        assert result.returncode != 0
        assert "DATABASE_RANDOM_PAGE_COST must be a number above 0" in result.stderr
