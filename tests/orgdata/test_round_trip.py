"""An export imported into an empty database gives the same county: the factory county and the demo's."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from orgdata.models import OrgBatchStatus
from orgdata.services import org_export
from personnel.models import Person
from stations.models import Community, County, Station
from tests.orgdata.conftest import Rows, org_state, run_import, write_all
from workload.demo.generate import generate_county
from workload.demo.load import load_county

pytestmark = pytest.mark.django_db


def wipe() -> None:
    """Empty the organisation tables, as a fresh database has them."""
    Person.objects.all().delete()  # assignments, leave and qualifications go with the people
    Community.objects.all().delete()
    Station.objects.all().delete()  # units and police areas go with the stations
    County.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_factory_county_survives_a_round_trip(tmp_path: Path, rows: Rows, fmt: str) -> None:
    rows["stations"][0]["address"] = '=HYPERLINK("http://x")人民路'  # a cell a spreadsheet would run
    rows["leaves"][0]["reason"] = "+加班调休"
    assert run_import(write_all(tmp_path / "in", rows)).status == OrgBatchStatus.STORED
    original = org_state()
    out = tmp_path / ("out" if fmt == "csv" else "county.xlsx")
    files = org_export(fmt=fmt, out=out)
    if fmt == "csv":
        with (out / "stations.csv").open(encoding="utf-8-sig") as handle:
            addresses = [row["address"] for row in csv.DictReader(handle)]
        assert '\'=HYPERLINK("http://x")人民路' in addresses  # quoted, so Excel shows it as text
    else:
        sheet = load_workbook(files[0])["stations"]
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    wipe()
    batch = run_import(out)
    assert batch.status == OrgBatchStatus.STORED, batch.errors
    assert org_state() == original


def test_the_demo_county_survives_a_round_trip(tmp_path: Path) -> None:
    county = generate_county(seed=1, number=1, end_date=dt.date(2026, 10, 31), incidents=0)
    load_county(county)
    original = org_state()
    assert len(original["people"]) == len(county.people) > 800
    org_export(fmt="xlsx", out=tmp_path / "demo.xlsx")
    wipe()
    batch = run_import(tmp_path / "demo.xlsx")
    assert batch.status == OrgBatchStatus.STORED, batch.errors[:5]
    restored = org_state()
    # The county's English name is not part of the layouts; everything else comes back as it was.
    assert restored == original
