"""Each layout imports: CSV kind by kind, a ZIP-free directory, a workbook, and the documented examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from orgdata.models import OrgBatchStatus
from personnel.models import Assignment, Leave, Person
from stations.models import Community, County, PoliceArea, Station, Unit
from tests.orgdata.conftest import Rows, run_import, write_all, write_kind, write_workbook

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_each_kind_imports_from_its_own_csv(tmp_path: Path, rows: Rows) -> None:
    for kind in ("stations", "units", "communities", "people", "history", "leaves"):
        batch = run_import(write_kind(tmp_path, kind, rows[kind]))
        assert batch.status == OrgBatchStatus.STORED, (kind, batch.message, batch.errors)
        if kind == "units":  # the standard units came with the stations; the sheet renames one
            assert (batch.counts[kind]["added"], batch.counts[kind]["changed"]) == (0, 1)
        elif kind != "history":
            assert batch.counts[kind]["added"] == len(rows[kind])
    county = County.objects.get(code="T01")
    assert county.name == "测试县"
    s1 = Station.objects.get(code="T01-S1")
    assert (s1.kind, s1.latitude, s1.longitude, s1.establishment_quota) == (
        "urban",
        Decimal("30.123456"),
        Decimal("114.5"),
        12,
    )
    # Standard units come with every new place; the units sheet renamed one.
    assert set(s1.units.values_list("kind", flat=True)) == {"leadership", "community", "case", "command"}
    assert s1.units.get(kind="community").name == "社区警务中队"
    assert list(Unit.objects.filter(station__code="T01-D1").values_list("kind", flat=True)) == ["department"]
    c1 = Community.objects.get(code="T01-C1")
    assert (c1.resident_population, c1.households, c1.area_km2, c1.police_area.name) == (
        8000,
        2600,
        Decimal("1.50"),
        "第一警务区",
    )
    assert PoliceArea.objects.count() == 2
    assert Person.objects.count() == 5
    seconded = Person.objects.get(number="000103")
    assert (seconded.status, seconded.seconded_to) == ("seconded", "市局专案组")
    assert sorted(seconded.qualifications.values_list("code", flat=True)) == ["HUKOU", "MEDIATION"]
    assert Person.objects.get(number="000101").movable is False
    # The history sheet came after the people, who were already stored: history is not rewritten then.
    assert Assignment.objects.filter(person__number="000102").count() == 1
    assert Leave.objects.get().days == 5


def test_a_directory_of_csv_files_gives_history_and_placements(tmp_path: Path, rows: Rows) -> None:
    batch = run_import(write_all(tmp_path / "county", rows))
    assert batch.status == OrgBatchStatus.STORED, batch.errors
    history = list(
        Assignment.objects.filter(person__number="000102")
        .order_by("start_date")
        .values_list("unit__station__code", "unit__kind", "start_date", "end_date")
    )
    assert history == [
        ("T01-S2", "case", dt.date(2012, 7, 1), dt.date(2018, 3, 1)),
        ("T01-S1", "case", dt.date(2018, 3, 1), None),
    ]
    assert batch.applied["assignments_created"] == 6


def test_a_workbook_with_one_sheet_per_kind(tmp_path: Path, rows: Rows) -> None:
    batch = run_import(write_workbook(tmp_path / "county.xlsx", rows))
    assert batch.status == OrgBatchStatus.STORED, batch.errors
    assert {k: c["added"] for k, c in batch.counts.items()} == {
        "stations": 3, "units": 1, "communities": 2, "people": 5, "history": 1, "leaves": 1,
    }  # fmt: skip


def test_chinese_values_and_spellings_are_understood(tmp_path: Path, rows: Rows) -> None:
    rows["people"][3].update(
        {"kind": "勤务辅警", "unit": "综合指挥室", "post": "Patrol auxiliary", "qualifications": "机动车驾驶"}
    )
    rows["stations"][0]["kind"] = "城区派出所"
    batch = run_import(write_all(tmp_path / "county", rows))
    assert batch.status == OrgBatchStatus.STORED, batch.errors
    auxiliary = Person.objects.get(number="FJ0001")
    assert (auxiliary.kind, auxiliary.post) == ("aux_duty", "aux_patrol")
    assert list(auxiliary.qualifications.values_list("code", flat=True)) == ["DRIVER"]


@pytest.mark.parametrize("example", ["csv", "county.xlsx"])
def test_the_documented_examples_import(example: str) -> None:
    batch = run_import(EXAMPLES / example)
    assert batch.status == OrgBatchStatus.STORED, batch.errors
    assert Person.objects.count() == batch.counts["people"]["added"] > 0


def test_the_chinese_hr_example_imports_through_its_mapping() -> None:
    batch = run_import(EXAMPLES / "county-hr", mapping_name="county-hr")
    assert batch.status == OrgBatchStatus.STORED, batch.errors
    assert batch.counts["people"]["added"] > 0
