"""A starting roster from the roster problem's linear relaxation, for the parallel search.

Every hard rule but one ("no auxiliary without an officer") is about a single person, and the cover
joins people only through sums. So the roster problem is also a choice of one *period* (all of a
person's cells, keeping their rules) per person, with the cover counted over the chosen periods. The
linear relaxation of that choice is far tighter than CP-SAT's own relaxation of the cell model
(Instance8 of the shift scheduling benchmark: 1,296.6 against best known 1,300), and it guides a
construction that CP-SAT then improves:

1. **Column generation.** A master LP (GLOP, OR-Tools' own LP solver) mixes the periods found so far;
   its duals price each cell of the cover, and each person's best period at those prices (their own
   requests, continuity and stability included) is solved exactly by CP-SAT, one small model per
   person. Every period the solve finds on its way that lowers the LP joins it; the loop ends when
   none does or its time is up. After a round in which every person's best period is proven, the LP
   plus each person's least reduced cost is a lower bound on the roster's objective (Lagrangian).
2. **Dives.** The *cell dive* decides, a step at a time, the days each person's weighted periods agree
   on (off, working, or working a given shift) as constraints of their pricing model, with a few rounds
   of generation after each step, until every person's weight is on one period. When the time left is
   at least what generation took, the *column dive* follows from the generated LP again: it fixes the
   periods the LP weighs most (every one above 0.99, and at least 5 % of the people still open, more
   when the pace would not finish in time), with generation between steps. Dives from one LP end far
   apart, so while time is left and they keep improving, more cell dives follow with other slacks. The
   best roster of all is the start; every person's rules hold in each by construction.

Fairness (about everyone's shares at once) is left to the search that follows, and so is the
auxiliary rule: the caller drops an auxiliary's cells on a shift without an officer.
"""

from __future__ import annotations

import itertools
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from rosters.solver import RosterProblem, Worker, evaluate
from rosters.solver_cpsat import alone, build_model

# Duals become integer objective coefficients of the pricing model at this scale (CP-SAT's objective
# is integral); a period's reduced cost is then computed exactly from its true cost.
PRICE_SCALE = 10_000
# Share of the budget for column generation before the dives, and each dive's rounds of generation
# after a step.
GENERATION_SHARE = 0.6
DIVE_ROUNDS = 3
# The column dive fixes at least this share of the people still open a step.
DIVE_FIX_SHARE = 0.05
# A cell dive step's decisions leave a person's agreeing periods at least 1 - DIVE_SLACK of the weight.
DIVE_SLACK = 0.1
# Dives from the same LP end far apart (Instance7 of the benchmark: 1,059-1,662 against an LP of 1,054.1):
# while the LP start's time lasts, its best roster is more than GOOD_ENOUGH above the LP and one of the
# last len(REDIVE_SLACKS) dives improved it, more cell dives follow, with these slacks in turn, and the
# best roster is kept.
REDIVE_SLACKS = (0.2, 0.05, 0.3, 0.15, 0.1)
GOOD_ENOUGH = 0.01
# Every this many pricing solves a person tries the presolve setting that was slower again.
PRESOLVE_RETRY = 16

Cell = tuple[int, int]  # (day, shift index)
WORKS = -1  # a dive's decision that a person works a day, on a shift not yet decided


@dataclass
class LpStart:
    roster: dict[tuple[int, int], str]  # (worker id, day) -> shift code
    lp_value: float  # the master LP's optimum when generation ended
    converged: bool
    bound: int | None  # a proven lower bound on the roster problem's objective (Lagrangian), if any
    rounds: int
    columns: int


class _Pricer:
    """One person's model: their rules and own costs; the cover's prices are set per call."""

    def __init__(self, problem: RosterProblem, worker: Worker) -> None:
        self.compiled = build_model(alone(problem, worker, cover=()))
        self.own = sum(self.compiled.objective) + self.compiled.constant
        # Seconds of the last solve without and with a pass of presolve (None: not tried yet).
        self.seconds: dict[bool, float | None] = {False: None, True: None}
        self.calls = 0

    def fix(self, day: int, what: int | None) -> None:
        """From now on the person works ``day`` on shift index ``what``, or is off (None), or works it on
        some shift (WORKS)."""
        cells = [v for (_i, d, _s), v in self.compiled.x.items() if d == day]
        if what is None:
            for v in cells:
                self.compiled.model.add(v == 0)
        elif what == WORKS:
            self.compiled.model.add(sum(cells) == 1)
        else:
            self.compiled.model.add(self.compiled.x[0, day, what] == 1)

    def price(self, prices: dict[Cell, float], limit: float) -> tuple[list[tuple[frozenset[Cell], int]], bool]:
        """The periods CP-SAT found on its way to the one of least cost minus the prices of its cells, that
        one last, each with its own cost, and whether the last is proven the least (no period: none found)."""
        model = self.compiled.model
        model.clear_objective()
        gains = [
            round(prices[d, s] * PRICE_SCALE) * v
            for (_i, d, s), v in self.compiled.x.items()
            if abs(prices.get((d, s), 0.0)) * PRICE_SCALE >= 0.5
        ]
        model.minimize(PRICE_SCALE * self.own - sum(gains))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        presolve = self._presolve()
        # Presolve (one pass) pays on some models and costs far more than it saves on others
        # (docs/rosters-solver.md, "Pricing speed"): each person's pricing takes what was faster lately.
        solver.parameters.cp_model_presolve = presolve
        solver.parameters.max_presolve_iterations = 1
        solver.parameters.max_time_in_seconds = max(limit, 0.01)
        periods = _Periods(self.compiled.x, self.own)
        started = time.monotonic()
        status = solver.solve(model, periods)
        if prices:  # without prices (a person's first period) a solve is far easier than later ones
            self.seconds[presolve] = time.monotonic() - started
            self.calls += 1
        return periods.found, status == cp_model.OPTIMAL

    def _presolve(self) -> bool:
        without, with_ = self.seconds[False], self.seconds[True]
        if without is None or with_ is None:
            return without is not None  # first without, then with
        faster = with_ < without
        # Every PRESOLVE_RETRY-th solve takes the other way again: prices change, and so does the faster one.
        return faster if self.calls % PRESOLVE_RETRY else not faster


class _Periods(cp_model.CpSolverSolutionCallback):
    """Every period a pricing solve finds: the earlier ones often lower the LP too (fewer rounds)."""

    def __init__(self, x: dict[tuple[int, int, int], cp_model.IntVar], own: cp_model.LinearExprT) -> None:
        super().__init__()
        self.x = x
        self.own = own
        self.found: list[tuple[frozenset[Cell], int]] = []

    def on_solution_callback(self) -> None:
        cells = frozenset((d, s) for (_i, d, s), v in self.x.items() if self.boolean_value(v))
        self.found.append((cells, int(self.value(self.own))))


class LpFailedError(RuntimeError):
    """GLOP gave no solution of the master LP; the caller starts from its usual roster instead."""


class _Master:
    """The LP: one weight per known period, each person's weights summing to one, the cover soft."""

    def __init__(self, problem: RosterProblem) -> None:
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.objective = self.lp.Objective()
        self.objective.SetMinimization()
        self.convexity = [self.lp.Constraint(1, 1) for _ in problem.workers]
        index = {s.code: k for k, s in enumerate(problem.shifts)}
        # Rows per cover entry: people (missing and surplus priced), officers and leaders (missing).
        self.rows: dict[str, dict[Cell, pywraplp.Constraint]] = {"people": {}, "officers": {}, "leaders": {}}
        infinity = self.lp.infinity()
        for c in problem.cover:
            cell = (c.day, index[c.shift])
            under = c.under_weight if c.under_weight is not None else problem.weights.shortfall
            if c.min_people > 0 or c.over_weight > 0:
                row = self.lp.Constraint(c.min_people, c.min_people)
                self._slack(row, 1, under)
                self._slack(row, -1, c.over_weight)
                self.rows["people"][cell] = row
            for kind, need in (("officers", c.min_officers), ("leaders", c.min_leaders)):
                if need > 0:
                    row = self.lp.Constraint(need, infinity)
                    self._slack(row, 1, problem.weights.shortfall)
                    self.rows[kind][cell] = row
        self.kinds = [
            ("people",) + (("officers",) if w.officer else ()) + (("leaders",) if w.duty_leader else ())
            for w in problem.workers
        ]
        self.columns: list[dict[frozenset[Cell], tuple[pywraplp.Variable, int]]] = [{} for _ in problem.workers]
        self.forbidden: list[pywraplp.Variable] = []
        self.fixed: list[pywraplp.Variable] = []

    def _slack(self, row: pywraplp.Constraint, sign: int, cost: int) -> None:
        var = self.lp.NumVar(0, self.lp.infinity(), "")
        row.SetCoefficient(var, sign)
        self.objective.SetCoefficient(var, cost)

    def add(self, i: int, cells: frozenset[Cell], cost: int) -> bool:
        if cells in self.columns[i]:
            return False
        var = self.lp.NumVar(0, self.lp.infinity(), "")
        self.convexity[i].SetCoefficient(var, 1)
        for kind in self.kinds[i]:
            rows = self.rows[kind]
            for cell in cells:
                if cell in rows:
                    rows[cell].SetCoefficient(var, 1)
        self.objective.SetCoefficient(var, cost)
        self.columns[i][cells] = (var, cost)
        return True

    def solve(self) -> float:
        if self.lp.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            # The slacks keep it feasible: only a numerical failure of GLOP gets here.
            raise LpFailedError("the master LP has no solution")
        return float(self.objective.Value())

    def prices(self, i: int) -> dict[Cell, float]:
        """What a cell is worth to person i: the duals of the rows they count in."""
        out: dict[Cell, float] = {}
        for kind in self.kinds[i]:
            for cell, row in self.rows[kind].items():
                out[cell] = out.get(cell, 0.0) + row.dual_value()
        return out

    def weighted(self, i: int) -> list[tuple[float, frozenset[Cell]]]:
        return [(var.solution_value(), cells) for cells, (var, _c) in self.columns[i].items()]

    def forbid(self, i: int, fixed: dict[int, int | None]) -> None:
        """Person i's periods that break a dive's decision get weight 0."""
        for cells, (var, _c) in self.columns[i].items():
            shift_of = dict(cells)
            for day, what in fixed.items():
                if not _agrees(shift_of, day, what):
                    var.SetUb(0)
                    self.forbidden.append(var)
                    break

    def fix(self, i: int, cells: frozenset[Cell]) -> None:
        """Person i takes that period (its weight is 1)."""
        var = self.columns[i][cells][0]
        var.SetLb(1)
        self.fixed.append(var)

    def release(self) -> None:
        """Undoes ``forbid`` and ``fix``."""
        for var in self.forbidden:
            var.SetUb(self.lp.infinity())
        for var in self.fixed:
            var.SetLb(0)
        self.forbidden.clear()
        self.fixed.clear()

    def size(self) -> int:
        return sum(len(c) for c in self.columns)

    def favourite(self, i: int) -> tuple[float, frozenset[Cell]]:
        """Person i's period of largest weight in the LP's solution, with its weight."""
        return max(self.weighted(i), key=lambda t: t[0])


def lp_start(problem: RosterProblem, *, budget: float, threads: int) -> LpStart | None:
    """A roster built by column generation and a dive (module docstring), within ``budget`` seconds.

    None when a person has no period at all (their own rules contradict each other) or none was found in time."""
    started = time.monotonic()
    deadline = started + budget
    try:
        # One pricing model per thread and core: CP-SAT releases the interpreter while it solves.
        with ThreadPoolExecutor(max(1, min(threads, os.cpu_count() or 1))) as pool:
            gen = _Generation(problem, pool)
            if not gen.first_periods(deadline):
                return None
            converged = gen.generate(started + GENERATION_SHARE * budget, None)
            lp_value = gen.master.solve()
            generated = time.monotonic()
            gen.diving = True
            chosen: dict[int, frozenset[Cell]] | None = None
            try:
                chosen = gen.cell_dive(deadline)
                if deadline - time.monotonic() >= generated - started:
                    # Time for the other dive too (about as long as generation took): the better roster of the two.
                    other = gen.column_dive(deadline)
                    if _value(problem, other) < _value(problem, chosen):
                        chosen = other
                # Then more cell dives while they pay (``redive``): the best roster of all is the start.
                chosen = gen.redive(chosen, deadline, lp_value)
            except LpFailedError:
                # GLOP failed in a later dive: the roster of an earlier one still serves.
                if chosen is None:
                    raise
    except LpFailedError:
        return None
    proven = None if gen.bound is None else math.ceil(gen.bound - 1e-6)
    return LpStart(_roster(problem, chosen), lp_value, converged, proven, gen.rounds, gen.master.size())


def _roster(problem: RosterProblem, chosen: dict[int, frozenset[Cell]]) -> dict[tuple[int, int], str]:
    codes = [s.code for s in problem.shifts]
    return {(problem.workers[i].id, d): codes[s] for i, cells in chosen.items() for d, s in cells}


def _value(problem: RosterProblem, chosen: dict[int, frozenset[Cell]]) -> int:
    return sum(evaluate(problem, _roster(problem, chosen)).values())


class _Generation:
    """The master LP, each person's pricing model, and the rounds of generation between them."""

    def __init__(self, problem: RosterProblem, pool: ThreadPoolExecutor) -> None:
        self.problem = problem
        self.pool = pool
        self.people = problem.workers
        self.pricers = [_Pricer(problem, w) for w in self.people]
        self.master = _Master(problem)
        self.open = set(range(len(self.people)))  # the people priced in a round
        self.rounds = 0
        self.bound: float | None = None  # the best Lagrangian bound so far
        self.diving = False  # a dive's decisions restrict the LP: no bound from then on
        self.round_seconds = 0.0  # the last round's
        # A period's price at the rounded prices is off by at most this from its true price (one cell a day).
        self.rounding = problem.days * 0.5 / PRICE_SCALE

    def first_periods(self, deadline: float) -> bool:
        """Every person's own best period: the LP then has a column per person. False if someone has none."""
        found = self.pool.map(lambda p: p.price({}, max(0.05, deadline - time.monotonic())), self.pricers)
        for i, (periods, _proven) in enumerate(found):
            if not periods:
                return False
            self.master.add(i, *periods[-1])
        return True

    def generate(self, until: float, max_rounds: int | None) -> bool:
        """Rounds of pricing for the open people; True when no period lowers the LP any more."""
        master, done = self.master, 0
        while time.monotonic() < until and (max_rounds is None or done < max_rounds):
            round_started = time.monotonic()
            value = master.solve()
            duals = [row.dual_value() for row in master.convexity]
            todo = sorted(self.open)
            by_kinds: dict[tuple[str, ...], dict[Cell, float]] = {}
            for i in todo:
                if master.kinds[i] not in by_kinds:
                    by_kinds[master.kinds[i]] = master.prices(i)
            prices = [by_kinds[master.kinds[i]] for i in todo]
            limit = max(0.05, min(1.0, until - time.monotonic()))
            found = self.pool.map(lambda i, p: self.pricers[i].price(p, limit), todo, prices)  # noqa: B023 - consumed here
            added = 0
            # Lagrangian bound: the LP plus every person's least reduced cost, when all are proven
            # (the true least is at most 2 x rounding below the one found at the rounded prices).
            whole = len(todo) == len(self.people) and not self.diving
            lagrangian: float | None = value if whole else None
            for i, cell_prices, (periods, proven) in zip(todo, prices, found, strict=True):
                if not periods:
                    lagrangian = None
                    continue
                for n, (cells, cost) in enumerate(periods):
                    reduced = cost - duals[i] - sum(cell_prices.get(cell, 0.0) for cell in cells)
                    if n == len(periods) - 1 and lagrangian is not None:
                        lagrangian = lagrangian + min(0.0, reduced - 2 * self.rounding) if proven else None
                    if reduced < -1e-6 * max(1.0, abs(cost)) and master.add(i, cells, cost):
                        added += 1
            if lagrangian is not None:
                self.bound = lagrangian if self.bound is None else max(self.bound, lagrangian)
            self.rounds += 1
            done += 1
            self.round_seconds = time.monotonic() - round_started
            if not added:
                return True
        return False

    def cell_dive(self, deadline: float, slack: float = DIVE_SLACK) -> dict[int, frozenset[Cell]]:
        """Each step, every person takes the decisions about days (off, working, on a shift) that their
        weighted periods agree on most (``_decisions`` with ``slack``); generation follows, until the LP is
        integral. Out of time, each person takes the period the LP weighs most that keeps their decisions."""
        master, days = self.master, self.problem.days
        fixed: list[dict[int, int | None]] = [{} for _ in self.people]
        while True:
            master.solve()
            weighted = [master.weighted(i) for i in range(len(self.people))]
            if time.monotonic() >= deadline or all(max(w for w, _c in ws) > 1 - 1e-6 for ws in weighted):
                break
            for i in sorted(self.open):
                for day, what in _decisions(weighted[i], fixed[i], days, slack).items():
                    self.pricers[i].fix(day, what)
                    fixed[i][day] = what
                master.forbid(i, fixed[i])
                if len(fixed[i]) == days and WORKS not in fixed[i].values():
                    self.open.discard(i)
            self.generate(deadline, DIVE_ROUNDS)
        return {i: master.favourite(i)[1] for i in range(len(self.people))}

    def _restart(self) -> None:
        """Back to the generated LP: every dive's decisions undone, fresh pricing models, everyone open."""
        self.master.release()
        self.pricers = [_Pricer(self.problem, w) for w in self.people]
        self.open = set(range(len(self.people)))

    def redive(self, best: dict[int, frozenset[Cell]], deadline: float, lp_value: float) -> dict[int, frozenset[Cell]]:
        """More cell dives from the generated LP (REDIVE_SLACKS in turn) while the best roster is more than
        GOOD_ENOUGH above the LP, one of the last len(REDIVE_SLACKS) dives improved it, and the last dive's
        time is left; the best roster of all."""
        value = _value(self.problem, best)
        took = 0.0
        since = 0  # dives since the last improvement
        for n in itertools.count():
            if (
                value <= (1 + GOOD_ENOUGH) * lp_value + 1e-6
                or since >= len(REDIVE_SLACKS)
                or deadline - time.monotonic() <= took
            ):
                break
            dive_started = time.monotonic()
            self._restart()
            try:
                roster = self.cell_dive(deadline, REDIVE_SLACKS[n % len(REDIVE_SLACKS)])
            except LpFailedError:
                break  # GLOP failed: the best roster so far
            took = time.monotonic() - dive_started
            since += 1
            if (found := _value(self.problem, roster)) < value:
                best, value, since = roster, found, 0
        return best

    def column_dive(self, deadline: float) -> dict[int, frozenset[Cell]]:
        """From the generated LP again (the cell dive's decisions undone): each step fixes the periods the LP
        weighs most, every one above 0.99 and at least DIVE_FIX_SHARE of the people still open (more when the
        pace of the last step would not finish in time), then generation follows for the others."""
        master = self.master
        self._restart()
        chosen: dict[int, frozenset[Cell]] = {}
        # Until a step has been timed, its rounds are taken at the last round's pace.
        step_seconds = DIVE_ROUNDS * self.round_seconds
        while self.open:
            step_started = time.monotonic()
            if chosen:
                self.generate(deadline, DIVE_ROUNDS)
            master.solve()
            # Out of time, everyone left takes the period the LP weighs most (still a roster).
            left = deadline - time.monotonic()
            step = len(self.people)
            if left > 0:
                step = max(math.ceil(DIVE_FIX_SHARE * len(self.open)), math.ceil(len(self.open) * step_seconds / left))
            ranked = sorted(((master.favourite(i), i) for i in self.open), key=lambda t: -t[0][0])
            for n, ((weight, cells), i) in enumerate(ranked):
                if n >= step and weight <= 0.99:
                    break
                master.fix(i, cells)
                chosen[i] = cells
                self.open.discard(i)
            step_seconds = time.monotonic() - step_started
        return chosen


def _decisions(
    weighted: list[tuple[float, frozenset[Cell]]], fixed: dict[int, int | None], days: int, slack: float = DIVE_SLACK
) -> dict[int, int | None]:
    """A dive step's decisions for one person: the days (off, working, or on a shift) the LP's periods agree
    on most, as long as the weighted periods that agree with all of them keep at least 1 - ``slack`` of the
    weight, and at least one decision (which keeps at least half the weight, or all of it among the periods
    working a day decided "works"). So some weighted period always agrees: the LP keeps a period for the
    person."""
    on_shift: dict[Cell, float] = {}
    working: dict[int, float] = {}
    for weight, cells in weighted:
        for cell in cells:
            on_shift[cell] = on_shift.get(cell, 0.0) + weight
            working[cell[0]] = working.get(cell[0], 0.0) + weight
    best: dict[int, tuple[float, int]] = {}
    for (day, shift), weight in on_shift.items():
        if weight > best.get(day, (-1.0, 0))[0]:
            best[day] = (weight, shift)
    # (disagreeing weight, day, decision); on a tie the shift itself before "works".
    candidates: list[tuple[float, int, int, int | None]] = []
    for day in range(days):
        if day in fixed and fixed[day] != WORKS:
            continue
        if day in best:
            candidates.append((1.0 - best[day][0], 0, day, best[day][1]))
        if day not in fixed:
            candidates.append((working.get(day, 0.0), 0, day, None))
            if day in working:
                candidates.append((1.0 - working[day], 1, day, WORKS))
    candidates.sort(key=lambda c: (c[0], c[1]))
    # The weighted periods that agree with every decision so far; a decision is taken while they keep at
    # least 1 - slack of the weight (at least one decision a step, so that the dive ends).
    agreeing = [(weight, dict(cells)) for weight, cells in weighted if weight > 1e-9]
    out: dict[int, int | None] = {}
    for _slack, _tie, day, what in candidates:
        if day in out:
            continue
        kept = [(w, shift_of) for w, shift_of in agreeing if _agrees(shift_of, day, what)]
        if sum(w for w, _s in kept) >= 1.0 - slack - 1e-9 or not out:
            out[day] = what
            agreeing = kept
    return out


def _agrees(shift_of: dict[int, int], day: int, what: int | None) -> bool:
    return day in shift_of if what == WORKS else shift_of.get(day) == what
