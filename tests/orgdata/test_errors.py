"""Every kind of wrong row is reported with file, row, column, value and reason, and stores nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from orgdata.files import unescape
from orgdata.models import OrgBatchMode, OrgBatchStatus
from personnel.models import Person
from tests.orgdata.conftest import Rows, org_state, run_import, write_all, write_kind

pytestmark = pytest.mark.django_db

# (kind, row index or None to append a copy of row 1 changed, changes, reason, column)
CASES: list[tuple[str, int | None, dict[str, Any], str, str]] = [
    ("people", 0, {"station": "T01-S9"}, "unknown_station", "station"),
    ("people", 4, {"unit": "case"}, "unknown_unit", "unit"),
    ("people", None, {}, "duplicate_key", "number"),
    ("people", None, {"station": "T01-S2"}, "person_in_two_places", "number"),
    ("people", 3, {"post": "case_officer"}, "officer_post_for_auxiliary", "post"),
    ("people", 3, {"rank": "sergeant_2"}, "rank_for_auxiliary", "rank"),
    ("people", 3, {"qualifications": "SCENE"}, "officer_qualification_for_auxiliary", "qualifications"),
    ("people", 1, {"post": "aux_patrol"}, "auxiliary_post_for_officer", "post"),
    ("people", 0, {"rank": ""}, "rank_missing", "rank"),
    ("people", 1, {"hire_date": "2027-01-01"}, "date_in_future", "hire_date"),
    ("people", 1, {"birth_date": "1988-13-40"}, "not_a_date", "birth_date"),
    ("people", 1, {"rank": "general"}, "unknown_value", "rank"),
    ("people", 1, {"qualifications": "PILOT"}, "unknown_qualification", "qualifications"),
    ("people", 1, {"name": ""}, "missing_value", "name"),
    ("people", 1, {"post_since": "2010-01-01"}, "post_before_hire", "post_since"),
    ("people", 1, {"seconded_to": "市局"}, "seconded_to_without_secondment", "seconded_to"),
    ("people", 1, {"movable": "maybe"}, "not_yes_no", "movable"),
    ("communities", 0, {"resident_population": "八千"}, "not_a_number", "resident_population"),
    ("communities", 0, {"households": "9000"}, "households_above_population", "households"),
    ("communities", 0, {"station": "T01-D1"}, "community_at_department", "station"),
    ("communities", 1, {"area_km2": "-3"}, "out_of_range", "area_km2"),
    ("stations", 1, {"name": "城关派出所"}, "duplicate_name", "name"),
    ("stations", 0, {"county": "X9", "county_name": ""}, "unknown_county", "county"),
    ("stations", 0, {"latitude": "95"}, "out_of_range", "latitude"),
    ("stations", 1, {"latitude": "30.1"}, "coordinates_incomplete", "longitude"),
    ("stations", 0, {"establishment_quota": "-2"}, "negative_number", "establishment_quota"),
    ("units", 0, {"kind": "department"}, "unit_kind_for_place", "kind"),
    ("history", 0, {"end_date": "2019-01-01"}, "history_overlap", "start_date"),
    ("history", 0, {"number": "000999"}, "unknown_person", "number"),
    ("history", 0, {"end_date": "2012-07-01"}, "end_not_after_start", "end_date"),
    ("leaves", 0, {"number": "999999"}, "unknown_person", "number"),
    ("leaves", 0, {"end_date": "2026-04-01"}, "end_before_start", "end_date"),
]


def spoil(rows: Rows, kind: str, index: int | None, changes: dict[str, Any]) -> int:
    """Apply the change; return the spreadsheet row of the spoiled line (the header is row 1)."""
    if index is None:
        rows[kind].append({**rows[kind][1], **changes})
        return len(rows[kind]) + 1
    rows[kind][index].update(changes)
    return index + 2


@pytest.mark.parametrize(
    ("kind", "index", "changes", "reason", "column"), CASES, ids=[c[3] + "-" + c[0] for c in CASES]
)
def test_the_error_is_reported_and_nothing_is_stored(
    tmp_path: Path, rows: Rows, kind: str, index: int | None, changes: dict[str, Any], reason: str, column: str
) -> None:
    row = spoil(rows, kind, index, changes)
    empty = org_state()
    batch = run_import(write_all(tmp_path / "county", rows))
    assert batch.status == OrgBatchStatus.REJECTED
    found = [(e["file"], e["row"], e["column"], e["reason"]) for e in batch.errors]
    assert (f"{kind}.csv", row, column, reason) in found, batch.errors
    error = next(e for e in batch.errors if e["reason"] == reason)
    # The value as the cell holds it (the test files quote a leading "-" as exports do).
    assert unescape(error["value"]) == str(rows[kind][row - 2].get(column, "")) and error["message"]
    assert org_state() == empty


def test_a_missing_column_refuses_the_whole_file(tmp_path: Path, rows: Rows) -> None:
    for person in rows["people"]:
        del person["hire_date"]
    batch = run_import(write_kind(tmp_path, "people", rows["people"]))
    assert batch.status == OrgBatchStatus.REJECTED
    assert "people.csv" in batch.message and "'hire_date'" in batch.message
    assert Person.objects.count() == 0


def test_store_valid_keeps_the_good_rows_and_gives_an_error_file(tmp_path: Path, rows: Rows) -> None:
    rows["people"][3]["post"] = "chief"  # an auxiliary as station chief
    rows["leaves"].append(
        {**rows["leaves"][0], "number": "FJ0001", "start_date": "2026-06-01", "end_date": "2026-06-02"}
    )
    batch = run_import(write_all(tmp_path / "county", rows), mode=OrgBatchMode.VALID_ROWS)
    assert batch.status == OrgBatchStatus.STORED
    assert sorted(Person.objects.values_list("number", flat=True)) == ["000101", "000102", "000103", "000104"]
    # The auxiliary's leave depends on the rejected person, so it is rejected too, with its own reason.
    assert {(e["file"], e["reason"]) for e in batch.errors} == {
        ("people.csv", "officer_post_for_auxiliary"),
        ("leaves.csv", "unknown_person"),
    }
    with batch.rejected_file.open("rb") as handle:
        lines = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert lines[0] == ["file", "sheet", "row", "column", "value", "reason", "reason code"]
    assert ["people.csv", "", "5", "post", "chief", "an auxiliary cannot hold an officer-only post",
            "officer_post_for_auxiliary"] in lines  # fmt: skip


def test_a_workbook_is_all_or_nothing_across_its_sheets(tmp_path: Path, rows: Rows) -> None:
    from tests.orgdata.conftest import write_workbook

    rows["leaves"][0]["end_date"] = "2026-04-30"  # only the last sheet is wrong
    empty = org_state()
    batch = run_import(write_workbook(tmp_path / "county.xlsx", rows))
    assert batch.status == OrgBatchStatus.REJECTED
    assert [(e["sheet"], e["row"], e["reason"]) for e in batch.errors] == [("leaves", 2, "end_before_start")]
    assert batch.counts["people"]["added"] == 5  # the rest was fine, and still nothing is stored
    assert org_state() == empty


def test_the_command_exits_1_when_nothing_is_stored(tmp_path: Path, rows: Rows) -> None:
    from django.core.management import call_command

    rows["communities"][0]["resident_population"] = "many"
    path = write_all(tmp_path / "county", rows)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_org", str(path), stdout=out)
    assert exit_info.value.code == 1
    assert "row 2, column 'resident_population', value 'many': not a number" in out.getvalue()
    assert Person.objects.count() == 0


def test_unreadable_files_are_refused_with_a_reason(tmp_path: Path, rows: Rows) -> None:
    from openpyxl import Workbook

    broken = tmp_path / "county.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    batch = run_import(broken)
    assert batch.status == OrgBatchStatus.REJECTED and "county.xlsx" in batch.message
    book = Workbook()
    book.active.title = "people"
    book.create_sheet("notes")
    odd = tmp_path / "odd.xlsx"
    book.save(odd)
    batch = run_import(odd)
    assert batch.status == OrgBatchStatus.REJECTED and "['notes']" in batch.message
    two = write_all(tmp_path / "two", rows)
    write_kind(two, "people", rows["people"], name="more-people")
    batch = run_import(two)
    assert batch.status == OrgBatchStatus.REJECTED and "both hold people" in batch.message
