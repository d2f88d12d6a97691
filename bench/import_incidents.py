"""End-to-end import of a large incident file against a raw COPY of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingli_bench .venv/bin/python bench/import_incidents.py [--rows N]

Writes N rows (default 1,000,000) in Jingli's own CSV format for the demo county, imports them through
the whole pipeline (read in chunks, map, validate, COPY to staging, duplicate checks, one INSERT ...
SELECT into the incident table with its indexes and constraints), then COPYs the same file into a
bare table with text columns: the fastest any import of that file could be. Prints both and the ratio.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _setup import demo_on_postgresql, print_table
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from config.celery import app
from stations.models import Station
from workload import importer
from workload.aggregate import cells_refresh, station_months_of_batch
from workload.importer import batch_check, batch_create
from workload.mapping import SHIPPED_DIR
from workload.models import ImportBatch, ImportMapping, Incident, IncidentCategory

SOURCE = "bench"


def write_file(path: Path, rows: int) -> None:
    rng = np.random.default_rng(1)
    stations = list(Station.objects.stations().filter(county__code="DM01").values_list("code", flat=True))
    categories = list(IncidentCategory.objects.values_list("code", flat=True))
    start = np.datetime64("2025-01-01T00:00:00")
    received = start + rng.integers(0, 365 * 24 * 3600, size=rows).astype("timedelta64[s]")
    arrived = received + rng.integers(60, 1800, size=rows).astype("timedelta64[s]")
    minutes = np.round(rng.gamma(2.0, 25.0, size=rows), 1)
    cleared = arrived + (minutes * 60).astype("int64").astype("timedelta64[s]")
    frame = pd.DataFrame(
        {
            "external_id": [f"B{n:08d}" for n in range(rows)],
            "received_at": pd.to_datetime(received).strftime("%Y-%m-%d %H:%M:%S"),
            "arrived_at": pd.to_datetime(arrived).strftime("%Y-%m-%d %H:%M:%S"),
            "cleared_at": pd.to_datetime(cleared).strftime("%Y-%m-%d %H:%M:%S"),
            "station": np.array(stations)[rng.integers(0, len(stations), size=rows)],
            "category": np.array(categories)[rng.integers(0, len(categories), size=rows)],
            "community": "",
            "handling_minutes": minutes,
            "people_involved": rng.integers(1, 4, size=rows),
        }
    )
    frame.to_csv(path, index=False)


class Phases(logging.Handler):
    """Collects the phase times the importer logs ("import batch N: stage took 1.23 s")."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seconds: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        words = record.getMessage().split()  # import batch 7: stage took 1.23 s
        if len(words) == 7 and words[0] == "import" and words[4] == "took":
            self.seconds[words[3]] = float(words[5])


class CpuClock:
    """CPU seconds of this process plus its database backends (when PostgreSQL runs on this machine).

    The machine is shared: wall time stretches with everyone else's load, CPU time much less. The
    importer's staging COPY runs on a connection of its own (a thread): `watch` records that
    backend's CPU after each COPY, so it is counted too though it is gone when the import ends."""

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.main = cursor.fetchone()[0]
        self.tick = os.sysconf("SC_CLK_TCK")
        self.others: dict[int, float] = {}  # backend pid -> its CPU seconds when last seen

    def backend(self, pid: int) -> float | None:
        stat = Path(f"/proc/{pid}/stat")
        if not stat.exists():
            return None
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.tick

    def watch(self, db: BaseDatabaseWrapper) -> None:
        pid = db.connection.get_backend_pid()
        if pid != self.main and (seconds := self.backend(pid)) is not None:
            self.others[pid] = seconds

    def __call__(self) -> float | None:
        main = self.backend(self.main)
        if main is None:
            return None
        own = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
        return main + sum(self.others.values()) + own.ru_utime + own.ru_stime


def _spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def pipeline(path: Path, phases: Phases) -> tuple[float, int]:
    """The whole import of the file, timed from upload to stored batch.

    The workload refresh the import asks for runs afterwards in a worker; it is timed on its own.
    """
    started = time.perf_counter()
    with path.open("rb") as upload:
        batch = batch_create(upload=upload, file_name=path.name, mapping_name="bench", mode="all")
    phases.seconds["upload"] = time.perf_counter() - started
    batch_check(batch.pk)
    elapsed = time.perf_counter() - started
    batch.refresh_from_db()
    if batch.status != "stored":
        raise SystemExit(f"the bench file did not import: {batch.status} {batch.message} {batch.errors[:3]}")
    return elapsed, batch.rows_stored


def raw_copy(path: Path) -> float:
    columns = "external_id, received_at, arrived_at, cleared_at, station, category, community, handling_minutes, people"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(f"CREATE TABLE bench_raw_copy ({', '.join(c + ' text' for c in columns.split(', '))})")
        started = time.perf_counter()
        with path.open("rb") as handle:
            cursor.cursor.copy_expert(
                f"COPY bench_raw_copy ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)", handle
            )
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_copy")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    demo_on_postgresql("Point DATABASE_URL at PostgreSQL: the reference is PostgreSQL's COPY.", "--incidents", "0")
    # Jingli's own format under another source name, so bench rows never collide with real ones.
    jingli = (SHIPPED_DIR / "jingli.toml").read_text(encoding="utf-8")
    ImportMapping.objects.update_or_create(
        name="bench", defaults={"definition": jingli.replace('source = "jingli"', f'source = "{SOURCE}"')}
    )
    Incident.objects.filter(source=SOURCE).delete()
    with connection.cursor() as cursor:
        # Start from tables without the dead rows of earlier runs (this server may run no autovacuum).
        cursor.execute("VACUUM (ANALYZE) workload_incident, workload_stagedincident")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.csv"
        write_file(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        clock = CpuClock()
        cpu_before = clock()
        reference = raw_copy(path)
        cpu_reference = _spent(cpu_before, clock())
        app.conf.update(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="memory://")
        phases = Phases()
        importer_log = logging.getLogger("workload.importer")
        importer_log.addHandler(phases)
        importer_log.setLevel(logging.DEBUG)
        copy = importer._copy_into_staging

        def copy_counted(db: BaseDatabaseWrapper, text: str | None) -> None:
            copy(db, text)
            clock.watch(db)

        importer._copy_into_staging = copy_counted
        cpu_before = clock()
        elapsed, stored = pipeline(path, phases)
        cpu_import = _spent(cpu_before, clock())
        started = time.perf_counter()
        cells = cells_refresh(station_months_of_batch(ImportBatch.objects.latest("pk")))
        refresh = time.perf_counter() - started
    Incident.objects.filter(source=SOURCE).delete()
    ratio = elapsed / reference
    cpu_ratio = cpu_import / cpu_reference if cpu_import and cpu_reference else None

    def cpu(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}"

    print_table(
        [
            (
                "raw COPY into a bare text table",
                f"{reference:.2f}",
                f"{args.rows / reference:,.0f}",
                cpu(cpu_reference),
            ),
            ("Jingli import, end to end", f"{elapsed:.2f}", f"{stored / elapsed:,.0f}", cpu(cpu_import)),
            ("ratio", f"{ratio:.2f}", "", cpu(cpu_ratio)),
            *((f"  of which {name}", f"{seconds:.2f}", "", "") for name, seconds in phases.seconds.items()),
            (f"then: workload refresh ({cells:,} cells)", f"{refresh:.2f}", "", ""),
        ],
        ("path", "seconds", "rows/s", "CPU s (client + server)"),
    )
    result = {
        "bench": "import_incidents",
        "rows": args.rows,
        "stored": stored,
        "file_mb": round(size_mb, 1),
        "copy_s": round(reference, 2),
        "import_s": round(elapsed, 2),
        "ratio": round(ratio, 2),
        "copy_cpu_s": None if cpu_reference is None else round(cpu_reference, 2),
        "import_cpu_s": None if cpu_import is None else round(cpu_import, 2),
        "cpu_ratio": None if cpu_ratio is None else round(cpu_ratio, 2),
        "refresh_s": round(refresh, 2),
        "phases_s": {name: round(seconds, 2) for name, seconds in phases.seconds.items()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
