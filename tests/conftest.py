"""Suite-wide fixtures and the rule about real services.

Tests marked `postgres` or `redis` need the real service. On a bare machine (embedded SQLite, no
Redis) they are skipped; when JINGLI_REQUIRE_SERVICES=1 (set by .ci/run) a missing service stops the
whole run instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture
def celery_worker_process(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker in its own process, on the Redis broker and the test database.

    Tasks it runs see only committed data, hence transactional_db.
    """
    from django.db import connection

    if not (ON_POSTGRES and HAS_REDIS):
        pytest.skip("a real worker needs PostgreSQL and Redis")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for(connection.settings_dict["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
        "JINGLI_VAR_DIR": str(settings.VAR_DIR),
    }
    queue = f"test-{os.getpid()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        preexec_fn=_die_with_parent,
    )
    from config.celery import app

    previous_queue = app.conf.task_default_queue
    app.conf.update(CELERY_TASK_DEFAULT_QUEUE=queue)
    try:
        yield worker
    finally:
        app.conf.update(CELERY_TASK_DEFAULT_QUEUE=previous_queue)
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def _die_with_parent() -> None:
    """In the worker's process before it starts: end it when the test run ends, however that ends.

    A run killed mid-suite leaves no worker behind to write into the next run's test database (of
    the same name): that once failed a whole CI run with rows its own tests had not made."""
    if sys.platform == "linux":
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _database_url_for(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{db['HOST']}{port}/{name}"


@pytest.fixture
def tasks_in_process() -> Iterator[None]:
    """Run Celery tasks in the calling process, as the embedded default does, whatever REDIS_URL says.

    For tests about pages and services; the real worker has its own tests (celery_worker_process).
    """
    from config.celery import app

    # With the CELERY_ namespace, only the prefixed name overrides what the settings gave.
    previous = app.conf.task_always_eager
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=True)
    try:
        yield
    finally:
        app.conf.update(CELERY_TASK_ALWAYS_EAGER=previous)
