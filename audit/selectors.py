"""Named reads of the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from audit.models import AuditEvent


@dataclass(frozen=True)
class TrailFilter:
    user: str = ""
    action: str = ""
    object: str = ""
    outcome: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None  # exclusive


def events_filtered(criteria: TrailFilter) -> QuerySet[AuditEvent]:
    """Records matching every given criterion, newest first. Text criteria match case-insensitively:
    `user` the user name, `action` the start of the action ("auth." finds every login event), `object`
    the object's type, id or description."""
    events = AuditEvent.objects.all()
    if criteria.user:
        events = events.filter(username__icontains=criteria.user)
    if criteria.action:
        events = events.filter(action__istartswith=criteria.action)
    if criteria.object:
        events = events.filter(
            Q(object_repr__icontains=criteria.object)
            | Q(object_type__icontains=criteria.object)
            | Q(object_id=criteria.object)
        )
    if criteria.outcome:
        events = events.filter(outcome=criteria.outcome)
    if criteria.since is not None:
        events = events.filter(at__gte=criteria.since)
    if criteria.until is not None:
        events = events.filter(at__lt=criteria.until)
    return events.order_by("-at", "-id")
