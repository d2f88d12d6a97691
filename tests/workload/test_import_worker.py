"""With Redis configured, imports run in a real Celery worker and the batch row shows the outcome."""

from __future__ import annotations

import io
import time

import pytest

from tests import factories
from workload.importer import batch_create
from workload.models import BatchStatus, ImportBatch, Incident
from workload.tasks import import_batch

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CSV = (
    "external_id,received_at,arrived_at,cleared_at,station,category,community,handling_minutes,people_involved\n"
    "W-1,2026-03-01 08:00:00,,,QH-01,XS01,,40,2\n"
    "W-2,2026-03-01 09:00:00,,,QH-01,JF01,,,\n"
)


def wait_until_finished(batch: ImportBatch, seconds: float = 60) -> ImportBatch:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.is_finished:
            return batch
        time.sleep(0.2)
    raise AssertionError(f"batch {batch.pk} still {batch.status} after {seconds} s")


def test_a_real_worker_checks_and_stores_the_batch(celery_worker_process) -> None:  # type: ignore[no-untyped-def]
    factories.station(code="QH-01", name="城关派出所")
    batch = batch_create(upload=io.BytesIO(CSV.encode()), file_name="w.csv", mapping_name="jingli", mode="all")
    result = import_batch.delay(batch.pk)
    assert result.id  # sent to the broker, not run here
    batch = wait_until_finished(batch)
    assert (batch.status, batch.rows_stored) == (BatchStatus.STORED, 2)
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == ["W-1", "W-2"]
    # Delivered twice (as after a lost acknowledgement), the task changes nothing.
    import_batch.delay(batch.pk)
    time.sleep(1)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_stored, Incident.objects.count()) == (BatchStatus.STORED, 2, 2)
