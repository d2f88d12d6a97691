"""The allocation engine end to end and against a greedy baseline, on the demo county and a city.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingli_bench .venv/bin/python bench/allocation_engine.py

County: a full run (load inputs from the database, solve, trade-off curve, store the proposal) for
the demo county with 30 moves. City: the ten demo counties as one problem (150 stations and the
bureau departments), 50 moves, proven optimal; the trade-off curve for 0..50 moves; the greedy
baseline on the same instances.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import replace

from _setup import print_table
from django.core.management import call_command

from allocation.engine import Instance, Rules, greedy, solve
from allocation.inputs import county_instance, places_instance
from allocation.services import run_create, run_execute, tradeoff
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
    app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="memory://")  # the run executes here
    standards = standards_default()
    county = County.objects.get(code="DM01")

    started = time.perf_counter()
    queued = run_create(county=county, max_moves=30)
    run = run_execute(queued.pk)
    county_end_to_end = time.perf_counter() - started
    if run is None or run.status != "succeeded":
        raise SystemExit(f"the county run did not succeed: {run}")

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
    rows.append(compare("city, 50 moves", city_problem))
    started = time.perf_counter()
    curve = tradeoff(city_problem, 50, points=10)
    curve_seconds = time.perf_counter() - started

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
            ("county run end to end (inputs, solve, curve, store)", f"{county_end_to_end:.2f}"),
            ("city: load inputs from the database", f"{load:.2f}"),
            ("city: trade-off curve, 0..50 moves by 5 (11 solves)", f"{curve_seconds:.2f}"),
        ],
        ("step", "seconds"),
    )
    print(
        json.dumps(
            {
                "bench": "allocation",
                "county_end_to_end_s": round(county_end_to_end, 2),
                "city_load_s": round(load, 2),
                "city_solve_s": round(rows[1][3], 2),
                "city_end_to_end_s": round(load + rows[1][3], 2),
                "city_optimal": rows[1][4],
                "tradeoff_s": round(curve_seconds, 2),
                "county_gain_vs_greedy": round((rows[0][7] - rows[0][5]) / rows[0][7], 4) if rows[0][7] else None,
                "city_gain_vs_greedy": round((rows[1][7] - rows[1][5]) / rows[1][7], 4) if rows[1][7] else None,
                "curve": [(point["moves"], point["shortfall_removed"], point["optimal"]) for point in curve],
            }
        )
    )


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
