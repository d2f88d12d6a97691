"""The API's 202: a real Celery worker stores the checked batch; delivered twice, it changes nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from orgdata.models import OrgBatchStatus
from orgdata.services import orgbatch_check
from orgdata.tasks import store_batch
from personnel.models import Assignment, Person
from tests.orgdata.conftest import AS_OF, Rows, write_all

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_real_worker_stores_a_checked_batch(celery_worker_process, tmp_path: Path, rows: Rows) -> None:  # type: ignore[no-untyped-def]
    batch = orgbatch_check(upload=write_all(tmp_path / "county", rows), file_name="county", as_of=AS_OF)
    assert batch.status == OrgBatchStatus.CHECKED
    assert store_batch.delay(batch.pk).id  # sent to the broker, not run here
    deadline = time.monotonic() + 60
    while batch.status == OrgBatchStatus.CHECKED and time.monotonic() < deadline:
        time.sleep(0.3)
        batch.refresh_from_db()
    assert batch.status == OrgBatchStatus.STORED and Person.objects.count() == 5
    store_batch.delay(batch.pk)
    time.sleep(1.5)
    assert (Person.objects.count(), Assignment.objects.count()) == (5, 6)
