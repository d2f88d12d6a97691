"""The CP-SAT model behind ``rosters.solver.solve`` (kept apart so that importing the records and
``check`` does not load OR-Tools).

One boolean ``x[i, d, s]`` per worker, day and shift the worker may work at all (leave, disallowed
shifts, locked-off cells and rest conflicts with the history are left out instead of fixed to 0, which
keeps the model small). ``work[i, d]`` is the sum of a day's ``x`` (at most one shift a day). Rules over
runs of days read a per-worker sequence that starts in ``history``: there a day is a constant.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from rosters.solver import (
    _FAIR_CATEGORIES,
    MINUTES_PER_DAY,
    Cover,
    RosterProblem,
    Shift,
    Worker,
    _continuity_plan,
    _fair_bounds,
    _usable_shifts,
    _week,
    _weekday,
    check,
    evaluate,
)
from rosters.solver_greedy import greedy_roster

# Above this many cells (worker x day x shift literals) the parallel portfolio gives the whole problem
# one thread and the rest to local search. 60 s runs on the benchmark (docs/rosters-solver.md):
# Instance12 (10,452 cells), whose LP calls all stopped at their iteration limit (bound 12), gave
# 4,707, 4,922 and 5,326 this way (4,726-4,831 in bench runs) against 5,336 the usual way;
# Instance11 (5,304), whose LP bound does come (3,433 at 60 s), gained nothing on average (3,456 /
# 3,683 / 3,790 / 3,686 against 3,868 / 3,693) and lost its bound; Instance6 (1,040) and Instance8
# (2,158) lost (2,151 against 1,950; 1,833 against 1,614 and 1,623).
LARGE_MODEL_CELLS = 8_000
# Share of the parallel search's budget that building its start from the LP relaxation may take.
LP_START_SHARE = 0.6

# A day of the per-worker sequence: a constant (history, or a day the worker cannot work) or a literal.
Day = int | cp_model.IntVar


@dataclass
class CpResult:
    status: str
    assignments: dict[tuple[int, int], str] | None
    objective: int | None
    bound: int | None
    deterministic_time: float = 0.0


def _rest_conflicts(
    shifts: tuple[Shift, ...], min_rest: int, successions: set[tuple[str, str]]
) -> list[tuple[int, int, int]]:
    """(a, b, g): shift index b may not be worked g days after shift index a (rest, overlap, succession)."""
    out = []
    for ai, a in enumerate(shifts):
        for bi, b in enumerate(shifts):
            g = 1
            while True:
                gap = g * MINUTES_PER_DAY + b.start_minute - (a.start_minute + a.length_minutes)
                if gap >= min_rest and gap >= 0:
                    break
                out.append((ai, bi, g))
                g += 1
            if (a.code, b.code) in successions and (ai, bi, 1) not in out:
                out.append((ai, bi, 1))
    return out


@dataclass
class RosterModel:
    """A roster problem as a CP-SAT model: the cells ``x[i, d, s]``, and the objective as its terms and
    constant (the model minimises their sum)."""

    model: cp_model.CpModel
    x: dict[tuple[int, int, int], cp_model.IntVar]
    objective: list
    constant: int


def build_model(problem: RosterProblem) -> RosterModel:
    """Every hard rule as a constraint and every soft one as objective terms."""
    m = cp_model.CpModel()
    days = problem.days
    shifts = problem.shifts
    code_index = {s.code: k for k, s in enumerate(shifts)}
    people = problem.workers
    wts = problem.weights
    successions = set(problem.forbidden_successions)
    impossible = False  # a locked cell the worker cannot work at all

    # Cells nobody may fill: leave, shifts not allowed, locked off, rest conflicts with the history.
    conflicts_by_rest: dict[int, list[tuple[int, int, int]]] = {}
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for i, w in enumerate(people):
        usable = _usable_shifts(problem, w)
        conflicts = conflicts_by_rest.setdefault(
            w.min_rest_minutes, _rest_conflicts(shifts, w.min_rest_minutes, successions)
        )
        banned: set[tuple[int, int]] = set()
        h = w.history
        for a, b, g in conflicts:
            for d in range(min(g, days)):
                k = len(h) + d - g  # index in history of the day g days before day d
                if 0 <= k < len(h) and h[k] == shifts[a].code:
                    banned.add((d, b))
        for d in range(days):
            if d in w.unavailable_days:
                continue
            locked = problem.fixed.get((w.id, d), "") if (w.id, d) in problem.fixed else ""
            for s, shift in enumerate(shifts):
                if shift.code not in usable or (d, s) in banned:
                    continue
                if (w.id, d) in problem.fixed and locked != shift.code:
                    continue
                x[i, d, s] = m.new_bool_var(f"x{w.id}_{d}_{shift.code}")
        for (wid, d), code in problem.fixed.items():
            if wid == w.id and code is not None:
                if (i, d, code_index[code]) in x:
                    m.add(x[i, d, code_index[code]] == 1)
                else:
                    impossible = True

    work: dict[tuple[int, int], Day] = {}
    for i in range(len(people)):
        for d in range(days):
            cell = [x[i, d, s] for s in range(len(shifts)) if (i, d, s) in x]
            if not cell:
                work[i, d] = 0
            elif len(cell) == 1:
                work[i, d] = cell[0]
            else:
                lit = m.new_bool_var(f"w{i}_{d}")
                m.add(sum(cell) == lit)  # also: at most one shift a day
                work[i, d] = lit

    def seq(i: int, p: int) -> Day:
        """Worked (1/0 or a literal) on day p; negative days come from the history."""
        if p >= 0:
            return work[i, p]
        h = people[i].history
        return 1 if h[len(h) + p] is not None else 0

    for i, w in enumerate(people):
        first = -len(w.history)
        # Rest, overlaps and forbidden successions inside the period.
        for a, b, g in conflicts_by_rest[w.min_rest_minutes]:
            for d in range(days - g):
                if (i, d, a) in x and (i, d + g, b) in x:
                    m.add_bool_or([x[i, d, a].negated(), x[i, d + g, b].negated()])
        # Maximum run of duty days: every window of k+1 days reaching into the period holds a day off.
        if w.max_consecutive_days is not None:
            k = w.max_consecutive_days
            for p in range(max(first, -k), days - k):
                window = [seq(i, q) for q in range(p, p + k + 1)]
                constant = sum(v for v in window if isinstance(v, int))
                lits = [v for v in window if not isinstance(v, int)]
                if lits:
                    m.add(sum(lits) <= k - constant)
                elif constant > k and p + k >= 0:
                    m.add_bool_or([])
        # Minimum runs, as forbidden patterns "off, L worked, off" (or the reverse) with L < minimum.
        for working, minimum in ((True, w.min_consecutive_days), (False, w.min_consecutive_days_off)):
            if not minimum or minimum < 2:
                continue
            for length in range(1, minimum):
                for p in range(first + 1, days - length):
                    succ = p + length
                    if succ < 0:
                        continue
                    clause: list = []
                    satisfied = False
                    # The pattern is "pred and succ different from the run"; the clause negates it.
                    wanted = [(p - 1, not working)] + [(q, working) for q in range(p, succ)] + [(succ, not working)]
                    for q, is_worked in wanted:
                        v = seq(i, q)
                        if isinstance(v, int):
                            if bool(v) != is_worked:
                                satisfied = True
                                break
                        else:
                            clause.append(v.negated() if is_worked else v)
                    if not satisfied:
                        m.add_bool_or(clause)
        # Minutes per calendar week, per period; counts per shift type.
        minutes = {
            (i, d): sum(shifts[s].length_minutes * x[i, d, s] for s in range(len(shifts)) if (i, d, s) in x)
            for d in range(days)
        }
        if w.max_minutes_week is not None:
            weeks: dict[int, list] = {}
            history_minutes: dict[int, int] = {}
            for q, code in enumerate(w.history):
                if code is not None:
                    week = _week(problem, q - len(w.history))
                    history_minutes[week] = history_minutes.get(week, 0) + shifts[code_index[code]].length_minutes
            for d in range(days):
                weeks.setdefault(_week(problem, d), []).append(minutes[i, d])
            for week, terms in weeks.items():
                m.add(sum(terms) + history_minutes.get(week, 0) <= w.max_minutes_week)
        total = sum(minutes[i, d] for d in range(days))
        if w.max_minutes_period is not None:
            m.add(total <= w.max_minutes_period)
        if w.min_minutes_period is not None:
            m.add(total >= w.min_minutes_period)
        for code, limit in w.max_shift_counts.items():
            s = code_index[code]
            cells = [x[i, d, s] for d in range(days) if (i, d, s) in x]
            if len(cells) > limit:
                m.add(sum(cells) <= limit)
        if w.max_weekends is not None:
            weekend_days: dict[int, list] = {}
            for d in range(days):
                v = work[i, d]
                if _weekday(problem, d) >= 5 and not isinstance(v, int):
                    weekend_days.setdefault(_week(problem, d), []).append(v)
            flags = []
            for lits in weekend_days.values():
                if len(lits) == 1:
                    flags.append(lits[0])
                else:
                    flag = m.new_bool_var(f"we{i}")
                    for lit in lits:
                        m.add_implication(lit, flag)
                    m.add_bool_or(lits).only_enforce_if(flag)
                    flags.append(flag)
            if len(flags) > w.max_weekends:
                m.add(sum(flags) <= w.max_weekends)

    # Auxiliaries never without an officer; coverage as soft constraints.
    objective: list = []
    constant = 0
    n_people = len(people)
    for d in range(days):
        for s in range(len(shifts)):
            officers = [x[i, d, s] for i, w in enumerate(people) if w.officer and (i, d, s) in x]
            for i, w in enumerate(people):
                if not w.officer and (i, d, s) in x:
                    if officers:
                        m.add(x[i, d, s] <= sum(officers))
                    else:
                        m.add(x[i, d, s] == 0)
    for c in problem.cover:
        s = code_index[c.shift]
        on = [(w, x[i, c.day, s]) for i, w in enumerate(people) if (i, c.day, s) in x]
        n = sum(v for _, v in on)
        if c.min_people > 0:
            under = m.new_int_var(0, c.min_people, f"under{c.day}_{c.shift}")
            m.add(n + under >= c.min_people)
            objective.append((c.under_weight if c.under_weight is not None else wts.shortfall) * under)
        if c.over_weight > 0:
            over = m.new_int_var(0, n_people, f"over{c.day}_{c.shift}")
            m.add(n - over <= c.min_people)
            objective.append(c.over_weight * over)
        for need, members in (
            (c.min_officers, [v for w, v in on if w.officer]),
            (c.min_leaders, [v for w, v in on if w.duty_leader]),
        ):
            if need > 0:
                missing = m.new_int_var(0, need, f"miss{c.day}_{c.shift}")
                m.add(sum(members) + missing >= need)
                objective.append(wts.shortfall * missing)

    def cell_is(i: int, d: int, code: str | None) -> tuple[int, list[tuple[int, cp_model.IntVar]]]:
        """Worker i's day d holds code (None: off), as constant + sum(coef * literal)."""
        if code is None:
            v = work[i, d]
            return (1 - v, []) if isinstance(v, int) else (1, [(-1, v)])
        key = (i, d, code_index[code])
        return (0, [(1, x[key])]) if key in x else (0, [])

    def pay_unless(weight: int, c0: int, terms: list[tuple[int, cp_model.IntVar]]) -> None:
        """Pay weight * (1 - expression) for a 0/1 expression c0 + sum(coef * literal)."""
        nonlocal constant
        constant += weight * (1 - c0)
        objective.extend(-weight * coef * v for coef, v in terms)

    for i, w in enumerate(people):
        if wts.requests:
            for r in w.requests:
                c0, terms = cell_is(i, r.day, r.shift)
                if r.shift is None:  # the request is about the day worked, cell_is(None) is "off"
                    c0, terms = 1 - c0, [(-coef, v) for coef, v in terms]
                if not r.on:  # honoured when the cell does NOT hold it
                    c0, terms = 1 - c0, [(-coef, v) for coef, v in terms]
                pay_unless(wts.requests * r.weight, c0, terms)
        if wts.continuity:
            for d, expected in enumerate(_continuity_plan(problem, w)):
                pay_unless(wts.continuity, *cell_is(i, d, expected))
        if problem.previous is not None and wts.stability:
            for d in range(days):
                pay_unless(wts.stability, *cell_is(i, d, problem.previous.get((w.id, d))))

    index_of = {w.id: i for i, w in enumerate(people)}
    night = {k for k, s in enumerate(shifts) if s.night}
    for category, name in _FAIR_CATEGORIES:
        weight = getattr(wts, name)
        if not weight:
            continue
        for wid, (lo, hi) in _fair_bounds(problem, category).items():
            i = index_of[wid]
            if category == "nights":
                terms = [v for (j, _d, s), v in x.items() if j == i and s in night]
            else:
                kind = "weekend" if category == "weekends" else "holiday"
                terms = [v for (j, d, _s), v in x.items() if j == i and problem.day_kinds[d] == kind]
            count = sum(terms)
            dev = m.new_int_var(0, max(hi, days), f"fair{name}{wid}")
            m.add(dev >= count - hi)
            m.add(dev >= lo - count)
            objective.append(weight * dev)

    if impossible:
        m.add_bool_or([])
    m.minimize(sum(objective) + constant)
    return RosterModel(m, x, objective, constant)


def alone(problem: RosterProblem, worker: Worker, **changes: object) -> RosterProblem:
    """The problem of one worker on their own (with ``changes``, e.g. the cover left to them). An auxiliary
    counts as an officer, since alone they would be kept off every shift; fairness, about everyone's
    shares at once, is left out."""
    return replace(
        problem,
        workers=(replace(worker, officer=True),),
        weights=replace(problem.weights, fairness_nights=0, fairness_weekends=0, fairness_holidays=0),
        **changes,  # type: ignore[arg-type]
    )


def build_and_solve(
    problem: RosterProblem,
    *,
    time_limit: float,
    workers: int,
    progress: Callable[[float, str], None] | None,
    deterministic: bool,
    seed: int,
    log: bool,
    lns: bool = True,
    start: dict[tuple[int, int], str] | None = None,
    started: float | None = None,
) -> CpResult:
    """``started``: the monotonic time the caller's budget began (the model's building counts in it)."""
    started = time.monotonic() if started is None else started
    compiled = build_model(problem)
    m, x = compiled.model, compiled.x
    days, shifts, people = problem.days, problem.shifts, problem.workers

    def value_of(values: dict[tuple[int, int, int], int]) -> int:
        roster = {(people[i].id, d): shifts[k].code for (i, d, k), v in values.items() if v}
        return sum(evaluate(problem, roster).values())

    search = _Search(
        m, x, len(people), days, time_limit, workers, progress, deterministic, seed, log, lns, value_of, started
    )
    # The search starts from the former roster, or else from a greedy one (usually a roster already, so
    # the improving searches start at once).
    if start is None and problem.previous is None and not deterministic and lns and problem.workers:
        # The parallel search starts from the roster the LP relaxation builds (rosters.solver_colgen): on
        # the benchmark's larger instances CP-SAT improves it far further than a roster of its own.
        from rosters.solver_colgen import lp_start  # here: that module builds its models with this one

        from_lp = lp_start(problem, budget=LP_START_SHARE * time_limit, threads=workers)
        if from_lp is not None:
            start = from_lp.roster
            if from_lp.bound is not None:
                # A proven bound (the relaxation's): CP-SAT can then stop as soon as it reaches it.
                m.add(sum(compiled.objective) + compiled.constant >= from_lp.bound)
            if log:
                state = ("converged" if from_lp.converged else "not converged") + f", bound {from_lp.bound}"
                value = sum(evaluate(problem, start).values())
                print(  # noqa: T201
                    f"LP start: {from_lp.rounds} rounds ({state}), {from_lp.columns} periods, "
                    f"LP {from_lp.lp_value:.1f}, roster {value}"
                )
    if start is None:
        start = dict(problem.previous) if problem.previous is not None else greedy_roster(problem)
    # A former roster may break the rules after the change (the new leave day): drop the cells at fault
    # (the worker's day named by each violation) so that the start is a roster again.
    for _ in range(3):
        faults = {(v.worker, v.day) for v in check(problem, start) if v.worker is not None and v.day is not None}
        if not faults:
            break
        start = {k: v for k, v in start.items() if k not in faults or k in problem.fixed}
    search.hint_is_roster = not check(problem, start) and all(problem.fixed.get(k, v) == v for k, v in start.items())
    if not search.hint_is_roster and not deterministic:
        # The greedy start breaks rules it cannot grow a day at a time (minimum runs, minimum hours):
        # build one person at a time instead, which keeps every person's own rules by construction.
        # Only for the parallel search: in the deterministic mode a station's month (the demo's 24-hour
        # duty station, 5 s) came out worse from this start (objective 1.36208e6 against 1.17214e6,
        # as generate_roster prints them), each person taking the best cells for themselves.
        built, spent = person_by_person(problem, seed=seed, budget=time_limit / 2)
        search.dtime += spent
        if built is not None and not check(problem, built):
            start, search.hint_is_roster = built, True
    if progress and search.hint_is_roster and problem.previous is None:
        progress(0.0, f"roster found, objective {sum(evaluate(problem, start).values())}")
    search.hint({(i, d, k): int(start.get((people[i].id, d)) == shifts[k].code) for (i, d, k) in x})
    status, values, objective_value, bound = search.run()
    if status in ("infeasible", "unknown"):
        return CpResult(status, None, None, None, search.dtime)
    if values is None:  # not reached: a found roster has values
        return CpResult("unknown", None, None, None, search.dtime)
    assignments = {(people[i].id, d): shifts[s].code for (i, d, s), v in values.items() if v}
    return CpResult(status, assignments, objective_value, bound, search.dtime)


def person_by_person(
    problem: RosterProblem, *, seed: int = 0, budget: float = float("inf")
) -> tuple[dict[tuple[int, int], str] | None, float]:
    """A roster that keeps every hard rule, built one person at a time, or None when this way cannot.

    Every hard rule but one concerns a single person; only the cover (soft) and "no auxiliary without an
    officer" join people. So each person in turn gets their own best period given the people placed
    before them (``_best_period``), solved exactly by CP-SAT in a fraction of a second. Officers come
    first; an auxiliary may then only join days that already hold an officer, and the roster is given
    up (None) if one lands on a shift without one. Fairness is left to the search that follows (its
    shares are about everyone at once).

    Returns the roster and the CP-SAT deterministic time spent; gives up (None) once that passes
    ``budget``, so that the construction counts in the caller's budget.
    """
    officers = frozenset(w.id for w in problem.workers if w.officer)
    roster: dict[tuple[int, int], str] = {}
    spent = 0.0
    for w in sorted(problem.workers, key=lambda w: (not w.officer, not w.duty_leader)):
        cells, dtime = _best_period(problem, roster, w, officers, seed=seed)
        spent += dtime
        if cells is None or spent > budget:
            return None, spent
        if not w.officer:
            on_duty = {(d, code) for (wid, d), code in roster.items() if wid in officers}
            if any((d, code) not in on_duty for (_wid, d), code in cells.items()):
                return None, spent  # a shift with no officer: leave it to the whole search
        roster.update(cells)
    return roster, spent


def _best_period(
    problem: RosterProblem,
    roster: dict[tuple[int, int], str],
    worker: Worker,
    officer_ids: frozenset[int],
    *,
    seed: int,
    time_limit: float = 0.25,
) -> tuple[dict[tuple[int, int], str] | None, float]:
    """The best cells of one worker, not yet in ``roster``, given everyone in it.

    The one-person problem keeps the worker's own rules and requests; its cover is what the others
    leave: the people, officers and leaders still missing, and over-cover for anyone beyond the demand,
    so its objective differs from the whole roster's by a constant. An auxiliary counts as an officer
    alone and may only work days where an officer of ``roster`` works. Returns the cells (None when the
    worker has no roster) and the CP-SAT deterministic time spent.
    """
    leader_ids = {w.id for w in problem.workers if w.duty_leader}
    people: Counter[tuple[int, str]] = Counter()
    officers: Counter[tuple[int, str]] = Counter()
    leaders: Counter[tuple[int, str]] = Counter()
    for (wid, d), code in roster.items():
        people[d, code] += 1
        officers[d, code] += wid in officer_ids
        leaders[d, code] += wid in leader_ids
    cover = tuple(
        Cover(
            day=c.day,
            shift=c.shift,
            min_people=max(0, c.min_people - people[c.day, c.shift]),
            min_officers=max(0, c.min_officers - officers[c.day, c.shift]),
            min_leaders=max(0, c.min_leaders - leaders[c.day, c.shift]),
            under_weight=c.under_weight,
            over_weight=c.over_weight,
        )
        for c in problem.cover
    )
    fixed = {key: code for key, code in problem.fixed.items() if key[0] == worker.id}
    if not worker.officer:
        for d in range(problem.days):
            if (worker.id, d) not in fixed and not any(officers[d, s.code] for s in problem.shifts):
                fixed[worker.id, d] = None
    part = alone(problem, worker, cover=cover, fixed=fixed)
    spent = 0.0
    # One thread proves most people's best period in a few hundredths of a second; when it finds
    # nothing in time, CP-SAT's deterministic parallel mode (two threads interleaved) usually does.
    for threads, limit in ((1, time_limit), (2, 2 * time_limit)):
        result = build_and_solve(
            part,
            time_limit=limit,
            workers=threads,
            progress=None,
            deterministic=True,
            seed=seed,
            log=False,
            lns=False,
            start={},  # no greedy start: the person's cells are all free
        )
        spent += result.deterministic_time
        if result.assignments is not None or result.status == "infeasible":
            break
    return result.assignments, spent


class _Search:
    """A full CP-SAT solve for part of the budget, then a large-neighbourhood search (LNS) around the best
    roster: free a window of days for everyone, or every day of a few workers, fix the other cells, and
    let CP-SAT improve that part (a small problem it handles fast) from the current roster as a hint.

    In deterministic mode every CP-SAT call runs one thread under a deterministic time limit and the
    neighbourhoods come from a seeded generator, so the sequence of rosters (and the result) depends only
    on the problem, the seed and ``time_limit`` counted in CP-SAT's deterministic time; a wall clock of
    2 x ``time_limit`` remains as a safety stop. Otherwise the calls use ``workers`` threads and the budget
    is wall-clock seconds.
    """

    def __init__(
        self,
        model: cp_model.CpModel,
        x: dict[tuple[int, int, int], cp_model.IntVar],
        n_people: int,
        days: int,
        time_limit: float,
        workers: int,
        progress: Callable[[float, str], None] | None,
        deterministic: bool,
        seed: int,
        log: bool,
        lns: bool,
        value_of: Callable[[dict[tuple[int, int, int], int]], int],
        started: float,
    ) -> None:
        self.lns = lns
        self.value_of = value_of
        self.model = model
        self.x = x
        self.n_people = n_people
        self.days = days
        self.time_limit = time_limit
        self.workers = workers
        self.progress = progress
        self.deterministic = deterministic
        self.seed = seed
        self.log = log
        self.started = started
        self.dtime = 0.0
        self._hint: dict[tuple[int, int, int], int] | None = None
        self.hint_is_roster = False
        self.reproducible = True

    def hint(self, values: dict[tuple[int, int, int], int]) -> None:
        self._hint = values

    # Budget: deterministic time in deterministic mode, wall seconds otherwise.
    def _spent(self) -> float:
        wall = time.monotonic() - self.started
        if self.deterministic:
            return self.dtime if wall < 3 * self.time_limit else self.time_limit
        return wall

    def _left(self) -> float:
        return self.time_limit - self._spent()

    def _call(
        self,
        limit: float,
        hint: dict[tuple[int, int, int], int] | list[int] | None,
        *,
        workers: int | None = None,
        whole: bool = False,
        portfolio: bool = False,
        fix_hint: bool = False,
    ) -> tuple[object, cp_model.CpSolver]:
        self.model.clear_hints()
        if isinstance(hint, list):
            # A complete solution (every variable): CP-SAT starts from it at once.
            proto_hint = self.model.proto.solution_hint
            proto_hint.vars.extend(range(len(hint)))
            proto_hint.values.extend(hint)
        elif hint:
            for key, v in self.x.items():
                self.model.add_hint(v, hint[key])
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.random_seed = self.seed
        params.log_search_progress = self.log
        if not whole:
            # A neighbourhood is mostly fixed cells: propagation handles them; presolving the whole model again
            # for every neighbourhood cost more than the search itself.
            params.cp_model_presolve = False
            params.symmetry_level = 0
        if fix_hint:
            params.fix_variables_to_their_hinted_value = True
        if self.deterministic and not portfolio:
            # One thread: CP-SAT's parallel portfolio is not reproducible, and its deterministic
            # "interleave" mode proved far slower here than one thread plus the neighbourhoods below.
            params.num_workers = 1
            if whole and self.lns and self.hint_is_roster:
                # Without the LP the whole problem's single thread takes the (greedy) hint at once and
                # proves small problems; the neighbourhoods below, with the LP, do the improving.
                params.linearization_level = 0
            elif whole and self.workers > 1:
                # No roster to start from: CP-SAT's deterministic parallel mode finds a first one far
                # more surely than one thread.
                params.num_workers = max(2, self.workers)
                params.interleave_search = True
            params.max_deterministic_time = max(limit, 0.01)
            params.max_time_in_seconds = max(3 * self.time_limit - (time.monotonic() - self.started), 0.01)
        else:
            params.num_workers = max(1, workers or self.workers)
            params.max_time_in_seconds = max(limit, 0.01)
            if whole and params.num_workers >= 3:
                if len(self.x) > LARGE_MODEL_CELLS:
                    # A large model: its LP is too slow to guide anything within a roster's budget, so one
                    # search of the whole problem, and every other thread on local search and neighbourhoods.
                    params.subsolvers.append("default_lp")
                    params.num_full_subsolvers = 1
                    params.num_violation_ls = params.num_workers - 1
                else:
                    # Two searches of the whole problem (with the LP, and with the full LP whose bound
                    # guides them) and every other thread on CP-SAT's neighbourhoods: on the benchmark's
                    # 28-day instances this beat CP-SAT's default mix of six whole-problem searches
                    # (docs/benchmarks.md).
                    params.subsolvers.extend(["default_lp", "max_lp"])
        status = solver.solve(self.model)
        self.dtime += solver.deterministic_time
        if status == cp_model.MODEL_INVALID:
            raise ValueError(f"invalid CP-SAT model: {self.model.validate()}")
        return status, solver

    def _report(self, message: str) -> None:
        if self.progress:
            self.progress(min(0.99, max(0.0, self._spent() / max(self.time_limit, 1e-3))), message)

    def run(self) -> tuple[str, dict[tuple[int, int, int], int] | None, int | None, int | None]:
        if self.progress:
            self.progress(0.0, "searching")
        full: list[int] | None
        if self.deterministic and self.lns and self.hint_is_roster and self._hint is not None:
            # The start is already a roster: straight to the neighbourhoods (0 is a valid bound: every
            # penalty is non-negative; a neighbourhood spanning the whole period proves optimality).
            best, full = dict(self._hint), None
            best_value = self.value_of(best)
            bound = 0
        else:
            # 1. The whole problem, for part of the budget (small problems end here, proven optimal).
            # Without determinism CP-SAT's own portfolio (with its own neighbourhoods) keeps the whole budget:
            # on the benchmark it beat 60 % portfolio + these neighbourhoods (Instance5: 1,349 vs 1,554;
            # Instance9: 563 vs 697, 60 s each).
            share = 0.05 if (self.lns and self.deterministic) else 1.0
            hint: dict[tuple[int, int, int], int] | list[int] | None = self._hint
            if not self.deterministic and self.hint_is_roster and self._hint is not None:
                # Every variable of the start, not only its cells: CP-SAT completes a partial hint only within
                # a small effort, and on the benchmark it did not (Instance8 began from its own roster of
                # 8,538, not the start's 4,792). With the cells fixed, the rest follows at once.
                status, solver = self._call(min(5.0, self._left()), self._hint, fix_hint=True)
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    hint = list(solver.response_proto.solution)
            status, solver = self._call(min(share * self.time_limit, self._left()), hint, whole=True)
            if status == cp_model.UNKNOWN and self._left() > 0:
                # Still no roster: CP-SAT's parallel portfolio (its feasibility jump finds first solutions
                # the deterministic searches miss); a roster matters more than reproducing it exactly.
                status, solver = self._call(self._left(), self._hint, whole=True, portfolio=True)
                self.reproducible = not self.deterministic
            if status == cp_model.INFEASIBLE:
                return "infeasible", None, None, None
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return "unknown", None, None, None
            best = {key: int(solver.boolean_value(v)) for key, v in self.x.items()}
            full = list(solver.response_proto.solution)
            best_value = self.value_of(best)
            bound = int(-(-solver.best_objective_bound // 1))
            if status == cp_model.OPTIMAL:
                self._report(f"roster found, objective {best_value}")
                return "optimal", best, best_value, best_value
        self._report(f"roster found, objective {best_value}")
        # 2. LNS. Neighbourhood sizes adapt: grow after a neighbourhood is solved to optimality (it was
        # too easy), shrink after one times out.
        rng = random.Random(self.seed)  # noqa: S311 - reproducible neighbourhoods, not secrets
        proto = self.model.proto
        size = {"days": min(self.days, 7), "people": min(self.n_people, 4)}
        step_limit = 0.5 if self.deterministic else 1.0
        calls = gains = 0
        # First a sweep over the period in overlapping windows of days (from a poor first roster this
        # builds a good one window by window), then random windows and random groups of people.
        sweep = list(range(0, max(1, self.days - size["days"] + 1), max(1, size["days"] - 2)))
        while self._left() > 0.05 and best_value > bound:
            kind = "days" if sweep else rng.choice(("days", "people", "people"))
            if kind == "days":
                start = sweep.pop(0) if sweep else rng.randrange(max(1, self.days - size["days"] + 1))
                free_days = set(range(start, start + size["days"]))
                free = {key for key in self.x if key[1] in free_days}
            else:
                chosen = set(rng.sample(range(self.n_people), size["people"]))
                free = {key for key in self.x if key[0] in chosen}
            for key, v in self.x.items():
                if key not in free:
                    domain = proto.variables[v.index].domain
                    domain[0] = domain[1] = best[key]
            try:
                status, solver = self._call(
                    min(step_limit, self._left()), full if full is not None else best, workers=self.workers
                )
            finally:
                for v in self.x.values():
                    domain = proto.variables[v.index].domain
                    domain[0], domain[1] = 0, 1
            calls += 1
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                values = {key: int(solver.boolean_value(v)) for key, v in self.x.items()}
                # The model's slack may be loose in a roster found on the way: judge by the true value.
                value = round(solver.objective_value) if status == cp_model.OPTIMAL else self.value_of(values)
                if value <= best_value:
                    improved = value < best_value
                    gains += improved
                    best = values
                    full = list(solver.response_proto.solution)
                    best_value = value
                    if improved:
                        self._report(f"roster found, objective {best_value}")
            limit = self.days if kind == "days" else self.n_people
            if status == cp_model.OPTIMAL and len(free) == len(self.x):
                bound = max(bound, round(solver.objective_value))  # the neighbourhood was everything
            if status == cp_model.OPTIMAL:
                size[kind] = min(limit, size[kind] + 1)
            else:
                size[kind] = max(2 if kind == "days" else 2, size[kind] - 1)
        if self.log:
            print(f"LNS: {calls} neighbourhoods, {gains} improvements, sizes {size}, objective {best_value}")  # noqa: T201
        return ("optimal" if best_value <= bound else "feasible"), best, best_value, bound
