"""Production settings: `check --deploy` is clean, and pages with personal data are never cached."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "JINGLI_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="jingli.example.gov.cn",
        JINGLI_VAR_DIR=str(tmp_path),
    )
    return env


def test_check_deploy_passes_with_the_production_environment(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_are_the_strict_ones(tmp_path: Path) -> None:
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps([s.DEBUG, "
        "s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, s.SECURE_CONTENT_TYPE_NOSNIFF, s.PASSWORD_HASHERS[0]]))"
    )
    env = {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert output.stdout.strip() == (
        '[false, true, true, true, true, 31536000, "DENY", true, "django.contrib.auth.hashers.Argon2PasswordHasher"]'
    ), output.stderr
    # And it refuses to start without a real secret key.
    env["SECRET_KEY"] = "short"
    refused = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0 and "SECRET_KEY must be at least 50" in refused.stderr


@pytest.mark.django_db
def test_pages_for_a_logged_in_user_are_no_store() -> None:
    client = Client()
    client.force_login(factories.auditor())
    for url in ("/audit/", "/county/", "/imports/", "/admin/personnel/person/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
    assert "no-store" in Client().get("/accounts/login/")["Cache-Control"]


@pytest.mark.django_db
def test_an_upload_over_the_limit_is_refused_before_it_is_read(settings) -> None:  # type: ignore[no-untyped-def]
    settings.JINGLI_REQUEST_MAX_BYTES = 1024
    client = Client()
    client.force_login(factories.planner())
    for url in ("/imports/new/", "/api/v1/imports/", "/admin/workload/importmapping/add/"):
        response = client.post(url, {"file": ("x" * 2000)})
        assert response.status_code == 413, url
        assert "larger than the limit" in response.content.decode()
