"""The duty-roster solver: plain data in, plain data out, OR-Tools CP-SAT inside.

No Django here (the app turns its models into these dataclasses and back), so the same code serves the
station pages, the ``generate_roster`` command, the Celery task and the public benchmark
(``bench/shift_scheduling.py``).

Interface (stable; later changes only add fields with defaults)
---------------------------------------------------------------
Input: a :class:`RosterProblem` made of :class:`Shift` types, :class:`Worker` people (with their
:class:`Request` wishes), :class:`Cover` demand per day and shift, the kind of each day, locked cells, an
optional former roster and the :class:`Weights` of the soft objectives.

``solve(problem, *, time_limit=20.0, workers=2, progress=None, deterministic=True, seed=0)``
    returns a :class:`RosterSolution`: ``assignments`` maps ``(worker id, day)`` to a shift code (absent
    = off), ``shortfalls`` lists the demand nobody could cover, ``penalties`` breaks the objective down
    by weight name, ``status`` is ``"optimal"``, ``"feasible"``, ``"infeasible"`` (the hard rules,
    usually locked cells, admit no roster; ``violations`` then explains what the locked cells break) or
    ``"unknown"`` (time ran out before any roster was found).
``check(problem, assignments)``
    lists every hard rule an (edited) roster breaks, as :class:`Violation` records with a rule code the
    app translates. It is written independently of the CP-SAT model, over the assignments themselves.
``shortfalls(problem, assignments)`` and ``evaluate(problem, assignments)``
    the uncovered demand and the soft objective (by weight name) of any roster, also model-independent;
    ``solve`` reports exactly these for its own roster.

Days are indexes ``0 .. days-1``; ``first_weekday`` says which weekday day 0 is (0 = Monday).

Hard rules (never broken by ``solve``; reported by ``check``)
--------------------------------------------------------------
- ``one shift per day``: guaranteed by the assignment mapping itself.
- ``unavailable``: no shift on an approved leave / absence day.
- ``shift_not_allowed``: only the worker's ``allowed_shifts``.
- ``min_rest``: from the end of a shift to the start of the next one at least ``min_rest_minutes``;
  shifts never overlap (a 24-hour shift ending at 08:00 blocks an 08:00 start the next day only if the
  rest is positive; overlapping shifts are always refused). Checked across the period start with
  ``history``.
- ``forbidden_succession``: ``(a, b)`` in ``forbidden_successions`` means no ``b`` the day after ``a``
  (also from the last ``history`` day into day 0).
- ``max_consecutive_days`` / ``min_consecutive_days`` / ``min_consecutive_days_off``: runs of duty days
  and of days off, counted through ``history``. A minimum is only enforced on a run whose day before and
  day after are both known (inside the period or in ``history``): a run still going at the end of the
  period may continue in the next one.
- ``max_minutes_week``: per CALENDAR week (Monday to Sunday, from ``first_weekday``), counting the
  ``history`` days that fall in the first week; a shift's minutes count on the day it starts.
- ``max_minutes_period`` / ``min_minutes_period``: over the period's days.
- ``max_shift_count``: at most N shifts of a type in the period (``max_shift_counts``).
- ``max_weekends``: at most N weekends (Saturday or Sunday worked, calendar weekends) in the period.
- ``auxiliary_without_officer``: an auxiliary (``officer=False``) is never on a shift without an officer.
- locked cells (``fixed``) are kept as they are.

Coverage is soft with a very high weight (``Weights.shortfall`` per missing person, or the cover's own
``under_weight``), so too few people give a roster with exact :class:`Shortfall` records instead of no
roster. Officer and duty-leader minimums per shift (``min_officers``, ``min_leaders``; only
``duty_leader`` workers count as leaders) are shortfalls of kind ``"officers"`` / ``"leaders"``.

Soft objectives (``Weights``; ``penalties`` keys)
--------------------------------------------------
- ``shortfall``: missing people / officers / leaders, each times its weight.
- ``overcover``: people beyond ``min_people``, times the cover's ``over_weight`` (0 by default).
- ``requests``: a :class:`Request` not honoured costs ``Weights.requests * request.weight``.
- ``fairness_nights`` / ``fairness_weekends`` / ``fairness_holidays``: each worker has a fair share of
  the night shifts (``Shift.night``), weekend days and holiday days (``day_kinds``) demanded, in
  proportion to the days they are available; every shift beyond ``[floor, ceil]`` of that share costs
  the weight. Workers who cannot take night shifts have no night share.
- ``continuity``: when a worker's ``history`` repeats with a period p <= 7 (seen at least twice, e.g. a
  24-hour duty every 4th day), the first p days continue it; every day that does not costs the weight.
- ``stability``: with ``previous`` given, each cell (worker, day) that differs from it costs the weight
  (issue point 6: regenerating after one change moves few cells). ``previous`` is also the search's hint.

Search and determinism
----------------------
The search starts from ``previous`` (cleaned of cells a change made illegal) or a greedy roster
(``rosters/solver_greedy.py``), runs CP-SAT on the whole problem, then a large-neighbourhood search
(``rosters/solver_cpsat.py``; docs/rosters-solver.md). ``progress(fraction, message)`` is called with
0.0 at the start, with "roster found, objective N" for each better roster, and with 1.0 at the end.

CP-SAT with several threads is not deterministic, and a wall-clock time limit is not either. With
``deterministic=True`` (the default) every CP-SAT call runs one thread with the fixed ``seed`` under a
deterministic-time limit, the neighbourhoods come from a generator seeded with ``seed``, and
``time_limit`` is a *deterministic* budget (CP-SAT's work units, about seconds on an idle core): the same
problem gives the same roster. Exceptions: a wall-clock safety stop at ``3 * time_limit`` (reached only
on a heavily loaded machine), and, when neither the start nor one thread yields any roster, CP-SAT's
parallel portfolio with ``workers`` threads finds the first one (``workers`` counts only there).
``deterministic=False`` starts from a roster built from the problem's linear relaxation (column
generation and dives, ``rosters/solver_colgen.py``, up to ``LP_START_SHARE`` of the budget; not with
``previous``) and runs CP-SAT's parallel portfolio from it, with ``workers`` threads under a wall-clock
limit: not reproducible, better on the benchmark's hard instances (which use it).
``lns=False`` (deterministic mode) leaves the whole budget to one CP-SAT thread on the whole problem.
``log=True`` prints CP-SAT's search log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "DAY_KINDS",
    "Cover",
    "Request",
    "RosterProblem",
    "RosterSolution",
    "Shift",
    "Shortfall",
    "Violation",
    "Weights",
    "Worker",
    "check",
    "evaluate",
    "shortfalls",
    "solve",
]

MINUTES_PER_DAY = 1440
DAY_KINDS = ("work", "weekend", "holiday")
_EMPTY_MAP: Mapping = MappingProxyType({})


# --------------------------------------------------------------------------------------------------
# Input and output records
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shift:
    """One shift type of a pattern."""

    code: str  # e.g. "D", "N", "24", "O" (office hours)
    start_minute: int  # local minutes after midnight
    length_minutes: int
    night: bool = False


@dataclass(frozen=True)
class Request:
    """A personal wish: a day (and a shift, or None for the whole day) on or off."""

    day: int
    shift: str | None
    on: bool
    weight: int = 1


@dataclass(frozen=True)
class Worker:
    id: int
    officer: bool  # auxiliaries: officer=False; never alone without an officer on a shift
    duty_leader: bool = False  # may be 带班领导
    max_minutes_week: int | None = None  # calendar weeks, see the module docstring
    max_minutes_period: int | None = None
    max_consecutive_days: int | None = None
    min_rest_minutes: int = 0  # between the end of one shift and the start of the next
    unavailable_days: frozenset[int] = frozenset()  # approved leave / absence (day indexes)
    allowed_shifts: frozenset[str] | None = None  # None: any
    requests: tuple[Request, ...] = ()
    history: tuple[str | None, ...] = ()  # the last days of the previous period, oldest first
    # Added for the benchmark, general roster rules too (None / empty: no rule).
    min_minutes_period: int | None = None
    min_consecutive_days: int | None = None
    min_consecutive_days_off: int | None = None
    max_weekends: int | None = None
    max_shift_counts: Mapping[str, int] = field(default_factory=lambda: _EMPTY_MAP, hash=False)


@dataclass(frozen=True)
class Cover:
    """Demand of one shift on one day."""

    day: int
    shift: str
    min_people: int
    min_officers: int = 1
    min_leaders: int = 0
    under_weight: int | None = None  # per missing person; None: Weights.shortfall
    over_weight: int = 0  # per person beyond min_people


@dataclass(frozen=True)
class Weights:
    """Soft objectives, shown to the chief. Coverage outweighs everything else by far."""

    shortfall: int = 10_000
    requests: int = 10
    fairness_nights: int = 20
    fairness_weekends: int = 10
    fairness_holidays: int = 20
    continuity: int = 5
    stability: int = 30


@dataclass(frozen=True)
class RosterProblem:
    days: int
    shifts: tuple[Shift, ...]
    workers: tuple[Worker, ...]
    cover: tuple[Cover, ...]
    day_kinds: tuple[str, ...]  # per day: "work", "weekend", "holiday" (make-up working days are "work")
    forbidden_successions: tuple[tuple[str, str], ...] = ()  # (shift today, shift tomorrow) not allowed
    fixed: Mapping[tuple[int, int], str | None] = field(default_factory=lambda: _EMPTY_MAP, hash=False)
    previous: Mapping[tuple[int, int], str] | None = field(default=None, hash=False)  # a former roster
    weights: Weights = field(default_factory=Weights)
    first_weekday: int = 0  # weekday of day 0, 0 = Monday (calendar weeks and weekends)


@dataclass(frozen=True)
class Shortfall:
    """Demand the people cannot cover: where, and how many are missing."""

    day: int
    shift: str
    kind: str  # "people" | "officers" | "leaders"
    missing: int


@dataclass(frozen=True)
class Violation:
    """A hard rule a roster breaks, explained (English; the app translates by ``rule``)."""

    rule: str
    worker: int | None
    day: int | None
    shift: str | None
    message: str


@dataclass
class RosterSolution:
    assignments: dict[tuple[int, int], str]  # (worker id, day) -> shift code; absent = off
    shortfalls: list[Shortfall]
    penalties: dict[str, int]  # soft objective broken down by weight name
    objective: int
    status: str  # "optimal" | "feasible" | "infeasible" | "unknown"
    seconds: float
    violations: list[Violation] = field(default_factory=list)  # why "infeasible"
    bound: int | None = None  # CP-SAT's proven lower bound of the objective


PENALTY_NAMES = (
    "shortfall",
    "overcover",
    "requests",
    "fairness_nights",
    "fairness_weekends",
    "fairness_holidays",
    "continuity",
    "stability",
)


# --------------------------------------------------------------------------------------------------
# Shared definitions (calendar, fair shares, continuity); both the model and the evaluator use them
# --------------------------------------------------------------------------------------------------


def _weekday(problem: RosterProblem, day: int) -> int:
    return (problem.first_weekday + day) % 7


def _week(problem: RosterProblem, day: int) -> int:
    """Calendar week index (Monday-based); week 0 holds day 0. Negative for early history days."""
    return (problem.first_weekday + day) // 7


def _usable_shifts(problem: RosterProblem, worker: Worker) -> frozenset[str]:
    codes = {s.code for s in problem.shifts}
    if worker.allowed_shifts is not None:
        codes &= set(worker.allowed_shifts)
    # A maximum of 0 shifts of a type is the same as not allowing it.
    return frozenset(c for c in codes if worker.max_shift_counts.get(c, 1) > 0)


def _fair_bounds(problem: RosterProblem, category: str) -> dict[int, tuple[int, int]]:
    """Per worker id: the [floor, ceil] of their fair share of the category's demanded shifts.

    The share is the category's total demand (sum of ``min_people``) split in proportion to the days
    each eligible worker is available; workers with no usable shift of the category get no share.
    """
    night_codes = {s.code for s in problem.shifts if s.night}
    if category == "nights":
        demand = sum(c.min_people for c in problem.cover if c.shift in night_codes)
    else:
        kind = "weekend" if category == "weekends" else "holiday"
        demand = sum(c.min_people for c in problem.cover if problem.day_kinds[c.day] == kind)
    if demand <= 0:
        return {}
    available: dict[int, int] = {}
    for w in problem.workers:
        usable = _usable_shifts(problem, w)
        if category == "nights":
            usable = usable & night_codes
        if not usable:
            continue
        days = sum(1 for d in range(problem.days) if d not in w.unavailable_days)
        if days:
            available[w.id] = days
    total = sum(available.values())
    if not total:
        return {}
    # Integer arithmetic so that the model and the evaluator agree to the unit.
    return {wid: ((demand * days) // total, -((-demand * days) // total)) for wid, days in available.items()}


def _fair_count(problem: RosterProblem, category: str, worked: Mapping[int, str]) -> int:
    """How many of the category's shifts a worker's days (day -> shift code) hold."""
    if category == "nights":
        night_codes = {s.code for s in problem.shifts if s.night}
        return sum(1 for code in worked.values() if code in night_codes)
    kind = "weekend" if category == "weekends" else "holiday"
    return sum(1 for d in worked if problem.day_kinds[d] == kind)


def _continuity_plan(problem: RosterProblem, worker: Worker) -> list[str | None]:
    """The shifts (None = off) the first days should have to continue a repeating ``history``."""
    h = worker.history
    if not any(code is not None for code in h):
        return []
    for p in range(1, 8):
        if len(h) >= 2 * p and all(h[j] == h[j - p] for j in range(p, len(h))):
            return [h[len(h) - p + d] for d in range(min(p, problem.days))]
    return []


_FAIR_CATEGORIES = (("nights", "fairness_nights"), ("weekends", "fairness_weekends"), ("holidays", "fairness_holidays"))


def _validate(problem: RosterProblem) -> None:
    """Refuse malformed input with a specific reason (the app shows it)."""
    if problem.days <= 0:
        raise ValueError(f"days must be positive, got {problem.days}")
    if len(problem.day_kinds) != problem.days:
        raise ValueError(f"day_kinds has {len(problem.day_kinds)} entries for {problem.days} days")
    for i, kind in enumerate(problem.day_kinds):
        if kind not in DAY_KINDS:
            raise ValueError(f"day {i}: unknown day kind {kind!r} (expected one of {', '.join(DAY_KINDS)})")
    codes = [s.code for s in problem.shifts]
    if len(set(codes)) != len(codes):
        raise ValueError("shift codes must be unique")
    for s in problem.shifts:
        if s.length_minutes <= 0:
            raise ValueError(f"shift {s.code}: length must be positive")
    known = set(codes)
    ids = [w.id for w in problem.workers]
    if len(set(ids)) != len(ids):
        raise ValueError("worker ids must be unique")
    for a, b in problem.forbidden_successions:
        if a not in known or b not in known:
            raise ValueError(f"forbidden succession {a}->{b}: unknown shift")
    for c in problem.cover:
        if c.shift not in known:
            raise ValueError(f"cover day {c.day}: unknown shift {c.shift!r}")
        if not 0 <= c.day < problem.days:
            raise ValueError(f"cover for shift {c.shift}: day {c.day} outside 0..{problem.days - 1}")
        if min(c.min_people, c.min_officers, c.min_leaders) < 0:
            raise ValueError(f"cover day {c.day} shift {c.shift}: negative minimum")
    seen = set()
    for c in problem.cover:
        if (c.day, c.shift) in seen:
            raise ValueError(f"cover day {c.day} shift {c.shift} given twice")
        seen.add((c.day, c.shift))
    for w in problem.workers:
        for r in w.requests:
            if r.shift is not None and r.shift not in known:
                raise ValueError(f"worker {w.id}: request for unknown shift {r.shift!r}")
            if not 0 <= r.day < problem.days:
                raise ValueError(f"worker {w.id}: request day {r.day} outside the period")
        for code in w.history:
            if code is not None and code not in known:
                raise ValueError(f"worker {w.id}: history has unknown shift {code!r}")
        for code in w.max_shift_counts:
            if code not in known:
                raise ValueError(f"worker {w.id}: max count for unknown shift {code!r}")
    for (wid, day), code in problem.fixed.items():
        if wid not in set(ids):
            raise ValueError(f"locked cell for unknown worker {wid}")
        if not 0 <= day < problem.days:
            raise ValueError(f"locked cell of worker {wid}: day {day} outside the period")
        if code is not None and code not in known:
            raise ValueError(f"locked cell of worker {wid} day {day}: unknown shift {code!r}")


# --------------------------------------------------------------------------------------------------
# check(): the hard rules over a roster, written over the assignments, independent of the model
# --------------------------------------------------------------------------------------------------


def _sequence(
    problem: RosterProblem, worker: Worker, assignments: Mapping[tuple[int, int], str]
) -> dict[int, str | None]:
    """Day -> shift (None off) over the history days (negative) and the period."""
    seq: dict[int, str | None] = {}
    h = worker.history
    for k, code in enumerate(h):
        seq[k - len(h)] = code
    for d in range(problem.days):
        seq[d] = assignments.get((worker.id, d))
    return seq


def _runs(seq: Mapping[int, str | None], first: int, last: int, working: bool) -> list[tuple[int, int]]:
    """Maximal runs [start, end] of worked (or off) days between first and last, inclusive."""
    runs = []
    start = None
    for d in range(first, last + 1):
        if (seq[d] is not None) == working:
            if start is None:
                start = d
        elif start is not None:
            runs.append((start, d - 1))
            start = None
    if start is not None:
        runs.append((start, last))
    return runs


def check(problem: RosterProblem, assignments: Mapping[tuple[int, int], str]) -> list[Violation]:
    """Every hard rule the roster breaks (empty list: the roster keeps them all)."""
    out: list[Violation] = []
    shifts = {s.code: s for s in problem.shifts}
    by_id = {w.id: w for w in problem.workers}

    for (wid, day), code in sorted(assignments.items(), key=lambda item: (item[0][0], item[0][1])):
        if wid not in by_id:
            out.append(Violation("unknown_worker", wid, day, code, f"Worker {wid} is not part of this roster."))
        if code not in shifts:
            out.append(Violation("unknown_shift", wid, day, code, f"Shift {code!r} is not a shift of this pattern."))
        if not 0 <= day < problem.days:
            out.append(Violation("day_out_of_range", wid, day, code, f"Day {day} is outside the roster period."))
    valid = {
        (wid, day): code
        for (wid, day), code in assignments.items()
        if wid in by_id and code in shifts and 0 <= day < problem.days
    }

    forbidden = set(problem.forbidden_successions)
    for w in problem.workers:
        seq = _sequence(problem, w, valid)
        first = -len(w.history)
        worked = {d: c for d in range(problem.days) if (c := seq[d]) is not None}
        for d, code in worked.items():
            if d in w.unavailable_days:
                out.append(Violation("unavailable", w.id, d, code, f"Worker {w.id} is on leave or absent on day {d}."))
            if w.allowed_shifts is not None and code not in w.allowed_shifts:
                out.append(Violation("shift_not_allowed", w.id, d, code, f"Worker {w.id} may not work shift {code}."))
        # Rest and successions: every pair of worked days that ends in the period.
        worked_all = [(d, c) for d in range(first, problem.days) if (c := seq[d]) is not None]
        for j, (d2, b) in enumerate(worked_all):
            if d2 < 0:
                continue
            sb = shifts[b]
            for d1, a in reversed(worked_all[:j]):
                sa = shifts[a]
                gap = (d2 - d1) * MINUTES_PER_DAY + sb.start_minute - (sa.start_minute + sa.length_minutes)
                if gap < 0:
                    out.append(
                        Violation(
                            "min_rest",
                            w.id,
                            d2,
                            b,
                            f"Shift {b} on day {d2} starts before shift {a} of day {d1} ends.",
                        )
                    )
                elif gap < w.min_rest_minutes:
                    out.append(
                        Violation(
                            "min_rest",
                            w.id,
                            d2,
                            b,
                            f"Only {gap} minutes of rest between shift {a} on day {d1} and shift {b} on day {d2}; "
                            f"at least {w.min_rest_minutes} are required.",
                        )
                    )
                if d1 == d2 - 1 and (a, b) in forbidden:
                    out.append(
                        Violation(
                            "forbidden_succession",
                            w.id,
                            d2,
                            b,
                            f"Shift {b} on day {d2} may not follow shift {a} of the day before.",
                        )
                    )
                # Earlier days are only further away (a shift lasts less than a few days).
                if (d2 - d1) * MINUTES_PER_DAY > w.min_rest_minutes + 4 * MINUTES_PER_DAY:
                    break
        # Consecutive duty days and days off, counted through the history.
        if w.max_consecutive_days is not None:
            for start, end in _runs(seq, first, problem.days - 1, working=True):
                if end >= 0 and end - start + 1 > w.max_consecutive_days:
                    day = max(start + w.max_consecutive_days, 0)
                    out.append(
                        Violation(
                            "max_consecutive_days",
                            w.id,
                            day,
                            seq[day],
                            f"Worker {w.id} works {end - start + 1} days in a row (days {start} to {end}); "
                            f"at most {w.max_consecutive_days} are allowed.",
                        )
                    )
        for working, minimum, rule, what in (
            (True, w.min_consecutive_days, "min_consecutive_days", "duty days"),
            (False, w.min_consecutive_days_off, "min_consecutive_days_off", "days off"),
        ):
            if not minimum:
                continue
            for start, end in _runs(seq, first, problem.days - 1, working=working):
                known_before = start - 1 >= first
                known_after = end + 1 <= problem.days - 1
                if known_before and known_after and end + 1 >= 0 and end - start + 1 < minimum:
                    day = max(start, 0)
                    out.append(
                        Violation(
                            rule,
                            w.id,
                            day,
                            seq[day],
                            f"Worker {w.id} has a run of {end - start + 1} {what} (days {start} to {end}); "
                            f"at least {minimum} are required.",
                        )
                    )
        # Minutes per calendar week, per period; counts per shift type; weekends.
        if w.max_minutes_week is not None:
            weeks: dict[int, int] = {}
            for d in range(first, problem.days):
                on = seq[d]
                if on is not None:
                    weeks[_week(problem, d)] = weeks.get(_week(problem, d), 0) + shifts[on].length_minutes
            for week in sorted(weeks):
                if week >= _week(problem, 0) and weeks[week] > w.max_minutes_week:
                    day = max(0, week * 7 - problem.first_weekday)
                    out.append(
                        Violation(
                            "max_minutes_week",
                            w.id,
                            day,
                            None,
                            f"Worker {w.id} works {weeks[week]} minutes in the week from day {day}; "
                            f"at most {w.max_minutes_week} are allowed.",
                        )
                    )
        total = sum(shifts[code].length_minutes for code in worked.values())
        if w.max_minutes_period is not None and total > w.max_minutes_period:
            out.append(
                Violation(
                    "max_minutes_period",
                    w.id,
                    None,
                    None,
                    f"Worker {w.id} works {total} minutes in the period; at most {w.max_minutes_period} are allowed.",
                )
            )
        if w.min_minutes_period is not None and total < w.min_minutes_period:
            out.append(
                Violation(
                    "min_minutes_period",
                    w.id,
                    None,
                    None,
                    f"Worker {w.id} works {total} minutes in the period; at least {w.min_minutes_period} are required.",
                )
            )
        for code, limit in sorted(w.max_shift_counts.items()):
            count = sum(1 for c in worked.values() if c == code)
            if count > limit:
                out.append(
                    Violation(
                        "max_shift_count",
                        w.id,
                        None,
                        code,
                        f"Worker {w.id} has {count} shifts {code}; at most {limit} are allowed.",
                    )
                )
        if w.max_weekends is not None:
            weekends = {_week(problem, d) for d in worked if _weekday(problem, d) >= 5}
            if len(weekends) > w.max_weekends:
                out.append(
                    Violation(
                        "max_weekends",
                        w.id,
                        None,
                        None,
                        f"Worker {w.id} works on {len(weekends)} weekends; at most {w.max_weekends} are allowed.",
                    )
                )

    # Auxiliaries never without an officer on the same shift.
    on_shift: dict[tuple[int, str], list[Worker]] = {}
    for (wid, day), code in valid.items():
        on_shift.setdefault((day, code), []).append(by_id[wid])
    for (day, code), people in sorted(on_shift.items()):
        if not any(p.officer for p in people):
            for p in people:
                out.append(
                    Violation(
                        "auxiliary_without_officer",
                        p.id,
                        day,
                        code,
                        f"Auxiliary {p.id} is on shift {code} of day {day} with no officer.",
                    )
                )
    return out


def shortfalls(problem: RosterProblem, assignments: Mapping[tuple[int, int], str]) -> list[Shortfall]:
    """The demand a roster leaves uncovered, per day, shift and kind."""
    by_id = {w.id: w for w in problem.workers}
    people: dict[tuple[int, str], list[Worker]] = {}
    for (wid, day), code in assignments.items():
        if wid in by_id:
            people.setdefault((day, code), []).append(by_id[wid])
    out = []
    for c in sorted(problem.cover, key=lambda c: (c.day, c.shift)):
        on = people.get((c.day, c.shift), [])
        for kind, need, have in (
            ("people", c.min_people, len(on)),
            ("officers", c.min_officers, sum(1 for p in on if p.officer)),
            ("leaders", c.min_leaders, sum(1 for p in on if p.duty_leader)),
        ):
            if have < need:
                out.append(Shortfall(c.day, c.shift, kind, need - have))
    return out


def evaluate(problem: RosterProblem, assignments: Mapping[tuple[int, int], str]) -> dict[str, int]:
    """The soft objective of a roster, by weight name (sum it for the objective)."""
    wts = problem.weights
    pen = dict.fromkeys(PENALTY_NAMES, 0)
    cover = {(c.day, c.shift): c for c in problem.cover}
    for s in shortfalls(problem, assignments):
        c = cover[(s.day, s.shift)]
        weight = c.under_weight if (s.kind == "people" and c.under_weight is not None) else wts.shortfall
        pen["shortfall"] += weight * s.missing
    counts: dict[tuple[int, str], int] = {}
    for (_wid, day), code in assignments.items():
        counts[(day, code)] = counts.get((day, code), 0) + 1
    for c in problem.cover:
        pen["overcover"] += c.over_weight * max(0, counts.get((c.day, c.shift), 0) - c.min_people)
    for w in problem.workers:
        for r in w.requests:
            held = assignments.get((w.id, r.day))
            hit = held is not None if r.shift is None else held == r.shift
            if hit != r.on:
                pen["requests"] += wts.requests * r.weight
        for day, expected in enumerate(_continuity_plan(problem, w)):
            if assignments.get((w.id, day)) != expected:
                pen["continuity"] += wts.continuity
    for category, name in _FAIR_CATEGORIES:
        weight = getattr(wts, name)
        if not weight:
            continue
        for wid, (lo, hi) in _fair_bounds(problem, category).items():
            worked = {d: code for (i, d), code in assignments.items() if i == wid}
            n = _fair_count(problem, category, worked)
            pen[name] += weight * max(0, n - hi, lo - n)
    if problem.previous is not None:
        ids = {w.id for w in problem.workers}
        for wid in ids:
            for d in range(problem.days):
                if assignments.get((wid, d)) != problem.previous.get((wid, d)):
                    pen["stability"] += wts.stability
    return pen


# --------------------------------------------------------------------------------------------------
# solve(): the CP-SAT model
# --------------------------------------------------------------------------------------------------

# Rules a subset of a roster can already break (adding shifts never repairs them): used to explain
# locked cells that admit no roster.
_MONOTONE_RULES = {
    "unavailable",
    "shift_not_allowed",
    "min_rest",
    "forbidden_succession",
    "max_consecutive_days",
    "max_minutes_week",
    "max_minutes_period",
    "max_shift_count",
    "max_weekends",
}


def solve(
    problem: RosterProblem,
    *,
    time_limit: float = 20.0,
    workers: int = 2,
    progress: Callable[[float, str], None] | None = None,
    deterministic: bool = True,
    seed: int = 0,
    log: bool = False,
    lns: bool = True,
) -> RosterSolution:
    """The best roster found within the time limit (see the module docstring)."""
    from rosters.solver_cpsat import build_and_solve  # ortools is imported only when solving

    _validate(problem)
    started = time.monotonic()
    if progress:
        progress(0.0, "building the model")
    result = build_and_solve(
        problem,
        time_limit=time_limit,
        workers=workers,
        progress=progress,
        deterministic=deterministic,
        seed=seed,
        log=log,
        lns=lns,
        started=started,
    )
    seconds = time.monotonic() - started
    if result.assignments is None:
        violations: list[Violation] = []
        if result.status == "infeasible":
            locked = {k: v for k, v in problem.fixed.items() if v is not None}
            violations = [v for v in check(problem, locked) if v.rule in _MONOTONE_RULES]
            if not violations:
                violations = [
                    Violation(
                        "infeasible",
                        None,
                        None,
                        None,
                        "The hard rules (with the locked cells) admit no roster: unlock cells or relax a rule.",
                    )
                ]
        if progress:
            progress(1.0, result.status)
        return RosterSolution({}, [], {}, 0, result.status, seconds, violations, result.bound)
    assignments = result.assignments
    penalties = evaluate(problem, assignments)
    objective = sum(penalties.values())
    if result.objective is not None and (
        objective > result.objective or (result.status == "optimal" and objective != result.objective)
    ):
        # The model's slack variables (missing people, unfair shares) are only bounded from below, so a
        # roster found on the way may carry loose slack and its model objective can exceed the evaluated
        # one; never the reverse, and at the optimum they agree. Anything else is a bug in one of them.
        raise RuntimeError(f"model objective {result.objective} disagrees with the evaluated {objective}")
    if progress:
        progress(1.0, f"{result.status}, objective {objective}")
    return RosterSolution(
        assignments=assignments,
        shortfalls=shortfalls(problem, assignments),
        penalties=penalties,
        objective=objective,
        status=result.status,
        seconds=seconds,
        bound=result.bound,
    )
