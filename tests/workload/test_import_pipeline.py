"""The import pipeline on Jingli's own format: every kind of bad row is caught and reported
precisely, a batch is stored whole or not at all, re-imports add nothing, rollback removes a batch."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from stations.models import Community, County, Station, StationAlias
from workload.importer import ImportRefused, batch_check, batch_create, batch_decide, batch_rollback
from workload.mapping import MappingError
from workload.models import BatchMode, BatchStatus, ImportBatch, Incident

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = [
    "external_id",
    "received_at",
    "arrived_at",
    "cleared_at",
    "station",
    "category",
    "community",
    "handling_minutes",
    "people_involved",
]
GOOD = [
    [
        "A-1",
        "2026-03-01 08:00:00",
        "2026-03-01 08:07:00",
        "2026-03-01 08:50:00",
        "QH-01",
        "XS01",
        "QH-01-C01",
        "43",
        "2",
    ],
    ["A-2", "2026-03-01 09:30:00", "", "", "城关所", "盗窃", "", "", ""],
    ["A-3", "2026-03-02 22:15:00", "", "", "城关派出所", "Family dispute", "东风社区", "55.5", "3"],
]
# One row per kind of error, each with its expected (reason, column, value).
BAD = [
    (["", "2026-03-01 10:00:00", "", "", "QH-01", "XS01", "", "", ""], ("missing_value", "external_id", "")),
    (
        ["B-2", "01/03/2026 10:00", "", "", "QH-01", "XS01", "", "", ""],
        ("unparsable_time", "received_at", "01/03/2026 10:00"),
    ),
    (["B-3", "2026-03-01 10:00:00", "", "", "QH-99", "XS01", "", "", ""], ("unknown_station", "station", "QH-99")),
    (["B-4", "2026-03-01 10:00:00", "", "", "QH-01", "ZZ99", "", "", ""], ("unknown_category", "category", "ZZ99")),
    (
        ["B-5", "2026-03-01 10:00:00", "", "", "QH-01", "XS01", "QH-99-C09", "", ""],
        ("unknown_community", "community", "QH-99-C09"),
    ),
    (
        ["B-6", "2026-03-01 10:00:00", "", "", "QH-01", "XS01", "QH-02-C01", "", ""],
        ("community_elsewhere", "community", "QH-02-C01"),
    ),
    (
        ["B-7", "2026-03-01 10:00:00", "", "", "QH-01", "XS01", "", "abc", ""],
        ("not_a_number", "handling_minutes", "abc"),
    ),
    (
        ["B-8", "2026-03-01 10:00:00", "", "", "QH-01", "XS01", "", "-5", ""],
        ("negative_minutes", "handling_minutes", "-5"),
    ),
    (
        ["B-9", "2026-03-01 10:00:00", "2026-03-01 09:00:00", "", "QH-01", "XS01", "", "", ""],
        ("arrival_before_receipt", "arrived_at", "2026-03-01 09:00:00"),
    ),
    (
        ["B-10", "2026-03-01 10:00:00", "", "2026-03-01 09:59:00", "QH-01", "XS01", "", "", ""],
        ("clearance_before_receipt", "cleared_at", "2026-03-01 09:59:00"),
    ),
    (
        ["B-11", "2026-03-01 10:00:00", "2026-03-01 10:20:00", "2026-03-01 10:10:00", "QH-01", "XS01", "", "", ""],
        ("clearance_before_arrival", "cleared_at", "2026-03-01 10:10:00"),
    ),
    (
        ["B-12", "2026-03-01 10:00:00", "", "", "QH-01", "XS01", "", "", "0"],
        ("people_not_positive", "people_involved", "0"),
    ),
    (["A-1", "2026-03-03 10:00:00", "", "", "QH-01", "XS01", "", "", ""], ("duplicate_in_file", "external_id", "A-1")),
    (["B-14", "", "", "", "QH-01", "XS01", "", "", ""], ("missing_value", "received_at", "")),
]


@pytest.fixture
def county() -> None:
    row = County.objects.create(code="QH", name="清河县")
    first = Station.objects.create(county=row, code="QH-01", name="城关派出所", kind="urban")
    second = Station.objects.create(county=row, code="QH-02", name="城东派出所", kind="urban")
    StationAlias.objects.create(station=first, alias="城关所")
    Community.objects.create(
        station=first, code="QH-01-C01", name="东风社区", kind="community", resident_population=5000, households=1800
    )
    Community.objects.create(
        station=second, code="QH-02-C01", name="胜利社区", kind="community", resident_population=4000, households=1500
    )


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def run(path: Path, mode: str = BatchMode.ALL_OR_NOTHING, mapping: str = "jingli") -> ImportBatch:
    with path.open("rb") as upload:
        batch = batch_create(upload=upload, file_name=path.name, mapping_name=mapping, mode=mode)
    batch_check(batch.pk)
    batch.refresh_from_db()
    return batch


def test_good_rows_are_stored_with_their_values(county: None, tmp_path: Path) -> None:
    batch = run(write_csv(tmp_path / "good.csv", GOOD))
    assert batch.status == BatchStatus.STORED
    assert (batch.rows_read, batch.rows_stored, batch.rows_rejected) == (3, 3, 0)
    first = Incident.objects.get(external_id="A-1")
    assert (first.station.code, first.category.code, first.community.code) == ("QH-01", "XS01", "QH-01-C01")
    assert first.handling_minutes == 43 and first.people_involved == 2
    assert first.received_at.isoformat() == "2026-03-01T00:00:00+00:00"  # 08:00 in Shanghai
    alias = Incident.objects.get(external_id="A-2")
    assert (alias.station.code, alias.category.code, alias.handling_minutes, alias.people_involved) == (
        "QH-01",
        "XS01",
        None,
        None,
    )
    by_name = Incident.objects.get(external_id="A-3")
    assert (by_name.category.code, by_name.community.name) == ("JF01", "东风社区")
    assert set(Incident.objects.values_list("batch_id", flat=True)) == {batch.pk}


def test_a_broken_file_reports_every_kind_of_error_and_stores_nothing(county: None, tmp_path: Path) -> None:
    batch = run(write_csv(tmp_path / "broken.csv", GOOD + [row for row, _expected in BAD]))
    assert batch.status == BatchStatus.REJECTED
    assert Incident.objects.count() == 0
    assert batch.rows_rejected == len(BAD)
    reported = {e["row"]: (e["reason"], e["column"], e["value"] or "") for e in batch.errors}
    for offset, (_row, expected) in enumerate(BAD):
        row_number = 2 + len(GOOD) + offset  # header is row 1
        assert reported[row_number] == expected, row_number
    assert all(e["message"] for e in batch.errors)


def test_a_file_whose_community_names_all_miss_reports_them(county: None, tmp_path: Path) -> None:
    # Found by the XLSX fuzz test: no name in the file matches, so the lookup by name finds nothing at all.
    rows = [["C-1", "2026-03-01 10:00:00", "", "", "QH-01", "XS01", "西风社区", "", ""]]
    batch = run(write_csv(tmp_path / "names.csv", rows))
    assert batch.status == BatchStatus.REJECTED
    assert Incident.objects.count() == 0
    assert [(e["row"], e["reason"], e["column"], e["value"]) for e in batch.errors] == [
        (2, "unknown_community", "community", "西风社区")
    ]


def test_storing_the_valid_rows_gives_a_rejected_file_with_reasons(county: None, tmp_path: Path) -> None:
    batch = run(write_csv(tmp_path / "broken.csv", GOOD + [row for row, _expected in BAD]), mode=BatchMode.VALID_ROWS)
    assert batch.status == BatchStatus.STORED
    assert batch.rows_stored == 3
    assert sorted(Incident.objects.values_list("external_id", flat=True)) == ["A-1", "A-2", "A-3"]
    with batch.rejected_file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    rejected = list(csv.reader(io.StringIO(text)))
    assert rejected[0][:4] == ["row", "reason", "column", "value"]
    assert rejected[0][4:] == HEADER
    assert len(rejected) == 1 + len(BAD)
    assert rejected[3][0] == str(2 + len(GOOD) + 2) and rejected[3][1] == "unknown station"
    assert rejected[3][4:] == BAD[2][0]  # the row exactly as it was in the file


def test_asking_first_waits_for_the_planner(county: None, tmp_path: Path) -> None:
    batch = run(write_csv(tmp_path / "broken.csv", GOOD + [BAD[2][0]]), mode=BatchMode.ASK)
    assert batch.status == BatchStatus.AWAITING_DECISION
    assert Incident.objects.count() == 0
    batch_decide(batch=batch, store_valid=True)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_stored) == (BatchStatus.STORED, 3)
    with pytest.raises(ImportRefused):
        batch_decide(batch=batch, store_valid=False)


def test_reimporting_the_same_file_stores_nothing_new(county: None, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "good.csv", GOOD)
    first = run(path)
    second = run(path)
    assert first.checksum == second.checksum
    assert (second.status, second.rows_stored, second.rows_duplicate) == (BatchStatus.STORED, 0, 3)
    assert Incident.objects.count() == 3


def test_rollback_removes_exactly_the_batch(county: None, tmp_path: Path) -> None:
    kept = run(write_csv(tmp_path / "one.csv", GOOD[:1]))
    removed = run(write_csv(tmp_path / "two.csv", GOOD[1:]))
    assert batch_rollback(batch=removed) == 2
    removed.refresh_from_db()
    assert removed.status == BatchStatus.ROLLED_BACK
    assert list(Incident.objects.values_list("external_id", flat=True)) == ["A-1"]
    assert kept.incidents.count() == 1
    with pytest.raises(ImportRefused):
        batch_rollback(batch=removed)
    # Rolled back rows can come in again.
    again = run(tmp_path / "two.csv")
    assert again.rows_stored == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_encodings(county: None, tmp_path: Path, encoding: str) -> None:
    batch = run(write_csv(tmp_path / "encoded.csv", GOOD, encoding=encoding))
    assert (batch.status, batch.rows_stored) == (BatchStatus.STORED, 3)
    assert Incident.objects.get(external_id="A-3").community.name == "东风社区"


def test_xlsx_with_real_date_cells(county: None, tmp_path: Path) -> None:
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["X-1", dt.datetime(2026, 3, 1, 8, 0), None, None, "QH-01", "XS01", None, 30, 2])
    sheet.append([None] * len(HEADER))  # a blank row in the middle is skipped, not an error
    sheet.append(["X-2", "2026-03-01 09:00:00", None, None, "城关派出所", "盗窃", None, None, None])
    path = tmp_path / "incidents.xlsx"
    book.save(path)
    batch = run(path)
    assert (batch.status, batch.rows_stored, batch.rows_blank) == (BatchStatus.STORED, 2, 1)
    assert Incident.objects.get(external_id="X-1").handling_minutes == 30


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("external_id,received_at\nA,2026-03-01 08:00:00\n", "columns missing from the file"),
        ("\xff\xfe\x00garbage", "neither UTF-8 nor GB18030"),
    ],
)
def test_file_level_problems_reject_the_batch(county: None, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content.encode("latin-1"))
    batch = run(path)
    assert batch.status == BatchStatus.REJECTED
    assert message in batch.message
    assert Incident.objects.count() == 0


def test_a_file_level_problem_is_told_in_the_planners_language(county: None, tmp_path: Path) -> None:
    from django.utils import translation

    path = tmp_path / "bad.csv"
    path.write_text("external_id,received_at\nA,2026-03-01 08:00:00\n", encoding="utf-8")
    with translation.override("zh-hans"):
        batch = run(path)
    assert batch.status == BatchStatus.REJECTED
    assert batch.message.startswith("文件缺少以下列：")
    assert "'station'" in batch.message  # the names stay as the file and the mapping give them
    assert Incident.objects.count() == 0


def test_unknown_mapping_is_refused_before_anything_is_stored(county: None, tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="known mappings: .*jingli"), (tmp_path / "x.csv").open("wb") as upload:
        upload.write(b"x")
        batch_create(upload=io.BytesIO(b"a,b\n"), file_name="x.csv", mapping_name="nope", mode="all")
    assert ImportBatch.objects.count() == 0


class TestCommand:
    def test_json_summary_and_exit_codes(
        self, county: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        good = write_csv(tmp_path / "good.csv", GOOD)
        call_command("import_incidents", str(good), "--mapping", "jingli", "--json")
        summary = json.loads(capsys.readouterr().out)
        assert (summary["rows_read"], summary["stored"], summary["duplicates"], summary["rejected"]) == (3, 3, 0, 0)

        broken = write_csv(tmp_path / "broken.csv", [BAD[2][0]])
        with pytest.raises(SystemExit) as exit_info:
            call_command("import_incidents", str(broken), "--mapping", "jingli", "--json")
        assert exit_info.value.code == 1
        summary = json.loads(capsys.readouterr().out)
        assert summary["status"] == "rejected"
        assert summary["errors"][0] == {
            "row": 2,
            "column": "station",
            "value": "QH-99",
            "reason": "unknown_station",
            "message": "unknown station",
        }
        assert Incident.objects.count() == 3

    def test_mapping_file_path(self, county: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        mapping = tmp_path / "mine.toml"
        mapping.write_text(
            'source = "mine"\n[id]\ncolumn = "no"\n[received]\ncolumn = "when"\nformats = ["%d.%m.%Y %H:%M"]\n'
            '[station]\ncolumn = "where"\n[category]\ncolumn = "what"\n',
            encoding="utf-8",
        )
        data = tmp_path / "mine.csv"
        data.write_text("no,when,where,what\n1,01.03.2026 08:00,QH-01,XS01\n", encoding="utf-8")
        call_command("import_incidents", str(data), "--mapping", str(mapping), "--json")
        assert json.loads(capsys.readouterr().out)["stored"] == 1
        assert Incident.objects.get().source == "mine"
