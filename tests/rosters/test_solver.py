"""The roster solver: hard rules hold in generated rosters, check() refuses each broken rule on a hand-made
edit, shortfalls are exact, results are deterministic and stable against a former roster."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rosters.solver import (
    Cover,
    Request,
    RosterProblem,
    Shift,
    Shortfall,
    Weights,
    Worker,
    check,
    evaluate,
    shortfalls,
    solve,
)

DAY = Shift("D", 8 * 60, 12 * 60)
NIGHT = Shift("N", 20 * 60, 12 * 60, night=True)
DUTY24 = Shift("24", 8 * 60, 24 * 60)


def kinds(days: int, first_weekday: int = 0) -> tuple[str, ...]:
    return tuple("weekend" if (first_weekday + d) % 7 >= 5 else "work" for d in range(days))


def problem(
    workers: list[Worker],
    days: int = 7,
    shifts: tuple[Shift, ...] = (DAY, NIGHT),
    cover: list[Cover] | None = None,
    **extra: object,
) -> RosterProblem:
    return RosterProblem(
        days=days,
        shifts=shifts,
        workers=tuple(workers),
        cover=tuple(cover or []),
        day_kinds=kinds(days),
        **extra,  # type: ignore[arg-type]
    )


def rules(violations: list) -> set[str]:
    return {v.rule for v in violations}


# --- check() refuses each kind of broken rule on a hand-made roster --------------------------------


def test_a_roster_that_keeps_every_rule_has_no_violation() -> None:
    p = problem([Worker(1, True, min_rest_minutes=11 * 60), Worker(2, False)])
    assert check(p, {(1, 0): "D", (2, 0): "D", (1, 1): "D", (1, 3): "N"}) == []


def test_check_refuses_work_on_leave_and_shifts_not_allowed() -> None:
    p = problem([Worker(1, True, unavailable_days=frozenset({2}), allowed_shifts=frozenset({"D"}))])
    found = check(p, {(1, 2): "D", (1, 4): "N"})
    assert {(v.rule, v.day) for v in found} == {("unavailable", 2), ("shift_not_allowed", 4)}


def test_check_refuses_short_rest_and_overlaps_also_from_the_history() -> None:
    p = problem([Worker(1, True, min_rest_minutes=12 * 60, history=("N",))])
    # N of day -1 ends 08:00 on day 0: a D at 08:00 leaves no rest. D(0) ends 20:00; N(1) starts 20:00
    # the next day: 24 h, fine. N(1) ends 08:00 of day 2, N(2) at 20:00: 12 h, fine.
    assert rules(check(p, {(1, 0): "D"})) == {"min_rest"}
    assert check(p, {(1, 1): "N", (1, 2): "N"}) == []
    p24 = problem([Worker(1, True)], shifts=(DUTY24,))
    assert check(p24, {(1, 0): "24", (1, 1): "24"}) == []  # back to back, no overlap, no rest required
    p_overlap = problem([Worker(1, True)], shifts=(DUTY24, Shift("E", 6 * 60, 8 * 60)))
    assert rules(check(p_overlap, {(1, 0): "24", (1, 1): "E"})) == {"min_rest"}


def test_check_refuses_forbidden_successions_also_from_the_history() -> None:
    p = problem([Worker(1, True, history=("N",))], forbidden_successions=(("N", "D"),))
    assert rules(check(p, {(1, 0): "D"})) == {"forbidden_succession"}
    assert rules(check(p, {(1, 2): "N", (1, 3): "D"})) == {"forbidden_succession"}
    assert check(p, {(1, 2): "D", (1, 3): "N"}) == []


def test_check_counts_consecutive_days_through_the_history() -> None:
    p = problem([Worker(1, True, max_consecutive_days=3, history=("D", "D"))])
    assert rules(check(p, {(1, 0): "D", (1, 1): "D"})) == {"max_consecutive_days"}
    assert check(p, {(1, 0): "D", (1, 2): "D", (1, 3): "D", (1, 4): "D"}) == []


def test_check_minimum_runs_bind_only_runs_known_on_both_sides() -> None:
    p = problem([Worker(1, True, min_consecutive_days=2, min_consecutive_days_off=2)])
    # A lone duty day in the middle, and a lone day off between duties.
    assert rules(check(p, {(1, 2): "D"})) == {"min_consecutive_days"}
    assert rules(check(p, {(1, 1): "D", (1, 2): "D", (1, 4): "D", (1, 5): "D"})) == {"min_consecutive_days_off"}
    # Runs touching the start or the end of the period may continue outside it.
    assert check(p, {(1, 0): "D", (1, 6): "D"}) == []
    with_history = problem([Worker(1, True, min_consecutive_days=2, history=(None,))])
    assert rules(check(with_history, {(1, 0): "D"})) == {"min_consecutive_days"}


def test_check_refuses_too_many_minutes_per_calendar_week_and_period() -> None:
    p = replace(
        problem(
            [Worker(1, True, max_minutes_week=36 * 60, max_minutes_period=60 * 60, min_minutes_period=24 * 60)],
            days=14,
        ),
        first_weekday=3,  # day 0 is a Thursday: days 0-3 are the first (partial) week
    )
    three = {(1, d): "D" for d in (0, 1, 2)}
    assert check(p, three) == []
    assert rules(check(p, {**three, (1, 3): "D"})) == {"max_minutes_week"}
    # Four shifts in different weeks are fine per week, six exceed the period.
    spread = {(1, d): "D" for d in (0, 2, 5, 7, 12, 13)}
    assert rules(check(p, spread)) == {"max_minutes_period"}
    assert rules(check(p, {(1, 0): "D"})) == {"min_minutes_period"}


def test_check_week_minutes_include_the_history_days_of_the_first_week() -> None:
    p = replace(problem([Worker(1, True, max_minutes_week=20 * 60, history=("D",))]), first_weekday=1)
    assert rules(check(p, {(1, 0): "D"})) == {"max_minutes_week"}  # history day -1 is the same week's Monday


def test_check_refuses_too_many_shifts_of_a_type_and_too_many_weekends() -> None:
    p = problem([Worker(1, True, max_shift_counts={"N": 1}, max_weekends=1)], days=14)
    assert rules(check(p, {(1, 0): "N", (1, 2): "N"})) == {"max_shift_count"}
    assert rules(check(p, {(1, 6): "D", (1, 12): "D"})) == {"max_weekends"}
    assert check(p, {(1, 5): "D", (1, 6): "D"}) == []  # one weekend


def test_check_refuses_an_auxiliary_without_an_officer() -> None:
    p = problem([Worker(1, True), Worker(2, False)])
    found = check(p, {(1, 0): "N", (2, 0): "D"})
    assert [(v.rule, v.worker, v.day) for v in found] == [("auxiliary_without_officer", 2, 0)]


def test_check_reports_unknown_shifts_workers_and_days() -> None:
    p = problem([Worker(1, True)])
    assert rules(check(p, {(1, 0): "X", (9, 0): "D", (1, 30): "D"})) == {
        "unknown_shift",
        "unknown_worker",
        "day_out_of_range",
    }


# --- shortfalls: exact when people are too few, none otherwise ---------------------------------------


def test_too_few_people_give_a_roster_with_exact_shortfalls_instead_of_failing() -> None:
    people = [Worker(1, True, duty_leader=True, max_consecutive_days=2), Worker(2, False)]
    cover = [Cover(d, "D", min_people=3, min_officers=1, min_leaders=1) for d in range(3)]
    solution = solve(problem(people, days=3, cover=cover), time_limit=5)
    assert solution.status == "optimal"
    # The officer (and leader) can work two of the three days; the auxiliary only with them.
    assert sorted(solution.shortfalls, key=lambda s: (s.day, s.kind)) == sorted(
        [Shortfall(d, "D", "people", 1) for d in range(3) if (1, d) in solution.assignments]
        + [
            s
            for d in range(3)
            if (1, d) not in solution.assignments
            for s in (Shortfall(d, "D", "people", 3), Shortfall(d, "D", "officers", 1), Shortfall(d, "D", "leaders", 1))
        ],
        key=lambda s: (s.day, s.kind),
    )
    assert sum(1 for d in range(3) if (1, d) in solution.assignments) == 2
    assert check(problem(people, days=3, cover=cover), solution.assignments) == []


def test_enough_people_leave_no_shortfall() -> None:
    people = [Worker(i, True, duty_leader=i < 2, max_consecutive_days=4, min_rest_minutes=11 * 60) for i in range(6)]
    cover = [Cover(d, s, min_people=1, min_leaders=1 if s == "D" else 0) for d in range(7) for s in ("D", "N")]
    solution = solve(problem(people, cover=cover), time_limit=5)
    assert solution.shortfalls == []
    assert solution.penalties["shortfall"] == 0


def test_a_lone_duty_leader_leaves_exactly_the_days_they_cannot_lead_short() -> None:
    people = [Worker(i, True, duty_leader=i == 0, max_consecutive_days=4) for i in range(6)]
    cover = [Cover(d, "D", min_people=1, min_leaders=1) for d in range(7)]
    solution = solve(problem(people, cover=cover), time_limit=5)
    led = {d for d in range(7) if solution.assignments.get((0, d)) == "D"}
    assert len(led) == 6  # at most 4 in a row: 4 on, 1 off, 2 on
    assert solution.shortfalls == [Shortfall(d, "D", "leaders", 1) for d in range(7) if d not in led]
    assert solution.penalties["shortfall"] == Weights().shortfall


# --- generated rosters keep every hard rule (random small problems) ----------------------------------


@st.composite
def random_problems(draw: st.DrawFn) -> RosterProblem:
    days = draw(st.integers(3, 9))
    codes = ["A", "B", "C"][: draw(st.integers(1, 3))]
    shifts = tuple(
        Shift(
            code,
            start_minute=draw(st.integers(0, 23)) * 60,
            length_minutes=draw(st.sampled_from([4, 8, 12, 24])) * 60,
            night=draw(st.booleans()),
        )
        for code in codes
    )
    workers = []
    for wid in range(draw(st.integers(2, 6))):
        optional = st.none() | st.integers(1, 4)
        workers.append(
            Worker(
                id=wid,
                officer=draw(st.booleans()),
                duty_leader=draw(st.booleans()),
                max_minutes_week=draw(st.none() | st.integers(8, 60).map(lambda h: h * 60)),
                max_minutes_period=draw(st.none() | st.integers(8, 80).map(lambda h: h * 60)),
                max_consecutive_days=draw(optional),
                min_rest_minutes=draw(st.sampled_from([0, 8 * 60, 11 * 60, 16 * 60])),
                unavailable_days=frozenset(draw(st.lists(st.integers(0, days - 1), max_size=2))),
                allowed_shifts=draw(st.none() | st.sets(st.sampled_from(codes), min_size=1).map(frozenset)),
                requests=tuple(
                    Request(day=draw(st.integers(0, days - 1)), shift=draw(st.none() | st.sampled_from(codes)), on=on)
                    for on in draw(st.lists(st.booleans(), max_size=2))
                ),
                history=tuple(draw(st.lists(st.none() | st.sampled_from(codes), max_size=3))),
                min_consecutive_days=draw(optional),
                min_consecutive_days_off=draw(optional),
                max_weekends=draw(st.none() | st.integers(0, 1)),
                max_shift_counts={c: draw(st.integers(0, 3)) for c in draw(st.sets(st.sampled_from(codes)))},
            )
        )
    cover = [
        Cover(
            d,
            c,
            min_people=draw(st.integers(0, 4)),
            min_officers=draw(st.integers(0, 2)),
            min_leaders=draw(st.integers(0, 1)),
        )
        for d in range(days)
        for c in codes
        if draw(st.booleans())
    ]
    successions = tuple((a, b) for a in codes for b in codes if draw(st.booleans()) and draw(st.booleans()))
    return RosterProblem(
        days=days,
        shifts=shifts,
        workers=tuple(workers),
        cover=tuple(cover),
        day_kinds=tuple(draw(st.sampled_from(["work", "weekend", "holiday"])) for _ in range(days)),
        forbidden_successions=successions,
        first_weekday=draw(st.integers(0, 6)),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems())
def test_generated_rosters_keep_every_hard_rule(p: RosterProblem) -> None:
    solution = solve(p, time_limit=2)
    if solution.status == "infeasible":
        # Nobody has to work (no minimum minutes drawn), so only a history can force an impossible day
        # (e.g. a run too short to end on a leave day): without the histories a roster exists.
        assert any(w.history for w in p.workers)
        p = replace(p, workers=tuple(replace(w, history=()) for w in p.workers))
        solution = solve(p, time_limit=2)
    assert solution.status in ("optimal", "feasible")
    assert check(p, solution.assignments) == []
    assert solution.shortfalls == shortfalls(p, solution.assignments)
    assert solution.penalties == evaluate(p, solution.assignments)
    assert solution.objective == sum(solution.penalties.values())


# --- locked cells ------------------------------------------------------------------------------------


def test_locked_cells_are_kept() -> None:
    people = [Worker(i, True) for i in range(3)]
    cover = [Cover(d, "D", min_people=1) for d in range(7)]
    p = problem(people, cover=cover, fixed={(2, 3): "N", (0, 0): None, (1, 0): None})
    solution = solve(p, time_limit=5)
    assert solution.assignments[(2, 3)] == "N"
    assert solution.assignments[(2, 0)] == "D"


def test_locked_cells_that_break_a_rule_make_the_problem_infeasible_with_reasons() -> None:
    people = [Worker(1, True, unavailable_days=frozenset({2}))]
    solution = solve(problem(people, fixed={(1, 2): "D"}), time_limit=5)
    assert solution.status == "infeasible"
    assert solution.assignments == {}
    assert [(v.rule, v.day) for v in solution.violations] == [("unavailable", 2)]
    succession = problem([Worker(1, True)], fixed={(1, 0): "N", (1, 1): "D"}, forbidden_successions=(("N", "D"),))
    solution = solve(succession, time_limit=5)
    assert solution.status == "infeasible"
    assert rules(solution.violations) == {"forbidden_succession"}


# --- soft objectives ---------------------------------------------------------------------------------


def test_requests_are_honoured_when_the_cover_allows_it() -> None:
    people = [
        Worker(1, True, requests=(Request(day=0, shift=None, on=False, weight=3),)),
        Worker(2, True, requests=(Request(day=1, shift="N", on=True),)),
    ]
    cover = [Cover(d, "D", min_people=1) for d in range(2)]
    solution = solve(problem(people, days=2, cover=cover), time_limit=5)
    assert solution.status == "optimal"
    assert (1, 0) not in solution.assignments
    assert solution.assignments[(2, 1)] == "N"
    assert solution.penalties["requests"] == 0


def test_nights_are_spread_fairly() -> None:
    people = [Worker(i, True, min_rest_minutes=11 * 60) for i in range(4)]
    cover = [Cover(d, "N", min_people=1) for d in range(8)]
    solution = solve(problem(people, days=8, cover=cover), time_limit=5)
    nights = [sum(1 for d in range(8) if solution.assignments.get((i, d)) == "N") for i in range(4)]
    assert nights == [2, 2, 2, 2]
    assert solution.penalties["fairness_nights"] == 0


def test_a_rotation_in_the_history_is_continued() -> None:
    # Four groups of 24-hour duty: each person's history repeats every 4 days.
    people = [Worker(i, True, history=tuple("24" if (d - i) % 4 == 0 else None for d in range(8))) for i in range(4)]
    cover = [Cover(d, "24", min_people=1) for d in range(8)]
    p = problem(people, days=8, shifts=(DUTY24,), cover=cover, weights=Weights(fairness_weekends=0))
    solution = solve(p, time_limit=5)
    assert solution.penalties["continuity"] == 0
    # History day 7 (the last) was person 3's; day 0 is person 0's again.
    assert [next(i for i in range(4) if (i, d) in solution.assignments) for d in range(4)] == [0, 1, 2, 3]


# --- determinism and stability -----------------------------------------------------------------------


def station(people: int = 14, days: int = 14) -> RosterProblem:
    workers = [
        Worker(
            i,
            officer=i % 4 != 3,
            duty_leader=i % 5 == 0,
            max_minutes_week=48 * 60,
            max_consecutive_days=5,
            min_rest_minutes=11 * 60,
            requests=(Request(day=(i * 5) % days, shift=None, on=False, weight=2),),
        )
        for i in range(people)
    ]
    cover = [
        Cover(d, s, min_people=3 if s == "D" else 2, min_leaders=1 if s == "D" else 0)
        for d in range(days)
        for s in ("D", "N")
    ]
    return problem(workers, days=days, cover=cover, forbidden_successions=(("N", "D"),))


def test_the_same_problem_gives_the_same_roster() -> None:
    first = solve(station(), time_limit=3, workers=2)
    second = solve(station(), time_limit=3, workers=2)
    assert first.status in ("optimal", "feasible")
    assert first.assignments == second.assignments
    assert first.objective == second.objective


def test_regenerating_after_one_leave_change_moves_few_cells() -> None:
    base = station()
    before = solve(base, time_limit=5)
    worker, day = next(iter(sorted(before.assignments)))
    leave = replace(base.workers[worker], unavailable_days=frozenset({day}))
    changed = replace(
        base,
        workers=tuple(leave if w.id == worker else w for w in base.workers),
        previous=before.assignments,
    )
    after = solve(changed, time_limit=5)
    assert after.status in ("optimal", "feasible")
    assert check(changed, after.assignments) == []
    assert (worker, day) not in after.assignments
    moved = {
        k
        for k in set(before.assignments) | set(after.assignments)
        if before.assignments.get(k) != after.assignments.get(k)
    }
    assert 1 <= len(moved) <= 4
    assert after.penalties["stability"] == len(moved) * changed.weights.stability


def test_progress_is_reported_up_to_the_end() -> None:
    seen: list[tuple[float, str]] = []
    solve(station(people=6, days=7), time_limit=3, progress=lambda f, msg: seen.append((f, msg)))
    assert seen[0][0] == 0.0
    assert seen[-1][0] == 1.0
    assert all(0.0 <= f <= 1.0 for f, _ in seen)


def test_malformed_problems_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="day_kinds has 3 entries for 7 days"):
        solve(replace(problem([Worker(1, True)]), day_kinds=("work",) * 3))
    with pytest.raises(ValueError, match="unknown shift 'X'"):
        solve(problem([Worker(1, True)], cover=[Cover(0, "X", 1)]))
    with pytest.raises(ValueError, match="worker ids must be unique"):
        solve(problem([Worker(1, True), Worker(1, False)]))


def test_a_fair_share_larger_than_the_period_is_only_a_penalty() -> None:
    # One person can take nights, and more nights are demanded than there are days: still a roster.
    people = [Worker(1, True), Worker(2, True, allowed_shifts=frozenset({"D"}))]
    cover = [Cover(d, s, min_people=3) for d in range(3) for s in ("N",)]
    solution = solve(problem(people, days=3, cover=cover), time_limit=3)
    assert solution.status == "optimal"
    assert [solution.assignments.get((1, d)) for d in range(3)] == ["N", "N", "N"]
    assert solution.penalties["fairness_nights"] == (9 - 3) * Weights().fairness_nights


def test_minimum_hours_are_met_even_when_the_demand_is_lower() -> None:
    # The greedy start covers the demand only, which leaves everyone short of their minimum: the search
    # must find a roster from elsewhere, and then everyone works at least 3 day shifts, 2 in a row at least.
    people = [
        Worker(i, True, min_minutes_period=3 * 12 * 60, min_consecutive_days=2, max_consecutive_days=3)
        for i in range(3)
    ]
    cover = [Cover(d, "D", min_people=1, over_weight=1) for d in range(7)]
    p = problem(people, cover=cover, weights=Weights(fairness_weekends=0))
    solution = solve(p, time_limit=5)
    assert solution.status in ("optimal", "feasible")
    assert check(p, solution.assignments) == []
    assert all(sum(1 for (w, _d) in solution.assignments if w == i) >= 3 for i in range(3))
    day_shifts = [
        sum(1 for (_w, d), code in solution.assignments.items() if d == day and code == "D") for day in range(7)
    ]
    assert solution.penalties["overcover"] == sum(max(0, n - 1) for n in day_shifts)


def test_records_are_hashable_even_with_mappings_inside() -> None:
    worker = Worker(1, True, max_shift_counts={"N": 2})
    p = problem([worker], fixed={(1, 0): "D"}, previous={(1, 0): "D"})
    assert {worker, replace(worker)} == {worker}
    assert hash(p) == hash(replace(p))


# --- the person-by-person start ----------------------------------------------------------------------


def _minimum_hours_and_runs() -> RosterProblem:
    """Two people owing 36 hours each in runs of 2 to 3 days, one needed every day of a week."""
    people = [
        Worker(i, True, min_minutes_period=3 * 12 * 60, min_consecutive_days=2, max_consecutive_days=3)
        for i in range(2)
    ]
    cover = [Cover(d, "D", min_people=1, over_weight=1) for d in range(7)]
    return problem(people, cover=cover, weights=Weights(fairness_weekends=0))


def test_the_person_by_person_start_keeps_the_rules_the_greedy_start_breaks() -> None:
    from rosters.solver_cpsat import person_by_person
    from rosters.solver_greedy import greedy_roster

    # Minimum hours and minimum runs cannot be grown one placement at a time: the greedy start breaks
    # them, the person-by-person start keeps them, and each person fills what the others left.
    p = _minimum_hours_and_runs()
    assert rules(check(p, greedy_roster(p))) & {"min_minutes_period", "min_consecutive_days"}
    roster, _spent = person_by_person(p)
    assert roster is not None
    assert check(p, roster) == []
    assert shortfalls(p, roster) == []
    assert evaluate(p, roster)["overcover"] == 0  # 7 days, 3 to 4 days each: nobody doubles another


def test_the_person_by_person_start_puts_auxiliaries_only_beside_an_officer() -> None:
    from rosters.solver_cpsat import person_by_person

    people = [Worker(1, False), Worker(2, True, unavailable_days=frozenset({0, 1}))]
    cover = [Cover(d, "D", min_people=2, min_officers=0) for d in range(4)]
    roster, _spent = person_by_person(problem(people, days=4, cover=cover))
    assert roster is not None
    assert sorted(roster) == [(1, 2), (1, 3), (2, 2), (2, 3)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_problems())
def test_the_person_by_person_start_is_a_roster_or_nothing(p: RosterProblem) -> None:
    from rosters.solver_cpsat import person_by_person

    roster, _spent = person_by_person(p)
    if roster is not None:
        assert check(p, roster) == []


def test_the_parallel_search_starts_from_every_variable_of_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from rosters import solver_colgen, solver_cpsat

    # CP-SAT takes a hint of the cells alone only if it can complete it cheaply; the whole-problem search
    # gets the start with every variable of the model set, so its first roster is the start itself.

    p = _minimum_hours_and_runs()
    starts = []
    build_start = solver_colgen.lp_start

    def keep_start(*args, **kwargs):  # type: ignore[no-untyped-def]
        built = build_start(*args, **kwargs)
        starts.append(built.roster)
        return built

    monkeypatch.setattr(solver_colgen, "lp_start", keep_start)
    calls = []
    original = solver_cpsat._Search._call

    def spy(self, limit, hint, **kwargs):  # type: ignore[no-untyped-def]
        status, solver = original(self, limit, hint, **kwargs)
        calls.append((hint, kwargs, len(self.model.proto.variables), dict(self.x)))
        return status, solver

    monkeypatch.setattr(solver_cpsat._Search, "_call", spy)
    result = solver_cpsat.build_and_solve(
        p, time_limit=2, workers=3, progress=None, deterministic=False, seed=0, log=False
    )
    assert result.assignments is not None
    (k,) = [k for k, call in enumerate(calls) if call[1] == {"fix_hint": True}]
    hint, kwargs, n_variables, x = calls[k + 1]
    assert kwargs == {"whole": True}
    assert isinstance(hint, list)
    assert len(hint) == n_variables
    cells = {(p.workers[i].id, d): p.shifts[s].code for (i, d, s), v in x.items() if hint[v.index]}
    (start,) = starts  # the parallel search starts from the LP's roster
    assert check(p, start) == []
    assert cells == start


def test_a_large_model_gives_one_thread_to_the_whole_problem_and_the_rest_to_local_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ortools.sat.python import cp_model

    from rosters import solver_cpsat

    seen: list[tuple[int, int, list[str]]] = []
    original = cp_model.CpSolver.solve

    def spy(self, model, *args, **kwargs):  # type: ignore[no-untyped-def]
        params = self.parameters
        seen.append((params.num_full_subsolvers, params.num_violation_ls, list(params.subsolvers)))
        return original(self, model, *args, **kwargs)

    monkeypatch.setattr(cp_model.CpSolver, "solve", spy)
    p = _minimum_hours_and_runs()
    cells = sum(len(p.shifts) * p.days for _ in p.workers)
    for threshold, expected in ((cells + 1, (0, 0, ["default_lp", "max_lp"])), (10, (1, 3, ["default_lp"]))):
        monkeypatch.setattr(solver_cpsat, "LARGE_MODEL_CELLS", threshold)
        seen.clear()
        solution = solve(p, time_limit=2, workers=4, deterministic=False)
        assert solution.assignments is not None
        assert check(p, solution.assignments) == []
        assert expected in seen  # the whole-problem search
