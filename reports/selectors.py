"""Named reads behind the overview and the station page (each a fixed number of queries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from allocation.models import Proposal, ProposedMove
from personnel.models import Assignment, Person
from rosters.models import Roster
from rosters.selectors import rosters_visible
from stations.models import Station
from workload.models import WorkloadMonth


def county_monthly_trend(stations: QuerySet[Station], last_months: int = 24) -> list[tuple[dt.date, int, float]]:
    """(month, incidents, officer-hours) summed over the stations, oldest first, one query."""
    rows = (
        WorkloadMonth.objects.filter(station__in=stations)
        .values("month")
        .annotate(incidents=Sum("incidents"), officer_hours=Sum("officer_hours"))
        .order_by("-month")
        .values_list("month", "incidents", "officer_hours")[:last_months]
    )
    return list(reversed(list(rows)))


def station_people(station: Station, *, on: dt.date) -> list[Assignment]:
    """The assignments in force at the station, with their people, by team then post then number.

    Callers reach this only for a station in the viewer's scope (the station page checks it).
    """
    return list(
        Assignment.objects.current(on)
        .filter(unit__station=station)
        .exclude(person__status=Person.Status.LEFT)
        .select_related("person", "unit")
        .order_by("unit__kind", "person__kind", "person__post", "person__number")
    )


def station_proposals(station: Station, limit: int = 20) -> QuerySet[Proposal]:
    """Proposals with a move into or out of the station, newest first, with the counts each way."""
    touching = ProposedMove.objects.filter(Q(origin=station) | Q(destination=station)).values("proposal_id")
    return (
        Proposal.objects.filter(pk__in=touching)
        .select_related("run")
        .annotate(
            arriving=Count("moves", filter=Q(moves__destination=station)),
            leaving=Count("moves", filter=Q(moves__origin=station)),
        )
        .order_by("-created_at")[:limit]
    )


def station_rosters(user: Any, station: Station, limit: int = 24) -> list[Roster]:
    """The station's rosters the viewer may read (every version), newest period first, one query.

    Scoped through rosters.selectors.rosters_visible, as the roster pages are: an empty list for a
    viewer who may not read this station's rosters, whatever the caller checked before."""
    return list(
        rosters_visible(user)
        .filter(station=station)
        .select_related("pattern")
        .order_by("-start_date", "pattern__code", "-version")[:limit]
    )
