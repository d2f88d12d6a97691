"""Celery tasks of the allocation app: thin shells around services."""

from __future__ import annotations

from celery import shared_task

from allocation.services import run_execute


@shared_task(name="allocation.run_allocation", acks_late=True)
def run_allocation(run_id: int) -> str | None:
    run = run_execute(run_id)
    return run.status if run is not None else None
