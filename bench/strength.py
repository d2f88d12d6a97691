"""Nominal and effective strength of every station of a city, ORM selector vs hand-written SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingli_bench .venv/bin/python bench/strength.py

Builds the city-scale demo (150 stations, ~8,500 people) in the configured database if it is not
there, then times `stations_with_strength` (the query behind the station list and the dashboard)
against the same counts written by hand in SQL, and checks both give the same numbers.
"""

from __future__ import annotations

import datetime as dt
import json

from _setup import STRENGTH_SQL, demo_on_postgresql, median_seconds, print_table
from django.db import connection

from personnel.models import Person
from personnel.selectors import stations_with_strength
from stations.models import Station

ON = dt.date(2026, 11, 15)


def orm() -> dict[int, tuple[int, ...]]:
    rows = stations_with_strength(Station.objects.order_by("pk"), on=ON).values_list(  # type: ignore[misc]  # fields annotated by the selector
        "pk",
        "nominal_officers",
        "nominal_auxiliaries",
        "effective_officers",
        "effective_auxiliaries",
        "community_officers",
    )
    return {pk: tuple(counts) for pk, *counts in rows}


def hand_written() -> dict[int, tuple[int, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(STRENGTH_SQL, {"on": ON})
        return {pk: tuple(counts) for pk, *counts in cursor.fetchall()}


def main() -> None:
    refusal = "Point DATABASE_URL at PostgreSQL: this benchmark compares against PostgreSQL SQL."
    demo_on_postgresql(refusal, "--scale", "city", "--incidents", "0")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics after seeding, as autovacuum would give
    if orm() != hand_written():
        raise SystemExit("the selector and the hand-written SQL disagree")
    stations, people = Station.objects.count(), Person.objects.count()
    orm_s = median_seconds(orm, repeat=30)
    sql_s = median_seconds(hand_written, repeat=30)
    ratio = orm_s / sql_s
    print_table(
        [
            ("stations_with_strength (ORM)", f"{orm_s * 1000:.1f}"),
            ("hand-written SQL", f"{sql_s * 1000:.1f}"),
            ("ratio", f"{ratio:.2f}"),
        ],
        ("query over the city", "median ms"),
    )
    print(
        json.dumps(
            {
                "bench": "strength",
                "stations": stations,
                "people": people,
                "orm_ms": round(orm_s * 1000, 2),
                "sql_ms": round(sql_s * 1000, 2),
                "ratio": round(ratio, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
