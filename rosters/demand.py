"""People each shift needs, from the hour-of-week Erlang C crews and the post minimums. Pure.

For every day and shift:

    crews    = max over the shift's hours of the Erlang C crews of that hour of the week
               (DOMAIN.md §3), at least the first-standby crews (一备)
    officers = desk officers + one officer leading each crew          (auxiliaries never lead)
    people   = desk officers + crews × people per crew                (the rest may be auxiliaries)
    leaders  = 1 on the day's leader shift when a duty leader (带班领导) is required every day

Where auxiliaries do not count, people = officers = desk + crews × crew size. Every shift has at least
one officer. Days with no shifts (office hours on weekends and holidays) get no demand.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from rosters.calendar import HOLIDAY, WEEKEND, profile_weekday


@dataclass(frozen=True)
class ShiftSpec:
    code: str
    start_hour: float
    hours: float
    leader_shift: bool


@dataclass(frozen=True)
class PatternRules:
    crew_size: int
    desk_persons: int
    standby_crews: int
    leader_daily: bool
    auxiliaries_allowed: bool
    workdays_only: bool


@dataclass(frozen=True)
class Demand:
    day: dt.date
    shift: str
    crews: int
    people: int
    officers: int
    leaders: int


def hours_of_week(day: dt.date, kind: str, shift: ShiftSpec) -> list[int]:
    """The hour-of-week slots (0 = Monday 00:00) a shift on `day` covers; past midnight is the next day."""
    weekday = profile_weekday(day, kind)
    first = math.floor(shift.start_hour)
    last = math.ceil(shift.start_hour + shift.hours)
    return [(weekday * 24 + hour) % 168 for hour in range(first, last)]


def shift_demand(
    dates: Sequence[dt.date],
    kinds: Sequence[str],
    shifts: Sequence[ShiftSpec],
    crews_by_hour: Sequence[int],
    rules: PatternRules,
) -> list[Demand]:
    if len(crews_by_hour) != 168:
        raise ValueError("crews_by_hour needs one figure per hour of the week (168)")
    out = []
    for day, kind in zip(dates, kinds, strict=True):
        if rules.workdays_only and kind in (WEEKEND, HOLIDAY):
            continue
        for shift in shifts:
            crews = max((crews_by_hour[h] for h in hours_of_week(day, kind, shift)), default=0)
            crews = max(crews, rules.standby_crews)
            officers = rules.desk_persons + crews
            people = rules.desk_persons + crews * rules.crew_size
            if not rules.auxiliaries_allowed:
                officers = people
            officers = max(officers, 1)
            people = max(people, officers)
            leaders = 1 if rules.leader_daily and shift.leader_shift else 0
            out.append(Demand(day, shift.code, crews, people, officers, leaders))
    return out
