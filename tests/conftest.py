"""Suite-wide fixtures and the rule about real services.

Tests marked `postgres` or `redis` need the real service. On a bare machine (embedded SQLite, no
Redis) they are skipped; when JINGLI_REQUIRE_SERVICES=1 (set by .ci/run) a missing service stops the
whole run instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils import translation

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
HAS_REDIS = bool(settings.REDIS_URL)
REQUIRE_SERVICES = os.environ.get("JINGLI_REQUIRE_SERVICES") == "1"


def pytest_configure(config: pytest.Config) -> None:
    if not REQUIRE_SERVICES:
        return
    missing = []
    if not ON_POSTGRES:
        missing.append("DATABASE_URL (PostgreSQL)")
    if not HAS_REDIS:
        missing.append("REDIS_URL (Redis)")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            missing.append(f"Redis at {settings.REDIS_URL} ({exc})")
    if missing:
        raise pytest.UsageError("JINGLI_REQUIRE_SERVICES=1 but these services are missing: " + ", ".join(missing))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL"))
        if "redis" in item.keywords and not HAS_REDIS:
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # Argon2 is right for production and pointlessly slow for hundreds of test logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    # Service errors are asserted in English; tests of the Chinese interface switch explicitly.
    with translation.override("en"):
        yield
