"""The boundary between the database and the solver: roster rows in, a RosterProblem out, and back.

Everything the solver sees is loaded here in a fixed number of queries; everything after
`problem_build` is plain data (rosters.solver), so the same problem serves generation, the check of a
manual edit and the leave approval.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from personnel.models import Leave, Person
from rosters.calendar import day_kinds
from rosters.models import CalendarDay, Roster, RosterCell, RosterMember, ShiftDemand, ShiftRequest, ShiftType
from rosters.solver import Cover, Request, RosterProblem, Shift, Violation, Weights, Worker

# How many days of the previous period the solver sees (continuity, rest and successions across the
# boundary); a week covers the longest rotation (4 groups) twice, as continuity needs.
HISTORY_DAYS = 7
# A roster shorter than this gets its share of the monthly hour limit instead of all of it.
FULL_MONTH_DAYS = 28


@dataclass
class RosterContext:
    """A roster's problem with what turns solver indexes back into rows."""

    roster: Roster
    problem: RosterProblem
    dates: list[dt.date]
    shifts: dict[str, ShiftType]
    members: list[RosterMember]
    names: dict[int, str] = field(default_factory=dict)

    def day_index(self, day: dt.date) -> int:
        return (day - self.roster.start_date).days

    def date_of(self, index: int) -> dt.date:
        return self.roster.start_date + dt.timedelta(days=index)


def calendar_exceptions(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    return dict(CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "kind"))


def cells_of(roster: Roster) -> dict[tuple[int, int], str]:
    """The roster's cells as solver assignments: (person id, day index) → shift code."""
    return {
        (person_id, (day - roster.start_date).days): code
        for person_id, day, code in RosterCell.objects.filter(roster=roster).values_list(
            "person_id", "day", "shift__code"
        )
    }


def predecessor(roster: Roster) -> Roster | None:
    """The roster the station worked just before this one: same pattern, ending the day before it starts
    (or later), the latest version that is not superseded, preferring published ones."""
    candidates = (
        Roster.objects.filter(
            station_id=roster.station_id,
            pattern_id=roster.pattern_id,
            start_date__lt=roster.start_date,
            start_date__gte=roster.start_date - dt.timedelta(days=62),
        )
        .exclude(pk=roster.pk)
        .current()
        .order_by("-start_date", "-version")
    )
    for candidate in candidates:
        if candidate.end_date >= roster.start_date - dt.timedelta(days=1):
            return candidate
    return None


def problem_build(
    roster: Roster,
    *,
    extra_unavailable: dict[int, set[dt.date]] | None = None,
    previous: dict[tuple[int, int], str] | None = None,
) -> RosterContext:
    """The solver's view of a roster: its members, shifts, demand, leave, requests and history.

    `extra_unavailable` adds days off (a leave being approved); `previous` is a roster to stay close to.
    """
    pattern = roster.pattern
    shift_rows = list(ShiftType.objects.filter(pattern=pattern).order_by("order", "start"))
    shifts = {s.code: s for s in shift_rows}
    members = list(RosterMember.objects.filter(roster=roster).select_related("person").order_by("position"))
    person_ids = [m.person_id for m in members]
    dates = roster.dates()
    first, last = dates[0], dates[-1]
    kinds = day_kinds(first, roster.days, calendar_exceptions(first, last))

    unavailable: dict[int, set[int]] = defaultdict(set)
    for person_id, start, end in Leave.objects.filter(
        person_id__in=person_ids, status=Leave.Status.APPROVED, start_date__lte=last, end_date__gte=first
    ).values_list("person_id", "start_date", "end_date"):
        for index in range(max((start - first).days, 0), min((end - first).days, roster.days - 1) + 1):
            unavailable[person_id].add(index)
    for member in members:
        if member.person.status != Person.Status.ACTIVE:
            unavailable[member.person_id].update(range(roster.days))
    for person_id, days in (extra_unavailable or {}).items():
        unavailable[person_id].update((d - first).days for d in days if first <= d <= last)

    requests: dict[int, list[Request]] = defaultdict(list)
    for person_id, day, code, want, weight in ShiftRequest.objects.filter(
        person_id__in=person_ids, day__gte=first, day__lte=last
    ).values_list("person_id", "day", "shift_code", "want", "weight"):
        if code and code not in shifts:
            continue  # a wish for a shift of another pattern says nothing about this roster
        requests[person_id].append(Request(day=(day - first).days, shift=code or None, on=want, weight=weight))
    if pattern.groups:
        # Rotation over groups: each group's days follow from the calendar date, so the rotation runs on
        # from one month into the next; a person is asked (softly) to stand their group's days.
        for member in members:
            if member.group is None:
                continue
            for index, day in enumerate(dates):
                if day.toordinal() % pattern.groups == member.group:
                    requests[member.person_id].append(Request(day=index, shift=None, on=True, weight=1))

    history = _history(roster, person_ids)
    # A short roster gets its share of the monthly limit, never less than one week's limit.
    period_hours = (
        pattern.max_hours_month
        if roster.days >= FULL_MONTH_DAYS
        else max(pattern.max_hours_month * roster.days / 30, min(pattern.max_hours_week, pattern.max_hours_month))
    )
    workers = tuple(
        Worker(
            id=m.person_id,
            officer=m.officer,
            duty_leader=m.leader,
            max_minutes_week=round(pattern.max_hours_week * 60),
            max_minutes_period=math.ceil(period_hours * 60),
            max_consecutive_days=pattern.max_consecutive_days,
            min_rest_minutes=round(pattern.min_rest_hours * 60),
            unavailable_days=frozenset(unavailable.get(m.person_id, ())),
            requests=tuple(requests.get(m.person_id, ())),
            history=history.get(m.person_id, ()),
        )
        for m in members
    )
    cover = []
    for row in ShiftDemand.objects.filter(roster=roster).select_related("shift"):
        required = row.required
        cover.append(
            Cover(
                day=(row.day - first).days,
                shift=row.shift.code,
                min_people=required,
                min_officers=max(1, min(row.officers, required)),
                min_leaders=row.leaders,
            )
        )
    problem = RosterProblem(
        days=roster.days,
        shifts=tuple(
            Shift(code=s.code, start_minute=round(s.start_hour * 60), length_minutes=round(s.hours * 60), night=s.night)
            for s in shift_rows
        ),
        workers=workers,
        cover=tuple(sorted(cover, key=lambda c: (c.day, c.shift))),
        day_kinds=tuple(kinds),
        forbidden_successions=tuple(
            (str(a), str(b)) for a, b in (pattern.forbidden_successions or []) if a in shifts and b in shifts
        ),
        previous=previous,
        weights=Weights(),
        first_weekday=first.weekday(),
    )
    return RosterContext(
        roster=roster,
        problem=problem,
        dates=dates,
        shifts=shifts,
        members=members,
        names={m.person_id: m.person.name for m in members},
    )


def _history(roster: Roster, person_ids: list[int]) -> dict[int, tuple[str | None, ...]]:
    """Each person's shifts over the last days before the period, from the roster before it."""
    before = predecessor(roster)
    if before is None:
        return {}
    first = roster.start_date - dt.timedelta(days=HISTORY_DAYS)
    known_from = max(first, before.start_date)
    days = [roster.start_date - dt.timedelta(days=n) for n in range((roster.start_date - known_from).days, 0, -1)]
    worked: dict[tuple[int, dt.date], str] = {
        (person_id, day): code
        for person_id, day, code in RosterCell.objects.filter(
            roster=before, person_id__in=person_ids, day__gte=known_from, day__lt=roster.start_date
        ).values_list("person_id", "day", "shift__code")
    }
    codes = set(ShiftType.objects.filter(pattern_id=roster.pattern_id).values_list("code", flat=True))
    return {pid: tuple(c if (c := worked.get((pid, d))) in codes else None for d in days) for pid in person_ids}


def explain(violation: Violation, context: RosterContext) -> str:
    """A violation in the reader's language, with names and dates instead of indexes."""
    who = context.names.get(violation.worker or 0, str(violation.worker or ""))
    day = context.date_of(violation.day).isoformat() if violation.day is not None else ""
    pattern = context.roster.pattern
    values: dict[str, Any] = {"who": who, "day": day, "shift": violation.shift or ""}
    messages = {
        "unavailable": _("%(who)s is on leave or absent on %(day)s."),
        "shift_not_allowed": _("%(who)s may not work shift %(shift)s."),
        "min_rest": _("%(who)s would rest less than %(hours)s hours before shift %(shift)s on %(day)s."),
        "forbidden_succession": _(
            "Shift %(shift)s on %(day)s may not follow the shift %(who)s works the day before (forbidden succession)."
        ),
        "max_consecutive_days": _("%(who)s would work more than %(limit)s days in a row (from %(day)s)."),
        "max_minutes_week": _("%(who)s would work more than %(limit)s hours in the week of %(day)s."),
        "max_minutes_period": _("%(who)s would work more than %(limit)s hours in this roster's period."),
        "auxiliary_without_officer": _(
            "%(who)s is an auxiliary and would be on shift %(shift)s on %(day)s with no officer."
        ),
        "unknown_worker": _("%(who)s is not on this roster."),
        "unknown_shift": _("Shift %(shift)s is not a shift of this pattern."),
        "day_out_of_range": _("%(day)s is outside this roster's period."),
    }
    limits: dict[str, dict[str, Any]] = {
        "min_rest": {"hours": f"{pattern.min_rest_hours:g}"},
        "max_consecutive_days": {"limit": pattern.max_consecutive_days},
        "max_minutes_week": {"limit": f"{pattern.max_hours_week:g}"},
        "max_minutes_period": {
            "limit": f"{(context.problem.workers[0].max_minutes_period or 0) / 60:g}" if context.problem.workers else ""
        },
    }
    template = messages.get(violation.rule)
    if template is None:
        return violation.message  # a rule this app does not know yet: the solver's own English
    return template % {**values, **limits.get(violation.rule, {})}


def leave_days(leave: Leave) -> set[dt.date]:
    return {leave.start_date + dt.timedelta(days=i) for i in range(leave.days)}


def rosters_touching(person_id: int, first: dt.date, last: dt.date) -> list[Roster]:
    """The current rosters a person is on that overlap the dates (at most one version per period)."""
    rosters = (
        Roster.objects.current()
        .filter(members__person_id=person_id, start_date__lte=last)
        .filter(Q(start_date__gte=first - dt.timedelta(days=62)))
        .select_related("pattern", "station")
        .order_by("start_date", "-version")
    )
    return [r for r in rosters if r.end_date >= first]
