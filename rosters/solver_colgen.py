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
2. **Dive.** The periods the LP uses most are fixed (every one at weight > 0.99, and at least 5 % of
   the people still open, more when the pace would not finish in time), a few more rounds of
   generation follow for the others, and again, until everybody has a period. That is a roster:
   every person's rules hold by construction.

Fairness (about everyone's shares at once) is left to the search that follows, and so is the
auxiliary rule: the caller drops an auxiliary's cells on a shift without an officer.
"""

from __future__ import annotations

import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from rosters.solver import RosterProblem, Worker
from rosters.solver_cpsat import alone, build_model

# Duals become integer objective coefficients of the pricing model at this scale (CP-SAT's objective
# is integral); a period's reduced cost is then computed exactly from its true cost.
PRICE_SCALE = 10_000
# Share of the budget for column generation before the dive starts, and the dive's rounds of
# generation after each fixing step.
GENERATION_SHARE = 0.6
DIVE_ROUNDS = 3
DIVE_FIX_SHARE = 0.05

Cell = tuple[int, int]  # (day, shift index)


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
        # Faster on models this small (a throwaway timing: Instance8 13.4 ms a solve against 18.0 with
        # presolve, Instance12 11.4 against 12.6).
        solver.parameters.cp_model_presolve = False
        solver.parameters.max_time_in_seconds = max(limit, 0.01)
        periods = _Periods(self.compiled.x, self.own)
        status = solver.solve(model, periods)
        return periods.found, status == cp_model.OPTIMAL


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

    def favourite(self, i: int) -> tuple[float, frozenset[Cell]]:
        """Person i's period of largest weight in the LP's solution, with its weight."""
        return max(((var.solution_value(), cells) for cells, (var, _c) in self.columns[i].items()), key=lambda t: t[0])


def lp_start(problem: RosterProblem, *, budget: float, threads: int) -> LpStart | None:
    """A roster built by column generation and a dive (module docstring), within ``budget`` seconds.

    None when a person has no period at all (their own rules contradict each other) or none was found in time."""
    started = time.monotonic()
    deadline = started + budget
    generation_end = started + GENERATION_SHARE * budget
    people = problem.workers
    pricers = [_Pricer(problem, w) for w in people]
    master = _Master(problem)
    open_people = set(range(len(people)))
    rounds = 0
    converged = False
    bound: float | None = None
    # A period's price at the rounded prices is off by at most this from its true price (one cell a day).
    rounding = problem.days * 0.5 / PRICE_SCALE
    try:
        # One pricing model per thread and core: CP-SAT releases the interpreter while it solves.
        with ThreadPoolExecutor(max(1, min(threads, os.cpu_count() or 1))) as pool:

            def generate(until: float, max_rounds: int | None) -> bool:
                """Rounds of pricing for the open people; True when no period lowers the LP any more."""
                nonlocal rounds, bound
                done = 0
                while time.monotonic() < until and (max_rounds is None or done < max_rounds):
                    value = master.solve()
                    duals = [row.dual_value() for row in master.convexity]
                    todo = sorted(open_people)
                    by_kinds: dict[tuple[str, ...], dict[Cell, float]] = {}
                    for i in todo:
                        if master.kinds[i] not in by_kinds:
                            by_kinds[master.kinds[i]] = master.prices(i)
                    prices = [by_kinds[master.kinds[i]] for i in todo]
                    limit = max(0.05, min(1.0, until - time.monotonic()))
                    found = pool.map(lambda i, p: pricers[i].price(p, limit), todo, prices)  # noqa: B023 - consumed here
                    added = 0
                    # Lagrangian bound: the LP plus every person's least reduced cost, when all are proven
                    # (the true least is at most 2 x rounding below the one found at the rounded prices).
                    lagrangian: float | None = value if len(todo) == len(people) else None
                    for i, cell_prices, (periods, proven) in zip(todo, prices, found, strict=True):
                        if not periods:
                            lagrangian = None
                            continue
                        for n, (cells, cost) in enumerate(periods):
                            reduced = cost - duals[i] - sum(cell_prices.get(cell, 0.0) for cell in cells)
                            if n == len(periods) - 1 and lagrangian is not None:
                                lagrangian = lagrangian + min(0.0, reduced - 2 * rounding) if proven else None
                            if reduced < -1e-6 * max(1.0, abs(cost)) and master.add(i, cells, cost):
                                added += 1
                    if lagrangian is not None:
                        bound = lagrangian if bound is None else max(bound, lagrangian)
                    rounds += 1
                    done += 1
                    if not added:
                        return True
                return False

            # Every person's own best period first: the LP then has a column per person.
            for i, result in enumerate(
                pool.map(lambda p: p.price({}, max(0.05, deadline - time.monotonic())), pricers)
            ):
                periods, _proven = result
                if not periods:
                    return None
                master.add(i, *periods[-1])
            converged = generate(generation_end, None)
            lp_value = master.solve()
            chosen: dict[int, frozenset[Cell]] = {}
            step_seconds = 0.0
            while open_people:
                step_started = time.monotonic()
                if chosen:
                    generate(deadline, DIVE_ROUNDS)
                    master.solve()
                # At least a share of the people still open, and as many as the time left needs at the pace
                # of the last step; out of time, everyone left takes the period the LP uses most (still a roster).
                left = deadline - time.monotonic()
                step = len(people)
                if left > 0:
                    step = max(
                        math.ceil(DIVE_FIX_SHARE * len(open_people)), math.ceil(len(open_people) * step_seconds / left)
                    )
                ranked = sorted(((master.favourite(i), i) for i in open_people), key=lambda t: -t[0][0])
                for n, ((weight, cells), i) in enumerate(ranked):
                    if n >= step and weight <= 0.99:
                        break
                    master.columns[i][cells][0].SetLb(1)
                    chosen[i] = cells
                    open_people.discard(i)
                step_seconds = time.monotonic() - step_started
    except LpFailedError:
        return None
    codes = [s.code for s in problem.shifts]
    roster = {(people[i].id, d): codes[s] for i, cells in chosen.items() for d, s in cells}
    proven = None if bound is None else math.ceil(bound - 1e-6)
    return LpStart(roster, lp_value, converged, proven, rounds, sum(len(c) for c in master.columns))
