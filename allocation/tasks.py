"""Celery tasks of the allocation app: thin shells around services."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from allocation.services import run_execute, runs_fail_stale


@shared_task(name="allocation.run_allocation", acks_late=True)
def run_allocation(run_id: int) -> str | None:
    run = run_execute(run_id)
    return run.status if run is not None else None


@shared_task(name="allocation.fail_stale_runs", acks_late=True)
def fail_stale_runs() -> int:
    """Beat: runs whose worker vanished (no task outlives the hard time limit) end failed."""
    return runs_fail_stale(older_than=dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120))
