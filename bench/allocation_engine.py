"""The allocation engine end to end and against a greedy baseline, on the demo county and a city.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingli_bench .venv/bin/python bench/allocation_engine.py

County: a full run (load inputs from the database, solve, store the proposal) for the demo county
with 30 moves, the median of three, then its trade-off curve (attached to the stored proposal).
City (the ten demo counties: 150 stations and the bureau departments): as one problem sharing 50
moves, loaded and solved to proven optimality;
fanned out as a run group (one run and one proposal per county, executed here one after the other,
as a single worker would); the trade-off curve for 0..50 moves; and the greedy baseline on the same
instances (the county, the city, and each county alone with 30 moves). The machine's load average
is printed: figures taken while other work runs are slower than on an idle machine.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import time
from dataclasses import replace

from _setup import print_table
from django.core.management import call_command

import allocation.engine as engine
from allocation.engine import Instance, Rules, greedy, solve
from allocation.inputs import county_instance, places_instance
from allocation.models import AllocationRun, RunStatus
from allocation.services import proposal_tradeoff, run_create, run_execute, run_group_create, tradeoff
from config.celery import app
from stations.models import County, Station
from workload.aggregate import cells_refresh
from workload.models import Incident, WorkloadCell
from workload.selectors import standards_default


def main() -> None:
    call_command("migrate", verbosity=0)
    # Only the demo's own incidents: other benches leave millions of uniform ones that make every
    # station look alike.
    if Incident.objects.exclude(source="demo").exists():
        Incident.objects.exclude(source="demo").delete()
        WorkloadCell.objects.all().delete()
    if not Incident.objects.filter(source="demo").exists() or Station.objects.count() < 150:
        call_command("seed_demo", "--scale", "city", "--incidents", "50000", "--json", stdout=io.StringIO())
    if not WorkloadCell.objects.exists():
        cells_refresh()
    # Runs execute here, in this process, when asked (run_execute), not on commit.
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="memory://")
    load_before = os.getloadavg()[0]
    standards = standards_default()
    county = County.objects.get(code="DM01")

    county_runs, county_curves = [], []
    for _ in range(3):
        started = time.perf_counter()
        run = run_execute(run_create(county=county, max_moves=30).pk)
        county_runs.append(time.perf_counter() - started)
        if run is None or run.status != RunStatus.SUCCEEDED:
            raise SystemExit(f"the county run did not succeed: {run}")
        started = time.perf_counter()
        proposal_tradeoff(run.proposal.pk)
        county_curves.append(time.perf_counter() - started)
    county_end_to_end = statistics.median(county_runs)
    county_curve = statistics.median(county_curves)

    rows = []
    county_rules = Rules(max_moves=30, min_officers=standards.min_officers_per_station)
    county_problem, _fixed = county_instance(county, standards=standards, rules=county_rules)
    rows.append(compare("county DM01, 30 moves", county_problem))

    started = time.perf_counter()
    city_problem, _fixed = places_instance(
        Station.objects.filter(county__code__startswith="DM"),
        standards=standards,
        rules=replace(county_rules, max_moves=50),
    )
    load = time.perf_counter() - started
    rows.append(compare("city, 50 moves shared", city_problem))
    for part in engine.split_by_group(replace_rules(city_problem, max_moves=30)):
        rows.append(compare(f"{part.places[0].group} alone, 30 moves", part))

    # The city fanned out: one run per county, run here one after the other.
    counties = list(County.objects.filter(code__startswith="DM").order_by("code"))
    started = time.perf_counter()
    group = run_group_create(counties=counties, max_moves=30, name="bench city")
    for run in group.runs.order_by("pk"):
        run_execute(run.pk)
    fan_out = time.perf_counter() - started
    for run in group.runs.order_by("pk"):
        proposal_tradeoff(run.proposal.pk)
    fan_out_with_curves = time.perf_counter() - started
    statuses = set(AllocationRun.objects.filter(group=group).values_list("status", flat=True))
    if statuses != {RunStatus.SUCCEEDED}:
        raise SystemExit(f"the city's county runs ended {statuses}")

    solves = count_solves()
    started = time.perf_counter()
    curve = tradeoff(city_problem, 50, points=10)
    curve_seconds = time.perf_counter() - started
    load_after = os.getloadavg()[0]

    print_table(
        [
            (
                name,
                f"{places}",
                f"{people}",
                f"{opt_s:.2f}",
                str(optimal),
                f"{opt:,.1f}",
                f"{greedy_s:.2f}",
                f"{base:,.1f}",
                f"{100 * (base - opt) / base:.1f} %" if base else "–",
            )
            for name, places, people, opt_s, optimal, opt, greedy_s, base in rows
        ],
        ("instance", "places", "people", "solve s", "optimal", "objective", "greedy s", "greedy objective", "gain"),
    )
    print()
    print_table(
        [
            ("county run end to end (inputs, solve, store the proposal), median of 3", f"{county_end_to_end:.2f}"),
            ("county: its trade-off curve, 0..30 by 3, attached after, median of 3", f"{county_curve:.2f}"),
            ("city: load inputs from the database", f"{load:.2f}"),
            ("city: load and solve, 50 moves shared, proven optimal", f"{load + rows[1][3]:.2f}"),
            ("city: 10 county runs end to end, one after the other", f"{fan_out:.2f}"),
            ("city: the same with each county's curve", f"{fan_out_with_curves:.2f}"),
            (f"city: trade-off curve, 0..50 moves by 5 ({solves[0]} county solves)", f"{curve_seconds:.2f}"),
        ],
        ("step", "seconds"),
    )
    print(f"\nload average (1 min) before {load_before:.1f}, after {load_after:.1f}, on {os.cpu_count()} cores")
    gains = [(base - opt) / base for *_rest, opt, _gs, base in rows if base]
    print(
        json.dumps(
            {
                "bench": "allocation",
                "county_end_to_end_s": round(county_end_to_end, 2),
                "county_curve_s": round(county_curve, 2),
                "city_load_s": round(load, 2),
                "city_solve_s": round(rows[1][3], 2),
                "city_end_to_end_s": round(load + rows[1][3], 2),
                "city_optimal": rows[1][4],
                "city_fan_out_serial_s": round(fan_out, 2),
                "city_fan_out_with_curves_serial_s": round(fan_out_with_curves, 2),
                "tradeoff_s": round(curve_seconds, 2),
                "tradeoff_county_solves": solves[0],
                "gain_vs_greedy_min": round(min(gains), 4),
                "gain_vs_greedy_max": round(max(gains), 4),
                "county_gain_vs_greedy": round(gains[0], 4),
                "city_gain_vs_greedy": round(gains[1], 4),
                "curve": [(point["moves"], point["shortfall_removed"], point["optimal"]) for point in curve],
                "load_average": [round(load_before, 1), round(load_after, 1)],
            }
        )
    )


def replace_rules(problem: Instance, *, max_moves: int) -> Instance:
    return Instance(problem.places, problem.members, replace(problem.rules, max_moves=max_moves))


def count_solves() -> list[int]:
    """Counts the county solves the curve makes (a one-element list, updated as it runs)."""
    counter = [0]
    original = engine._Curve.solve

    def counted(self: engine._Curve, budget: int) -> engine.Solution:
        counter[0] += 1
        return original(self, budget)

    engine._Curve.solve = counted  # type: ignore[method-assign]
    return counter


def compare(name: str, problem: Instance) -> tuple[str, int, int, float, bool, float, float, float]:
    optimal = solve(problem)
    baseline = greedy(problem)
    if optimal.objective > baseline.objective + 1e-6:
        raise SystemExit(f"{name}: the optimiser is worse than the greedy baseline")
    return (
        name,
        len(problem.places),
        len(problem.members),
        optimal.seconds,
        optimal.optimal,
        optimal.objective,
        baseline.seconds,
        baseline.objective,
    )


if __name__ == "__main__":
    main()
