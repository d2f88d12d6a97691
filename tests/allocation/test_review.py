"""Planners decide move by move; approval applies the accepted moves once, never a stale proposal."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from allocation.models import MoveStatus, Proposal, ProposalStatus, ProposedMove
from allocation.services import ProposalRefused, move_decide, proposal_approve, proposal_reject
from personnel.models import Assignment
from personnel.services import assignment_start
from stations.models import Station, Unit
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]

EFFECTIVE = dt.date(2026, 12, 1)


@pytest.fixture
def proposal(county) -> Proposal:  # type: ignore[no-untyped-def]
    call_command("run_allocation", "--county", "QH", "--max-moves", "4", stdout=io.StringIO())
    return Proposal.objects.get()


def test_accepted_moves_are_applied_with_history_and_rejected_ones_are_not(proposal: Proposal) -> None:
    planner = factories.planner()
    moves = list(proposal.moves.order_by("pk"))
    assert len(moves) >= 2
    move_decide(move=moves[0], accept=True, by=planner)
    move_decide(move=moves[1], accept=False, reason="needed for the spring festival duty", by=planner)
    for move in moves[2:]:
        move_decide(move=move, accept=True, by=planner)
    assert proposal_approve(proposal=proposal, effective_date=EFFECTIVE, by=planner) == len(moves) - 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED and proposal.decided_by == planner
    for move in moves:
        move.refresh_from_db()
        now = Assignment.objects.current(EFFECTIVE).get(person=move.person)
        if move.status == MoveStatus.ACCEPTED:
            assert (now.unit.station_id, now.unit.kind, now.source) == (
                move.destination_id,
                move.destination_team,
                "allocation",
            )
            assert (
                Assignment.objects.current(EFFECTIVE - dt.timedelta(days=1)).get(person=move.person).unit.station_id
                == move.origin_id
            )
        else:
            assert now.unit.station_id == move.origin_id
    rejected = ProposedMove.objects.get(pk=moves[1].pk)
    assert (rejected.reason, rejected.decided_by) == ("needed for the spring festival duty", planner)


def test_approving_twice_changes_nothing_the_second_time(proposal: Proposal) -> None:
    for move in proposal.moves.all():
        move_decide(move=move, accept=True)
    proposal_approve(proposal=proposal, effective_date=EFFECTIVE)
    history = Assignment.objects.count()
    with pytest.raises(ProposalRefused, match="Already applied"):
        proposal_approve(proposal=proposal, effective_date=EFFECTIVE)
    assert Assignment.objects.count() == history
    with pytest.raises(ProposalRefused, match="can no longer change"):
        move_decide(move=proposal.moves.first(), accept=False, reason="too late")


def test_a_stale_proposal_is_refused_and_says_who_changed(proposal: Proposal) -> None:
    for move in proposal.moves.all():
        move_decide(move=move, accept=True)
    moved_meanwhile = proposal.moves.select_related("person").first().person
    quiet = Station.objects.get(code="QH-02")
    assignment_start(
        person=moved_meanwhile, unit=quiet.units.get(kind=Unit.Kind.COMMAND), start_date=dt.date(2026, 11, 1)
    )
    history = Assignment.objects.count()
    with pytest.raises(ProposalRefused, match=f"Stale: .*{moved_meanwhile.number}"):
        proposal_approve(proposal=proposal, effective_date=EFFECTIVE)
    assert Assignment.objects.count() == history
    assert Proposal.objects.get().status == ProposalStatus.IN_REVIEW


def test_rejection_needs_a_reason(proposal: Proposal) -> None:
    with pytest.raises(ProposalRefused, match="Say why"):
        proposal_reject(proposal=proposal, reason=" ")
    proposal_reject(proposal=proposal, reason="wait for the new recruits")
    assert Proposal.objects.get().status == ProposalStatus.REJECTED
    with pytest.raises(ProposalRefused):
        proposal_approve(proposal=proposal, effective_date=EFFECTIVE)


@pytest.mark.postgres
def test_two_planners_approving_at_once_exactly_one_wins(proposal: Proposal) -> None:
    for move in proposal.moves.all():
        move_decide(move=move, accept=True)
    history = Assignment.objects.count()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(user_name: str) -> None:
        translation.activate("en")  # threads start without the test's language
        try:
            barrier.wait(timeout=10)
            proposal_approve(proposal=Proposal.objects.get(pk=proposal.pk), effective_date=EFFECTIVE)
            outcomes.append("applied")
        except ProposalRefused as exc:
            outcomes.append(f"refused: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.split(":")[0] for o in outcomes) == ["applied", "refused"]
    assert "Already applied" in next(o for o in outcomes if o.startswith("refused"))
    assert Assignment.objects.count() == history + proposal.moves.count()


def test_every_decision_is_in_the_audit_trail_with_who_and_why(proposal: Proposal) -> None:
    from audit.models import AuditEvent

    planner = factories.planner()
    first, second, *rest = proposal.moves.order_by("pk")
    move_decide(move=first, accept=True, by=planner)
    move_decide(move=second, accept=False, reason="needed at the origin", by=planner)
    proposal_approve(proposal=proposal, effective_date=EFFECTIVE, by=planner)
    events = list(AuditEvent.objects.filter(username=planner.username).order_by("id"))
    assert [e.action for e in events] == [
        "allocation.move_accept",
        "allocation.move_reject",
        "allocation.proposal_apply",
    ]
    assert events[1].after == {"status": "rejected", "reason": "needed at the origin"}
    assert events[1].object_id == str(second.pk)
    assert events[2].after["moved"] == [first.person_id]
