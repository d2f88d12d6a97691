"""With REDIS_URL set, the cache and the Celery broker are the real Redis."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

from config.celery import app


@pytest.mark.redis
def test_cache_round_trips_through_redis() -> None:
    import redis

    key = f"test-{uuid.uuid4()}"
    cache.set(key, {"station": "DM01-S01"}, timeout=30)
    assert cache.get(key) == {"station": "DM01-S01"}
    # Read it back with a plain client: the value really is in Redis, not in this process.
    client = redis.Redis.from_url(settings.REDIS_URL)
    assert any(key in name.decode() for name in client.scan_iter(match=f"*{key}*"))
    cache.delete(key)


@pytest.mark.redis
def test_celery_sends_tasks_to_the_broker_instead_of_running_them_here() -> None:
    assert app.conf.task_always_eager is False
    assert app.conf.broker_url == settings.REDIS_URL
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_acks_late is True
