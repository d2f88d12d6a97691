"""State changes of allocation runs and proposals. Each is atomic and validated."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation.engine import (
    Instance,
    Member,
    Place,
    Rules,
    Solution,
    class_of,
    counts_now,
    disruption,
    evaluated,
    solve,
    tradeoff_solutions,
)
from allocation.engine import Move as EngineMove
from allocation.explain import explain_move, metrics
from allocation.inputs import county_instance
from allocation.models import (
    AllocationRun,
    MoveComment,
    MoveStatus,
    Proposal,
    ProposalStatus,
    ProposedMove,
    RunGroup,
    RunStatus,
)
from audit.services import audit_record
from personnel.models import Assignment, Person
from personnel.services import assignment_start
from stations.models import County, Unit
from workload.models import StandardsSet
from workload.selectors import standards_default

log = logging.getLogger(__name__)


class RunCancelled(Exception):
    """The run was cancelled while it ran: stop between stages, store nothing."""


def _rules_for(standards: StandardsSet, max_moves: int, recent_move_months: int) -> Rules:
    return Rules(
        max_moves=max_moves,
        min_officers=standards.min_officers_per_station,
        min_community_share=standards.min_community_share,
        min_station_share=standards.min_station_share,
        recent_move_months=recent_move_months,
    )


def _validate(max_moves: int, recent_move_months: int) -> None:
    if max_moves < 0:
        raise ValueError(_("The maximum number of moves must be zero or more."))
    if not 0 <= recent_move_months <= 120:
        raise ValueError(_("The months after a move must be between 0 and 120."))


def run_create(
    *,
    county: County,
    max_moves: int,
    by: Any = None,
    standards: StandardsSet | None = None,
    recent_move_months: int = 12,
    group: RunGroup | None = None,
) -> AllocationRun:
    """Queue a run; a worker solves it once the run row is committed."""
    from allocation.tasks import run_allocation

    _validate(max_moves, recent_move_months)
    standards = standards or standards_default()
    rules = _rules_for(standards, max_moves, recent_move_months)
    with transaction.atomic():
        run = AllocationRun.objects.create(
            county=county,
            standards=standards,
            max_moves=max_moves,
            parameters=asdict(rules),
            created_by=by if getattr(by, "pk", None) else None,
            group=group,
        )
        audit_record(action="allocation.run_create", obj=run, by=by, after={"county": county.code, **asdict(rules)})
        if group is None:
            run_allocation.delay_on_commit(run.pk)  # type: ignore[attr-defined]  # DjangoTask (config/celery.py)
    return run


def run_group_create(
    *,
    counties: list[County],
    max_moves: int,
    name: str = "",
    by: Any = None,
    standards: StandardsSet | None = None,
    recent_move_months: int = 12,
) -> RunGroup:
    """Queue one run per county and fan them out to the workers as one Celery group.

    One proposal per county (docs/allocation.md, "A city"): counties share no people, so their
    problems are independent; each proposal is reviewed by its county's planners, and a county
    whose run fails does not hold back the others.
    """
    from celery import group as celery_group

    from allocation.tasks import run_allocation

    _validate(max_moves, recent_move_months)
    if not counties:
        raise ValueError(_("Choose at least one county."))
    standards = standards or standards_default()
    with transaction.atomic():
        batch = RunGroup.objects.create(
            name=name or ", ".join(c.code for c in counties)[:100],
            max_moves=max_moves,
            created_by=by if getattr(by, "pk", None) else None,
        )
        runs = [
            run_create(
                county=county,
                max_moves=max_moves,
                by=by,
                standards=standards,
                recent_move_months=recent_move_months,
                group=batch,
            )
            for county in sorted(counties, key=lambda c: c.code)
        ]
        audit_record(
            action="allocation.run_group_create",
            obj=batch,
            by=by,
            after={"counties": [c.code for c in counties], "max_moves": max_moves, "runs": [r.pk for r in runs]},
        )
        ids = [r.pk for r in runs]
        # Sent once the runs are committed, so no worker looks for a run that is not there yet.
        transaction.on_commit(lambda: celery_group(run_allocation.s(pk) for pk in ids).apply_async())
    return batch


def run_cancel(*, run: AllocationRun, by: Any = None) -> bool:
    """Cancel a queued or running run. A running task stops at its next stage and stores nothing.

    Returns False when the run had already finished (nothing to cancel).
    """
    with transaction.atomic():
        before = AllocationRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
        cancelled = AllocationRun.objects.filter(pk=run.pk, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
            status=RunStatus.CANCELLED, message="cancelled", finished_at=timezone.now()
        )
        if cancelled:
            audit_record(
                action="allocation.run_cancel", obj=run, by=by, before={"status": before}, after={"status": "cancelled"}
            )
    run.refresh_from_db()
    return bool(cancelled)


def _progress(run: AllocationRun, percent: int, stage: str) -> None:
    """Report a stage; a run cancelled meanwhile stops here (the UPDATE finds it no longer running)."""
    moved_on = AllocationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        progress=percent, message=stage, heartbeat_at=timezone.now(), updated_at=timezone.now()
    )
    if not moved_on:
        raise RunCancelled


def run_execute(run_id: int) -> AllocationRun | None:
    """Solve a queued run and store its proposal in one transaction. Safe to call twice.

    A run already running is taken over: its worker died (the message was delivered again after
    acks_late), and nothing of it was stored, because storing is one transaction.
    """
    claimed = AllocationRun.objects.filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        progress=0,
        error="",
        updated_at=timezone.now(),
    )
    if not claimed:
        return None
    run = AllocationRun.objects.select_related("county", "standards").get(pk=run_id)
    try:
        rules = Rules(**run.parameters)
        _progress(run, 10, "loading")
        instance, fixed = county_instance(
            run.county, standards=run.standards, rules=rules, recent_move_months=rules.recent_move_months
        )
        snapshot = {
            "places": [asdict(p) for p in instance.places],
            "members": [asdict(m) for m in instance.members],
            "fixed": {str(k): v for k, v in fixed.items()},
        }
        fingerprint = hashlib.sha256(json.dumps(snapshot, sort_keys=True, default=str).encode()).hexdigest()
        _progress(run, 30, "solving")
        solution = solve(instance)
        _progress(run, 80, "storing")
        with transaction.atomic():
            # Lock the run: a cancellation or a second delivery of the task waits, then sees the outcome.
            locked = AllocationRun.objects.select_for_update().get(pk=run.pk)
            if locked.status != RunStatus.RUNNING:
                raise RunCancelled
            if Proposal.objects.filter(run=run).exists():
                return locked  # another delivery of the same task stored it first
            _store(run, instance, solution)
            AllocationRun.objects.filter(pk=run.pk).update(
                status=RunStatus.SUCCEEDED,
                progress=100,
                message="done",
                inputs=snapshot,
                fingerprint=fingerprint,
                optimal=solution.optimal,
                solve_seconds=solution.seconds,
                finished_at=timezone.now(),
                heartbeat_at=timezone.now(),
                updated_at=timezone.now(),
            )
    except RunCancelled:
        log.info("allocation run %s was cancelled while running", run_id)
    except Exception as exc:
        log.exception("allocation run %s failed", run_id)
        AllocationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
            updated_at=timezone.now(),
            progress=100,
        )
        raise
    run.refresh_from_db()
    return run


def runs_recover(*, now: dt.datetime | None = None) -> int:
    """Fail the runs whose worker died: running, and silent for longer than a task may live.

    A task is killed by Celery at its hard time limit, so a heartbeat older than that cannot belong
    to a live task. Nothing of such a run was stored (storing is one transaction); the planner
    starts it again. Returns the number of runs failed.
    """
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    failed = 0
    for run in AllocationRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=limit).order_by("pk"):
        with transaction.atomic():
            if AllocationRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, heartbeat_at__lt=limit).update(
                status=RunStatus.FAILED,
                error="the worker running it stopped; start the run again",
                finished_at=now,
                progress=100,
            ):
                audit_record(
                    action="allocation.run_recover",
                    obj=run,
                    by=None,
                    before={"status": "running", "heartbeat_at": run.heartbeat_at},
                    after={"status": "failed"},
                )
                failed += 1
    return failed


def tradeoff(
    instance: Instance, max_moves: int, points: int = 10, *, full: Solution | None = None
) -> list[dict[str, float]]:
    """Best achievable shortfall and balance for growing move budgets, 0..max_moves.

    Exact at every point (engine.tradeoff_solutions); `full`, the optimum for the whole budget,
    saves a solve.
    """
    budgets = sorted({round(max_moves * i / points) for i in range(points + 1)})
    start = None
    curve = []
    for budget, solution in tradeoff_solutions(instance, budgets, full=full):
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


def _store(run: AllocationRun, instance: Instance, solution: Any) -> Proposal:
    before = counts_now(instance)
    proposal = Proposal.objects.create(
        run=run,
        before=metrics(instance, before),
        after=metrics(instance, solution.counts),
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
    return proposal


def snapshot_instance(run: AllocationRun) -> Instance:
    """The run's problem exactly as it was solved, rebuilt from its snapshot (not from today's data)."""
    return Instance(
        [Place(**p) for p in run.inputs["places"]],
        [Member(**m) for m in run.inputs["members"]],
        Rules(**run.parameters),
    )


def proposal_tradeoff(proposal_id: int) -> Proposal | None:
    """Compute and store a proposal's trade-off curve, once; a second call changes nothing.

    It works from the run's snapshot, so the curve belongs to the same problem as the proposal, and
    reuses the proposal's own moves as the optimum of the full budget (one solve fewer).
    """
    proposal = Proposal.objects.select_related("run").filter(pk=proposal_id).first()
    if proposal is None or proposal.tradeoff:
        return proposal
    run = proposal.run
    instance = snapshot_instance(run)
    stored = list(proposal.moves.values_list("person_id", "origin_id", "destination_id", "destination_team"))
    members = {m.id: m for m in instance.members}
    moves = [
        EngineMove(person, origin, destination, team == Unit.Kind.COMMUNITY, 0.0)
        for person, origin, destination, team in stored
    ]
    for move in moves:
        move.cost = disruption(
            class_of(members[move.member]), instance.place_by_id[move.origin], instance.place_by_id[move.destination]
        )
    full = evaluated(instance, moves, optimal=run.optimal)
    curve = tradeoff(instance, run.max_moves, full=full)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not locked.tradeoff:
            locked.tradeoff = curve
            locked.save(update_fields=["tradeoff", "updated_at"])
    return locked


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
        previous = ProposedMove.objects.filter(pk=move.pk).values_list("status", flat=True).get()
        move.status = MoveStatus.ACCEPTED if accept else MoveStatus.REJECTED
        move.reason = reason.strip()[:300]
        move.decided_by = by if getattr(by, "pk", None) else None
        move.decided_at = timezone.now()
        move.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
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


def move_comment(*, move: ProposedMove, text: str, by: Any) -> MoveComment:
    """A chief (of the origin or the destination) or a planner remarks on a move; kept and audited.

    Comments stay possible after the decision: a chief may still want his objection on record.
    """
    text = text.strip()
    if not text:
        raise ProposalRefused(_("Write a comment first."))
    if len(text) > 1000:
        raise ProposalRefused(_("A comment has at most 1,000 characters."))
    with transaction.atomic():
        comment = MoveComment.objects.create(move=move, author=by, text=text)
        audit_record(action="allocation.move_comment", obj=comment, by=by, after={"move": move.pk, "text": text})
    return comment
