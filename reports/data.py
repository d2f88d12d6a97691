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
from rosters.models import CalendarDay, Roster, RosterCell, RosterStatus
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
DUTY_COLUMNS = ["station_code", "number", "name", "kind", "day", "hours", "night"]
CALENDAR_COLUMNS = ["date", "kind"]


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


def duty_frame(stations: QuerySet[Station], *, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """Every shift of the published rosters (the ones in force) of these stations between the days.

    Drafts, rosters awaiting approval and superseded versions are plans or history, not the duty
    people actually stand, so they are left out."""
    rows = (
        RosterCell.objects.filter(
            roster__station__in=stations,
            roster__status=RosterStatus.PUBLISHED,
            day__gte=first_day,
            day__lte=last_day,
        )
        .values_list(
            "roster__station__code",
            "person__number",
            "person__name",
            "person__kind",
            "day",
            "shift__hours",
            "shift__night",
        )
        .order_by("roster__station__code", "person__number", "day")
    )
    return pd.DataFrame.from_records(list(rows), columns=DUTY_COLUMNS)


def calendar_frame(*, first_day: dt.date, last_day: dt.date) -> pd.DataFrame:
    """The holiday calendar's stored days (public holidays, make-up working days) in the period."""
    rows = CalendarDay.objects.filter(date__gte=first_day, date__lte=last_day).values_list("date", "kind")
    return pd.DataFrame.from_records(list(rows), columns=CALENDAR_COLUMNS)


def roster_months(stations: QuerySet[Station]) -> list[dt.date]:
    """The first days of the months that published rosters of these stations cover, newest first
    (a roster starting on 28 September covers October too)."""
    periods = (
        Roster.objects.filter(station__in=stations, status=RosterStatus.PUBLISHED)
        .values_list("start_date", "days")
        .distinct()
    )
    months: set[dt.date] = set()
    for start, days in periods:
        month, last = start.replace(day=1), (start + dt.timedelta(days=days - 1)).replace(day=1)
        while month <= last:
            months.add(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
    return sorted(months, reverse=True)
