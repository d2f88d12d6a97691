"""The start built from the LP relaxation (rosters.solver_colgen): its rosters keep every person's rules,
its LP never claims more than the true optimum, and the parallel search repairs what it leaves to it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rosters.solver import Cover, RosterProblem, Weights, Worker, check, evaluate, shortfalls, solve
from rosters.solver_colgen import (
    DIVE_SLACK,
    GOOD_ENOUGH,
    PRESOLVE_RETRY,
    PRICE_SCALE,
    WORKS,
    _decisions,
    _Generation,
    _Pricer,
    _roster,
    _value,
    lp_start,
)
from tests.rosters.test_solver import DAY, problem, random_problems

NO_FAIRNESS = Weights(fairness_nights=0, fairness_weekends=0, fairness_holidays=0)


def _three_days_two_people() -> RosterProblem:
    """Three days of one person each; two people who may work one day each."""
    people = [Worker(i, True, max_shift_counts={"D": 1}) for i in (1, 2)]
    cover = [Cover(d, "D", min_people=1, min_officers=0, under_weight=10) for d in range(3)]
    return problem(people, days=3, shifts=(DAY,), cover=cover, weights=NO_FAIRNESS)


@contextmanager
def _generated(p: RosterProblem, seconds: float) -> Iterator[tuple[_Generation, bool]]:
    """Column generation on ``p`` for up to ``seconds`` (every person given a first period), ready to dive;
    with whether it converged."""
    with ThreadPoolExecutor(2) as pool:
        gen = _Generation(p, pool)
        assert gen.first_periods(time.monotonic() + 10)
        converged = gen.generate(time.monotonic() + seconds, None)
        gen.diving = True
        yield gen, converged


def test_the_lp_weighs_each_person_between_periods_and_the_dive_makes_a_roster() -> None:
    # The LP's optimum is one day short (weight 10): however the two spread their one shift, the dive's
    # roster covers two days.
    p = _three_days_two_people()
    start = lp_start(p, budget=10, threads=2)
    assert start is not None
    assert start.converged
    assert abs(start.lp_value - 10) < 1e-6
    assert start.bound == 10  # every period priced exactly: the LP is also a proven bound
    assert check(p, start.roster) == []
    assert len({d for (_w, d) in start.roster}) == 2
    assert sum(evaluate(p, start.roster).values()) == 10


def test_officer_and_leader_cover_count_only_officers_and_leaders() -> None:
    # One shift a day needs a leader; only person 2 leads, and may work at most two of the three days.
    people = [Worker(1, True), Worker(2, True, duty_leader=True, max_shift_counts={"D": 2})]
    cover = [Cover(d, "D", min_people=1, min_officers=1, min_leaders=1) for d in range(3)]
    p = problem(people, days=3, shifts=(DAY,), cover=cover, weights=NO_FAIRNESS)
    start = lp_start(p, budget=10, threads=2)
    assert start is not None and start.converged
    assert abs(start.lp_value - p.weights.shortfall) < 1e-6  # one day without a leader, no more
    assert len([d for (w, d) in start.roster if w == 2]) == 2
    assert [s.missing for s in shortfalls(p, start.roster) if s.kind == "leaders"] == [1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems())
def test_the_lp_start_keeps_every_persons_rules_and_never_exceeds_the_optimum(p: RosterProblem) -> None:
    p = replace(p, workers=tuple(replace(w, history=()) for w in p.workers), weights=NO_FAIRNESS)
    start = lp_start(p, budget=20, threads=2)
    assert start is not None  # without histories every person has a period (at worst an empty one)
    # Only the one rule between people is left to the caller.
    assert {v.rule for v in check(p, start.roster)} <= {"auxiliary_without_officer"}
    best = solve(p, time_limit=10)
    if start.converged and best.status == "optimal":
        # A relaxation: its optimum is at most the roster problem's, to the rounding of the prices (each
        # at most 1 / (2 * PRICE_SCALE) off, so a period priced at most that much per cell too high).
        rounding = len(p.workers) * p.days * len(p.shifts) / PRICE_SCALE
        assert start.lp_value <= best.objective + rounding + 1e-6
    if start.bound is not None and best.status == "optimal":
        assert start.bound <= best.objective  # the bound the parallel search is given must be a bound
    if best.status == "optimal" and not any(v.rule == "auxiliary_without_officer" for v in check(p, start.roster)):
        assert sum(evaluate(p, start.roster).values()) >= best.objective


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems())
def test_the_parallel_search_from_the_lp_start_keeps_every_hard_rule(p: RosterProblem) -> None:
    p = replace(p, workers=tuple(replace(w, history=()) for w in p.workers))
    solution = solve(p, time_limit=4, workers=2, deterministic=False)
    assert solution.status in ("optimal", "feasible")
    assert check(p, solution.assignments) == []
    assert solution.penalties == evaluate(p, solution.assignments)
    # The LP's bound, given to CP-SAT as a constraint, never cuts off the optimum.
    exact = solve(p, time_limit=10)
    if exact.status == "optimal" and solution.status == "optimal":
        assert solution.objective == exact.objective
    if exact.status == "optimal":
        assert solution.bound is not None and solution.bound <= exact.objective


def test_a_failed_master_lp_falls_back_to_the_usual_start(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rosters import solver_colgen

    def fail(self):  # type: ignore[no-untyped-def]
        raise solver_colgen.LpFailedError("numerical trouble")

    monkeypatch.setattr(solver_colgen._Master, "solve", fail)
    people = [Worker(i, True, max_shift_counts={"D": 3}) for i in range(3)]
    cover = [Cover(d, "D", min_people=1, min_officers=0, under_weight=10) for d in range(5)]
    p = problem(people, days=5, shifts=(DAY,), cover=cover, weights=NO_FAIRNESS)
    assert lp_start(p, budget=5, threads=2) is None
    solution = solve(p, time_limit=2, workers=2, deterministic=False)
    assert solution.status == "optimal"
    assert check(p, solution.assignments) == []
    assert shortfalls(p, solution.assignments) == []


def test_a_dive_step_decides_the_days_the_weighted_periods_agree_on() -> None:
    # Three periods over three days (cells are (day, shift)): everyone is off on day 2 and works day 0;
    # day 1 is worked in 0.9 of the weight. Each of those keeps at least 1 - DIVE_SLACK of the weight.
    weighted = [
        (0.6, frozenset({(0, 0), (1, 0)})),
        (0.3, frozenset({(0, 0), (1, 1)})),
        (0.1, frozenset({(0, 1)})),
    ]
    assert _decisions(weighted, {}, 3) == {2: None, 0: WORKS, 1: WORKS}
    # Once days 0 and 1 are worked, only the first two periods are left (weights 2/3 and 1/3): they agree
    # on day 0's shift, which is decided; day 1's shift would leave only 2/3 of the weight.
    left = [(w / 0.9, cells) for w, cells in weighted[:2]]
    assert _decisions(left, {0: WORKS, 1: WORKS, 2: None}, 3) == {0: 0}
    # Periods that agree on nothing beyond the slack still give one decision, so that the dive ends.
    split = [(0.5, frozenset({(0, 0)})), (0.5, frozenset({(0, 1)}))]
    assert len(_decisions(split, {0: WORKS}, 1)) == 1


@st.composite
def weighted_periods(draw: st.DrawFn) -> tuple[list[tuple[float, frozenset[tuple[int, int]]]], int]:
    days = draw(st.integers(1, 6))
    periods = draw(
        st.lists(
            st.dictionaries(st.integers(0, days - 1), st.integers(0, 2), max_size=days).map(
                lambda cells: frozenset(cells.items())
            ),
            min_size=1,
            max_size=5,
        )
    )
    raw = draw(st.lists(st.integers(1, 20), min_size=len(periods), max_size=len(periods)))
    return [(r / sum(raw), cells) for r, cells in zip(raw, periods, strict=True)], days


@settings(max_examples=200, deadline=None)
@given(weighted_periods())
def test_a_dive_steps_decisions_leave_the_person_a_weighted_period(
    case: tuple[list[tuple[float, frozenset[tuple[int, int]]]], int],
) -> None:
    weighted, days = case
    out = _decisions(weighted, {}, days)
    assert out  # every step decides something
    agreeing = 0.0
    for weight, cells in weighted:
        shift_of = dict(cells)
        if all(day in shift_of if what == WORKS else shift_of.get(day) == what for day, what in out.items()):
            agreeing += weight
    assert agreeing > 0  # the person keeps a period the LP already weighs
    assert agreeing >= 1 - DIVE_SLACK - 1e-9 or len(out) == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems())
def test_each_dive_alone_makes_a_roster_that_keeps_every_persons_rules(p: RosterProblem) -> None:
    p = replace(p, workers=tuple(replace(w, history=()) for w in p.workers), weights=NO_FAIRNESS)
    with _generated(p, 5) as (gen, _converged):
        for dive in (gen.cell_dive, gen.column_dive):
            chosen = dive(time.monotonic() + 10)
            assert sorted(chosen) == list(range(len(p.workers)))  # one period each
            assert {v.rule for v in check(p, _roster(p, chosen))} <= {"auxiliary_without_officer"}


def test_each_persons_pricing_tries_both_presolve_settings_then_keeps_the_faster() -> None:
    people = [Worker(1, True, max_shift_counts={"D": 2})]
    cover = [Cover(d, "D", min_people=1, min_officers=0, under_weight=10) for d in range(4)]
    pricer = _Pricer(problem(people, days=4, shifts=(DAY,), cover=cover, weights=NO_FAIRNESS), people[0])
    pricer.price({}, 5)  # a first period, without prices: not timed (far easier than what follows)
    assert pricer.seconds == {False: None, True: None}
    prices = {(d, 0): 20.0 for d in range(4)}
    periods, proven = pricer.price(prices, 5)
    assert proven and len(periods[-1][0]) == 2  # the two days the person may work, each worth 20
    assert pricer.seconds[False] is not None and pricer.seconds[True] is None  # first without presolve
    pricer.price(prices, 5)
    assert pricer.seconds[True] is not None  # then with
    pricer.seconds = {False: 0.5, True: 0.1}
    assert pricer._presolve() is True
    pricer.seconds = {False: 0.1, True: 0.5}
    assert pricer._presolve() is False
    pricer.calls = PRESOLVE_RETRY  # now and then the other way again, as prices change
    assert pricer._presolve() is True


def test_a_restart_undoes_every_dives_decisions() -> None:
    p = _three_days_two_people()
    with _generated(p, 10) as (gen, converged):
        assert converged
        generated = gen.master.solve()
        gen.column_dive(time.monotonic() + 10)  # fixes a period per person (lower bound 1)
        gen.master.forbid(0, {0: WORKS})  # as a cell dive does: person 0's periods off on day 0 get weight 0
        assert len(gen.master.fixed) == 2 and gen.master.forbidden
        gen._restart()
        for columns in gen.master.columns:
            for var, _cost in columns.values():
                assert var.lb() == 0 and var.ub() == gen.master.lp.infinity()
        assert abs(gen.master.solve() - generated) < 1e-6
        assert gen.open == {0, 1}


def test_more_dives_keep_the_best_roster_and_stop_once_it_is_close_to_the_lp() -> None:
    p = _three_days_two_people()
    idle = {0: frozenset(), 1: frozenset()}  # nobody works: all three days short, 30
    with _generated(p, 10) as (gen, converged):
        assert converged
        lp = gen.master.solve()
        # Within GOOD_ENOUGH of the LP (here: the LP taken as 30): kept as it is, no dive.
        assert gen.redive(idle, time.monotonic() + 10, 30 / (1 + GOOD_ENOUGH)) is idle
        # No time left: kept too.
        assert gen.redive(idle, time.monotonic() - 1, lp) is idle
        # Otherwise the dives replace it with a better roster: the optimum, one day short.
        better = gen.redive(idle, time.monotonic() + 10, lp)
    assert _value(p, idle) == 30
    assert _value(p, better) == 10
    assert check(p, _roster(p, better)) == []


def test_a_master_lp_failing_in_a_later_dive_keeps_the_earlier_dives_roster(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rosters import solver_colgen

    def fail(self, *args):  # type: ignore[no-untyped-def]
        raise solver_colgen.LpFailedError("numerical trouble")

    # GLOP giving up in the column dive, after the cell dive made a roster (and in the extra dives).
    monkeypatch.setattr(solver_colgen._Generation, "column_dive", fail)
    p = _three_days_two_people()
    start = lp_start(p, budget=10, threads=2)
    assert start is not None
    assert check(p, start.roster) == []
    assert sum(evaluate(p, start.roster).values()) == 10
    # The extra dives alone failing: the roster they were given is kept.
    monkeypatch.setattr(solver_colgen._Generation, "cell_dive", fail)
    idle = {0: frozenset(), 1: frozenset()}
    with ThreadPoolExecutor(2) as pool:
        gen = _Generation(p, pool)
        assert gen.first_periods(time.monotonic() + 10)
        assert gen.redive(idle, time.monotonic() + 10, 10.0) is idle
