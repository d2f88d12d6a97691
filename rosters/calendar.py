"""Kinds of days for rosters: working day, weekend or public holiday. Pure.

The solver knows three kinds ("work", "weekend", "holiday"); a make-up working day (调休上班) is a
Saturday or Sunday that counts as "work", a public holiday a weekday that counts as "holiday".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

WORK = "work"
WEEKEND = "weekend"
HOLIDAY = "holiday"


def day_kind(day: dt.date, exceptions: Mapping[dt.date, str]) -> str:
    """`exceptions` maps dates to "holiday" or "makeup" (the calendar's stored days)."""
    special = exceptions.get(day)
    if special == "holiday":
        return HOLIDAY
    if special == "makeup":
        return WORK
    return WEEKEND if day.weekday() >= 5 else WORK


def day_kinds(start: dt.date, days: int, exceptions: Mapping[dt.date, str]) -> list[str]:
    return [day_kind(start + dt.timedelta(days=i), exceptions) for i in range(days)]


def profile_weekday(day: dt.date, kind: str) -> int:
    """Which weekday's hour-of-week workload a day is expected to look like.

    Calls follow people's days off more than the weekday: a public holiday is taken to look like a
    Sunday and a make-up working day like a Monday (the first working day after a rest).
    """
    if kind == HOLIDAY:
        return 6
    if kind == WORK and day.weekday() >= 5:
        return 0
    return day.weekday()
