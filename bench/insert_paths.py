"""The import's last step alone: a million checked rows into the incident table, two ways.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingli_bench .venv/bin/python bench/insert_paths.py [--rows N]

The import bench (bench/import_incidents.py) finds its final ``INSERT ... SELECT`` into the incident table
to be eight to ten raw COPYs. This script measures that step on its own, in PostgreSQL alone (no Python
work), against the other way a bulk load can go: into a new table without indexes, whose indexes are then
built in one pass each (what an import into a partition of its own would do). Both run in transactions
that are rolled back, twice each, by turns; the incident table keeps whatever it already holds
(``--existing N`` first stores N rows of another source, committed, so that the indexes have something in
them; they are deleted at the end).

Rows: N synthetic incidents, already checked (stations and categories of the demo county, times a year
long, ids given), in an unlogged table. Prints a table and a last JSON line.
"""

from __future__ import annotations

import argparse
import json
import time

from _setup import demo_on_postgresql, print_table
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

SOURCE_SQL = """
CREATE UNLOGGED TABLE {name} AS
SELECT %(first_id)s + g AS id, now() AS created_at, now() AS updated_at, %(source)s::varchar(32) AS source,
       ('P' || lpad(g::text, 9, '0'))::varchar(64) AS external_id,
       timestamptz '2025-01-01' + g * (interval '1 year' / %(rows)s) AS received_at,
       timestamptz '2025-01-01' + g * (interval '1 year' / %(rows)s) + interval '5 min' AS arrived_at,
       timestamptz '2025-01-01' + g * (interval '1 year' / %(rows)s) + interval '40 min' AS cleared_at,
       35.0::float8 AS handling_minutes, 1::smallint AS people_involved, false AS is_outlier,
       NULL::bigint AS batch_id, NULL::bigint AS community_id,
       (SELECT array_agg(id ORDER BY id) FROM stations_station)
           [1 + (g * 7919) %% (SELECT count(*) FROM stations_station)] AS station_id,
       (SELECT array_agg(id ORDER BY id) FROM workload_incidentcategory)
           [1 + (g * 104729) %% (SELECT count(*) FROM workload_incidentcategory)] AS category_id
FROM generate_series(1::bigint, %(rows)s::bigint) g
"""


def _timed(cursor: CursorWrapper, sql: str) -> float:
    started = time.perf_counter()
    cursor.execute(sql)
    return time.perf_counter() - started


def into_incident(cursor: CursorWrapper) -> dict[str, float]:
    """The import's way: one INSERT into the table with its indexes and reference checks."""
    return {"insert": _timed(cursor, "INSERT INTO workload_incident SELECT * FROM bench_paths_rows")}


def into_new_table(cursor: CursorWrapper, indexes: list[str]) -> dict[str, float]:
    """Into a new table without indexes, then the incident table's own indexes and references, built once."""
    phases = {
        "create": _timed(
            cursor, "CREATE TABLE bench_paths_new (LIKE workload_incident INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
    }
    phases["insert"] = _timed(cursor, "INSERT INTO bench_paths_new SELECT * FROM bench_paths_rows")
    phases["indexes"] = sum(_timed(cursor, sql) for sql in indexes)
    # The statement trigger's work, set-wise: every station and category exists.
    phases["references"] = _timed(
        cursor,
        "SELECT count(*) FROM bench_paths_new n WHERE NOT EXISTS (SELECT 1 FROM stations_station s WHERE s.id ="
        " n.station_id) OR NOT EXISTS (SELECT 1 FROM workload_incidentcategory c WHERE c.id = n.category_id)",
    )
    (missing,) = cursor.fetchone()
    if missing:
        raise SystemExit(f"{missing} rows name no station or category")
    return phases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--existing", type=int, default=0, help="rows of another source stored first")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    demo_on_postgresql("Point DATABASE_URL at PostgreSQL.", "--incidents", "0")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT regexp_replace(indexdef, ' ON public.workload_incident ', ' ON bench_paths_new ')"
            " FROM pg_indexes WHERE tablename = 'workload_incident'"
        )
        indexes = [row[0].replace(" INDEX ", " INDEX bench_", 1) for row in cursor.fetchall()]
        cursor.execute("DROP TABLE IF EXISTS bench_paths_rows, bench_paths_new")
        cursor.execute("DELETE FROM workload_incident WHERE source IN ('bench-paths', 'bench-paths-old')")
        if args.existing:
            cursor.execute(
                SOURCE_SQL.format(name="bench_paths_rows"),
                {"first_id": 3 * 10**12, "source": "bench-paths-old", "rows": args.existing},
            )
            cursor.execute("INSERT INTO workload_incident SELECT * FROM bench_paths_rows")
            cursor.execute("DROP TABLE bench_paths_rows")
        # Start without the dead rows of earlier runs (this server may run no autovacuum): a run without
        # --existing after one with it otherwise inserts into indexes still full of the deleted million.
        cursor.execute("VACUUM (ANALYZE) workload_incident")
        cursor.execute(
            SOURCE_SQL.format(name="bench_paths_rows"),
            {"first_id": 2 * 10**12, "source": "bench-paths", "rows": args.rows},
        )
        cursor.execute("ANALYZE bench_paths_rows")
        cursor.execute("SELECT count(*) FROM workload_incident")
        (stored,) = cursor.fetchone()
    runs: dict[str, list[dict[str, float]]] = {"incident": [], "new table": []}
    try:
        for _ in range(args.repeat):
            for name in runs:
                with connection.cursor() as cursor:
                    cursor.execute("CHECKPOINT")
                with transaction.atomic(), connection.cursor() as cursor:
                    phases = into_incident(cursor) if name == "incident" else into_new_table(cursor, indexes)
                    transaction.set_rollback(True)
                runs[name].append(phases)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_paths_rows, bench_paths_new")
            cursor.execute("DELETE FROM workload_incident WHERE source = 'bench-paths-old'")
    best = {name: min(sum(p.values()) for p in measured) for name, measured in runs.items()}
    rows: list[tuple[str, ...]] = []
    for name, measured in runs.items():
        for k, p in enumerate(measured, 1):
            detail = ", ".join(f"{key} {value:.2f}" for key, value in p.items())
            rows.append((f"{name} #{k}", f"{sum(p.values()):.2f}", f"{args.rows / sum(p.values()):,.0f}", detail))
    rows.append(("ratio incident / new table (best)", f"{best['incident'] / best['new table']:.2f}", "", ""))
    print(f"{args.rows:,} rows into an incident table already holding {stored:,}")
    print_table(rows, ("path", "seconds", "rows/s", "phases (s)"))
    print(
        json.dumps(
            {
                "bench": "insert_paths",
                "rows": args.rows,
                "existing": stored,
                "incident_s": [round(sum(p.values()), 2) for p in runs["incident"]],
                "new_table_s": [round(sum(p.values()), 2) for p in runs["new table"]],
                "new_table_phases_s": [{k: round(v, 2) for k, v in p.items()} for p in runs["new table"]],
                "ratio": round(best["incident"] / best["new table"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
