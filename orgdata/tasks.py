"""Celery tasks of the org import: thin shells around services, idempotent by design."""

from __future__ import annotations

import logging

from celery import shared_task

from orgdata.models import OrgBatch, OrgBatchStatus
from orgdata.services import OrgImportRefused, orgbatch_store

log = logging.getLogger(__name__)


@shared_task(name="orgdata.store_batch", acks_late=True)
def store_batch(batch_id: int) -> str | None:
    """Store a checked org batch (the API's 202). A batch already stored or refused is left alone."""
    batch = OrgBatch.objects.filter(pk=batch_id, status=OrgBatchStatus.CHECKED).first()
    if batch is None:
        return None
    try:
        orgbatch_store(batch=batch, by=batch.created_by)
    except OrgImportRefused as exc:
        # The batch row keeps the reason (the county changed since the check); nothing to retry.
        log.info("org batch %s not stored: %s", batch_id, exc)
    batch.refresh_from_db()
    return batch.status
