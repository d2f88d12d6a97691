"""The roster solver on the public employee shift scheduling benchmark (Curtois & Qu instances).

    .venv/bin/python bench/shift_scheduling.py --instances 1-12 --time-limit 60 --out /tmp/ss

Each instance (format in /work/shared/data/benchmarks/shift-scheduling/README.md) is converted into the
roster model of ``rosters.solver`` (people -> Worker, shift types -> Shift, cover -> Cover with the
instance's under/over weights, requests -> Request), solved with CP-SAT's parallel portfolio
(``deterministic=False``: a wall-clock limit per instance; ``--deterministic`` for the app's mode),
checked with ``rosters.solver.check``, and written to ``DIR/InstanceN.csv`` (``person,day,shift``,
day 0-based, one row per shift worked). The table gives objective, best known, gap and time; the last line is JSON.
``--start-only`` prints instead the person-by-person starting roster's objective and time per instance.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rosters.solver import Cover, Request, RosterProblem, Shift, Weights, Worker, check, solve  # noqa: E402

DATA = Path(os.environ.get("JINGLI_SHARED_DIR", "/work/shared")) / "data/benchmarks/shift-scheduling"


@dataclass
class Instance:
    name: str
    problem: RosterProblem
    people: list[str]  # worker id i is people[i]


def _sections(text: str) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = line
            sections[current] = []
            continue
        if current is None:
            raise ValueError(f"data before the first section: {line!r}")
        sections[current].append([field.strip() for field in line.split(",")])
    return sections


def load_instance(path: Path) -> Instance:
    """The benchmark instance as a RosterProblem (every soft weight the instance's own)."""
    sec = _sections(path.read_text())
    days = int(sec["SECTION_HORIZON"][0][0])
    shifts = []
    successions = []
    for row in sec["SECTION_SHIFTS"]:
        code, length = row[0], int(row[1])
        shifts.append(Shift(code=code, start_minute=0, length_minutes=length))
        followers = row[2] if len(row) > 2 else ""
        successions += [(code, f) for f in followers.split("|") if f]
    people = [row[0] for row in sec["SECTION_STAFF"]]
    index = {name: i for i, name in enumerate(people)}
    days_off: dict[int, set[int]] = {i: set() for i in range(len(people))}
    for row in sec.get("SECTION_DAYS_OFF", []):
        days_off[index[row[0]]].update(int(d) for d in row[1:] if d)
    requests: dict[int, list[Request]] = {i: [] for i in range(len(people))}
    for section, on in (("SECTION_SHIFT_ON_REQUESTS", True), ("SECTION_SHIFT_OFF_REQUESTS", False)):
        for name, day, code, weight in sec.get(section, []):
            requests[index[name]].append(Request(day=int(day), shift=code, on=on, weight=int(weight)))
    workers = []
    for row in sec["SECTION_STAFF"]:
        i = index[row[0]]
        counts = {}
        for item in row[1].split("|"):
            if item:
                code, limit = item.split("=")
                counts[code] = int(limit)
        workers.append(
            Worker(
                id=i,
                officer=True,
                max_shift_counts=counts,
                max_minutes_period=int(row[2]),
                min_minutes_period=int(row[3]),
                max_consecutive_days=int(row[4]),
                min_consecutive_days=int(row[5]),
                min_consecutive_days_off=int(row[6]),
                max_weekends=int(row[7]),
                unavailable_days=frozenset(days_off[i]),
                requests=tuple(requests[i]),
            )
        )
    cover = tuple(
        Cover(
            day=int(day),
            shift=code,
            min_people=int(need),
            min_officers=0,
            under_weight=int(under),
            over_weight=int(over),
        )
        for day, code, need, under, over in sec["SECTION_COVER"]
    )
    kinds = tuple("weekend" if d % 7 >= 5 else "work" for d in range(days))  # day 0 is a Monday
    problem = RosterProblem(
        days=days,
        shifts=tuple(shifts),
        workers=tuple(workers),
        cover=cover,
        day_kinds=kinds,
        forbidden_successions=tuple(successions),
        weights=Weights(
            shortfall=0, requests=1, fairness_nights=0, fairness_weekends=0, fairness_holidays=0, continuity=0
        ),
        first_weekday=0,
    )
    return Instance(name=path.stem, problem=problem, people=people)


def best_known() -> dict[str, int]:
    with (DATA / "best_known.csv").open() as f:
        return {row["instance"]: int(row["best_known"]) for row in csv.DictReader(f)}


def write_csv(instance: Instance, assignments: dict[tuple[int, int], str], path: Path) -> None:
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["person", "day", "shift"])
        for (i, day), code in sorted(assignments.items()):
            out.writerow([instance.people[i], day, code])


def _parse_range(text: str) -> list[int]:
    numbers: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            numbers += range(int(a), int(b) + 1)
        else:
            numbers.append(int(part))
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", default="1-12", help="e.g. 1-12 or 1,3,5")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument(
        "--workers", type=int, default=4, help="CP-SAT threads (4 on the 2 cores: see docs/benchmarks.md)"
    )
    parser.add_argument("--out", type=Path, required=True, help="directory for InstanceN.csv")
    parser.add_argument("--log", action="store_true", help="CP-SAT search log")
    parser.add_argument("--no-lns", action="store_true", help="CP-SAT alone, without the solver's own LNS")
    parser.add_argument(
        "--deterministic", action="store_true", help="the app's reproducible mode (one thread, deterministic time)"
    )
    parser.add_argument(
        "--start-only",
        action="store_true",
        help="only the person-by-person start of the parallel mode: its objective and time (no roster written)",
    )
    args = parser.parse_args()
    if args.start_only:
        starts(_parse_range(args.instances))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    known = best_known()
    rows = []
    for n in _parse_range(args.instances):
        instance = load_instance(DATA / f"Instance{n}.txt")
        started = time.monotonic()
        solution = solve(
            instance.problem,
            time_limit=args.time_limit,
            workers=args.workers,
            deterministic=args.deterministic,
            log=args.log,
            lns=not args.no_lns,
        )
        seconds = time.monotonic() - started
        best = known[instance.name]
        row: dict[str, object] = {
            "instance": instance.name,
            "status": solution.status,
            "objective": None,
            "best_known": best,
            "gap": None,
            "bound": solution.bound,
            "seconds": round(seconds, 1),
            "hard_violations": None,
        }
        if solution.status in ("optimal", "feasible"):
            write_csv(instance, solution.assignments, args.out / f"{instance.name}.csv")
            row["objective"] = solution.objective
            row["gap"] = round((solution.objective - best) / best, 4)
            row["hard_violations"] = len(check(instance.problem, solution.assignments))
        rows.append(row)
        print(_format_row(row), flush=True)
    print()
    print(
        json.dumps(
            {"bench": "shift_scheduling", "time_limit": args.time_limit, "workers": args.workers, "instances": rows}
        )
    )


def starts(numbers: list[int]) -> None:
    """The starting roster the parallel mode builds person by person, per instance."""
    from rosters.solver import evaluate
    from rosters.solver_cpsat import person_by_person

    known = best_known()
    rows = []
    print(f"{'instance':>12} {'start':>10} {'best_known':>10} {'seconds':>8} {'hard':>6}")
    for n in numbers:
        instance = load_instance(DATA / f"Instance{n}.txt")
        started = time.monotonic()
        roster, _spent = person_by_person(instance.problem)
        seconds = round(time.monotonic() - started, 1)
        objective = None if roster is None else sum(evaluate(instance.problem, roster).values())
        hard = None if roster is None else len(check(instance.problem, roster))
        rows.append(
            {
                "instance": instance.name,
                "start": objective,
                "best_known": known[instance.name],
                "seconds": seconds,
                "hard_violations": hard,
            }
        )
        print(f"{instance.name:>12} {objective!s:>10} {known[instance.name]:>10} {seconds:>8} {hard!s:>6}", flush=True)
    print(json.dumps({"bench": "shift_scheduling_start", "instances": rows}))


_COLUMNS = ("instance", "status", "objective", "best_known", "gap", "bound", "seconds", "hard_violations")
_printed_header = False


def _format_row(row: dict[str, object]) -> str:
    global _printed_header
    cells = []
    for key in _COLUMNS:
        value = row[key]
        if key == "gap" and isinstance(value, float):
            value = f"{100 * value:.2f} %"
        cells.append(f"{'-' if value is None else value!s:>12}")
    line = " ".join(cells)
    if not _printed_header:
        _printed_header = True
        header = " ".join(f"{k:>12}" for k in _COLUMNS)
        return header + "\n" + " ".join("-" * 12 for _ in _COLUMNS) + "\n" + line
    return line


if __name__ == "__main__":
    main()
