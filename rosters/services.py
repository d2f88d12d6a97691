"""State changes of rosters. Each function is atomic, validated, audited; status moves by conditional
UPDATE or under a row lock, so two people clicking at once never both win.

    roster_create     a draft for a station, pattern and period: its people and its demand
    roster_generate   queue the solver (Celery task allocation.generate_roster); roster_generate_execute runs it
    cell_set          one cell changed by the chief, refused with the reasons when it breaks a rule
    demand_override   the chief's own figure for one shift, with a reason
    roster_submit → roster_approve (never by the submitter) | roster_return → roster_publish
    roster_revise     a new draft version of a published roster
    feed_token_issue / feed_token_revoke   a person's secret calendar link (chief of his station or planner)
    leave_approve / leave_reject   only when the rosters still cover every shift without the person
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from audit.models import AuditEvent
from audit.services import audit_record
from config.roles import Role
from personnel.models import Assignment, Leave, Person
from rosters import demand as demand_model
from rosters.calendar import day_kinds
from rosters.models import (
    FeedToken,
    GenerationStatus,
    Roster,
    RosterCell,
    RosterMember,
    RosterShortfall,
    RosterStatus,
    ShiftDemand,
    ShiftPattern,
    ShiftRequest,
    ShiftType,
)
from rosters.problem import (
    RosterContext,
    calendar_exceptions,
    cells_of,
    explain,
    leave_days,
    problem_build,
    rosters_touching,
)
from rosters.selectors import feed_token_digest
from rosters.solver import RosterSolution, check, shortfalls, solve
from stations.models import Station, Unit
from workload.selectors import crews_by_hour, hour_of_week_profile, standards_default, workload_window

log = logging.getLogger(__name__)

MAX_DAYS = 62
# The solver's budget per generation, in seconds; the task's own limit (15 minutes by default) stays above it.
MAX_TIME_LIMIT = 300
DEFAULT_TIME_LIMIT = 20
# How often a running generation writes its progress into the roster row.
PROGRESS_SECONDS = 1.0


class RosterRefused(Exception):
    """A change that cannot be made; the message says why, in the reader's language."""

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.reasons = reasons or []


class RosterChangedDuringGeneration(Exception):
    """The roster's cells changed while a generation ran; its result is not written over them."""


# The message is stored in the roster row and shown on its page; the page translates it (gettext_noop).
_CHANGED_DURING_GENERATION = gettext_noop(
    "The roster was changed while it was being generated (a leave was approved or another generation "
    "finished): that change is kept and this result was not saved. Generate again to include it."
)


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def can_edit(user: Any, station_id: int) -> bool:
    """Only the station's own chiefs (and operators) change its rosters; planners and auditors read."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.role == Role.CHIEF and user.station_id == station_id)


def _require_editor(by: Any, station_id: int) -> None:
    # Commands and tasks act without a user (by=None): they are operators' tools.
    if by is not None and not can_edit(by, station_id):
        raise RosterRefused(_("Only a chief of this station may change its roster."))


# --- Creating ------------------------------------------------------------------------------------


def patterns_for(station: Station) -> Any:
    return ShiftPattern.objects.filter(Q(station__isnull=True) | Q(station=station), active=True)


def _members(station: Station, pattern: ShiftPattern, on: dt.date) -> list[RosterMember]:
    """The people at post at the station on the first day, in the pattern's teams; leaders first."""
    teams = pattern.team_list()
    rows = (
        Person.objects.at_post()
        .filter(
            Q(assignments__end_date__isnull=True) | Q(assignments__end_date__gt=on),
            assignments__unit__station=station,
            assignments__start_date__lte=on,
        )
        .values_list("pk", "kind", "post", "number", "assignments__unit__kind")
        .order_by("number")
    )
    chosen = []
    for pk, kind, post, number, team in rows:
        if teams and team not in teams:
            continue
        officer = kind == Person.Kind.OFFICER
        leader = post in Person.LEADER_POSTS
        chosen.append((0 if leader else 1 if officer else 2, number, pk, officer, leader, team))
    chosen.sort()
    members = []
    counters: Counter[int] = Counter()
    for position, (rank, _number, pk, officer, leader, team) in enumerate(chosen):
        group = None
        if pattern.groups:
            # Deal leaders, officers and auxiliaries round the groups separately so each group gets its
            # share of each (a group without a leader or an officer could not stand its duty).
            group = counters[rank] % pattern.groups
            counters[rank] += 1
        members.append(
            RosterMember(person_id=pk, officer=officer, leader=leader, team=team, group=group, position=position)
        )
    return members


def _demand(roster: Roster) -> list[ShiftDemand]:
    """Demand per day and shift from the station's hour-of-week workload (Erlang C) and post minimums."""
    pattern = roster.pattern
    standards = standards_default()
    window = workload_window([roster.station_id], standards)
    if window is None:
        crews = [0] * 168  # no workload measured yet: the post minimums alone
    else:
        crews = crews_by_hour(hour_of_week_profile(roster.station_id, window), standards, minimum=0)
    shifts = list(ShiftType.objects.filter(pattern=pattern).order_by("order", "start"))
    by_code = {s.code: s for s in shifts}
    dates = roster.dates()
    kinds = day_kinds(dates[0], roster.days, calendar_exceptions(dates[0], dates[-1]))
    rules = demand_model.PatternRules(
        crew_size=pattern.crew_size,
        desk_persons=pattern.desk_persons,
        standby_crews=pattern.standby_crews,
        leader_daily=pattern.leader_daily,
        auxiliaries_allowed=pattern.auxiliaries_allowed,
        workdays_only=pattern.workdays_only,
    )
    specs = [demand_model.ShiftSpec(s.code, s.start_hour, s.hours, s.leader_shift) for s in shifts]
    return [
        ShiftDemand(
            roster=roster,
            day=d.day,
            shift=by_code[d.shift],
            computed=d.people,
            officers=d.officers,
            leaders=d.leaders,
            crews=d.crews,
        )
        for d in demand_model.shift_demand(dates, kinds, specs, crews, rules)
    ]


def roster_create(
    *,
    station: Station,
    pattern: ShiftPattern,
    start_date: dt.date,
    days: int,
    by: Any = None,
    time_limit: int = DEFAULT_TIME_LIMIT,
) -> Roster:
    """A draft roster with its people and demand, not yet generated."""
    _require_editor(by, station.pk)
    if station.is_department:
        raise RosterRefused(_("Bureau departments have no duty roster."))
    if not 1 <= days <= MAX_DAYS:
        raise RosterRefused(_("A roster covers 1 to %(max)d days.") % {"max": MAX_DAYS})
    if not 1 <= time_limit <= MAX_TIME_LIMIT:
        raise RosterRefused(_("The solver's time limit is 1 to %(max)d seconds.") % {"max": MAX_TIME_LIMIT})
    if not patterns_for(station).filter(pk=pattern.pk).exists():
        raise RosterRefused(_("Pattern %(code)s is not available at this station.") % {"code": pattern.code})
    with transaction.atomic():
        existing = (
            Roster.objects.select_for_update()
            .filter(station=station, pattern=pattern, start_date=start_date)
            .order_by("-version")
            .first()
        )
        if existing is not None:
            raise RosterRefused(
                _("A roster of %(pattern)s from %(start)s already exists (version %(version)d): open it instead.")
                % {"pattern": pattern.name, "start": start_date, "version": existing.version}
            )
        roster = Roster.objects.create(
            station=station,
            pattern=pattern,
            start_date=start_date,
            days=days,
            created_by=_user(by),
            time_limit=time_limit,
        )
        members = _members(station, pattern, start_date)
        for member in members:
            member.roster = roster
        RosterMember.objects.bulk_create(members)
        ShiftDemand.objects.bulk_create(_demand(roster))
        audit_record(
            action="roster.create",
            obj=roster,
            by=by,
            after={"pattern": pattern.code, "start": start_date, "days": days, "people": len(members)},
        )
    return roster


# --- Generating ----------------------------------------------------------------------------------


def roster_generate(*, roster: Roster, by: Any = None) -> Roster:
    """Queue the solver for a draft; the worker starts once this commits."""
    from rosters.tasks import generate_roster

    _require_editor(by, roster.station_id)
    with transaction.atomic():
        # A generation still queued or running is left alone, unless it has not moved for longer than a
        # task may live (its worker died and the broker did not redeliver it): then it is queued again.
        stale = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
        claimed = (
            Roster.objects.filter(pk=roster.pk, status=RosterStatus.DRAFT)
            .exclude(generation__in=[GenerationStatus.QUEUED, GenerationStatus.RUNNING], updated_at__gt=stale)
            .update(generation=GenerationStatus.QUEUED, progress=0, message="", error="", updated_at=timezone.now())
        )
        if not claimed:
            roster.refresh_from_db()
            if roster.is_generating:
                raise RosterRefused(_("The roster is already being generated."))
            raise RosterRefused(
                _("The roster is %(status)s: only a draft is generated.") % {"status": roster.get_status_display()}
            )
        audit_record(action="roster.generate", obj=roster, by=by)
        generate_roster.delay_on_commit(roster.pk)  # type: ignore[attr-defined]  # DjangoTask (config/celery.py)
    roster.refresh_from_db()
    return roster


def _progress(roster_id: int, fraction: float, message: str) -> None:
    # Progress is written outside any transaction so a page polling the row sees it at once.
    Roster.objects.filter(pk=roster_id).update(
        progress=min(99, 10 + int(fraction * 85)), message=message[:500], updated_at=timezone.now()
    )


def roster_generate_execute(roster_id: int, *, time_limit: float | None = None) -> Roster | None:
    """Solve a queued roster and store its cells and shortfalls in one transaction. Safe to run twice:
    a roster already generated (or no longer a draft) is left alone."""
    claimed = Roster.objects.filter(
        pk=roster_id,
        status=RosterStatus.DRAFT,
        generation__in=[GenerationStatus.QUEUED, GenerationStatus.RUNNING],
    ).update(generation=GenerationStatus.RUNNING, progress=5, message="loading", error="", updated_at=timezone.now())
    if not claimed:
        return None
    roster = Roster.objects.select_related("pattern", "station").get(pk=roster_id)
    try:
        previous = cells_of(roster) or None
        context = problem_build(roster, previous=previous)
        _progress(roster.pk, 0.0, "solving")
        solution = _solve_reporting(roster.pk, context, float(time_limit or roster.time_limit))
        if solution.status in ("infeasible", "unknown"):
            reasons = "; ".join(explain(v, context) for v in solution.violations)
            raise RuntimeError(f"no roster found ({solution.status}){': ' + reasons if reasons else ''}")
        with transaction.atomic():
            locked = Roster.objects.select_for_update().get(pk=roster_id)
            if locked.status != RosterStatus.DRAFT:
                raise RuntimeError("the roster left the draft state while it was being generated")
            # No lost edit: cell edits are refused while a generation runs, but a leave approved meanwhile
            # takes the person's shifts off, and a run re-queued over a stalled one may finish after it. So
            # the result is written only over the very cells the run started from (compared under the row
            # lock every writer of cells takes); otherwise the change made meanwhile is kept, and the
            # chief generates again from it.
            if cells_of(locked) != (previous or {}):
                raise RosterChangedDuringGeneration(_CHANGED_DURING_GENERATION)
            _store_cells(context, solution.assignments)
            _store_shortfalls(context)
            Roster.objects.filter(pk=roster_id).update(
                generation=GenerationStatus.SUCCEEDED,
                progress=100,
                message=_summary(solution.status, len(solution.assignments), solution.shortfalls),
                objective=float(solution.objective),
                optimal=solution.status == "optimal",
                solve_seconds=solution.seconds,
                penalties=solution.penalties,
            )
            audit_record(
                action="roster.generated",
                obj=locked,
                after={
                    "status": solution.status,
                    "cells": len(solution.assignments),
                    "short": sum(s.missing for s in solution.shortfalls),
                    "objective": solution.objective,
                },
            )
    except RosterChangedDuringGeneration as exc:
        # Not a fault: the run's result is dropped, the roster keeps its cells, and the page says why.
        log.info("roster %s changed while it was being generated; result dropped", roster_id)
        Roster.objects.filter(pk=roster_id).update(
            generation=GenerationStatus.FAILED, progress=100, message="", error=str(exc), updated_at=timezone.now()
        )
        audit_record(action="roster.generated", obj=roster, outcome="failure", detail=str(exc))
        roster.refresh_from_db()
        return roster
    except Exception as exc:
        log.exception("roster %s generation failed", roster_id)
        Roster.objects.filter(pk=roster_id).update(
            generation=GenerationStatus.FAILED, progress=100, error=f"{type(exc).__name__}: {exc}"[:5000]
        )
        raise
    roster.refresh_from_db()
    return roster


def _solve_reporting(roster_id: int, context: RosterContext, time_limit: float) -> RosterSolution:
    """Solve in a helper thread while this thread writes the progress into the roster row.

    CP-SAT reports progress from its own threads; writing from there would use another database
    connection, which waits on the row lock this thread's transaction may hold (and in SQLite on the
    whole table). So the callback only notes the latest figure and the calling thread writes it.
    """
    latest: dict[str, tuple[float, str]] = {}

    def note(fraction: float, message: str) -> None:
        latest["now"] = (fraction, message)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster-solve") as pool:
        future = pool.submit(solve, context.problem, time_limit=time_limit, workers=2, progress=note)
        written = None
        while True:
            try:
                return future.result(timeout=PROGRESS_SECONDS)
            except FutureTimeout:
                current = latest.get("now")
                if current is not None and current != written:
                    _progress(roster_id, *current)
                    written = current


def _summary(status: str, cells: int, short: list[Any]) -> str:
    missing = sum(s.missing for s in short)
    return f"{status}: {cells} shifts assigned" + (f", {missing} places short" if missing else ", every shift covered")


def _store_cells(context: RosterContext, assignments: dict[tuple[int, int], str]) -> None:
    roster = context.roster
    RosterCell.objects.filter(roster=roster).delete()
    RosterCell.objects.bulk_create(
        RosterCell(roster=roster, person_id=pid, day=context.date_of(day), shift=context.shifts[code])
        for (pid, day), code in sorted(assignments.items())
    )


def _store_shortfalls(context: RosterContext, assignments: dict[tuple[int, int], str] | None = None) -> None:
    """Recompute the roster's shortfalls from its cells (or the given assignments) and store them."""
    roster = context.roster
    current = assignments if assignments is not None else cells_of(roster)
    cover = {(c.day, c.shift): c for c in context.problem.cover}
    rows = []
    for short in shortfalls(context.problem, current):
        c = cover[(short.day, short.shift)]
        required = {"people": c.min_people, "officers": c.min_officers, "leaders": c.min_leaders}[short.kind]
        rows.append(
            RosterShortfall(
                roster=roster,
                day=context.date_of(short.day),
                shift=context.shifts[short.shift],
                kind=short.kind,
                required=required,
                assigned=required - short.missing,
            )
        )
    RosterShortfall.objects.filter(roster=roster).delete()
    RosterShortfall.objects.bulk_create(rows)


# --- Editing -------------------------------------------------------------------------------------


def _lock_draft(roster: Roster) -> Roster:
    # of=("self",): lock the roster row only. A plain FOR UPDATE with a join would also lock the shared
    # built-in pattern's row, so every station's edits would queue behind one another.
    locked = Roster.objects.select_for_update(of=("self",)).select_related("pattern").get(pk=roster.pk)
    if locked.status != RosterStatus.DRAFT:
        raise RosterRefused(
            _("The roster is %(status)s: make a new version to change it.") % {"status": locked.get_status_display()}
        )
    if locked.is_generating:
        raise RosterRefused(_("The roster is being generated; wait until it is done."))
    return locked


def _short_map(context: RosterContext, assignments: dict[tuple[int, int], str]) -> dict[tuple[int, str, str], int]:
    return {(s.day, s.shift, s.kind): s.missing for s in shortfalls(context.problem, assignments)}


def _short_of(kind: str, n: int) -> str:
    # One whole sentence per kind, so each language says "1 person" / "2 people" and words them its own
    # way (a noun slotted into one sentence read "short of 1 people" and, in Chinese, "缺少 1 名人").
    if kind == "officers":
        return ngettext(
            "Shift %(shift)s on %(day)s would be short of %(n)d officer.",
            "Shift %(shift)s on %(day)s would be short of %(n)d officers.",
            n,
        )
    if kind == "leaders":
        return ngettext(
            "Shift %(shift)s on %(day)s would be short of %(n)d duty leader.",
            "Shift %(shift)s on %(day)s would be short of %(n)d duty leaders.",
            n,
        )
    return ngettext(
        "Shift %(shift)s on %(day)s would be short of %(n)d person.",
        "Shift %(shift)s on %(day)s would be short of %(n)d people.",
        n,
    )


def _coverage_losses(
    context: RosterContext, before: dict[tuple[int, int], str], after: dict[tuple[int, int], str]
) -> list[str]:
    """Shifts a change would leave shorter than they were, explained."""
    was = _short_map(context, before)
    now = _short_map(context, after)
    return [
        _short_of(kind, missing) % {"shift": shift, "day": context.date_of(day), "n": missing}
        for (day, shift, kind), missing in sorted(now.items())
        if missing > was.get((day, shift, kind), 0)
    ]


def _new_violations(
    context: RosterContext, before: dict[tuple[int, int], str], after: dict[tuple[int, int], str]
) -> list[str]:
    def key(v: Any) -> tuple[str, int | None, int | None, str | None]:
        return (v.rule, v.worker, v.day, v.shift)

    old = {key(v) for v in check(context.problem, before)}
    return [explain(v, context) for v in check(context.problem, after) if key(v) not in old]


@dataclass
class CellChange:
    person_id: int
    day: dt.date
    before: str | None
    after: str | None
    warnings: list[str] = field(default_factory=list)


def cell_set(*, roster: Roster, person_id: int, day: dt.date, shift_code: str | None, by: Any = None) -> CellChange:
    """Put a person on a shift (or off, with None) for one day. Refused, with every reason, when the
    change breaks a hard rule or leaves a shift less covered than it was."""
    _require_editor(by, roster.station_id)
    with transaction.atomic():
        locked = _lock_draft(roster)
        if not locked.start_date <= day <= locked.end_date:
            raise RosterRefused(_("%(day)s is outside this roster's period.") % {"day": day})
        context = problem_build(locked)
        if person_id not in context.names:
            raise RosterRefused(_("This person is not on the roster."))
        if shift_code is not None and shift_code not in context.shifts:
            raise RosterRefused(_("Shift %(shift)s is not a shift of this pattern.") % {"shift": shift_code})
        before = cells_of(locked)
        index = context.day_index(day)
        previous_code = before.get((person_id, index))
        if previous_code == shift_code:
            return CellChange(person_id, day, previous_code, shift_code)
        after = dict(before)
        if shift_code is None:
            after.pop((person_id, index), None)
        else:
            after[(person_id, index)] = shift_code
        reasons = _new_violations(context, before, after) + _coverage_losses(context, before, after)
        if reasons:
            raise RosterRefused(_("This change is refused:"), reasons)
        RosterCell.objects.filter(roster=locked, person_id=person_id, day=day).delete()
        if shift_code is not None:
            RosterCell.objects.create(roster=locked, person_id=person_id, day=day, shift=context.shifts[shift_code])
        _store_shortfalls(context, after)
        audit_record(
            action="roster.cell_set",
            obj=locked,
            by=by,
            before={"person": person_id, "day": day, "shift": previous_code},
            after={"person": person_id, "day": day, "shift": shift_code},
        )
        Roster.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return CellChange(person_id, day, previous_code, shift_code)


def demand_override(*, demand: ShiftDemand, required: int | None, reason: str, by: Any = None) -> ShiftDemand:
    """The chief's own figure for one shift (None restores the computed one). A reason is required."""
    with transaction.atomic():
        locked_roster = _lock_draft(demand.roster)
        _require_editor(by, locked_roster.station_id)
        row = ShiftDemand.objects.select_for_update(of=("self",)).select_related("shift").get(pk=demand.pk)
        if required is not None and required < 1:
            raise RosterRefused(_("Every shift needs at least one person."))
        if required is not None and not reason.strip():
            raise RosterRefused(_("Say why the computed figure is overridden."))
        before = {"required": row.required, "override": row.override, "reason": row.override_reason}
        row.override = required
        row.override_reason = reason.strip()[:300] if required is not None else ""
        row.overridden_by = _user(by) if required is not None else None
        row.save(update_fields=["override", "override_reason", "overridden_by"])
        _store_shortfalls(problem_build(locked_roster))
        audit_record(
            action="roster.demand_override",
            obj=locked_roster,
            by=by,
            before={"day": row.day, "shift": row.shift.code, **before},
            after={"required": row.required, "override": row.override, "reason": row.override_reason},
        )
    return row


def shift_request_add(
    *, person: Person, station: Station, day: dt.date, shift_code: str, want: bool, weight: int, reason: str, by: Any
) -> ShiftRequest:
    """Record a person's wish for a day or shift on or off (used at the next generation)."""
    _require_editor(by, station.pk)
    if not 1 <= weight <= 10:
        raise RosterRefused(_("The weight is 1 to 10."))
    with transaction.atomic():
        request, created = ShiftRequest.objects.update_or_create(
            person=person,
            day=day,
            shift_code=shift_code,
            defaults={"station": station, "want": want, "weight": weight, "reason": reason[:200]},
        )
        audit_record(
            action="roster.request_set",
            obj=request,
            by=by,
            after={"person": person.pk, "day": day, "shift": shift_code, "want": want, "weight": weight},
        )
    return request


# --- Workflow ------------------------------------------------------------------------------------


def _transition(
    *, roster: Roster, by: Any, source: str, target: str, action: str, extra: dict[str, Any] | None = None
) -> Roster:
    """Move a roster from `source` to `target` by a conditional UPDATE: exactly one of two concurrent
    clicks wins, the other is told what happened."""
    changed = Roster.objects.filter(pk=roster.pk, status=source).exclude(
        generation__in=[GenerationStatus.QUEUED, GenerationStatus.RUNNING]
    )
    fields = {"status": target, "updated_at": timezone.now(), **(extra or {})}
    if not changed.update(**fields):
        roster.refresh_from_db()
        if roster.is_generating:
            raise RosterRefused(_("The roster is being generated; wait until it is done."))
        raise RosterRefused(
            _("The roster is %(status)s, not %(expected)s.")
            % {"status": roster.get_status_display(), "expected": RosterStatus(source).label}
        )
    audit_record(action=action, obj=roster, by=by, before={"status": source}, after={"status": target, **(extra or {})})
    roster.refresh_from_db()
    return roster


def roster_submit(*, roster: Roster, by: Any) -> Roster:
    _require_editor(by, roster.station_id)
    with transaction.atomic():
        if not RosterCell.objects.filter(roster=roster).exists():
            raise RosterRefused(_("The roster is empty: generate it (or fill it in) before submitting."))
        return _transition(
            roster=roster,
            by=by,
            source=RosterStatus.DRAFT,
            target=RosterStatus.SUBMITTED,
            action="roster.submit",
            extra={"submitted_by": _user(by), "submitted_at": timezone.now()},
        )


def roster_approve(*, roster: Roster, by: Any) -> Roster:
    """Approve a submitted roster. Never by the person who submitted it."""
    _require_editor(by, roster.station_id)
    with transaction.atomic():
        locked = Roster.objects.select_for_update().get(pk=roster.pk)
        if locked.submitted_by_id is not None and locked.submitted_by_id == getattr(by, "pk", None):
            raise RosterRefused(_("You submitted this roster: another chief of the station must approve it."))
        return _transition(
            roster=locked,
            by=by,
            source=RosterStatus.SUBMITTED,
            target=RosterStatus.APPROVED,
            action="roster.approve",
            extra={"approved_by": _user(by), "approved_at": timezone.now()},
        )


def roster_return(*, roster: Roster, by: Any, reason: str) -> Roster:
    """Send a submitted roster back to draft, saying why."""
    _require_editor(by, roster.station_id)
    if not reason.strip():
        raise RosterRefused(_("Say why the roster is sent back."))
    with transaction.atomic():
        updated = _transition(
            roster=roster,
            by=by,
            source=RosterStatus.SUBMITTED,
            target=RosterStatus.DRAFT,
            action="roster.return",
            extra={"submitted_by": None, "submitted_at": None},
        )
        audit_record(action="roster.return_reason", obj=updated, by=by, detail=reason.strip()[:500])
        return updated


def roster_publish(*, roster: Roster, by: Any) -> Roster:
    """Publish an approved roster; the version it revises is superseded in the same transaction."""
    _require_editor(by, roster.station_id)
    with transaction.atomic():
        published = _transition(
            roster=roster,
            by=by,
            source=RosterStatus.APPROVED,
            target=RosterStatus.PUBLISHED,
            action="roster.publish",
            extra={"published_at": timezone.now()},
        )
        if published.previous_id is not None:
            Roster.objects.filter(pk=published.previous_id, status=RosterStatus.PUBLISHED).update(
                status=RosterStatus.SUPERSEDED, updated_at=timezone.now()
            )
        return published


def roster_revise(*, roster: Roster, by: Any) -> Roster:
    """A new draft version of a published roster, same cells to start from; the published one stays in
    force until the new version is published."""
    _require_editor(by, roster.station_id)
    with transaction.atomic():
        locked = Roster.objects.select_for_update().get(pk=roster.pk)
        if locked.status != RosterStatus.PUBLISHED:
            raise RosterRefused(_("Only a published roster is revised; change the draft directly."))
        newer = Roster.objects.filter(
            station_id=locked.station_id,
            pattern_id=locked.pattern_id,
            start_date=locked.start_date,
            version__gt=locked.version,
        ).first()
        if newer is not None:
            raise RosterRefused(
                _("Version %(version)d is already being prepared: continue with it.") % {"version": newer.version}
            )
        revision = Roster.objects.create(
            station_id=locked.station_id,
            pattern_id=locked.pattern_id,
            start_date=locked.start_date,
            days=locked.days,
            version=locked.version + 1,
            previous=locked,
            generation=GenerationStatus.SUCCEEDED
            if locked.generation == GenerationStatus.SUCCEEDED
            else GenerationStatus.IDLE,
            objective=locked.objective,
            penalties=locked.penalties,
            time_limit=locked.time_limit,
            created_by=_user(by),
            message=locked.message,
        )
        RosterMember.objects.bulk_create(
            RosterMember(
                roster=revision,
                person_id=m.person_id,
                officer=m.officer,
                leader=m.leader,
                team=m.team,
                group=m.group,
                position=m.position,
            )
            for m in locked.members.all()
        )
        RosterCell.objects.bulk_create(
            RosterCell(roster=revision, person_id=c.person_id, day=c.day, shift_id=c.shift_id)
            for c in locked.cells.all()
        )
        ShiftDemand.objects.bulk_create(
            ShiftDemand(
                roster=revision,
                day=d.day,
                shift_id=d.shift_id,
                computed=d.computed,
                officers=d.officers,
                leaders=d.leaders,
                crews=d.crews,
                override=d.override,
                override_reason=d.override_reason,
                overridden_by_id=d.overridden_by_id,
            )
            for d in locked.demand.all()
        )
        RosterShortfall.objects.bulk_create(
            RosterShortfall(
                roster=revision, day=s.day, shift_id=s.shift_id, kind=s.kind, required=s.required, assigned=s.assigned
            )
            for s in locked.shortfalls.all()
        )
        audit_record(
            action="roster.revise",
            obj=revision,
            by=by,
            before={"version": locked.version},
            after={"version": revision.version},
        )
    return revision


# --- Leave ---------------------------------------------------------------------------------------


def leave_approve(*, leave: Leave, by: Any) -> Leave:
    """Approve a leave request only if every roster the person is on still covers its shifts without
    them. In a draft, the person's shifts on those days are taken off; in a roster already submitted,
    approved or published, the chief first makes a new version."""
    with transaction.atomic():
        # The leave row only: locking the person row too (FOR UPDATE through the join) deadlocks with a
        # generation that holds the roster and inserts this person's cells (their foreign key needs a
        # KEY SHARE lock on the person) while this waits for the roster.
        locked = Leave.objects.select_for_update(of=("self",)).select_related("person").get(pk=leave.pk)
        station_ids = set(
            Station.objects.filter(
                units__assignments__person=locked.person,
                units__assignments__start_date__lte=locked.end_date,
            )
            .filter(
                Q(units__assignments__end_date__isnull=True) | Q(units__assignments__end_date__gt=locked.start_date)
            )
            .exclude(units__kind=Unit.Kind.DEPARTMENT)
            .values_list("pk", flat=True)
        )
        if by is not None and not any(can_edit(by, sid) for sid in station_ids):
            raise RosterRefused(_("Only a chief of the person's station may decide on this leave."))
        if locked.status != Leave.Status.REQUESTED:
            raise RosterRefused(_("This leave is %(status)s already.") % {"status": locked.get_status_display()})
        days = leave_days(locked)
        reasons: list[str] = []
        drafts: list[tuple[Roster, RosterContext, dict[tuple[int, int], str]]] = []
        for roster in rosters_touching(locked.person_id, locked.start_date, locked.end_date):
            roster = Roster.objects.select_for_update(of=("self",)).select_related("pattern").get(pk=roster.pk)
            context = problem_build(roster)
            before = cells_of(roster)
            indexes = {context.day_index(d) for d in days if roster.start_date <= d <= roster.end_date}
            after = {k: v for k, v in before.items() if not (k[0] == locked.person_id and k[1] in indexes)}
            if after == before:
                continue
            if roster.status != RosterStatus.DRAFT:
                reasons.append(
                    _(
                        "%(name)s has shifts on these days in roster %(roster)s, which is %(status)s: make a new version first."  # noqa: E501
                    )
                    % {"name": locked.person.name, "roster": roster, "status": roster.get_status_display()}
                )
                continue
            losses = _coverage_losses(context, before, after)
            reasons.extend(losses)
            drafts.append((roster, context, after))
        if not reasons:
            _leave_grant(locked, drafts, days, station_ids, by)
            return locked
    # Refused: nothing above was written; the refusal itself is recorded, outside the rolled-back work.
    audit_record(
        action="leave.approve",
        obj=locked,
        by=by,
        outcome=AuditEvent.Outcome.REFUSED,
        detail="; ".join(reasons)[:2000],
        station_id=next(iter(station_ids), None),
    )
    raise RosterRefused(_("The leave cannot be approved: coverage would not hold."), reasons)


def _leave_grant(
    locked: Leave,
    drafts: list[tuple[Roster, RosterContext, dict[tuple[int, int], str]]],
    days: set[dt.date],
    station_ids: set[int],
    by: Any,
) -> None:
    for roster, context, after in drafts:
        RosterCell.objects.filter(roster=roster, person_id=locked.person_id, day__in=days).delete()
        _store_shortfalls(context, after)
    locked.status = Leave.Status.APPROVED
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        action="leave.approve",
        obj=locked,
        by=by,
        before={"status": Leave.Status.REQUESTED},
        after={"status": locked.status, "rosters_changed": [r.pk for r, _c, _a in drafts]},
        station_id=next(iter(station_ids), None),
    )


def leave_reject(*, leave: Leave, by: Any, reason: str) -> Leave:
    with transaction.atomic():
        locked = Leave.objects.select_for_update().get(pk=leave.pk)
        if locked.status != Leave.Status.REQUESTED:
            raise RosterRefused(_("This leave is %(status)s already.") % {"status": locked.get_status_display()})
        if not reason.strip():
            raise RosterRefused(_("Say why the leave is refused."))
        locked.status = Leave.Status.REJECTED
        locked.reason = (locked.reason + " / " if locked.reason else "") + reason.strip()
        locked.reason = locked.reason[:200]
        locked.save(update_fields=["status", "reason", "updated_at"])
        audit_record(action="leave.reject", obj=locked, by=by, after={"status": locked.status, "reason": reason})
    return locked


# --- Calendar subscription links -----------------------------------------------------------------


# A chief manages the links of the people of his station: assigned there now, or on one of its rosters.
# The two functions below read that rule from either side.


def _feed_station_ids(person: Person) -> set[int]:
    """The stations whose chiefs may manage a person's link."""
    assigned = Assignment.objects.current().filter(person=person).values_list("unit__station_id", flat=True)
    rostered = RosterMember.objects.filter(person=person).values_list("roster__station_id", flat=True)
    return set(assigned) | set(rostered)


def feed_people(station_id: int) -> QuerySet[Person]:
    """The people whose links a chief of the station may manage."""
    assigned = Assignment.objects.current().filter(unit__station_id=station_id).values("person_id")
    rostered = RosterMember.objects.filter(roster__station_id=station_id).values("person_id")
    return Person.objects.filter(Q(pk__in=assigned) | Q(pk__in=rostered))


def can_manage_feed(user: Any, person: Person) -> bool:
    """A person's calendar link is made or revoked by a chief of his station or by a county planner."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if can_manage_feed_anywhere(user):
        return True
    return bool(user.role == Role.CHIEF and user.station_id in _feed_station_ids(person))


def can_manage_feed_anywhere(user: Any) -> bool:
    """Planners (and operators) manage every person's calendar link."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.role == Role.PLANNER)
    )


def _require_feed_manager(by: Any, person: Person) -> None:
    if by is not None and not can_manage_feed(by, person):
        raise RosterRefused(_("Only a chief of the person's station or a planner may manage this calendar link."))


def _feed_station(person: Person) -> int | None:
    return min(_feed_station_ids(person), default=None)


def feed_token_issue(*, person: Person, by: Any = None) -> str:
    """A new secret calendar link for the person; any link he had stops working. Returns the token,
    which is not stored and cannot be shown again."""
    _require_feed_manager(by, person)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # The person's row lock orders two managers clicking at once: each revokes what the other made.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        revoked = FeedToken.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=_user(by)
        )
        row = FeedToken.objects.create(person=person, digest=feed_token_digest(token), created_by=_user(by))
        audit_record(
            action="roster.feed_link_issue",
            obj=row,
            by=by,
            before={"live_links": revoked},
            after={"person": person.pk, "link": row.pk},
            station_id=_feed_station(person),
        )
    return token


def feed_token_revoke(*, person: Person, by: Any = None) -> bool:
    """Stop the person's calendar link. False when he had none."""
    _require_feed_manager(by, person)
    with transaction.atomic():
        live = list(FeedToken.objects.select_for_update().filter(person=person, revoked_at__isnull=True))
        if not live:
            return False
        FeedToken.objects.filter(pk__in=[t.pk for t in live]).update(revoked_at=timezone.now(), revoked_by=_user(by))
        audit_record(
            action="roster.feed_link_revoke",
            obj=live[0],
            by=by,
            before={"person": person.pk, "link": live[0].pk},
            after={"revoked": True},
            station_id=_feed_station(person),
        )
    return True
