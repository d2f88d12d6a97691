"""An id repeated within a file is an error, or, when the mapping says keep_first, its later rows
are duplicates. A file whose ids are all different skips the database's search for repeats."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stations.models import County, Station
from workload.importer import batch_check, batch_create
from workload.mapping import SHIPPED_DIR
from workload.models import BatchStatus, ImportBatch, ImportMapping, Incident

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = "external_id,received_at,arrived_at,cleared_at,station,category,community,handling_minutes,people_involved\n"
SEARCH_FOR_REPEATS = "HAVING COUNT(*) > 1"


@pytest.fixture(autouse=True)
def station() -> None:
    county = County.objects.create(code="QH", name="清河县")
    Station.objects.create(county=county, code="QH-01", name="城关派出所", kind="urban")
    jingli = (SHIPPED_DIR / "jingli.toml").read_text(encoding="utf-8")
    keep_first = jingli.replace('duplicates_in_file = "error"', 'duplicates_in_file = "keep_first"')
    ImportMapping.objects.create(name="keep-first", definition=keep_first)


def run(tmp_path: Path, ids: list[str], mapping: str = "jingli") -> tuple[ImportBatch, list[str]]:
    path = tmp_path / "file.csv"
    path.write_text(HEADER + "".join(f"{i},2026-03-01 08:00:00,,,QH-01,XS01,,43,2\n" for i in ids))
    with path.open("rb") as upload:
        batch = batch_create(upload=upload, file_name=path.name, mapping_name=mapping, mode="valid")
    with CaptureQueriesContext(connection) as queries:
        batch_check(batch.pk)
    batch.refresh_from_db()
    return batch, [q["sql"] for q in queries.captured_queries]


def test_a_repeated_id_is_an_error_of_its_later_rows(tmp_path: Path) -> None:
    batch, queries = run(tmp_path, ["R-1", "R-2", "R-1"])
    assert (batch.status, batch.rows_stored, batch.rows_rejected) == (BatchStatus.STORED, 2, 1)
    assert batch.errors[0]["row"] == 4 and batch.errors[0]["reason"] == "duplicate_in_file"
    assert any(SEARCH_FOR_REPEATS in sql for sql in queries)


def test_keep_first_stores_the_first_row_and_counts_the_rest_as_duplicates(tmp_path: Path) -> None:
    batch, _queries = run(tmp_path, ["R-1", "R-2", "R-1", "R-1"], mapping="keep-first")
    assert (batch.status, batch.rows_stored, batch.rows_duplicate, batch.rows_rejected) == (BatchStatus.STORED, 2, 2, 0)
    assert Incident.objects.get(external_id="R-1").batch_id == batch.pk


def test_all_different_ids_skip_the_search_for_repeats(tmp_path: Path) -> None:
    batch, queries = run(tmp_path, ["R-1", "R-2", "R-3"])
    assert (batch.status, batch.rows_stored) == (BatchStatus.STORED, 3)
    assert not any(SEARCH_FOR_REPEATS in sql for sql in queries)
