"""Reference data every database starts with: the built-in shift patterns and the official holiday
calendar. Installed after every migrate (and after the test runner's flushes) by rosters.apps; idempotent,
and it never undoes a planner's edits: a pattern already there is left as it is, and a year's holidays are
only added to a calendar that has no day of that year yet.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rosters.builtins import BUILTIN_PATTERNS
from rosters.holidays import OFFICIAL, calendar_rows
from rosters.models import CalendarDay, ShiftPattern, ShiftType


def reference_ensure() -> None:
    with transaction.atomic():
        for spec in BUILTIN_PATTERNS:
            if ShiftPattern.objects.filter(station__isnull=True, code=spec["code"]).exists():
                continue
            fields = {k: v for k, v in spec.items() if k not in ("shifts", "forbidden")}
            pattern = ShiftPattern.objects.create(
                station=None, **fields, forbidden_successions=spec["forbidden"], is_builtin=True
            )
            ShiftType.objects.bulk_create(
                ShiftType(
                    pattern=pattern,
                    code=code,
                    name=name,
                    start=dt.time.fromisoformat(start),
                    hours=hours,
                    night=night,
                    leader_shift=leader,
                    order=order,
                )
                for order, (code, start, hours, name, night, leader) in enumerate(spec["shifts"])
            )
        for year in OFFICIAL:
            if CalendarDay.objects.filter(date__year=year).exists():
                continue
            CalendarDay.objects.bulk_create(
                CalendarDay(date=day, kind=kind, name=name, statutory=statutory)
                for day, kind, name, statutory in calendar_rows(year)
            )
