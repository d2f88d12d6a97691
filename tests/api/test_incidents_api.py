"""Incidents through the API: a JSON batch push is imported exactly as a file is (same mapping, same
checks, same report), and the CSV export is a file the import takes back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import World, client_for, user_for
from workload.api import BATCH_COLUMNS
from workload.models import BatchStatus, ImportBatch, Incident

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]


def row(external_id: str, station: str = "QH-01", **fields: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "received_at": "2026-03-01 08:00:00",
        "station": station,
        "category": "XS01",
        "handling_minutes": 30,
        "people_involved": 2,
        **fields,
    }


def test_a_pushed_batch_is_stored_and_followed_like_a_file(world: World) -> None:
    client = client_for(user_for("planner", world))
    response = client.post(
        "/api/v1/incidents/batch/",
        {"incidents": [row("A-1"), row("A-2", station="城东派出所", community=world.other_community.code)]},
        format="json",
    )
    assert response.status_code == 202
    batch = ImportBatch.objects.get()
    assert response["Location"].endswith(f"/api/v1/imports/{batch.pk}/")
    followed = client.get(response["Location"]).json()
    assert (followed["status"], followed["stored"], followed["mapping"]) == (BatchStatus.STORED, 2, "jingli")
    stored = client.get("/api/v1/incidents/", {"source": "jingli", "ordering": "external_id"}).json()["results"]
    assert [(i["external_id"], i["station"]) for i in stored] == [("A-1", "QH-01"), ("A-2", "QH-02")]
    assert stored[1]["community"] == world.other_community.code and stored[0]["handling_minutes"] == 30


def test_a_wrong_row_is_reported_by_row_and_nothing_is_stored(world: World) -> None:
    client = client_for(user_for("planner", world))
    response = client.post(
        "/api/v1/incidents/batch/",
        {"incidents": [row("B-1"), row("B-2", station="QH-99"), row("B-3", received_at="yesterday")]},
        format="json",
    )
    body = client.get(response["Location"]).json()
    assert body["status"] == "rejected" and body["stored"] == 0
    assert [(e["row"], e["reason"]) for e in body["errors"]] == [(3, "unknown_station"), (4, "unparsable_time")]
    assert not Incident.objects.filter(external_id__startswith="B-").exists()


def test_the_push_and_the_file_import_give_the_same_verdicts(world: World) -> None:
    rows = [row("C-1"), row("C-2", category="NOPE"), row("C-3", people_involved=0), row("C-1")]
    client = client_for(user_for("planner", world))
    pushed = client.get(
        client.post("/api/v1/incidents/batch/", {"incidents": rows, "mode": "valid"}, format="json")["Location"]
    ).json()
    Incident.objects.filter(source="jingli").delete()
    lines = [",".join(BATCH_COLUMNS)] + [",".join(str(r.get(c, "")) for c in BATCH_COLUMNS) for r in rows]
    upload = SimpleUploadedFile("calls.csv", ("\n".join(lines) + "\n").encode())
    filed = client.get(
        client.post("/api/v1/imports/", {"file": upload, "mapping": "jingli", "mode": "valid"}, format="multipart")[
            "Location"
        ]
    ).json()
    verdict = ("stored", "rejected", "duplicates", "errors_by_reason", "errors")
    assert {k: pushed[k] for k in verdict} == {k: filed[k] for k in verdict}
    assert pushed["stored"] == 1 and pushed["rejected"] == 3


def test_the_push_refuses_malformed_requests_before_importing(world: World) -> None:
    client = client_for(user_for("planner", world))
    missing = client.post("/api/v1/incidents/batch/", {"incidents": [{"external_id": "D-1"}]}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "invalid"
    assert "required" in missing.json()["message"]
    empty = client.post("/api/v1/incidents/batch/", {"incidents": []}, format="json")
    assert empty.status_code == 400
    nested = client.post("/api/v1/incidents/batch/", {"incidents": [row("D-2", station={"a": 1})]}, format="json")
    assert nested.status_code == 400
    assert ImportBatch.objects.count() == 0


def test_a_malformed_row_after_good_ones_is_named_by_its_position(world: World) -> None:
    # The rows that pass have empty error entries; the message must skip them (it once failed with a 500).
    client = client_for(user_for("planner", world))
    body = {"incidents": [row("E-1"), row("E-2", category=None)]}
    response = client.post("/api/v1/incidents/batch/", body, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "incidents: 1: category: This field may not be null."
    assert response.json()["errors"]["incidents"][0] == {}
    assert ImportBatch.objects.count() == 0


def test_the_csv_export_imports_back_unchanged(world: World) -> None:
    client = client_for(user_for("planner", world))
    exported = client.get("/api/v1/incidents/", {"station": "QH-01", "format": "csv"}).content
    before = sorted(
        Incident.objects.filter(station=world.own).values_list("external_id", "received_at", "handling_minutes")
    )
    upload = SimpleUploadedFile("export.csv", exported)
    batch = client.get(
        client.post("/api/v1/imports/", {"file": upload, "mapping": "jingli"}, format="multipart")["Location"]
    ).json()
    assert batch["status"] == "stored" and batch["stored"] == len(before), batch
    after = sorted(
        Incident.objects.filter(station=world.own, source="jingli").values_list(
            "external_id", "received_at", "handling_minutes"
        )
    )
    assert after == before
