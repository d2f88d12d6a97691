"""The one boundary between the database and the reports' pandas analysis.

Each function runs a fixed number of queries (aggregation in the database, `values_list` for rows)
and hands back plain DataFrames with the columns reports.analysis documents. Nothing after this
module touches the ORM.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import QuerySet, Sum

from allocation.models import Proposal, ProposedMove
from personnel.models import Assignment, Person
from reports.overview import Overview
from stations.models import Station
from workload.models import StandardsSet, WorkloadMonth

STATION_COLUMNS = [
    "code",
    "name",
    "kind",
    "is_department",
    "nominal_officers",
    "nominal_auxiliaries",
    "effective_officers",
    "effective_auxiliaries",
    "community_officers",
    "residents",
    "residents_limit",
    "need",
    "officer_need",
    "committed_hours",
    "saturation",
]
PEOPLE_COLUMNS = [
    "station_code",
    "station_name",
    "team",
    "number",
    "name",
    "kind",
    "post",
    "status",
    "seconded_to",
]
WORKLOAD_COLUMNS = ["station_code", "team", "month", "incidents", "officer_hours"]


def stations_frame(overview: Overview, standards: StandardsSet) -> pd.DataFrame:
    """The overview's rows (already counted in the database) as one frame."""
    records = []
    for row in overview.rows:
        station = row.station
        result = row.need.result
        records.append(
            (
                station.code,
                station.name,
                station.kind,
                station.is_department,
                station.nominal_officers,  # type: ignore[attr-defined]
                station.nominal_auxiliaries,  # type: ignore[attr-defined]
                station.effective_officers,  # type: ignore[attr-defined]
                station.effective_auxiliaries,  # type: ignore[attr-defined]
                station.community_officers,  # type: ignore[attr-defined]
                row.residents,
                standards.residents_per_community_officer(station.kind),
                result.need if result else None,
                result.officer_need if result else None,
                result.committed_hours if result else None,
                result.saturation if result else None,
            )
        )
    return pd.DataFrame.from_records(records, columns=STATION_COLUMNS)


def people_frame(stations: QuerySet[Station], *, on: dt.date) -> pd.DataFrame:
    """Everyone on the books whose assignment in force on `on` is at one of these stations."""
    rows = (
        Assignment.objects.current(on)
        .filter(unit__station__in=stations)
        .exclude(person__status=Person.Status.LEFT)
        .values_list(
            "unit__station__code",
            "unit__station__name",
            "unit__kind",
            "person__number",
            "person__name",
            "person__kind",
            "person__post",
            "person__status",
            "person__seconded_to",
        )
    )
    return pd.DataFrame.from_records(list(rows), columns=PEOPLE_COLUMNS)


def workload_frame(stations: QuerySet[Station], *, first_month: dt.date, last_month: dt.date) -> pd.DataFrame:
    """Incidents and officer-hours per station, team and month, summed in the database."""
    rows = (
        WorkloadMonth.objects.filter(station__in=stations, month__gte=first_month, month__lte=last_month)
        .values("station__code", "team", "month")
        .annotate(n=Sum("incidents"), hours=Sum("officer_hours"))
        .values_list("station__code", "team", "month", "n", "hours")
    )
    return pd.DataFrame.from_records(list(rows), columns=WORKLOAD_COLUMNS)


def workload_months(stations: QuerySet[Station]) -> list[dt.date]:
    """The months that have measured workload, newest first (for the period chooser)."""
    return list(
        WorkloadMonth.objects.filter(station__in=stations).values_list("month", flat=True).distinct().order_by("-month")
    )


def moves_frame(proposal: Proposal) -> pd.DataFrame:
    """The proposal's moves still standing (rejected moves change nothing)."""
    rows = (
        ProposedMove.objects.filter(proposal=proposal)
        .exclude(status=ProposedMove.Status.REJECTED)
        .values_list("origin__code", "destination__code")
    )
    return pd.DataFrame.from_records(list(rows), columns=["origin_code", "destination_code"])
