"""A run loads the county, solves, and stores a proposal whose moves can be checked against the rules."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from allocation.models import AllocationRun, Proposal, ProposedMove
from personnel.models import Assignment, Person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]


def test_run_allocation_command_stores_a_proposal(county) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("run_allocation", "--county", "QH", "--max-moves", "6", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    run = AllocationRun.objects.get(pk=summary["run"])
    assert run.status == AllocationRun.Status.SUCCEEDED and run.optimal and len(run.fingerprint) == 64
    proposal = Proposal.objects.get(run=run)
    moves = list(ProposedMove.objects.filter(proposal=proposal).select_related("origin", "destination"))
    assert 0 < len(moves) <= 6
    assert all(m.destination.code == "QH-01" for m in moves)  # everyone goes to the busy station
    assert all(m.explanation["reasons"] for m in moves)
    stations = {s["code"]: s for s in summary["stations"]}
    assert stations["QH-01"]["people_after"] == stations["QH-01"]["people_before"] + len(moves)
    assert summary["after"]["shortfall"] < summary["before"]["shortfall"]
    assert summary["tradeoff"][0]["moves"] == 0 and summary["tradeoff"][-1]["moves"] == len(moves)
    # Each move remembers the assignment it starts from, to refuse a stale application later.
    for move in moves:
        assert Assignment.objects.get(pk=move.origin_assignment_id).person_id == move.person_id


def test_leaders_never_move(county) -> None:  # type: ignore[no-untyped-def]
    call_command("run_allocation", "--county", "QH", "--max-moves", "40", "--json", stdout=io.StringIO())
    moved = Person.objects.filter(pk__in=ProposedMove.objects.values("person_id"))
    assert moved.exists()
    assert not moved.filter(post__in=Person.LEADER_POSTS).exists()


def test_unknown_county_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="no county with code 'XX'"):
        call_command("run_allocation", "--county", "XX")


def test_unless_exists_runs_once(county) -> None:  # type: ignore[no-untyped-def]
    call_command("run_allocation", "--county", "QH", "--unless-exists", stdout=io.StringIO())
    out = io.StringIO()
    call_command("run_allocation", "--county", "QH", "--unless-exists", stdout=out)
    assert AllocationRun.objects.count() == 1
    assert "exists; not running another" in out.getvalue()


def test_the_curve_is_computed_from_the_snapshot_once_and_ends_at_the_proposal(county) -> None:  # type: ignore[no-untyped-def]
    from allocation.engine import solve
    from allocation.services import proposal_tradeoff, snapshot_instance, tradeoff

    call_command("run_allocation", "--county", "QH", "--max-moves", "5", stdout=io.StringIO())
    proposal = Proposal.objects.get()
    curve = proposal.tradeoff
    assert [p["budget"] for p in curve] == [0, 1, 2, 3, 4, 5] and all(p["optimal"] for p in curve)
    assert curve[-1]["moves"] == proposal.moves.count()
    # The same problem solved afresh from the snapshot gives the same curve: nothing came from today's data.
    instance = snapshot_instance(proposal.run)
    assert tradeoff(instance, 5, points=10) == curve
    assert solve(instance).objective == pytest.approx(proposal.objective)
    # A second delivery of the task keeps what is stored.
    Proposal.objects.filter(pk=proposal.pk).update(tradeoff=[{"moves": 0, "marker": True}])
    assert proposal_tradeoff(proposal.pk).tradeoff == [{"moves": 0, "marker": True}]
