"""The SQL staging path gives exactly what the pandas path gives, row by row, on PostgreSQL."""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.workload.test_import_pipeline import BAD, GOOD, HEADER, county  # noqa: F401 - county is a fixture
from workload import importer, stage_sql
from workload.mapping import parse_mapping
from workload.models import ImportBatch, StagedIncident

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

IDEOGRAPHIC_SPACE = "\u3000"
# Rows at the edges of what SQL accepts; each must come out as pandas makes it, valid or not.
EDGES = [
    ["E-1", f" 2026-03-04 08:00:00{IDEOGRAPHIC_SPACE}", "", "", "\tQH-01 ", "XS01", "", "12,5", "2"],
    ["E-2", "2026-03-04T08:00:00+0800", "2026-03-04T01:10:00Z", "", "QH-01", "XS01", "", "", ""],
    ["E-3", "2026-02-30 08:00:00", "", "", "QH-01", "XS01", "", "", ""],
    ["E-4", "2026-04-31 08:00", "", "", "QH-01", "XS01", "", "", ""],
    ["E-5", "2026-3-4 08:00:00", "", "", "QH-01", "XS01", "", "", ""],
    ["E-6", "2026-03-04 08:00", "", "", "QH-01", "XS01", "", "12.", "2.0"],
    ["E-7", "2026-03-04 08:00:60", "", "", "QH-01", "XS01", "", "0.2", ""],
    ["E-8", "2026-03-04 08:00:00", "", "", "QH-01", "XS01", "", "900", "1001"],
    ["E-9", "N/A", "", "", "QH-01", "XS01", "", "", ""],
    ["", "", "", "", "", "", "", "", ""],
    ["E-11", "1960-01-01 00:00:00", "", "", "城关所", "盗窃", "东风社区", "", ""],
    ["E-12", "2026-03-04 08:00:00", "", "", "QH-02", "XS01", "东风社区", "", ""],
    ["E-" + "x" * 70, "2026-03-04 08:00:00", "", "", "QH-01", "XS01", "", "", ""],
    ["E-14", "2026-03-04 08:00:00", "2026-03-04 08:00:00", "2026-03-04 08:00:00", "QH-01", "XS01", "", "", ""],
]
COLUMNS = [
    "row",
    "external_id",
    "station_id",
    "community_id",
    "category_id",
    "received_at",
    "arrived_at",
    "cleared_at",
    "handling_minutes",
    "people_involved",
    "is_outlier",
    "error",
    "error_column",
    "error_value",
]


def staged(path: Path, *, sql: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[Any, ...]], int]:
    used: list[bool] = []

    def spy(**kwargs: Any) -> tuple[int, int] | None:
        result = stage_sql.stage_with_copy(**kwargs) if sql else None
        used.append(result is not None)
        return result

    monkeypatch.setattr(importer, "stage_with_copy", spy)
    with path.open("rb") as upload:
        batch = importer.batch_create(upload=upload, file_name=path.name, mapping_name="jingli", mode="all")
    mapping = parse_mapping(batch.mapping_text, default_name="jingli")
    importer._stage(batch, mapping, None)
    assert used == [sql]
    rows = list(StagedIncident.objects.filter(batch_id=batch.pk).order_by("row").values_list(*COLUMNS))
    blank = ImportBatch.objects.get(pk=batch.pk).rows_blank
    StagedIncident.objects.filter(batch_id=batch.pk).delete()
    return [(*r[:8], None if r[8] is None else round(r[8], 9), *r[9:]) for r in rows], blank


def test_sql_staging_matches_pandas_row_by_row(
    county: None,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "edges.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(GOOD + [row for row, _expected in BAD] + EDGES)
    with caplog.at_level(logging.INFO, logger="workload.stage_sql"):
        by_sql, blank_sql = staged(path, sql=True, monkeypatch=monkeypatch)
    # SQL itself accepted the plain good rows (the three good ones, the second A-1, E-1, E-2, E-14);
    # pandas saw only the rest (E-11 too: Shanghai changed its clocks until 1991).
    (left,) = [int(r.getMessage().split()[3]) for r in caplog.records if "left to pandas" in r.getMessage()]
    assert left == len(GOOD) + len(BAD) + len(EDGES) - 1 - 7
    by_pandas, blank_pandas = staged(path, sql=False, monkeypatch=monkeypatch)
    assert blank_sql == blank_pandas == 1
    assert len(by_sql) == len(GOOD) + len(BAD) + len(EDGES) - 1
    assert by_sql == by_pandas


def test_files_sql_cannot_read_go_the_pandas_way(county: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    gb = tmp_path / "gb.csv"
    with gb.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(GOOD)
    blank_line = tmp_path / "blank.csv"
    blank_line.write_text(",".join(HEADER) + "\n" + ",".join(GOOD[0]) + "\n\n" + ",".join(GOOD[1]) + "\n")
    for path in (gb, blank_line):
        with path.open("rb") as upload:
            batch = importer.batch_create(upload=upload, file_name=path.name, mapping_name="jingli", mode="all")
        mapping = parse_mapping(batch.mapping_text, default_name="jingli")
        assert (
            stage_sql.stage_with_copy(
                batch_id=batch.pk,
                path=Path(batch.file.path),
                mapping=mapping,
                catalogue=importer.catalogue_build(),
                staged_table=importer.STAGED_TABLE,
                write_rows=importer._write_staging,
            )
            is None
        )
        assert not StagedIncident.objects.filter(batch_id=batch.pk).exists()
