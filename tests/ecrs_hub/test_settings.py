"""How the settings behave when an operator starts the hub (CONTRACT 7, STYLE "Settings").

Each case starts a fresh Python process, as a deployment would, with only the environment
variables the case names: settings are read once at start-up, so they cannot be exercised
inside the already-configured test process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
A_SECRET_KEY = "k3y-for-the-settings-test-only-" + "x7Qp" * 8  # 63 characters
# Variables that change what the settings modules decide; every case starts without them.
SETTINGS_VARIABLES = {
    "DJANGO_SETTINGS_MODULE",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "AWS_STORAGE_BUCKET_NAME",
}


def start(args: list[str], tmp_path: Path, **environment: str) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    # A database of its own, never opened by these checks, so no case can touch real data.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'settings-test.sqlite3'}"
    env.update(environment)
    return subprocess.run(
        [sys.executable, *args], check=False, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )


def print_settings(tmp_path: Path, names: str, **environment: str) -> subprocess.CompletedProcess:
    """Print the named settings as ``manage.py`` loads them (its default is the local module)."""
    code = f"from django.conf import settings; print(*[getattr(settings, n) for n in {names.split()!r}])"
    return start(["manage.py", "shell", "--verbosity", "0", "--command", code], tmp_path, **environment)


def test_production_passes_the_deployment_checklist(tmp_path):
    result = start(
        ["manage.py", "check", "--deploy"],
        tmp_path,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=A_SECRET_KEY,
        ALLOWED_HOSTS="hub.example.com",
    )

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "System check identified no issues" in output
    assert "WARNING" not in output


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "too-short-to-be-a-real-secret"],
    ids=["missing", "empty", "short"],
)
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, secret_key):
    environment = {"DJANGO_SETTINGS_MODULE": "config.settings.production"}
    if secret_key is not None:
        environment["SECRET_KEY"] = secret_key

    result = start(["manage.py", "check"], tmp_path, **environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "production settings need SECRET_KEY (50+ random characters)" in result.stderr


def test_debug_is_off_unless_the_environment_turns_it_on(tmp_path):
    assert print_settings(tmp_path, "DEBUG").stdout.split() == ["False"]
    assert print_settings(tmp_path, "DEBUG", DEBUG="1").stdout.split() == ["True"]


def test_production_ignores_a_debug_flag_left_in_the_environment(tmp_path):
    result = print_settings(
        tmp_path,
        "DEBUG",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=A_SECRET_KEY,
        DEBUG="1",
    )

    assert result.stdout.split() == ["False"], result.stderr


def test_local_settings_serve_plain_http_and_production_hardens_it(tmp_path):
    names = "SECURE_SSL_REDIRECT SESSION_COOKIE_SECURE CSRF_COOKIE_SECURE SECURE_HSTS_SECONDS"

    local = print_settings(tmp_path, names)
    production = print_settings(
        tmp_path,
        names,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=A_SECRET_KEY,
    )

    assert local.stdout.split() == ["False", "False", "False", "0"], local.stderr
    assert production.stdout.split() == ["True", "True", "True", "31536000"], production.stderr


def test_a_malformed_flag_stops_the_start_with_its_name(tmp_path):
    result = print_settings(tmp_path, "DEBUG", DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be 0 or 1, not 'maybe'" in result.stderr


def test_production_redirects_to_https_except_where_catapult_and_probes_call(tmp_path):
    # A redirected POST loses its body (CONTRACT 2.2); a plain-HTTP health probe must work.
    code = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="hub.example.com")
print(client.get("/admin/").status_code, client.get("/admin/").headers.get("Location"))
print(client.get("/healthz").status_code)
print(client.post("/ecrs/no-such-endpoint/", b"[]", content_type="application/json").status_code)
"""
    result = start(
        ["-c", code],
        tmp_path,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=A_SECRET_KEY,
        ALLOWED_HOSTS="hub.example.com",
    )

    assert result.returncode == 0, result.stderr
    admin, healthz, ecrs = result.stdout.splitlines()
    assert admin == "301 https://hub.example.com/admin/"
    assert healthz == "200"
    assert ecrs == "404"  # the envelope's answer, not a redirect
