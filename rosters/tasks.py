"""Celery tasks of the rosters app: thin shells around services.

The name keeps DESIGN.md's `allocation.generate_roster`: rosters are the allocation layer's second job.
"""

from __future__ import annotations

from celery import shared_task

from rosters.services import roster_generate_execute


@shared_task(name="allocation.generate_roster", acks_late=True)
def generate_roster(roster_id: int) -> str | None:
    """Generate a queued draft roster. Idempotent: a roster already generated or gone returns None."""
    roster = roster_generate_execute(roster_id)
    return roster.generation if roster is not None else None
