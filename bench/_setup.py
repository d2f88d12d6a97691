"""Shared start-up for bench scripts: Django settings from the environment, like the app itself."""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402


def demo_on_postgresql(refusal: str, *seed_args: str) -> None:
    """Refuse any database but PostgreSQL with ``refusal``, then migrate and seed the demo county
    (``seed_demo`` with ``seed_args``)."""
    if connection.vendor != "postgresql":
        raise SystemExit(refusal)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", *seed_args, "--json", stdout=io.StringIO())


# Strength of every station written by hand: the reference for the ORM selector (bench/strength.py) and
# part of the hand-written county overview (bench/overview.py).
STRENGTH_SQL = """
SELECT s.id,
       COUNT(p.id) FILTER (WHERE p.kind = 'officer'),
       COUNT(p.id) FILTER (WHERE p.kind <> 'officer'),
       COUNT(p.id) FILTER (WHERE p.kind = 'officer' AND p.status = 'active'),
       COUNT(p.id) FILTER (WHERE p.kind <> 'officer' AND p.status = 'active'),
       COUNT(p.id) FILTER (WHERE p.kind = 'officer' AND p.status = 'active'
                           AND p.post IN ('community_officer', 'village_officer'))
FROM stations_station s
LEFT JOIN stations_unit u ON u.station_id = s.id
LEFT JOIN personnel_assignment a ON a.unit_id = u.id AND a.start_date <= %(on)s
     AND (a.end_date IS NULL OR a.end_date > %(on)s)
LEFT JOIN personnel_person p ON p.id = a.person_id AND p.status <> 'left'
GROUP BY s.id
"""


def median_seconds(function: Callable[[], object], *, repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def print_table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
