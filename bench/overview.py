"""The county overview of a 150-station city: server time of the page, and what it is made of.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingli_bench .venv/bin/python bench/overview.py

Builds the city-scale demo (10 counties, 150 stations, 60 departments) in the configured database if
it is not there, then times, in the same run:

- the overview page for all counties (`/county/?county=all`) through the whole Django stack
  (middleware, session, view, template), in process: the server's time, no network;
- the same page for one county;
- `county_overview` alone (strength, workload window, sums, need per station);
- the reference: the same figures read by three hand-written SQL statements (strength, workload sums
  over the window, residents), which is the floor any implementation pays to the database;
- the workload sums taken from the hour-of-week cells instead of the monthly rows, to show why the
  monthly rows exist.

It also counts the page's queries, which must not depend on the number of stations, reports the
CPU time of the Django process apart from the wall time (on a shared machine most of the wall time
is waiting for a core), and the load average during the run.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from _setup import STRENGTH_SQL, median_seconds, print_table
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from config.roles import Role
from personnel.models import User
from reports.overview import county_overview
from stations.models import Station
from workload.selectors import standards_default, workload_window

WORKLOAD_SQL = """
SELECT station_id, team, SUM(officer_hours), SUM(officer_only_hours), SUM(follow_up_hours)
FROM workload_workloadmonth
WHERE month >= %(first)s AND month <= %(last)s
GROUP BY station_id, team
"""
# The same sums straight from the hour-of-week cells: what the page paid before workload months.
CELLS_SQL = WORKLOAD_SQL.replace("workload_workloadmonth", "workload_workloadcell")
RESIDENTS_SQL = """
SELECT station_id, police_area_id, SUM(resident_population)
FROM stations_community
GROUP BY station_id, police_area_id
"""


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("Point DATABASE_URL at PostgreSQL: the overview is measured where it runs in production.")
    # The in-process client talks to Django as "testserver".
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--scale", "city", "--incidents", "50000", "--json", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    planner, _created = User.objects.get_or_create(username="bench-planner", defaults={"role": Role.PLANNER})
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(planner)

    standards = standards_default()
    stations = Station.objects.all()
    places, station_count = stations.count(), stations.stations().count()
    window = workload_window(list(stations.values_list("pk", flat=True)), standards)
    if window is None:
        raise SystemExit("the city demo has no workload: seed it with incidents")
    today = timezone.localdate()

    def page_all() -> None:
        response = client.get("/county/?county=all")
        if response.status_code != 200 or response.content.count(b'href="/county/stations/') != places:
            raise SystemExit(f"the overview did not list the {places} places ({response.status_code})")

    def page_county() -> None:
        if client.get("/county/?county=DM01").status_code != 200:
            raise SystemExit("the county page failed")

    def overview_only() -> None:
        county_overview(None, standards, stations=Station.objects.all())

    def hand_written() -> None:
        with connection.cursor() as cursor:
            cursor.execute(STRENGTH_SQL, {"on": today})
            cursor.fetchall()
            cursor.execute(WORKLOAD_SQL, {"first": window.first_month, "last": window.last_month})
            cursor.fetchall()
            cursor.execute(RESIDENTS_SQL)
            cursor.fetchall()

    def from_cells() -> None:
        with connection.cursor() as cursor:
            cursor.execute(CELLS_SQL, {"first": window.first_month, "last": window.last_month})
            cursor.fetchall()

    def count_queries(function: Callable[[], None]) -> int:
        seen: list[str] = []

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            function()
        return len(seen)

    all_queries, county_queries = count_queries(page_all), count_queries(page_county)

    def cpu_of(function: Callable[[], None], repeat: int) -> float:
        """Median CPU seconds of this process (Django's own work, not waiting for PostgreSQL or a core)."""
        samples = []
        for _ in range(repeat):
            started = time.process_time()
            function()
            samples.append(time.process_time() - started)
        return statistics.median(samples)

    load_before = os.getloadavg()[0]
    page_s = median_seconds(page_all, repeat=15)
    page_cpu_s = cpu_of(page_all, repeat=15)
    county_s = median_seconds(page_county, repeat=15)
    overview_s = median_seconds(overview_only, repeat=15)
    sql_s = median_seconds(hand_written, repeat=15)
    cells_s = median_seconds(from_cells, repeat=15)
    print_table(
        [
            (f"overview page, all counties ({places} places)", f"{page_s * 1000:.1f}", str(all_queries)),
            ("  of which Django's own CPU time", f"{page_cpu_s * 1000:.1f}", ""),
            ("overview page, one county (DM01)", f"{county_s * 1000:.1f}", str(county_queries)),
            ("county_overview() alone, all counties", f"{overview_s * 1000:.1f}", ""),
            ("reference: the same figures in hand-written SQL", f"{sql_s * 1000:.1f}", "3"),
            ("page ÷ reference", f"{page_s / sql_s:.2f}", ""),
            ("workload sums from the hour-of-week cells instead", f"{cells_s * 1000:.1f}", "1"),
        ],
        ("what", "median ms", "queries"),
    )
    print(
        json.dumps(
            {
                "bench": "overview",
                "places": places,
                "stations": station_count,
                "page_all_ms": round(page_s * 1000, 1),
                "page_all_cpu_ms": round(page_cpu_s * 1000, 1),
                "page_county_ms": round(county_s * 1000, 1),
                "overview_ms": round(overview_s * 1000, 1),
                "sql_ms": round(sql_s * 1000, 1),
                "cells_sum_ms": round(cells_s * 1000, 1),
                "page_queries": all_queries,
                "county_page_queries": county_queries,
                "goal_ms": 300,
                "goal_met": page_s < 0.300,
                "load_average": round((load_before + os.getloadavg()[0]) / 2, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
