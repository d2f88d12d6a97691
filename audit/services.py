"""Writing to the audit trail. Services call `audit_record` inside their own transaction, so the
record and the change it describes commit or roll back together."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from audit.context import current_actor
from audit.models import AuditEvent

Outcome = AuditEvent.Outcome


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    # Dates, decimals and lazy strings become text; the trail keeps what a reader needs, not types.
    return json.loads(json.dumps(value, default=str))


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    by: Any = None,
    before: Any = None,
    after: Any = None,
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
    station_id: int | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one record. `by` defaults to the user of the current request; the address and API key
    always come from the request context (none for tasks and commands)."""
    actor = current_actor()
    user = by if by is not None else actor.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if station_id is None and obj is not None:
        station_id = _station_of(obj)
    return AuditEvent.objects.create(
        user_id=getattr(user, "pk", None),
        username=(user.get_username() if user is not None else username)[:150],
        role=(getattr(user, "role", "") or ("superuser" if getattr(user, "is_superuser", False) else ""))[:16],
        address=actor.address,
        api_key=actor.api_key,
        channel=actor.channel or ("task" if user is None else ""),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        station_id=station_id,
        before=_jsonable(before),
        after=_jsonable(after),
        outcome=outcome,
        detail=detail,
    )


def _station_of(obj: models.Model) -> int | None:
    """The station an object belongs to, for chiefs' and auditors' filters; None when county-wide."""
    if obj._meta.label_lower == "stations.station":
        return obj.pk
    for attr in ("station_id", "destination_id"):
        value = getattr(obj, attr, None)
        if isinstance(value, int):
            return value
    return None


def audit_purge(*, now: dt.datetime | None = None) -> int:
    """Delete records older than the retention setting (never less than 6 months). Returns how many."""
    days = max(int(settings.AUDIT_RETENTION_DAYS), 183)
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The trigger lets a DELETE through only when this transaction announces a purge.
                cursor.execute("SET LOCAL jingli.audit_purge = 'on'")
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE at < %s", [cutoff])  # noqa: S608
            deleted = cursor.rowcount
        audit_record(action="audit.purge", detail=f"{deleted} records older than {cutoff:%Y-%m-%d} ({days} days)")
    return deleted
