"""Named reads of rosters: scoped lists, the people × days grid, the difference between versions.

Each read costs a fixed number of queries whatever the number of people or days.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from config.roles import scope_of
from personnel.models import Leave, Person
from rosters.calendar import HOLIDAY, WEEKEND, day_kind
from rosters.models import (
    CalendarDay,
    FeedToken,
    Roster,
    RosterCell,
    RosterMember,
    RosterShortfall,
    RosterStatus,
    ShiftDemand,
    ShiftType,
)


def rosters_visible(user: Any) -> QuerySet[Roster]:
    """Rosters an account may read: chiefs their own station's, planners and auditors every one."""
    scope = scope_of(user)
    if not scope.can_read:
        return Roster.objects.none()
    return Roster.objects.in_scope(scope.station_id)


def roster_get(user: Any, pk: int) -> Roster:
    """One roster in the viewer's scope; another station's roster is simply not there (404)."""
    roster = (
        rosters_visible(user).select_related("station", "pattern", "submitted_by", "approved_by").filter(pk=pk).first()
    )
    if roster is None:
        raise Http404
    return roster


@dataclass
class Day:
    date: dt.date
    kind: str
    name: str

    @property
    def is_rest(self) -> bool:
        return self.kind in (WEEKEND, HOLIDAY)


@dataclass
class GridRow:
    member: RosterMember
    cells: list[str]
    hours: float
    nights: int


@dataclass
class DemandCell:
    shift: ShiftType
    required: int
    assigned: int
    overridden: bool

    @property
    def short(self) -> int:
        return max(self.required - self.assigned, 0)


@dataclass
class Grid:
    roster: Roster
    days: list[Day]
    rows: list[GridRow]
    shifts: list[ShiftType]
    demand: list[list[DemandCell]]  # per shift, per day
    shortfalls: list[RosterShortfall]
    missing: int = 0
    by_day: dict[dt.date, int] = field(default_factory=dict)


def calendar_days(first: dt.date, last: dt.date) -> list[Day]:
    special = {c.date: c for c in CalendarDay.objects.filter(date__gte=first, date__lte=last)}
    exceptions = {d: c.kind for d, c in special.items()}
    out = []
    day = first
    while day <= last:
        out.append(Day(day, day_kind(day, exceptions), special[day].name if day in special else ""))
        day += dt.timedelta(days=1)
    return out


def roster_grid(roster: Roster) -> Grid:
    """The people × days grid with hours, nights, demand against assignment and shortfalls."""
    days = calendar_days(roster.start_date, roster.end_date)
    index = {d.date: i for i, d in enumerate(days)}
    shifts = list(ShiftType.objects.filter(pattern_id=roster.pattern_id).order_by("order", "start"))
    by_id = {s.pk: s for s in shifts}
    members = list(RosterMember.objects.filter(roster=roster).select_related("person").order_by("position"))
    cells: dict[int, list[str]] = {m.person_id: [""] * roster.days for m in members}
    hours: dict[int, float] = defaultdict(float)
    nights: dict[int, int] = defaultdict(int)
    assigned: dict[tuple[int, dt.date], int] = defaultdict(int)
    for person_id, day, shift_id in RosterCell.objects.filter(roster=roster).values_list(
        "person_id", "day", "shift_id"
    ):
        shift = by_id[shift_id]
        if person_id in cells:
            cells[person_id][index[day]] = shift.code
        hours[person_id] += shift.hours
        nights[person_id] += int(shift.night)
        assigned[(shift_id, day)] += 1
    demand_rows: dict[tuple[int, dt.date], ShiftDemand] = {
        (d.shift_id, d.day): d for d in ShiftDemand.objects.filter(roster=roster)
    }
    demand = []
    for shift in shifts:
        line = []
        for column in days:
            row = demand_rows.get((shift.pk, column.date))
            line.append(
                DemandCell(
                    shift=shift,
                    required=row.required if row else 0,
                    assigned=assigned[(shift.pk, column.date)],
                    overridden=bool(row and row.override is not None),
                )
            )
        demand.append(line)
    shortfalls = list(
        RosterShortfall.objects.filter(roster=roster).select_related("shift").order_by("day", "shift__order")
    )
    rows = [GridRow(m, cells[m.person_id], hours[m.person_id], nights[m.person_id]) for m in members]
    by_day: dict[dt.date, int] = defaultdict(int)
    for s in shortfalls:
        if s.kind == "people":
            by_day[s.day] += s.missing
    return Grid(
        roster=roster,
        days=days,
        rows=rows,
        shifts=shifts,
        demand=demand,
        shortfalls=shortfalls,
        missing=sum(s.missing for s in shortfalls if s.kind == "people"),
        by_day=dict(by_day),
    )


@dataclass
class Change:
    person: Person
    day: dt.date
    before: str
    after: str


def roster_diff(roster: Roster) -> list[Change]:
    """Cells that differ between a version and the one it revises, by day then person."""
    if roster.previous_id is None:
        return []
    old = dict(
        ((p, d), c)
        for p, d, c in RosterCell.objects.filter(roster_id=roster.previous_id).values_list(
            "person_id", "day", "shift__code"
        )
    )
    new = dict(
        ((p, d), c)
        for p, d, c in RosterCell.objects.filter(roster=roster).values_list("person_id", "day", "shift__code")
    )
    keys = sorted(set(old) | set(new), key=lambda k: (k[1], k[0]))
    changed = [k for k in keys if old.get(k) != new.get(k)]
    people = Person.objects.in_bulk({k[0] for k in changed})
    return [Change(people[p], d, old.get((p, d), ""), new.get((p, d), "")) for p, d in changed]


def leave_requests(user: Any) -> QuerySet[Leave]:
    """Leave waiting for a decision, of the people at the viewer's station (every station for planners)."""
    scope = scope_of(user)
    leaves = Leave.objects.filter(status=Leave.Status.REQUESTED).select_related("person").order_by("start_date")
    if not scope.can_read:
        return leaves.none()
    if scope.station_id is None:
        return leaves
    today = timezone.localdate()
    return leaves.filter(
        Q(person__assignments__end_date__isnull=True) | Q(person__assignments__end_date__gt=today),
        person__assignments__unit__station_id=scope.station_id,
        person__assignments__start_date__lte=today,
    )


def person_cells(roster_qs: QuerySet[Roster], person_id: int) -> QuerySet[RosterCell]:
    """A person's shifts in the given rosters, for the iCalendar feed."""
    return (
        RosterCell.objects.filter(roster__in=roster_qs, person_id=person_id)
        .select_related("shift", "roster__station")
        .order_by("day")
    )


def feed_token_digest(token: str) -> str:
    """What is stored of a calendar link's token: its SHA-256 (the token itself is shown once)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_token_person(token: str) -> Person | None:
    """The person a live calendar link belongs to; None for a wrong or revoked token."""
    if not token or len(token) > 100:
        return None
    row = (
        FeedToken.objects.select_related("person")
        .filter(digest=feed_token_digest(token), revoked_at__isnull=True)
        .first()
    )
    return row.person if row is not None else None


def feed_token_live(person_id: int) -> FeedToken | None:
    """A person's live calendar link (its record; the token itself is never stored)."""
    return FeedToken.objects.select_related("created_by").filter(person_id=person_id, revoked_at__isnull=True).first()


def published_person_cells(person_id: int) -> QuerySet[RosterCell]:
    """A person's shifts in every roster now in force (published), whatever the station."""
    return person_cells(Roster.objects.filter(status=RosterStatus.PUBLISHED), person_id)
