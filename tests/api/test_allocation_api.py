"""Allocation through the API: a run started by POST (202 + Location), followed to its proposal, whose
moves a planner accepts or rejects and which the planner approves — each through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from allocation.models import MoveStatus, Proposal
from audit.models import AuditEvent
from personnel.models import Assignment
from tests import factories
from tests.allocation.conftest import county  # noqa: F401  (the fixture: a busy and a quiet station)
from tests.api.conftest import World, client_for, user_for

pytestmark = pytest.mark.django_db(transaction=True)

EFFECTIVE = dt.date(2026, 12, 1)


@pytest.mark.usefixtures("tasks_in_process")
def test_start_a_run_follow_it_and_approve_its_proposal(county) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    client = client_for(factories.planner())
    started = client.post("/api/v1/allocation-runs/", {"county": "QH", "max_moves": 3}, format="json")
    assert started.status_code == 202
    run_id = started.json()["id"]
    assert started["Location"].endswith(f"/api/v1/allocation-runs/{run_id}/")
    run = client.get(started["Location"]).json()
    assert (run["status"], run["progress"]) == ("succeeded", 100) and run["proposal"] is not None
    proposal = client.get(f"/api/v1/proposals/{run['proposal']}/").json()
    assert proposal["status"] == "draft" and proposal["moves"]["pending"] >= 2
    moves = client.get("/api/v1/moves/", {"proposal": proposal["id"]}).json()["results"]
    assert len(moves) == proposal["moves"]["pending"] and all(m["explanation"] for m in moves)
    for move in moves[1:]:
        assert client.post(f"/api/v1/moves/{move['id']}/accept/", {}, format="json").json()["status"] == "accepted"
    no_reason = client.post(f"/api/v1/moves/{moves[0]['id']}/reject/", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["message"].startswith("reason:")
    rejected = client.post(f"/api/v1/moves/{moves[0]['id']}/reject/", {"reason": "needed here"}, format="json")
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "needed here"

    # Separation of duties: the planner who started the run does not approve its proposal.
    own = client.post(f"/api/v1/proposals/{proposal['id']}/approve/", {"effective_date": "2026-12-01"}, format="json")
    assert own.status_code == 409 and own.json()["code"] == "conflict"
    client = client_for(factories.planner())
    approved = client.post(
        f"/api/v1/proposals/{proposal['id']}/approve/", {"effective_date": "2026-12-01"}, format="json"
    )
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["moved"]) == ("applied", len(moves) - 1)
    for move in moves[1:]:
        now = Assignment.objects.current(EFFECTIVE).get(person__number=move["person"])
        assert now.unit.station.code == move["destination"]
    again = client.post(f"/api/v1/proposals/{proposal['id']}/approve/", {"effective_date": "2026-12-01"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert "Already applied" in again.json()["message"]
    late = client.post(f"/api/v1/moves/{moves[0]['id']}/accept/", {}, format="json")
    assert late.status_code == 409
    assert AuditEvent.objects.filter(action="allocation.proposal_apply", channel="api").count() == 1


def test_runs_refuse_unknown_counties_and_silly_budgets(world: World) -> None:
    client = client_for(user_for("planner", world))
    assert client.post("/api/v1/allocation-runs/", {"county": "NOPE", "max_moves": 3}, format="json").status_code == 404
    too_many = client.post("/api/v1/allocation-runs/", {"county": "QH", "max_moves": 100000}, format="json")
    assert too_many.status_code == 400 and too_many.json()["message"].startswith("max_moves:")


def test_a_proposal_rejected_through_the_api_stays_rejected(world: World) -> None:
    client = client_for(user_for("planner", world))
    url = f"/api/v1/proposals/{world.proposal.pk}/reject/"
    assert client.post(url, {"reason": ""}, format="json").status_code == 400
    response = client.post(url, {"reason": "wait for the spring recruitment"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert Proposal.objects.get().decision_reason == "wait for the spring recruitment"
    nothing = client.post(
        f"/api/v1/proposals/{world.proposal.pk}/approve/", {"effective_date": "2026-12-01"}, format="json"
    )
    assert nothing.status_code == 409
    world.own_move.refresh_from_db()
    assert world.own_move.status == MoveStatus.PENDING


def test_a_chief_reads_the_moves_of_his_station_and_decides_none(world: World) -> None:
    chief = client_for(user_for("chief", world))
    assert [m["id"] for m in chief.get("/api/v1/moves/").json()["results"]] == [world.own_move.pk]
    assert chief.post(f"/api/v1/moves/{world.own_move.pk}/accept/", {}, format="json").status_code == 403
