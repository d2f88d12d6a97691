"""The planner's upload page and the API: preview, confirm, departures, export; chiefs and auditors
cannot import, anonymous visitors go to the login page."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from audit.models import AuditEvent
from orgdata.models import OrgBatch, OrgBatchStatus
from personnel.models import Person
from tests import factories
from tests.orgdata.conftest import Rows, write_workbook

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]


def logged_in(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def workbook(tmp_path: Path, rows: Rows, name: str = "county.xlsx") -> SimpleUploadedFile:
    path = write_workbook(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes())


def upload(client: Client, file: SimpleUploadedFile, **fields: object) -> object:
    data = {"file": file, "mapping": "jingli", "mode": "all", "update_existing": "on", "effective_date": "2026-11-01"}
    data.update(fields)  # type: ignore[arg-type]
    return client.post(reverse("orgdata:import"), data)


def test_planner_previews_then_stores(tmp_path: Path, rows: Rows) -> None:
    client = logged_in(factories.planner())
    assert client.get(reverse("orgdata:import")).status_code == 200
    response = upload(client, workbook(tmp_path, rows))
    batch = OrgBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("orgdata:batch", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "Store these changes" in page and "张明" in page and Person.objects.count() == 0
    client.post(reverse("orgdata:store", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == OrgBatchStatus.STORED and batch.stored_by is not None
    assert Person.objects.count() == 5


def test_the_page_speaks_chinese(tmp_path: Path, rows: Rows) -> None:
    rows["people"][3]["post"] = "chief"
    client = logged_in(factories.planner(), language="zh-hans")
    upload(client, workbook(tmp_path, rows))
    page = client.get(reverse("orgdata:batch", args=[OrgBatch.objects.get().pk])).content.decode()
    assert "辅警不能担任民警岗位" in page and "人员" in page


def test_errors_are_shown_and_downloadable(tmp_path: Path, rows: Rows) -> None:
    rows["communities"][0]["resident_population"] = "abc"
    client = logged_in(factories.planner())
    upload(client, workbook(tmp_path, rows))
    batch = OrgBatch.objects.get()
    assert batch.status == OrgBatchStatus.REJECTED
    page = client.get(reverse("orgdata:batch", args=[batch.pk])).content.decode()
    assert "not a number" in page and "Store these changes" not in page
    download = client.get(reverse("orgdata:errors", args=[batch.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "county.xlsx,communities,2,resident_population,abc,not a number,not_a_number" in text
    assert client.post(reverse("orgdata:store", args=[batch.pk])).status_code == 302
    assert Person.objects.count() == 0


def test_departures_are_confirmed_on_the_page(tmp_path: Path, rows: Rows) -> None:
    client = logged_in(factories.planner())
    upload(client, workbook(tmp_path, rows))
    client.post(reverse("orgdata:store", args=[OrgBatch.objects.get().pk]))
    rows["people"] = rows["people"][1:]
    rows["leaves"] = []
    upload(client, workbook(tmp_path, rows, "newer.xlsx"), full_export="on")
    batch = OrgBatch.objects.get(file_name="newer.xlsx")
    client.post(reverse("orgdata:store", args=[batch.pk]))
    page = client.get(reverse("orgdata:batch", args=[batch.pk])).content.decode()
    assert "Mark the ticked people as left" in page and "000101" in page
    client.post(reverse("orgdata:departures", args=[batch.pk]), {"number": ["000101"]})
    assert Person.objects.get(number="000101").status == "left"


@pytest.mark.parametrize("role", ["chief", "auditor"])
def test_chiefs_and_auditors_cannot_import(tmp_path: Path, rows: Rows, role: str) -> None:
    user = factories.chief(factories.station()) if role == "chief" else factories.auditor()
    client = logged_in(user)
    assert client.get(reverse("orgdata:import")).status_code == 403
    assert upload(client, workbook(tmp_path, rows)).status_code == 403  # type: ignore[attr-defined]
    planner_batch = OrgBatch.objects.create(
        file_name="x.csv", checksum="0" * 64, size_bytes=1, mapping_name="jingli", mapping_text="",
        effective_date="2026-11-01", status=OrgBatchStatus.CHECKED,
    )  # fmt: skip
    assert client.post(reverse("orgdata:store", args=[planner_batch.pk])).status_code == 403
    assert client.post(reverse("orgdata:departures", args=[planner_batch.pk])).status_code == 403
    # Auditors read county-wide (the preview, the export); chiefs see neither.
    expected = 200 if role == "auditor" else 403
    assert client.get(reverse("orgdata:batch", args=[planner_batch.pk])).status_code == expected
    assert client.get(reverse("orgdata:export") + "?format=csv").status_code == expected
    assert OrgBatch.objects.count() == 1 and Person.objects.count() == 0


def test_anonymous_visitors_go_to_the_login_page() -> None:
    response = Client().get(reverse("orgdata:import"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_export_downloads_are_audited(tmp_path: Path, rows: Rows) -> None:
    planner = factories.planner()
    client = logged_in(planner)
    upload(client, workbook(tmp_path, rows))
    client.post(reverse("orgdata:store", args=[OrgBatch.objects.get().pk]))
    xlsx = client.get(reverse("orgdata:export") + "?format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["stations", "units", "communities", "people", "history", "leaves"]
    assert book["people"].max_row == 6
    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("orgdata:export") + "?format=csv").content))
    assert sorted(archive.namelist())[0] == "communities.csv"
    exports = AuditEvent.objects.filter(action="org.export", user=planner)
    assert sorted(e.after["format"] for e in exports) == ["csv", "xlsx"]


# --- API -----------------------------------------------------------------------------------------


def api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_api_dry_run_returns_the_preview_and_stores_nothing(tmp_path: Path, rows: Rows) -> None:
    response = api(factories.planner()).post(
        "/api/v1/org-imports/", {"file": workbook(tmp_path, rows), "dry_run": "true"}, format="multipart"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "checked" and body["counts"]["people"]["added"] == 5
    assert {"key": "000101", "name": "张明"} in body["differences"]["people"]["added"]
    assert Person.objects.count() == 0
    # The preview can then be stored by POSTing to its URL.
    stored = api(factories.planner()).post(body["url"])
    assert stored.status_code == 202 and Person.objects.count() == 5


def test_api_import_is_accepted_and_stored(tmp_path: Path, rows: Rows) -> None:
    client = api(factories.planner())
    response = client.post("/api/v1/org-imports/", {"file": workbook(tmp_path, rows)}, format="multipart")
    assert response.status_code == 202
    followed = client.get(response["Location"]).json()
    assert followed["status"] == "stored" and followed["stored"]["people"] == {"added": 5, "changed": 0}
    assert Person.objects.count() == 5


def test_api_refused_file_gets_422_with_the_errors(tmp_path: Path, rows: Rows) -> None:
    rows["people"][0]["station"] = "NOPE"
    response = api(factories.planner()).post(
        "/api/v1/org-imports/", {"file": workbook(tmp_path, rows)}, format="multipart"
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["sheet"], error["row"], error["column"], error["reason"]) == (
        "people",
        2,
        "station",
        "unknown_station",
    )
    assert response.json()["errors_url"].endswith(f"/org/imports/{OrgBatch.objects.get().pk}/errors.csv")
    assert Person.objects.count() == 0


def test_api_is_for_planners(tmp_path: Path, rows: Rows) -> None:
    for user in (factories.chief(factories.station()), factories.auditor()):
        response = api(user).post("/api/v1/org-imports/", {"file": workbook(tmp_path, rows)}, format="multipart")
        assert response.status_code == 403
    assert OrgBatch.objects.count() == 0
    assert APIClient().post("/api/v1/org-imports/", {}, format="multipart").status_code in (401, 403)


def test_admin_shows_batches_to_planners_not_to_chiefs(tmp_path: Path, rows: Rows) -> None:
    planner = logged_in(factories.planner())
    upload(planner, workbook(tmp_path, rows))
    batch = OrgBatch.objects.get()
    assert planner.get(reverse("admin:orgdata_orgbatch_changelist")).status_code == 200
    assert planner.get(reverse("admin:orgdata_orgbatch_change", args=[batch.pk])).status_code == 200
    assert planner.get(reverse("admin:orgdata_orgmapping_add")).status_code == 200
    refused = planner.post(
        reverse("admin:orgdata_orgmapping_add"), {"name": "hr", "definition": "[people]\ncolumns = { rank = 5 }"}
    )
    assert "people.columns" in refused.content.decode()
    chief = logged_in(factories.chief(factories.station()))
    assert chief.get(reverse("admin:orgdata_orgbatch_change", args=[batch.pk])).status_code in (302, 403, 404)


def test_planner_rolls_back_an_import_on_its_page(tmp_path: Path, rows: Rows) -> None:
    client = logged_in(factories.planner())
    upload(client, workbook(tmp_path, rows))
    batch = OrgBatch.objects.get()
    client.post(reverse("orgdata:store", args=[batch.pk]))
    assert "Roll back this import" in client.get(reverse("orgdata:batch", args=[batch.pk])).content.decode()
    assert logged_in(factories.auditor()).post(reverse("orgdata:rollback", args=[batch.pk])).status_code == 403
    client.post(reverse("orgdata:rollback", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == OrgBatchStatus.ROLLED_BACK and Person.objects.count() == 0
