"""Celery tasks of the workload app: thin shells around services, idempotent by design."""

from __future__ import annotations

from celery import shared_task

from workload.importer import batch_check


@shared_task(name="workload.import_batch", acks_late=True)
def import_batch(batch_id: int) -> str | None:
    """Check (and, by the batch's mode, store) one import batch. Safe to run twice."""
    batch = batch_check(batch_id)
    return batch.status if batch is not None else None
