"""The public benchmark, end to end: the objective bench/shift_scheduling.py reports equals the objective
an independent evaluator recomputes from the CSV it wrote, and no hard rule of the instance is broken.

The evaluator below is written from the benchmark's README and the instance files' own comments only; it
shares no code with the roster model or the bench's converter (it parses the raw text itself).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("JINGLI_SHARED_DIR", "/work/shared")) / "data/benchmarks/shift-scheduling"

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="benchmark data not available")


def read_instance(path: Path) -> dict:
    """The raw instance: {section name: list of comma-split lines}."""
    sections: dict[str, list[list[str]]] = defaultdict(list)
    name = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("SECTION_"):
            name = line.removeprefix("SECTION_")
        elif line and not line.startswith("#"):
            sections[name].append(line.split(","))
    return sections


def evaluate(sections: dict, rows: list[tuple[str, int, str]]) -> tuple[int, list[str]]:
    """(objective, broken hard rules) of a solution given as (person, day, shift) rows."""
    horizon = int(sections["HORIZON"][0][0])
    lengths = {r[0]: int(r[1]) for r in sections["SHIFTS"]}
    not_after = {r[0]: set(filter(None, r[2].split("|"))) if len(r) > 2 else set() for r in sections["SHIFTS"]}
    broken: list[str] = []

    roster: dict[str, dict[int, str]] = {r[0]: {} for r in sections["STAFF"]}
    for person, day, shift in rows:
        if person not in roster or shift not in lengths or not 0 <= day < horizon:
            broken.append(f"bad row {person},{day},{shift}")
            continue
        if day in roster[person]:
            broken.append(f"{person} has two shifts on day {day}")
        roster[person][day] = shift

    for staff in sections["STAFF"]:
        person = staff[0]
        mine = roster[person]
        limits = dict(item.split("=") for item in staff[1].split("|") if item)
        max_total, min_total, max_run, min_run, min_off, max_weekends = map(int, staff[2:8])
        for shift, count in Counter(mine.values()).items():
            if count > int(limits.get(shift, 0)):
                broken.append(f"{person}: {count} x {shift}")
        minutes = sum(lengths[s] for s in mine.values())
        if not min_total <= minutes <= max_total:
            broken.append(f"{person}: {minutes} minutes")
        worked = [d in mine for d in range(horizon)]
        # Runs of equal values; a minimum only binds runs that touch neither end of the horizon.
        day = 0
        while day < horizon:
            end = day
            while end + 1 < horizon and worked[end + 1] == worked[day]:
                end += 1
            length = end - day + 1
            inner = day > 0 and end < horizon - 1
            if worked[day] and length > max_run:
                broken.append(f"{person}: {length} shifts in a row from day {day}")
            if worked[day] and inner and length < min_run:
                broken.append(f"{person}: only {length} shifts in a row from day {day}")
            if not worked[day] and inner and length < min_off:
                broken.append(f"{person}: only {length} days off from day {day}")
            day = end + 1
        weekends = sum(1 for sat in range(5, horizon, 7) if worked[sat] or (sat + 1 < horizon and worked[sat + 1]))
        if weekends > max_weekends:
            broken.append(f"{person}: {weekends} weekends")
        for d in range(horizon - 1):
            if d in mine and d + 1 in mine and mine[d + 1] in not_after[mine[d]]:
                broken.append(f"{person}: {mine[d + 1]} after {mine[d]} on day {d + 1}")
    for line in sections["DAYS_OFF"]:
        for d in line[1:]:
            if d and int(d) in roster[line[0]]:
                broken.append(f"{line[0]} works on day off {d}")

    objective = 0
    for person, day, shift, weight in sections["SHIFT_ON_REQUESTS"]:
        if roster[person].get(int(day)) != shift:
            objective += int(weight)
    for person, day, shift, weight in sections["SHIFT_OFF_REQUESTS"]:
        if roster[person].get(int(day)) == shift:
            objective += int(weight)
    on_duty = Counter((d, s) for mine in roster.values() for d, s in mine.items())
    for day, shift, need, under, over in sections["COVER"]:
        have = on_duty[(int(day), shift)]
        objective += max(0, int(need) - have) * int(under) + max(0, have - int(need)) * int(over)
    return objective, broken


def test_the_evaluator_counts_penalties_and_broken_rules_on_a_hand_made_solution() -> None:
    sections = read_instance(DATA / "Instance1.txt")
    # Nobody works: every cover requirement is missed at 100 per person and every on request (sum of
    # their weights) is missed; no maximum is broken but everyone is below the minimum minutes.
    need = sum(int(r[2]) * int(r[3]) for r in sections["COVER"])
    wishes = sum(int(r[3]) for r in sections["SHIFT_ON_REQUESTS"])
    objective, broken = evaluate(sections, [])
    assert objective == need + wishes
    assert len(broken) == len(sections["STAFF"])
    # A on its day off (day 0) twice: a day-off break and a double shift.
    _, broken = evaluate(sections, [("A", 0, "D"), ("A", 0, "D")])
    assert "A works on day off 0" in broken
    assert "A has two shifts on day 0" in broken


@pytest.mark.parametrize("number", [1, 2, 3])
def test_bench_objective_equals_the_independent_evaluation(number: int, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench/shift_scheduling.py"), "--instances", str(number)]
        + ["--time-limit", "3", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    (row,) = report["instances"]
    assert row["status"] in ("optimal", "feasible")
    with (tmp_path / f"Instance{number}.csv").open() as f:
        reader = csv.reader(f)
        assert next(reader) == ["person", "day", "shift"]
        rows = [(person, int(day), shift) for person, day, shift in reader]
    objective, broken = evaluate(read_instance(DATA / f"Instance{number}.txt"), rows)
    assert broken == []
    assert objective == row["objective"]
    assert row["hard_violations"] == 0
    # Sanity: never better than the proven optimum of these instances.
    assert objective >= row["best_known"]
