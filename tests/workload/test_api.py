"""The workload API: push a file, follow its batch, read workload and need; scoped by role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests import factories
from workload.aggregate import cells_refresh
from workload.models import BatchStatus, ImportBatch, Incident

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]

HEADER = "external_id,received_at,arrived_at,cleared_at,station,category,community,handling_minutes,people_involved\n"


@pytest.fixture
def stations():  # type: ignore[no-untyped-def]
    county = factories.county(code="QH")
    own = factories.station(county_row=county, code="QH-01", name="城关派出所")
    other = factories.station(county_row=county, code="QH-02", name="城东派出所")
    for station in (own, other):
        factories.place(factories.person(), station)
        factories.jurisdiction(station, residents=5000)
    return own, other


def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_push_a_file_and_follow_the_batch(stations) -> None:  # type: ignore[no-untyped-def]
    client = api(factories.planner())
    upload = SimpleUploadedFile("calls.csv", (HEADER + "P-1,2026-03-01 08:00:00,,,QH-01,XS01,,30,2\n").encode())
    response = client.post("/api/v1/imports/", {"file": upload, "mapping": "jingli", "mode": "all"}, format="multipart")
    assert response.status_code == 202
    batch = ImportBatch.objects.get()
    assert response["Location"].endswith(f"/api/v1/imports/{batch.pk}/")
    followed = client.get(response["Location"]).json()
    assert (followed["status"], followed["stored"], followed["progress"]) == (BatchStatus.STORED, 1, 100)
    assert Incident.objects.get().external_id == "P-1"


def test_bad_requests_get_a_code_and_a_message(stations) -> None:  # type: ignore[no-untyped-def]
    client = api(factories.planner())
    missing = client.post("/api/v1/imports/", {"mapping": "jingli"}, format="multipart")
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid" and missing.json()["message"].startswith("file:")
    upload = SimpleUploadedFile("calls.csv", b"a,b\n1,2\n")
    unknown = client.post("/api/v1/imports/", {"file": upload, "mapping": "nope"}, format="multipart")
    assert unknown.status_code == 400 and "no mapping named 'nope'" in unknown.json()["message"]
    assert api(factories.planner()).get("/api/v1/imports/999/").json() == {"code": "not_found", "message": "Not found."}


def test_rows_with_errors_are_reported_through_the_api(stations) -> None:  # type: ignore[no-untyped-def]
    client = api(factories.planner())
    upload = SimpleUploadedFile("calls.csv", (HEADER + "P-1,2026-03-01 08:00:00,,,QH-99,XS01,,30,2\n").encode())
    response = client.post("/api/v1/imports/", {"file": upload, "mapping": "jingli"}, format="multipart")
    body = client.get(response["Location"]).json()
    assert body["status"] == "rejected"
    assert body["errors"][0]["reason"] == "unknown_station" and body["errors"][0]["row"] == 2


@pytest.mark.parametrize("who", ["chief", "auditor"])
def test_only_planners_push(stations, who: str) -> None:  # type: ignore[no-untyped-def]
    user = factories.chief(stations[0]) if who == "chief" else factories.auditor()
    upload = SimpleUploadedFile("calls.csv", (HEADER + "P-1,2026-03-01 08:00:00,,,QH-01,XS01,,30,2\n").encode())
    response = api(user).post("/api/v1/imports/", {"file": upload, "mapping": "jingli"}, format="multipart")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert ImportBatch.objects.count() == 0


def test_need_and_workload_are_scoped_to_the_chief_station(stations) -> None:  # type: ignore[no-untyped-def]
    own, other = stations
    factories.incidents(own, 100, first_month=3)
    factories.incidents(other, 100, first_month=3)
    cells_refresh()
    planner = api(factories.planner()).get("/api/v1/need/", {"county": "QH"}).json()
    assert [r["code"] for r in planner["results"]] == ["QH-01", "QH-02"]
    assert planner["results"][0]["need"] > 0 and planner["results"][0]["explain"]
    chief = api(factories.chief(own))
    assert [r["code"] for r in chief.get("/api/v1/need/").json()["results"]] == ["QH-01"]
    workload = chief.get("/api/v1/stations/QH-01/workload/").json()
    assert len(workload["hours_of_week"]) == 168 and workload["window"]["months"] == 1
    assert sum(h["incidents_per_hour"] for h in workload["hours_of_week"]) * (365.25 / 12 / 7) == pytest.approx(
        100, rel=1e-3
    )
    busiest = max(workload["hours_of_week"], key=lambda h: h["officer_hours_per_week"])
    people_on_duty = 1 * 1800 / (365.25 * 24)  # one person at post, evenly on duty
    assert busiest["saturation"] == pytest.approx(busiest["officer_hours_per_week"] / people_on_duty, rel=1e-2)
    assert chief.get("/api/v1/stations/QH-02/workload/").status_code == 404


def test_anonymous_requests_are_refused() -> None:
    response = APIClient().get("/api/v1/need/")
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"
