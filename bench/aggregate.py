"""Workload cells over many incidents: the refresh against a hand-written SQL GROUP BY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingli_bench .venv/bin/python bench/aggregate.py [--incidents N]

Fills the incident table with N generated incidents (default 10,000,000; generated inside PostgreSQL,
spread over the city demo's stations, one year, every category), then times `cells_refresh()` (the
ORM-built GROUP BY wrapped in INSERT ... SELECT) against the same aggregation written by hand into a
scratch table, and checks both produce the same totals.
"""

from __future__ import annotations

import argparse
import json
import time

from _setup import demo_on_postgresql, print_table
from django.db import connection

from workload.aggregate import cells_refresh
from workload.models import Incident

SOURCE = "bench-aggregate"

HAND_WRITTEN = """
CREATE TABLE bench_cells AS
SELECT i.station_id,
       c.team,
       c."group" AS category_group,
       date_trunc('month', i.received_at AT TIME ZONE 'Asia/Shanghai')::date AS month,
       ((extract(isodow FROM i.received_at AT TIME ZONE 'Asia/Shanghai')::int - 1) * 24
         + extract(hour FROM i.received_at AT TIME ZONE 'Asia/Shanghai')::int) AS hour_of_week,
       count(*) AS incidents,
       sum(coalesce(i.handling_minutes, c.default_handling_minutes)) / 60.0 AS handling_hours,
       sum(coalesce(i.handling_minutes, c.default_handling_minutes)
           * coalesce(i.people_involved, c.default_crew)) / 60.0 AS officer_hours,
       coalesce(sum(coalesce(i.handling_minutes, c.default_handling_minutes)
                    * coalesce(i.people_involved, c.default_crew)) FILTER (WHERE c.officer_only), 0)
           / 60.0 AS officer_only_hours,
       sum(c.follow_up_hours) AS follow_up_hours
FROM workload_incident i JOIN workload_incidentcategory c ON c.id = i.category_id
GROUP BY 1, 2, 3, 4, 5
"""

GENERATE = """
INSERT INTO workload_incident (created_at, updated_at, source, external_id, station_id, category_id,
                               received_at, handling_minutes, people_involved, is_outlier)
SELECT now(), now(), %(source)s, 'G' || n,
       (%(stations)s)[1 + (n * 7919) %% cardinality(%(stations)s)],
       (%(categories)s)[1 + (n * 104729) %% cardinality(%(categories)s)],
       timestamptz '2025-11-01 00:00+08' + ((n * 2654435761::bigint) %% 31536000) * interval '1 second',
       CASE WHEN n %% 5 = 0 THEN NULL ELSE 5 + (n %% 170) END,
       CASE WHEN n %% 7 = 0 THEN NULL ELSE 1 + (n %% 3) END,
       FALSE
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n
"""


def ensure_incidents(count: int) -> None:
    have = Incident.objects.filter(source=SOURCE).count()
    if have == count:
        return
    Incident.objects.filter(source=SOURCE).delete()
    stations = list(
        Incident._meta.get_field("station").related_model.objects.stations().values_list("pk", flat=True)  # type: ignore[union-attr]
    )
    categories = list(Incident._meta.get_field("category").related_model.objects.values_list("pk", flat=True))  # type: ignore[union-attr]
    step = 1_000_000
    with connection.cursor() as cursor:
        for first in range(1, count + 1, step):
            cursor.execute(
                GENERATE,
                {
                    "source": SOURCE,
                    "stations": stations,
                    "categories": categories,
                    "first": first,
                    "last": min(count, first + step - 1),
                },
            )
        cursor.execute("ANALYZE workload_incident")


def hand_written() -> float:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_cells")
        started = time.perf_counter()
        cursor.execute(HAND_WRITTEN)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=10_000_000)
    args = parser.parse_args()
    demo_on_postgresql("Point DATABASE_URL at PostgreSQL.", "--scale", "city", "--incidents", "0")
    Incident.objects.exclude(source=SOURCE).delete()
    ensure_incidents(args.incidents)
    # Alternate the two, twice each, and keep the faster run of each: the cache is warm for both.
    timings: dict[str, list[float]] = {"jingli": [], "sql": []}
    for _round in range(2):
        timings["sql"].append(hand_written())
        started = time.perf_counter()
        cells = cells_refresh()
        timings["jingli"].append(time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(incidents), round(sum(officer_hours)::numeric, 3) FROM bench_cells")
        expected = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), sum(incidents), round(sum(officer_hours)::numeric, 3) FROM workload_workloadcell"
        )
        got = cursor.fetchone()
        cursor.execute("DROP TABLE bench_cells")
    if expected != got:
        raise SystemExit(f"the refresh and the hand-written SQL disagree: {got} != {expected}")
    jingli, sql = min(timings["jingli"]), min(timings["sql"])
    ratio = jingli / sql
    print_table(
        [
            ("hand-written GROUP BY into a table", f"{sql:.2f}"),
            ("cells_refresh() (parallel GROUP BY, then insert)", f"{jingli:.2f}"),
            ("ratio", f"{ratio:.2f}"),
        ],
        (f"{args.incidents:,} incidents → {cells:,} cells", "seconds"),
    )
    print(
        json.dumps(
            {
                "bench": "aggregate",
                "incidents": args.incidents,
                "cells": cells,
                "sql_s": round(sql, 2),
                "refresh_s": round(jingli, 2),
                "ratio": round(ratio, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
