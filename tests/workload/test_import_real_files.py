"""Every real public export shipped in ../shared/data/real imports through its shipped mapping.

Expected counts are worked out here from the files with the csv module, independently of the
import pipeline, so a change in either shows up.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.workload.conftest import REAL
from workload.importer import batch_check, batch_create
from workload.models import BatchMode, BatchStatus, ImportBatch, Incident

pytestmark = pytest.mark.django_db(transaction=True)


def import_file(path: Path, mapping: str, mode: str = BatchMode.VALID_ROWS) -> ImportBatch:
    with path.open("rb") as upload:
        batch = batch_create(upload=upload, file_name=path.name, mapping_name=mapping, mode=mode)
    batch_check(batch.pk)
    batch.refresh_from_db()
    return batch


def local(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=ZoneInfo("America/Los_Angeles"))


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_san_diego_calls_with_beats_as_stations(san_diego_beats: list[str]) -> None:
    path = REAL / "sandiego" / "pd_calls_for_service_2023_datasd.csv"
    records = rows(path)
    known = set(san_diego_beats)
    usable = [r for r in records if r["beat"] in known and r["call_type"].strip()]
    batch = import_file(path, "sandiego")
    assert batch.status == BatchStatus.STORED
    assert batch.rows_read == len(records) == 26_595
    assert batch.rows_stored == len(usable)
    assert batch.rows_rejected == len(records) - len(usable)
    assert batch.error_counts == {"missing_value": len(records) - len(usable)}  # beat -1, no call type
    # Times are Pacific local time in the file and UTC in the database.
    first = Incident.objects.get(source="sdpd", external_id="E23010000001")
    assert first.received_at == dt.datetime(2023, 1, 1, 8, 0, 5, tzinfo=dt.UTC)
    assert first.station.code == "SD-523"
    assert first.category.code == "QT01"  # FD: flag down, field initiated
    assert first.handling_minutes is None  # no handling time in this export: category default applies


@pytest.mark.parametrize(
    "name", ["spd_911_incident_response_sample_clanfear.csv", "spd_911_incident_response_sample_yuyuez.csv"]
)
def test_seattle_handling_is_clearance_minus_at_scene(seattle_sectors: list[str], name: str) -> None:
    path = REAL / "seattle" / name
    records = rows(path)
    batch = import_file(path, "seattle")
    assert batch.status == BatchStatus.STORED
    assert batch.rows_stored == len(records), batch.errors[:5]
    with_scene = [r for r in records if r["At Scene Time"]]
    sample = with_scene[0]
    expected = (local(sample["Event Clearance Date"]) - local(sample["At Scene Time"])).total_seconds() / 60
    stored = Incident.objects.get(source="spd", external_id=sample["CAD Event Number"])
    assert stored.handling_minutes == pytest.approx(expected)
    # Without an at-scene time there is no measured handling: the category default applies later.
    assert Incident.objects.filter(source="spd", handling_minutes__isnull=True).count() == len(records) - len(
        with_scene
    )


def test_both_seattle_samples_together(seattle_sectors: list[str]) -> None:
    first = import_file(REAL / "seattle" / "spd_911_incident_response_sample_clanfear.csv", "seattle")
    second = import_file(REAL / "seattle" / "spd_911_incident_response_sample_yuyuez.csv", "seattle")
    assert (first.rows_stored, second.rows_stored) == (706, 673)
    assert Incident.objects.filter(source="spd").count() == 706 + 673


def test_dallas_keeps_the_first_row_of_each_incident(dallas_divisions: list[str]) -> None:
    path = REAL / "dallas" / "dallas_police_incidents_sample_deid.csv"
    records = rows(path)
    incidents = {r["Incident Number w/ Year"] for r in records}
    batch = import_file(path, "dallas", mode=BatchMode.ALL_OR_NOTHING)
    assert batch.status == BatchStatus.STORED, batch.errors[:5]
    assert batch.rows_stored == len(incidents) == 543
    assert batch.rows_duplicate == len(records) - len(incidents)
    assert set(Incident.objects.filter(source="dpd").values_list("station__name", flat=True)) == set(dallas_divisions)


def test_reimporting_a_real_file_stores_nothing_new(seattle_sectors: list[str]) -> None:
    path = REAL / "seattle" / "spd_911_incident_response_sample_yuyuez.csv"
    import_file(path, "seattle")
    again = import_file(path, "seattle")
    assert again.status == BatchStatus.STORED
    assert (again.rows_stored, again.rows_duplicate) == (0, 673)
    assert Incident.objects.count() == 673
