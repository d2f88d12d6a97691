"""Keeping in step: a newer export updates what changed, moves people with history, never duplicates;
people missing from a full export are reported and leave only when the planner confirms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from audit.models import AuditEvent
from orgdata.models import OrgBatchStatus
from orgdata.services import OrgImportRefused, orgbatch_check, orgbatch_confirm_missing, orgbatch_store
from personnel.models import Assignment, Person
from stations.models import Community
from tests.orgdata.conftest import AS_OF, Rows, org_state, run_import, write_all

pytestmark = pytest.mark.django_db

MOVE_DAY = dt.date(2026, 11, 15)


@pytest.fixture
def stored(tmp_path: Path, rows: Rows) -> Rows:
    batch = run_import(write_all(tmp_path / "first", rows))
    assert batch.status == OrgBatchStatus.STORED, batch.errors
    return rows


def placements(number: str) -> list[tuple[str, str, dt.date, dt.date | None, str]]:
    return list(
        Assignment.objects.filter(person__number=number)
        .order_by("start_date")
        .values_list("unit__station__code", "unit__kind", "start_date", "end_date", "source")
    )


def test_a_newer_export_moves_a_person_and_writes_history(tmp_path: Path, stored: Rows) -> None:
    stored["people"][1].update({"station": "T01-S2", "unit": "community", "post": "village_officer"})
    stored["communities"][1]["resident_population"] = "3100"
    batch = run_import(write_all(tmp_path / "newer", stored), effective_date=MOVE_DAY, as_of=dt.date(2026, 11, 20))
    assert batch.status == OrgBatchStatus.STORED, batch.errors
    changed = {c["key"]: c["fields"] for c in batch.differences["people"]["changed"]}
    assert changed == {
        "000102": {
            "station": ["T01-S1", "T01-S2"],
            "unit": ["case", "community"],
            "post": ["case_officer", "village_officer"],
        }
    }
    assert placements("000102") == [
        ("T01-S2", "case", dt.date(2012, 7, 1), dt.date(2018, 3, 1), "initial"),
        ("T01-S1", "case", dt.date(2018, 3, 1), MOVE_DAY, "initial"),
        ("T01-S2", "community", MOVE_DAY, None, "import"),
    ]
    assert Person.objects.get(number="000102").post == "village_officer"
    assert Community.objects.get(code="T01-C2").resident_population == 3100
    assert batch.applied["moves"] == [{"number": "000102", "from": ["T01-S1", "case"], "to": ["T01-S2", "community"]}]
    assert batch.applied["changed"]["communities"] == [
        {"key": ["T01-C2"], "fields": {"resident_population": [3000, 3100]}}
    ]
    assert AuditEvent.objects.filter(action="org.import.store", object_id=str(batch.pk)).count() == 1


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path, stored: Rows) -> None:
    before = org_state()
    again = run_import(write_all(tmp_path / "again", stored))
    assert again.status == OrgBatchStatus.STORED
    assert all(c["added"] == 0 and c["changed"] == 0 for c in again.counts.values())
    assert again.counts["people"]["unchanged"] == 5 and again.counts["history"]["unchanged"] == 1
    assert org_state() == before


def test_a_dry_run_shows_the_differences_and_stores_nothing(tmp_path: Path, stored: Rows) -> None:
    stored["people"][0]["rank"] = "inspector_2"
    stored["people"].append({**stored["people"][3], "number": "FJ0002", "name": "孙亮"})
    before = org_state()
    batch = run_import(write_all(tmp_path / "dry", stored), dry_run=True)
    assert batch.status == OrgBatchStatus.CHECKED
    assert batch.differences["people"]["added"] == [{"key": "FJ0002", "name": "孙亮"}]
    assert batch.differences["people"]["changed"] == [
        {"key": "000101", "name": "张明", "fields": {"rank": ["inspector_3", "inspector_2"]}}
    ]
    assert org_state() == before
    # The preview, confirmed, stores exactly what it showed.
    orgbatch_store(batch=batch, as_of=AS_OF)
    assert Person.objects.get(number="000101").rank == "inspector_2" and Person.objects.filter(number="FJ0002").exists()


def test_a_preview_is_not_stored_when_the_county_changed_meanwhile(tmp_path: Path, stored: Rows) -> None:
    stored["people"][0]["rank"] = "inspector_2"
    batch = run_import(write_all(tmp_path / "dry", stored), dry_run=True)
    Person.objects.filter(number="000104").update(name="陈静怡")  # someone edits a person in the admin
    with pytest.raises(OrgImportRefused, match="changed since this preview"):
        orgbatch_store(batch=batch, as_of=AS_OF)
    batch.refresh_from_db()
    assert batch.status == OrgBatchStatus.CHECKED
    assert Person.objects.get(number="000101").rank == "inspector_3"
    assert {c["key"] for c in batch.differences["people"]["changed"]} == {"000101", "000104"}


def test_missing_people_are_reported_and_leave_only_when_confirmed(tmp_path: Path, stored: Rows) -> None:
    stored["people"] = [p for p in stored["people"] if p["number"] != "000103"]
    batch = run_import(write_all(tmp_path / "full", stored), full_export=True, effective_date=MOVE_DAY)
    assert batch.status == OrgBatchStatus.STORED
    assert batch.missing_people == [{"key": "000103", "name": "王芳", "station": "T01-S2", "unit": "community"}]
    person = Person.objects.get(number="000103")
    assert person.status == "seconded"  # reported, not changed
    assert orgbatch_confirm_missing(batch=batch) == 1
    person.refresh_from_db()
    assert (person.status, person.seconded_to) == ("left", "")
    assert placements("000103") == [("T01-S2", "community", dt.date(2014, 7, 1), MOVE_DAY, "initial")]
    assert AuditEvent.objects.filter(action="org.import.confirm_missing").get().after["left"] == ["000103"]
    with pytest.raises(OrgImportRefused, match="already confirmed"):
        orgbatch_confirm_missing(batch=batch)


def test_a_partial_file_reports_nobody_missing(tmp_path: Path, stored: Rows) -> None:
    stored["people"] = stored["people"][:1]
    batch = run_import(write_all(tmp_path / "partial", stored))
    assert batch.missing_people == []
    with pytest.raises(OrgImportRefused, match="full export"):
        orgbatch_confirm_missing(batch=batch)


def test_departures_can_be_confirmed_for_some_of_the_missing(tmp_path: Path, stored: Rows) -> None:
    stored["people"] = stored["people"][:2]
    batch = run_import(write_all(tmp_path / "full", stored), full_export=True)
    assert sorted(m["key"] for m in batch.missing_people) == ["000103", "000104", "FJ0001"]
    assert orgbatch_confirm_missing(batch=batch, numbers=["FJ0001"]) == 1
    assert dict(Person.objects.values_list("number", "status"))["000104"] == "active"


def test_adding_only_leaves_stored_rows_as_they_are(tmp_path: Path, stored: Rows) -> None:
    stored["people"][0]["rank"] = "inspector_1"
    stored["people"][1]["station"] = "T01-S2"
    batch = run_import(write_all(tmp_path / "add", stored), update_existing=False)
    assert batch.status == OrgBatchStatus.STORED
    assert Person.objects.get(number="000101").rank == "inspector_3"
    assert placements("000102")[-1][:2] == ("T01-S1", "case")


def test_a_move_dated_before_the_latest_assignment_is_refused(tmp_path: Path, stored: Rows) -> None:
    stored["people"][1]["station"] = "T01-S2"
    batch = run_import(write_all(tmp_path / "early", stored), effective_date=dt.date(2017, 1, 1))
    assert batch.status == OrgBatchStatus.REJECTED
    assert [(e["row"], e["reason"]) for e in batch.errors] == [(3, "move_before_history")]


def test_the_check_alone_is_audited_and_keeps_the_file(tmp_path: Path, rows: Rows) -> None:
    path = write_all(tmp_path / "c", rows)
    batch = orgbatch_check(upload=path, file_name="c", as_of=AS_OF)
    event = AuditEvent.objects.get(action="org.import.check")
    assert event.after["checksum"] == batch.checksum and event.after["counts"]["people"]["added"] == 5
    assert batch.size_bytes > 0 and Path(batch.file.path).is_file()


def test_emptying_a_cell_resets_the_field_and_is_checked(tmp_path: Path, stored: Rows) -> None:
    stored["people"][2]["seconded_to"] = ""  # still seconded, place not given: the cell empties the field
    batch = run_import(write_all(tmp_path / "a", stored))
    assert batch.errors == []
    assert Person.objects.get(number="000103").seconded_to == ""
    stored["people"][2]["status"] = ""  # back to the default: active, and no place of secondment
    stored["people"][2]["seconded_to"] = "市局"
    batch = run_import(write_all(tmp_path / "b", stored))
    assert [(e["row"], e["reason"]) for e in batch.errors] == [(4, "seconded_to_without_secondment")]


def test_a_stored_import_can_be_rolled_back(tmp_path: Path, stored: Rows) -> None:
    from orgdata.services import orgbatch_rollback

    after_first = org_state()
    stored["people"][1].update({"station": "T01-S2", "unit": "community", "post": "village_officer"})
    stored["people"][3]["qualifications"] = ""
    stored["stations"][0]["latitude"] = "31.5"
    stored["leaves"][0]["status"] = "cancelled"
    stored["people"].append({**stored["people"][3], "number": "FJ0002", "name": "孙亮"})
    stored["communities"].append({**stored["communities"][0], "code": "T01-C3", "police_area": "A9"})
    batch = run_import(write_all(tmp_path / "newer", stored), effective_date=MOVE_DAY, as_of=dt.date(2026, 11, 20))
    assert batch.status == OrgBatchStatus.STORED and org_state() != after_first
    orgbatch_rollback(batch=batch)
    batch.refresh_from_db()
    assert batch.status == OrgBatchStatus.ROLLED_BACK
    assert org_state() == after_first
    assert AuditEvent.objects.filter(action="org.import.rollback", object_id=str(batch.pk)).exists()


def test_a_rollback_is_refused_when_its_rows_changed_since(tmp_path: Path, stored: Rows) -> None:
    from orgdata.services import orgbatch_rollback

    stored["people"][0]["rank"] = "inspector_2"
    batch = run_import(write_all(tmp_path / "newer", stored))
    Person.objects.filter(number="000101").update(rank="inspector_1")  # edited after the import
    with pytest.raises(OrgImportRefused, match="people 000101"):
        orgbatch_rollback(batch=batch)
    assert Person.objects.get(number="000101").rank == "inspector_1"


def test_rolling_back_the_first_import_empties_the_county(tmp_path: Path, rows: Rows) -> None:
    from orgdata.services import orgbatch_rollback

    empty = org_state()
    batch = run_import(write_all(tmp_path / "first", rows))
    orgbatch_rollback(batch=batch)
    assert org_state() == empty
