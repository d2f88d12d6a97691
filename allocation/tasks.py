"""Celery tasks of the allocation app: thin shells around services."""

from __future__ import annotations

from celery import shared_task

from allocation.models import Proposal
from allocation.services import proposal_tradeoff, run_execute, runs_recover


@shared_task(name="allocation.run_allocation", acks_late=True)
def run_allocation(run_id: int) -> str | None:
    """Solve and store the proposal (one transaction), then attach its trade-off curve.

    The proposal is complete and reviewable before the curve, which only adds to it. Delivered
    again after a worker died, the task finishes whichever part is missing and redoes nothing.
    """
    run = run_execute(run_id)
    proposal = Proposal.objects.filter(run_id=run_id).first()
    if proposal is not None:
        proposal_tradeoff(proposal.pk)
    return run.status if run is not None else None


@shared_task(name="allocation.runs_recover")
def recover_runs() -> int:
    """Beat: fail the runs a dead worker left running (services.runs_recover)."""
    return runs_recover()
