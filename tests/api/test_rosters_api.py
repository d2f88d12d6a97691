"""Rosters through the API: versions and entries in the caller's scope, and the chiefs' workflow
(submit, approve by another chief, publish) through rosters.services, a refusal being a 409."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from rosters.models import Roster
from rosters.services import roster_revise
from tests import factories
from tests.api.conftest import World, client_for, key_client, user_for

pytestmark = pytest.mark.django_db


def test_a_chief_submits_another_chief_approves_and_the_roster_is_published(world: World) -> None:
    first, second = factories.chief(world.own), factories.chief(world.own)
    url = f"/api/v1/rosters/{world.own_roster.pk}"
    submitted = client_for(first).post(f"{url}/submit/", format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_by"] == first.username

    own_approval = client_for(first).post(f"{url}/approve/", format="json")
    assert own_approval.status_code == 409 and own_approval.json()["code"] == "conflict"
    assert "another chief" in own_approval.json()["message"]

    approved = client_for(second).post(f"{url}/approve/", format="json")
    assert approved.status_code == 200 and approved.json()["approved_by"] == second.username
    published = client_for(first).post(f"{url}/publish/", format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["published_at"] is not None

    again = client_for(first).post(f"{url}/publish/", format="json")
    assert again.status_code == 409 and "Published" in again.json()["message"]
    actions = set(AuditEvent.objects.filter(object_id=str(world.own_roster.pk)).values_list("action", flat=True))
    assert {"roster.submit", "roster.approve", "roster.publish"} <= actions


def test_an_empty_roster_cannot_be_submitted(world: World) -> None:
    world.own_roster.cells.all().delete()
    response = client_for(user_for("chief", world)).post(f"/api/v1/rosters/{world.own_roster.pk}/submit/")
    assert response.status_code == 409 and "empty" in response.json()["message"]
    world.own_roster.refresh_from_db()
    assert world.own_roster.status == "draft"


@pytest.mark.parametrize("role", ["planner", "auditor", "norole", "anonymous"])
def test_only_chiefs_take_the_workflow_steps(world: World, role: str) -> None:
    client = client_for(user_for(role, world))
    for step in ("submit", "approve", "publish"):
        response = client.post(f"/api/v1/rosters/{world.own_roster.pk}/{step}/")
        assert response.status_code == 403, (step, response.content)
    world.own_roster.refresh_from_db()
    assert world.own_roster.status == "draft"


def test_a_chief_cannot_reach_another_stations_roster_nor_write_with_a_read_key(world: World) -> None:
    chief = user_for("chief", world)
    assert chief is not None
    other = client_for(chief).post(f"/api/v1/rosters/{world.other_roster.pk}/submit/")
    assert other.status_code == 404
    read_only, _key = key_client(chief, scope="read")
    refused = read_only.post(f"/api/v1/rosters/{world.own_roster.pk}/submit/")
    assert refused.status_code == 403 and "read-only" in refused.json()["message"]
    for roster in (world.own_roster, world.other_roster):
        roster.refresh_from_db()
        assert roster.status == "draft"


def test_versions_list_every_version_of_the_period(world: World) -> None:
    first, second = factories.chief(world.own), factories.chief(world.own)
    client = client_for(first)
    url = f"/api/v1/rosters/{world.own_roster.pk}"
    client.post(f"{url}/submit/")
    client_for(second).post(f"{url}/approve/")
    client.post(f"{url}/publish/")
    revision = roster_revise(roster=world.own_roster, by=first)
    body = client.get(f"/api/v1/rosters/{revision.pk}/versions/").json()
    assert [(r["version"], r["status"]) for r in body] == [(1, "published"), (2, "draft")]
    assert body[1]["previous"] == world.own_roster.pk
    drafts = client.get("/api/v1/rosters/", {"status": "draft"}).json()
    assert [r["id"] for r in drafts["results"]] == [revision.pk]


def test_entries_filter_export_and_pull_incrementally(world: World) -> None:
    client = client_for(user_for("planner", world))
    rows = client.get("/api/v1/roster-entries/", {"station": world.own.code}).json()["results"]
    assert [(r["person"], r["shift"], r["night"], r["day"]) for r in rows] == [
        (world.own_person.number, "N", True, world.own_entry.day.isoformat())
    ]
    csv = client.get("/api/v1/roster-entries/", {"format": "csv", "roster": world.other_roster.pk})
    assert csv.content.startswith("\ufeff".encode())
    assert csv["Content-Disposition"].endswith('roster-entries.csv"')
    text = csv.content.decode("utf-8-sig")
    assert world.other_person.number in text and world.own_person.number not in text
    xlsx = client.get("/api/v1/roster-entries/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 3  # header and the two entries

    later = (timezone.now() + dt.timedelta(seconds=1)).isoformat()
    assert client.get("/api/v1/roster-entries/", {"updated_since": later}).json()["count"] == 0
    Roster.objects.filter(pk=world.own_roster.pk).update(updated_at=timezone.now() + dt.timedelta(minutes=1))
    changed = client.get("/api/v1/roster-entries/", {"updated_since": later}).json()["results"]
    assert [r["roster"] for r in changed] == [world.own_roster.pk]


def test_entries_answer_304_to_a_matching_etag(world: World) -> None:
    client = client_for(user_for("chief", world))
    first = client.get("/api/v1/roster-entries/")
    assert first.status_code == 200 and first["ETag"]
    assert client.get("/api/v1/roster-entries/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
