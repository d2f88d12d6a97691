"""State changes of allocation runs and proposals. Each is atomic and validated."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import asdict, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation.engine import Instance, Rules, Solution, counts_now, solve
from allocation.explain import explain_move, metrics
from allocation.inputs import county_instance
from allocation.models import AllocationRun, MoveStatus, Proposal, ProposalStatus, ProposedMove, RunStatus
from audit.services import audit_record
from personnel.models import Assignment, Person
from personnel.services import assignment_start
from stations.models import County, Unit
from workload.models import StandardsSet
from workload.selectors import standards_default

log = logging.getLogger(__name__)


def run_create(
    *, county: County, max_moves: int, by: Any = None, standards: StandardsSet | None = None
) -> AllocationRun:
    """Queue a run; a worker solves it once the run row is committed."""
    from allocation.tasks import run_allocation

    if max_moves < 0:
        raise ValueError("max_moves must be zero or more")
    standards = standards or standards_default()
    rules = Rules(
        max_moves=max_moves,
        min_officers=standards.min_officers_per_station,
        min_community_share=standards.min_community_share,
        min_station_share=standards.min_station_share,
    )
    with transaction.atomic():
        run = AllocationRun.objects.create(
            county=county,
            standards=standards,
            max_moves=max_moves,
            parameters=asdict(rules),
            created_by=by if getattr(by, "pk", None) else None,
        )
        audit_record(action="allocation.run_create", obj=run, by=by, after={"county": county.code, **asdict(rules)})
        run_allocation.delay_on_commit(run.pk)  # type: ignore[attr-defined]  # DjangoTask (config/celery.py)
    return run


def _progress(run: AllocationRun, percent: int, message: str) -> None:
    AllocationRun.objects.filter(pk=run.pk).update(progress=percent, message=message)


def run_execute(run_id: int) -> AllocationRun | None:
    """Solve a queued run and store its proposal in one transaction. Safe to call twice."""
    claimed = AllocationRun.objects.filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), progress=0, error=""
    )
    if not claimed:
        return None
    run = AllocationRun.objects.select_related("county", "standards").get(pk=run_id)
    try:
        rules = Rules(**run.parameters)
        _progress(run, 10, "loading inputs")
        instance, fixed = county_instance(run.county, standards=run.standards, rules=rules)
        snapshot = {
            "places": [asdict(p) for p in instance.places],
            "members": [asdict(m) for m in instance.members],
            "fixed": {str(k): v for k, v in fixed.items()},
        }
        fingerprint = hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str).encode()).hexdigest()
        _progress(run, 30, "solving")
        solution = solve(instance)
        _progress(run, 70, "trade-off curve")
        curve = tradeoff(instance, run.max_moves, full=solution)
        _progress(run, 90, "storing the proposal")
        with transaction.atomic():
            _store(run, instance, solution, curve)
            AllocationRun.objects.filter(pk=run.pk).update(
                status=RunStatus.SUCCEEDED,
                progress=100,
                message=f"{len(solution.moves)} moves proposed",
                inputs=snapshot,
                fingerprint=fingerprint,
                optimal=solution.optimal,
                solve_seconds=solution.seconds,
                finished_at=timezone.now(),
            )
    except Exception as exc:
        log.exception("allocation run %s failed", run_id)
        AllocationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now(), progress=100
        )
        raise
    run.refresh_from_db()
    return run


def runs_fail_stale(*, older_than: dt.timedelta) -> int:
    """Mark failed the runs still `running` long after any worker could still be on them.

    A worker killed outright (SIGKILL, OOM, a machine lost, the hard time limit) never reaches the
    except clause above; its run would show `running` for ever. Nothing of it was stored (the proposal is
    written in one transaction), so failing it is the whole repair. A late redelivery then finds the run
    decided and does nothing.
    """
    cutoff = timezone.now() - older_than
    stale = list(
        AllocationRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=cutoff).values_list("pk", flat=True)
    )
    failed = 0
    for run_id in stale:
        with transaction.atomic():
            changed = AllocationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, started_at__lt=cutoff).update(
                status=RunStatus.FAILED,
                error="worker lost: the run stopped without finishing; start it again",
                finished_at=timezone.now(),
                progress=100,
            )
            if changed:
                run = AllocationRun.objects.get(pk=run_id)
                audit_record(action="allocation.run_fail_stale", obj=run, outcome="failure", detail=run.error)
                failed += 1
    return failed


def tradeoff(
    instance: Instance, max_moves: int, points: int = 10, *, full: Solution | None = None
) -> list[dict[str, float]]:
    """Best achievable shortfall and balance for growing move budgets, 0..max_moves.

    `full`, the optimum for the whole budget, saves solves: when it uses m moves, it is also the
    optimum of every budget from m up (a larger budget only adds choices, and it is among them).
    """
    budgets = sorted({round(max_moves * i / points) for i in range(points + 1)})
    start = None
    curve = []
    for budget in budgets:
        if full is not None and budget >= len(full.moves):
            solution = full
        else:
            solution = solve(Instance(instance.places, instance.members, replace(instance.rules, max_moves=budget)))
        shortfall = metrics(instance, solution.counts)["shortfall"]
        start = shortfall if start is None else start
        curve.append(
            {
                "moves": len(solution.moves),
                "budget": budget,
                "shortfall": shortfall,
                "imbalance": round(solution.imbalance, 2),
                "shortfall_removed": round(1 - shortfall / start, 4) if start else 0.0,
                "optimal": solution.optimal,  # False when the time limit stopped the proof
            }
        )
    return curve


def _team(instance: Instance, move: Any, member: Any) -> str:
    """The team a moved person joins: as the programme placed them, else by what they can do."""
    if not instance.place_by_id[move.destination].is_station:
        return "department"
    if move.community:
        return "community"
    return "case" if member.officer and member.investigator else "command"


def _store(run: AllocationRun, instance: Instance, solution: Any, curve: list[dict[str, float]]) -> None:
    before = counts_now(instance)
    proposal = Proposal.objects.create(
        run=run,
        before=metrics(instance, before),
        after=metrics(instance, solution.counts),
        tradeoff=curve,
        objective=solution.objective,
    )
    members = {m.id: m for m in instance.members}
    current = dict(
        Assignment.objects.current()
        .filter(person_id__in=[m.member for m in solution.moves])
        .values_list("person_id", "id")
    )
    ProposedMove.objects.bulk_create(
        [
            ProposedMove(
                proposal=proposal,
                person_id=move.member,
                origin_id=move.origin,
                destination_id=move.destination,
                destination_team=_team(instance, move, members[move.member]),
                origin_assignment_id=current[move.member],
                explanation=explain_move(instance, move, members[move.member], before, solution.counts),
            )
            for move in solution.moves
        ]
    )


class ProposalRefused(Exception):
    """A decision that cannot be taken: wrong state, stale data, a concurrent decision."""


def move_decide(*, move: ProposedMove, accept: bool, reason: str = "", by: Any = None) -> ProposedMove:
    """A planner accepts or rejects one move, with a reason, while the proposal is open."""
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=move.proposal_id)
        if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.IN_REVIEW):
            raise ProposalRefused(
                _("The proposal is %(status)s; its moves can no longer change.")
                % {"status": proposal.get_status_display()}
            )
        if not accept and not reason.strip():
            raise ProposalRefused(_("Say why the move is rejected."))
        move.status = MoveStatus.ACCEPTED if accept else MoveStatus.REJECTED
        move.reason = reason.strip()[:300]
        move.decided_by = by if getattr(by, "pk", None) else None
        move.decided_at = timezone.now()
        previous = move.status
        move.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit_record(
            action="allocation.move_accept" if accept else "allocation.move_reject",
            obj=move,
            by=by,
            before={"status": previous},
            after={"status": move.status, "reason": move.reason},
        )
        if proposal.status == ProposalStatus.DRAFT:
            proposal.status = ProposalStatus.IN_REVIEW
            proposal.save(update_fields=["status", "updated_at"])
    return move


def proposal_approve(*, proposal: Proposal, effective_date: dt.date, by: Any = None) -> int:
    """Approve and apply the accepted moves at `effective_date`, all in one transaction.

    Refuses a proposal decided by someone else meanwhile (exactly one of two concurrent approvals
    wins) and a stale one: a person whose assignment or status changed since the run. Returns the
    number of people moved.
    """
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in (ProposalStatus.DRAFT, ProposalStatus.IN_REVIEW):
            raise ProposalRefused(
                _("Already %(status)s by %(who)s at %(when)s.")
                % {
                    "status": locked.get_status_display().lower(),
                    "who": locked.decided_by.get_username() if locked.decided_by else _("someone"),
                    "when": timezone.localtime(locked.decided_at).strftime("%Y-%m-%d %H:%M")
                    if locked.decided_at
                    else "",
                }
            )
        # Separation of duties: whoever started the run does not also approve what it proposes.
        started_by = AllocationRun.objects.filter(pk=locked.run_id).values_list("created_by_id", flat=True).first()
        if settings.JINGLI_SEPARATE_APPROVER and started_by is not None and getattr(by, "pk", None) == started_by:
            raise ProposalRefused(
                _("You started this run, so another planner must approve its proposal (separation of duties).")
            )
        moves = list(
            locked.moves.filter(status=MoveStatus.ACCEPTED)
            .select_related("person", "destination")
            .order_by("person_id")
        )
        if not moves:
            raise ProposalRefused(_("No move is accepted: accept the moves to apply, or reject the proposal."))
        # Lock the people in a fixed order so concurrent work on the same people serialises.
        people = {
            p.pk: p
            for p in Person.objects.select_for_update().filter(pk__in=[m.person_id for m in moves]).order_by("pk")
        }
        current = dict(Assignment.objects.current().filter(person_id__in=people).values_list("person_id", "id"))
        stale = [
            f"{people[m.person_id].name} ({people[m.person_id].number})"
            for m in moves
            if current.get(m.person_id) != m.origin_assignment_id or people[m.person_id].status != Person.Status.ACTIVE
        ]
        if stale:
            raise ProposalRefused(_("Stale: changed since the run: %(people)s.") % {"people": ", ".join(stale)})
        for move in moves:
            unit = Unit.objects.get(station=move.destination, kind=move.destination_team)
            assignment_start(
                person=people[move.person_id],
                unit=unit,
                start_date=effective_date,
                source=Assignment.Source.ALLOCATION,
                reason=f"allocation proposal #{locked.pk}",
                by=by if getattr(by, "pk", None) else None,
            )
        locked.status = ProposalStatus.APPLIED
        locked.effective_date = effective_date
        locked.decided_by = by if getattr(by, "pk", None) else None
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "effective_date", "decided_by", "decided_at", "updated_at"])
        audit_record(
            action="allocation.proposal_apply",
            obj=locked,
            by=by,
            after={"effective_date": effective_date, "moved": [m.person_id for m in moves]},
        )
    return len(moves)


def proposal_reject(*, proposal: Proposal, reason: str, by: Any = None) -> None:
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status not in (ProposalStatus.DRAFT, ProposalStatus.IN_REVIEW):
            raise ProposalRefused(
                _("The proposal is already %(status)s.") % {"status": locked.get_status_display().lower()}
            )
        if not reason.strip():
            raise ProposalRefused(_("Say why the proposal is rejected."))
        locked.status = ProposalStatus.REJECTED
        locked.decision_reason = reason.strip()[:300]
        locked.decided_by = by if getattr(by, "pk", None) else None
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
        audit_record(action="allocation.proposal_reject", obj=locked, by=by, after={"reason": locked.decision_reason})
