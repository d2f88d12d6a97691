"""A small county in Jingli's org layout, as plain rows, and helpers to write and import it.

Three places (a town and an urban station, one bureau department), two communities, five people, one
past assignment and one leave. Tests copy the rows, spoil or change one thing, and import.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from orgdata.files import write_csv, write_xlsx
from orgdata.layouts import KIND_BY_NAME
from orgdata.models import OrgBatch
from orgdata.services import org_import
from personnel.models import Assignment, Leave, Person
from stations.models import Community, County, PoliceArea, Station, Unit

Rows = dict[str, list[dict[str, Any]]]

AS_OF = dt.date(2026, 11, 1)

BASE: Rows = {
    "stations": [
        {"code": "T01-S1", "name": "城关派出所", "name_en": "Chengguan", "kind": "urban", "county": "T01",
         "county_name": "测试县", "address": "人民路1号", "latitude": "30.123456", "longitude": "114.5",
         "establishment_quota": "12", "auxiliary_quota": "20"},
        {"code": "T01-S2", "name": "河口镇派出所", "name_en": "", "kind": "town", "county": "T01",
         "county_name": "测试县", "address": "", "latitude": "", "longitude": "", "establishment_quota": "8",
         "auxiliary_quota": "10"},
        {"code": "T01-D1", "name": "治安大队", "name_en": "", "kind": "department", "county": "T01",
         "county_name": "测试县", "address": "", "latitude": "", "longitude": "", "establishment_quota": "5",
         "auxiliary_quota": "0"},
    ],
    "units": [{"station": "T01-S1", "kind": "community", "name": "社区警务中队"}],
    "communities": [
        {"code": "T01-C1", "name": "东风社区", "station": "T01-S1", "police_area": "A1", "police_area_name": "第一警务区",
         "kind": "community", "resident_population": "8000", "households": "2600", "area_km2": "1.5"},
        {"code": "T01-C2", "name": "柳树村", "station": "T01-S2", "police_area": "A1", "police_area_name": "一区",
         "kind": "village", "resident_population": "3000", "households": "900", "area_km2": "12.3"},
    ],
    "people": [
        {"number": "000101", "name": "张明", "kind": "officer", "sex": "M", "birth_date": "1980-03-02",
         "station": "T01-S1", "unit": "leadership", "rank": "inspector_3", "post": "chief",
         "law_enforcement_level": "advanced", "investigator": "no", "qualifications": "", "status": "active",
         "seconded_to": "", "hire_date": "2003-07-01", "post_since": "2020-01-01", "assigned_since": "2003-07-01",
         "movable": "no"},
        {"number": "000102", "name": "李强", "kind": "officer", "sex": "M", "birth_date": "1988-05-01",
         "station": "T01-S1", "unit": "case", "rank": "sergeant_2", "post": "case_officer",
         "law_enforcement_level": "basic", "investigator": "yes", "qualifications": "DRIVER", "status": "active",
         "seconded_to": "", "hire_date": "2012-07-01", "post_since": "2018-03-01", "assigned_since": "2018-03-01",
         "movable": "yes"},
        {"number": "000103", "name": "王芳", "kind": "officer", "sex": "F", "birth_date": "1990-09-09",
         "station": "T01-S2", "unit": "community", "rank": "sergeant_3", "post": "village_officer",
         "law_enforcement_level": "basic", "investigator": "no", "qualifications": "HUKOU;MEDIATION",
         "status": "seconded", "seconded_to": "市局专案组", "hire_date": "2014-07-01", "post_since": "2019-01-01",
         "assigned_since": "2014-07-01", "movable": "yes"},
        {"number": "FJ0001", "name": "赵军", "kind": "aux_duty", "sex": "M", "birth_date": "1995-01-01",
         "station": "T01-S1", "unit": "command", "rank": "", "post": "aux_patrol", "law_enforcement_level": "none",
         "investigator": "no", "qualifications": "DRIVER", "status": "active", "seconded_to": "",
         "hire_date": "2019-03-01", "post_since": "2019-03-01", "assigned_since": "2019-03-01", "movable": "yes"},
        {"number": "000104", "name": "陈静", "kind": "officer", "sex": "F", "birth_date": "1975-12-12",
         "station": "T01-D1", "unit": "department", "rank": "inspector_2", "post": "department_head",
         "law_enforcement_level": "intermediate", "investigator": "no", "qualifications": "", "status": "active",
         "seconded_to": "", "hire_date": "1998-08-01", "post_since": "2015-06-01", "assigned_since": "1998-08-01",
         "movable": "yes"},
    ],
    "history": [
        {"number": "000102", "station": "T01-S2", "unit": "case", "start_date": "2012-07-01",
         "end_date": "2018-03-01", "reason": "轮岗"},
    ],
    "leaves": [
        {"number": "000101", "kind": "annual", "start_date": "2026-05-01", "end_date": "2026-05-05",
         "status": "approved", "reason": ""},
    ],
}  # fmt: skip


@pytest.fixture
def rows() -> Rows:
    return copy.deepcopy(BASE)


def write_kind(directory: Path, kind: str, rows: list[dict[str, Any]], name: str | None = None) -> Path:
    header = list(rows[0]) if rows else KIND_BY_NAME[kind].names
    path = directory / f"{name or kind}.csv"
    write_csv(path, header, [[row.get(h, "") for h in header] for row in rows])
    return path


def write_all(directory: Path, rows: Rows) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for kind, kind_rows in rows.items():
        write_kind(directory, kind, kind_rows)
    return directory


def write_workbook(path: Path, rows: Rows) -> Path:
    write_xlsx(path, {kind: (list(r[0]), [list(row.values()) for row in r]) for kind, r in rows.items() if r})
    return path


def run_import(path: Path, **options: Any) -> OrgBatch:
    options.setdefault("as_of", AS_OF)
    options.setdefault("effective_date", AS_OF)
    return org_import(path=path, **options)


def org_state() -> dict[str, list[tuple[Any, ...]]]:
    """Everything the org import writes, by natural keys: equal states are the same county."""
    return {
        "counties": list(County.objects.order_by("code").values_list("code", "name")),
        "stations": list(
            Station.objects.order_by("code").values_list(
                "code", "name", "name_en", "kind", "county__code", "address", "latitude", "longitude",
                "establishment_quota", "auxiliary_quota",
            )
        ),
        "units": list(Unit.objects.order_by("station__code", "kind").values_list("station__code", "kind", "name")),
        "areas": list(PoliceArea.objects.order_by("station__code", "code").values_list("station__code", "code", "name")),
        "communities": list(
            Community.objects.order_by("code").values_list(
                "code", "name", "station__code", "police_area__code", "kind", "resident_population", "households",
                "area_km2",
            )
        ),
        "people": list(
            Person.objects.order_by("number").values_list(
                "number", "name", "kind", "sex", "birth_date", "rank", "post", "law_enforcement_level",
                "is_investigator", "status", "seconded_to", "hire_date", "post_since", "movable",
            )
        ),
        "qualifications": list(
            Person.qualifications.through.objects.order_by("person__number", "qualification__code").values_list(
                "person__number", "qualification__code"
            )
        ),
        "assignments": list(
            Assignment.objects.order_by("person__number", "start_date").values_list(
                "person__number", "unit__station__code", "unit__kind", "start_date", "end_date"
            )
        ),
        "leaves": list(
            Leave.objects.order_by("person__number", "start_date").values_list(
                "person__number", "kind", "start_date", "end_date", "status", "reason"
            )
        ),
    }  # fmt: skip
