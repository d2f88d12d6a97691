"""Roster solver speed on a synthetic station: 60 people x 31 days x 3 shift types (issue 5, point 6).

    .venv/bin/python bench/roster_speed.py [--time-limit 20] [--regen-limit 1]

1. Generate the month (deterministic mode, the app's default): seconds to the first roster (every roster
   the solver returns keeps every hard rule; ``check`` confirms it), then the best roster at the limit.
2. Regenerate after one leave change (a person on duty mid-month gets that day off), with the first
   roster as ``previous``: seconds and cells changed. Reference in the same run: the same change solved
   without ``previous`` (from scratch), which moves many more cells.
Goals: a roster with no hard violation < 20 s; regeneration < 5 s with at most a few cells changed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rosters.solver import (  # noqa: E402
    Cover,
    Request,
    RosterProblem,
    RosterSolution,
    Shift,
    Worker,
    check,
    solve,
)

DAYS = 31
FIRST_WEEKDAY = 2  # the month starts on a Wednesday
HOLIDAYS = {0, 1, 2}  # e.g. the first three days of the National Day holiday
SHIFTS = (
    Shift("M", 8 * 60, 8 * 60),  # 08:00-16:00
    Shift("A", 16 * 60, 8 * 60),  # 16:00-24:00
    Shift("N", 0, 8 * 60, night=True),  # 00:00-08:00
)


def station(seed: int = 7) -> RosterProblem:
    rng = random.Random(seed)
    workers = []
    for i in range(60):
        officer = i < 46  # 14 auxiliaries
        leave_start = rng.randrange(DAYS - 5)
        leave = frozenset(range(leave_start, leave_start + rng.choice([0, 0, 0, 2, 5])))
        wishes = tuple(
            Request(day=rng.randrange(DAYS), shift=rng.choice([None, "N"]), on=False, weight=rng.choice([1, 2, 3]))
            for _ in range(rng.randrange(3))
        )
        # The last week of the previous month, a simple rotation: 5 on, 2 off, same shift.
        offset = rng.randrange(7)
        code = SHIFTS[i % 3].code
        history = tuple(code if (d + offset) % 7 < 5 else None for d in range(7))
        workers.append(
            Worker(
                id=1000 + i,
                officer=officer,
                duty_leader=i < 9,
                max_minutes_week=48 * 60,
                max_minutes_period=184 * 60,
                max_consecutive_days=6,
                min_rest_minutes=11 * 60,
                unavailable_days=leave,
                allowed_shifts=None if officer else frozenset({"M", "A"}),
                requests=wishes,
                history=history,
            )
        )
    cover = []
    for d in range(DAYS):
        quiet = (FIRST_WEEKDAY + d) % 7 >= 5 or d in HOLIDAYS
        for code, people, officers in (("M", 11, 3), ("A", 10, 3), ("N", 6, 2)):
            cover.append(
                Cover(
                    day=d,
                    shift=code,
                    min_people=people - (2 if quiet else 0),
                    min_officers=officers,
                    min_leaders=1 if code != "N" else 0,
                )
            )
    kinds = tuple(
        "holiday" if d in HOLIDAYS else ("weekend" if (FIRST_WEEKDAY + d) % 7 >= 5 else "work") for d in range(DAYS)
    )
    return RosterProblem(
        days=DAYS,
        shifts=SHIFTS,
        workers=tuple(workers),
        cover=tuple(cover),
        day_kinds=kinds,
        forbidden_successions=(("N", "M"),),
        first_weekday=FIRST_WEEKDAY,
    )


def timed_solve(problem: RosterProblem, time_limit: float) -> tuple[RosterSolution, float | None, float]:
    """The solution, the seconds to its first roster, and the CPU seconds of the process (all threads):
    on a machine shared with other work, CPU seconds show what the wall clock would be without it."""
    started = time.monotonic()
    cpu = time.process_time()
    first: list[float] = []

    def progress(_fraction: float, message: str) -> None:
        if message.startswith("roster found") and not first:
            first.append(time.monotonic() - started)

    solution = solve(problem, time_limit=time_limit, progress=progress)
    return solution, (first[0] if first else None), time.process_time() - cpu


def moved(a: dict, b: dict) -> int:
    return sum(1 for k in set(a) | set(b) if a.get(k) != b.get(k))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--regen-limit", type=float, default=1.0)
    args = parser.parse_args()

    problem = station()
    month, first, month_cpu = timed_solve(problem, args.time_limit)
    if month.status not in ("optimal", "feasible"):
        raise SystemExit(f"no roster: {month.status}")
    violations = len(check(problem, month.assignments))

    # One leave change: the first person (by id) on duty on day 15, mid-month, gets that day off.
    worker, day = min((w, d) for (w, d) in month.assignments if d == 15)
    changed = replace(
        problem,
        workers=tuple(
            replace(w, unavailable_days=w.unavailable_days | {day}) if w.id == worker else w for w in problem.workers
        ),
    )
    regen, _, regen_cpu = timed_solve(replace(changed, previous=month.assignments), args.regen_limit)
    scratch, _, scratch_cpu = timed_solve(changed, args.regen_limit)
    regen_moved = moved(month.assignments, regen.assignments)
    scratch_moved = moved(month.assignments, scratch.assignments)
    rows = [
        ("generate the month", month, first, month_cpu, "-", violations),
        ("regenerate, previous given", regen, None, regen_cpu, regen_moved, len(check(changed, regen.assignments))),
        (
            "reference: from scratch",
            scratch,
            None,
            scratch_cpu,
            scratch_moved,
            len(check(changed, scratch.assignments)),
        ),
    ]
    columns = (
        f"{'run':28} {'status':9} {'first s':>8} {'total s':>8} {'CPU s':>6} {'objective':>10} "
        f"{'missing':>8} {'moved':>6} {'hard viol.':>10}"
    )
    print(columns)
    print("-" * len(columns))
    for name, sol, first_s, cpu, cells, viol in rows:
        first_text = f"{first_s:.2f}" if first_s is not None else "-"
        missing = sum(s.missing for s in sol.shortfalls)
        print(
            f"{name:28} {sol.status:9} {first_text:>8} {sol.seconds:>8.2f} {cpu:>6.2f} {sol.objective:>10} "
            f"{missing:>8} {cells!s:>6} {viol:>10}"
        )
    print(
        json.dumps(
            {
                "bench": "roster_speed",
                "people": len(problem.workers),
                "days": DAYS,
                "shift_types": len(SHIFTS),
                "first_roster_s": round(first, 2) if first is not None else None,
                "month_s": round(month.seconds, 2),
                "month_cpu_s": round(month_cpu, 2),
                "month_status": month.status,
                "month_objective": month.objective,
                "month_hard_violations": violations,
                "month_penalties": month.penalties,
                "regen_s": round(regen.seconds, 2),
                "regen_cpu_s": round(regen_cpu, 2),
                "regen_cells_changed": regen_moved,
                "regen_hard_violations": len(check(changed, regen.assignments)),
                "scratch_cells_changed": scratch_moved,
            }
        )
    )


if __name__ == "__main__":
    main()
