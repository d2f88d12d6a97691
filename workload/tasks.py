"""Celery tasks of the workload app: thin shells around services, idempotent by design."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings

from workload.aggregate import cells_refresh
from workload.importer import batch_check, batches_fail_stale


@shared_task(name="workload.import_batch", acks_late=True)
def import_batch(batch_id: int) -> str | None:
    """Check (and, by the batch's mode, store) one import batch. Safe to run twice."""
    batch = batch_check(batch_id)
    return batch.status if batch is not None else None


@shared_task(name="workload.refresh_cells", acks_late=True)
def refresh_cells(station_months: list[tuple[int, str]]) -> int:
    """Recompute the workload cells of the (station id, "YYYY-MM-01") pairs an import changed."""
    return cells_refresh([(int(station), dt.date.fromisoformat(month)) for station, month in station_months])


@shared_task(name="workload.recompute", acks_late=True)
def recompute() -> int:
    """Nightly: recompute every workload cell from the incidents, whatever happened during the day."""
    return cells_refresh()


@shared_task(name="workload.fail_stale_batches", acks_late=True)
def fail_stale_batches() -> int:
    """Beat: batches whose worker vanished (no task outlives the hard time limit) end failed, unstaged."""
    return batches_fail_stale(older_than=dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120))
