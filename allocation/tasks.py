"""Celery tasks of the allocation app: thin shells around services."""

from __future__ import annotations

from celery import shared_task

from allocation.services import run_execute, runs_recover


@shared_task(name="allocation.run_allocation", acks_late=True)
def run_allocation(run_id: int) -> str | None:
    run = run_execute(run_id)
    return run.status if run is not None else None


@shared_task(name="allocation.runs_recover")
def recover_runs() -> int:
    """Beat: fail the runs a dead worker left running (services.runs_recover)."""
    return runs_recover()
