"""Two imports of the same ids at once: the second stores only what the first did not, and counts
the rest as duplicates, whether it saw them at its check or only when inserting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from stations.models import County, Station
from workload import importer
from workload.importer import batch_check, batch_create
from workload.models import BatchStatus, ImportBatch, Incident, IncidentCategory

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "external_id,received_at,arrived_at,cleared_at,station,category,community,handling_minutes,people_involved\n"


@pytest.fixture
def station() -> Station:
    county = County.objects.create(code="QH", name="清河县")
    return Station.objects.create(county=county, code="QH-01", name="城关派出所", kind="urban")


def write(path: Path, ids: list[str]) -> Path:
    lines = [f"{i},2026-03-01 08:00:00,,,QH-01,XS01,,43,2\n" for i in ids]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def run(path: Path) -> ImportBatch:
    with path.open("rb") as upload:
        batch = batch_create(upload=upload, file_name=path.name, mapping_name="jingli", mode="all")
    batch_check(batch.pk)
    batch.refresh_from_db()
    return batch


def store_behind_its_back(station: Station, external_id: str) -> None:
    """What a concurrent import committing between this batch's check and its insert leaves."""
    Incident.objects.create(
        source="jingli",
        external_id=external_id,
        station=station,
        category=IncidentCategory.objects.get(code="XS01"),
        received_at=timezone.now(),
    )


def test_ids_stored_before_the_check_are_counted_as_duplicates(station: Station, tmp_path: Path) -> None:
    store_behind_its_back(station, "R-2")

    batch = run(write(tmp_path / "file.csv", ["R-1", "R-2", "R-3"]))

    assert (batch.status, batch.rows_stored, batch.rows_duplicate, batch.rows_valid) == (BatchStatus.STORED, 2, 1, 2)
    assert Incident.objects.filter(batch=batch).count() == 2


def test_ids_stored_between_the_check_and_the_insert_are_skipped_and_counted(
    station: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = importer._check_set_wise

    def check_then_race(batch: ImportBatch, mapping: Any, **options: Any) -> None:
        checked(batch, mapping, **options)
        store_behind_its_back(station, "R-2")

    monkeypatch.setattr(importer, "_check_set_wise", check_then_race)

    batch = run(write(tmp_path / "file.csv", ["R-1", "R-2", "R-3"]))

    assert (batch.status, batch.rows_stored, batch.rows_duplicate, batch.rows_valid) == (BatchStatus.STORED, 2, 1, 2)
    assert sorted(Incident.objects.filter(batch=batch).values_list("external_id", flat=True)) == ["R-1", "R-3"]
    assert Incident.objects.count() == 3
