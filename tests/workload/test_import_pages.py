"""The planner's import pages: upload, follow the progress, decide, download the rejected rows, roll back.
Chiefs and auditors cannot import; anonymous visitors are sent to the login page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests import factories
from workload.models import BatchStatus, ImportBatch, Incident

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]

CSV_HEADER = (
    "external_id,received_at,arrived_at,cleared_at,station,category,community,handling_minutes,people_involved\n"
)


@pytest.fixture
def station():  # type: ignore[no-untyped-def]
    return factories.station(code="QH-01", name="城关派出所")


def upload(client: Client, text: str, mode: str = "ask") -> object:
    content = SimpleUploadedFile("calls.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("workload:import_new"), {"file": content, "mapping": "jingli", "mode": mode})


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_planner_uploads_and_the_batch_is_stored(station) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.planner())
    response = upload(
        client, CSV_HEADER + "A-1,2026-03-01 08:00:00,,,QH-01,XS01,,40,\nA-2,2026-03-01 09:00:00,,,QH-01,JF01,,,\n"
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("workload:import_detail", args=[batch.pk])
    page = client.get(response.url)
    assert batch.status == BatchStatus.STORED and batch.created_by is not None
    assert "calls.csv" in page.content.decode()
    status = client.get(reverse("workload:import_status", args=[batch.pk])).json()
    assert status == {
        "status": "stored",
        "status_display": "Stored",
        "progress": 100,
        "message": "2 incidents stored.",
        "finished": True,
    }
    assert Incident.objects.count() == 2


def test_planner_decides_and_downloads_the_rejected_rows(station) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.planner())
    upload(client, CSV_HEADER + "A-1,2026-03-01 08:00:00,,,QH-01,XS01,,40,\nA-2,2026-03-01 09:00:00,,,QH-77,XS01,,,\n")
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.AWAITING_DECISION
    page = client.get(reverse("workload:import_detail", args=[batch.pk])).content.decode()
    assert "QH-77" in page and "unknown station" in page
    download = client.get(reverse("workload:import_rejected", args=[batch.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[1][:4] == ["3", "unknown station", "station", "QH-77"]
    client.post(reverse("workload:import_decide", args=[batch.pk]), {"choice": "store"})
    batch.refresh_from_db()
    assert (batch.status, batch.rows_stored) == (BatchStatus.STORED, 1)
    client.post(reverse("workload:import_rollback", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ROLLED_BACK and Incident.objects.count() == 0


def test_file_of_the_wrong_type_is_refused_with_a_reason(station) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factories.planner())
    content = SimpleUploadedFile("calls.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(reverse("workload:import_new"), {"file": content, "mapping": "jingli", "mode": "all"})
    assert response.status_code == 200
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize("who", ["chief", "auditor"])
def test_only_planners_import(station, who: str) -> None:  # type: ignore[no-untyped-def]
    user = factories.chief(station) if who == "chief" else factories.auditor()
    client = logged_in(user)
    response = upload(client, CSV_HEADER + "A-1,2026-03-01 08:00:00,,,QH-01,XS01,,40,\n")
    assert response.status_code == 403
    assert ImportBatch.objects.count() == 0
    expected = 403 if who == "chief" else 200  # auditors read the list, chiefs do not
    assert client.get(reverse("workload:imports")).status_code == expected


def test_anonymous_visitors_go_to_the_login_page() -> None:
    response = Client().get(reverse("workload:imports"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
