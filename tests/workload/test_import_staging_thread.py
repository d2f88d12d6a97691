"""On PostgreSQL the staging COPY runs in a thread of its own while pandas transforms the next
chunk. Whichever side fails, the batch fails whole: the error reaches the caller, no staged row
is left behind, nothing is stored, and the thread and its connection are gone."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from stations.models import County, Station
from workload import importer
from workload.importer import batch_check, batch_create
from workload.models import BatchStatus, ImportBatch, Incident, StagedIncident
from workload.reader import read_chunks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

HEADER = "external_id,received_at,arrived_at,cleared_at,station,category,community,handling_minutes,people_involved\n"


@pytest.fixture
def five_rows_in_chunks_of_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ImportBatch:
    county = County.objects.create(code="QH", name="清河县")
    Station.objects.create(county=county, code="QH-01", name="城关派出所", kind="urban")
    path = tmp_path / "file.csv"
    path.write_text(HEADER + "".join(f"T-{n},2026-03-01 08:00:00,,,QH-01,XS01,,43,2\n" for n in range(5)))
    monkeypatch.setattr(importer, "read_chunks", functools.partial(read_chunks, chunk_rows=2))
    with path.open("rb") as upload:
        return batch_create(upload=upload, file_name=path.name, mapping_name="jingli", mode="all")


def connections_to_this_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()")
        (count,) = cursor.fetchone()
    return int(count)


def assert_failed_whole(batch: ImportBatch, message: str) -> None:
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert message in batch.message
    assert not StagedIncident.objects.filter(batch_id=batch.pk).exists()
    assert not Incident.objects.exists()
    assert not [t for t in threading.enumerate() if t.name == "staging-copy"]


def test_chunks_copied_by_the_thread_are_all_stored(five_rows_in_chunks_of_two: ImportBatch) -> None:
    batch = five_rows_in_chunks_of_two
    before = connections_to_this_database()

    batch_check(batch.pk)

    batch.refresh_from_db()
    assert (batch.status, batch.rows_read, batch.rows_stored) == (BatchStatus.STORED, 5, 5)
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == [f"T-{n}" for n in range(5)]
    assert connections_to_this_database() == before  # the thread closed its own connection


def test_a_failed_copy_in_the_thread_fails_the_batch(
    five_rows_in_chunks_of_two: ImportBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = five_rows_in_chunks_of_two
    copy = importer._copy_into_staging
    calls: list[int] = []

    def second_copy_fails(db: Any, text: str | None) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        copy(db, text)

    monkeypatch.setattr(importer, "_copy_into_staging", second_copy_fails)

    with pytest.raises(RuntimeError, match="the disk is full"):
        batch_check(batch.pk)

    assert_failed_whole(batch, "the disk is full")


def test_a_failed_transform_stops_the_thread_and_fails_the_batch(
    five_rows_in_chunks_of_two: ImportBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = five_rows_in_chunks_of_two
    transform = importer.transform
    calls: list[int] = []

    def second_chunk_fails(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise ValueError("pandas gave up")
        return transform(*args)

    monkeypatch.setattr(importer, "transform", second_chunk_fails)

    with pytest.raises(ValueError, match="pandas gave up"):
        batch_check(batch.pk)

    assert_failed_whole(batch, "pandas gave up")
