"""Workload cells from incidents, computed in the database.

The GROUP BY is written with the ORM so local months and hours of the week follow the configured
time zone on both backends (PostgreSQL: AT TIME ZONE; SQLite: Django's zone-aware functions), then
wrapped in INSERT ... SELECT so no incident row passes through Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DateField, F, FloatField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, ExtractHour, ExtractIsoWeekDay, TruncMonth
from django.utils import timezone

from workload.models import ImportBatch, Incident, WorkloadCell, WorkloadMonth

CELL_TABLE = WorkloadCell._meta.db_table
CELL_COLUMNS = [
    "station_id",
    "team",
    "category_group",
    "month",
    "hour_of_week",
    "incidents",
    "handling_hours",
    "officer_hours",
    "officer_only_hours",
    "follow_up_hours",
]

MONTH_TABLE = WorkloadMonth._meta.db_table
MONTH_COLUMNS = ["station_id", "month", "team", "incidents", "officer_hours", "officer_only_hours", "follow_up_hours"]

StationMonth = tuple[int, dt.date]


def cells_query(incidents: QuerySet[Incident] | None = None) -> QuerySet[Incident, dict[str, Any]]:
    """The GROUP BY over incidents that defines every cell (also used by tests and the bench)."""
    zone = timezone.get_default_timezone()
    queryset = Incident.objects.all() if incidents is None else incidents
    minutes = Coalesce(F("handling_minutes"), Cast(F("category__default_handling_minutes"), FloatField()))
    people = Coalesce(F("people_involved"), F("category__default_crew"))
    officer_minutes = minutes * Cast(people, FloatField())
    return (
        queryset.order_by()
        .annotate(
            cell_team=F("category__team"),
            cell_group=F("category__group"),
            cell_month=Cast(TruncMonth("received_at", tzinfo=zone), DateField()),
            cell_hour_of_week=(ExtractIsoWeekDay("received_at", tzinfo=zone) - 1) * 24
            + ExtractHour("received_at", tzinfo=zone),
        )
        .values("station_id", "cell_team", "cell_group", "cell_month", "cell_hour_of_week")
        # In primary-key order, so the index grows at its right edge instead of splitting pages.
        .order_by("station_id", "cell_month", "cell_team", "cell_group", "cell_hour_of_week")
        .annotate(
            cell_incidents=Count("id"),
            cell_handling=Sum(minutes) / 60.0,
            cell_officer=Sum(officer_minutes) / 60.0,
            cell_officer_only=Coalesce(Sum(officer_minutes, filter=Q(category__officer_only=True)), Value(0.0)) / 60.0,
            cell_follow_up=Sum("category__follow_up_hours"),
        )
    )


@transaction.atomic
def cells_refresh(station_months: Iterable[StationMonth] | None = None) -> int:
    """Recompute the cells of the given (station, local month) pairs, or of everything when None."""
    incidents = Incident.objects.all()
    cells = WorkloadCell.objects.all()
    cell_match = Q()
    if station_months is not None:
        pairs = sorted(set(station_months))
        if not pairs:
            return 0
        zone = timezone.get_default_timezone()
        match = Q()
        for station_id, month in pairs:
            start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
            end = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=zone)
            match |= Q(station_id=station_id, received_at__gte=start, received_at__lt=end)
        incidents = incidents.filter(match)
        for station_id, month in pairs:
            cell_match |= Q(station_id=station_id, month=month)
        cells = WorkloadCell.objects.filter(cell_match)
    if station_months is None and connection.vendor == "postgresql":
        # Emptying the whole table: TRUNCATE skips the per-row work of DELETE. It locks readers out
        # until this transaction commits, which is why the full refresh runs at night.
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {CELL_TABLE}")
    else:
        cells.delete()
    select_sql, params = cells_query(incidents).query.sql_with_params()
    columns = ", ".join(CELL_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"INSERT INTO {CELL_TABLE} ({columns}) {select_sql}", params)  # noqa: S608
            stored = cursor.rowcount
        else:
            # PostgreSQL plans INSERT ... SELECT without parallel workers, but CREATE TABLE AS with them:
            # aggregate into a scratch table in parallel, then copy the (far fewer) cells across.
            cursor.execute("DROP TABLE IF EXISTS workload_cells_scratch")
            cursor.execute(f"CREATE TEMPORARY TABLE workload_cells_scratch ON COMMIT DROP AS {select_sql}", params)
            cursor.execute(f"INSERT INTO {CELL_TABLE} ({columns}) SELECT * FROM workload_cells_scratch")  # noqa: S608
            stored = cursor.rowcount
    _months_refresh(None if station_months is None else cell_match)
    return stored


def _months_refresh(match: Q | None) -> None:
    """Re-sum the monthly rows of the refreshed station-months (all of them when `match` is None)."""
    months = WorkloadMonth.objects.all() if match is None else WorkloadMonth.objects.filter(match)
    cells = WorkloadCell.objects.all() if match is None else WorkloadCell.objects.filter(match)
    if match is None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {MONTH_TABLE}")
    else:
        months.delete()
    sums = (
        cells.order_by()
        .values("station_id", "month", "team")
        .annotate(
            n=Sum("incidents"),
            officer=Sum("officer_hours"),
            only=Sum("officer_only_hours"),
            follow_up=Sum("follow_up_hours"),
        )
        .values_list("station_id", "month", "team", "n", "officer", "only", "follow_up")
    )
    select_sql, params = sums.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {MONTH_TABLE} ({', '.join(MONTH_COLUMNS)}) {select_sql}", params)  # noqa: S608


def station_months_of_batch(batch: ImportBatch) -> list[StationMonth]:
    """The (station, local month) pairs a batch's incidents fall in: what a store or rollback changes."""
    zone = timezone.get_default_timezone()
    rows = (
        Incident.objects.filter(batch=batch)
        .order_by()  # the model's default ordering would otherwise join the DISTINCT
        .annotate(month=TruncMonth("received_at", tzinfo=zone))
        .values_list("station_id", "month")
        .distinct()
    )
    return [(station_id, month.date() if isinstance(month, dt.datetime) else month) for station_id, month in rows]
