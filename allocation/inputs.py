"""The one boundary between the database and the engine: a county's places and people as plain data."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, QuerySet
from django.utils import timezone

from allocation.engine import Instance, Member, Place, Rules
from personnel.models import Assignment, Person
from stations.models import County, Station, Unit
from workload.models import StandardsSet
from workload.selectors import station_needs


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, min(day.day, 28))


def county_instance(
    county: County, *, standards: StandardsSet, rules: Rules, recent_move_months: int = 12, on: dt.date | None = None
) -> tuple[Instance, dict[int, str]]:
    """Places (stations with their need, departments) and people at post, with who may move.

    Returns the instance and, for every person who may not move, why (for the explanations).
    """
    return places_instance(
        Station.objects.filter(county=county),
        standards=standards,
        rules=rules,
        recent_move_months=recent_move_months,
        on=on,
    )


def places_instance(
    stations: QuerySet[Station],
    *,
    standards: StandardsSet,
    rules: Rules,
    recent_move_months: int = 12,
    on: dt.date | None = None,
) -> tuple[Instance, dict[int, str]]:
    """The same for any set of places, e.g. a whole city."""
    on = on or timezone.localdate()
    needs = station_needs(stations, standards=standards, on=on)
    places = []
    for item in needs:
        station = item.station
        result = item.result
        places.append(
            Place(
                id=station.pk,
                code=station.code,
                is_station=not station.is_department,
                need=result.need if result else 0.0,
                officer_need=result.officer_need if result else 0.0,
                case_need=result.teams["case"].need if result else 0.0,
                committed_hours=result.committed_hours if result else 0.0,
                latitude=float(station.latitude) if station.latitude is not None else None,
                longitude=float(station.longitude) if station.longitude is not None else None,
                group=station.county.code,
            )
        )
    current = (
        Assignment.objects.current(on)
        .filter(unit__station__in=stations)
        .exclude(person__status=Person.Status.LEFT)
        .select_related("person", "unit")
        .order_by("person_id")
    )
    last_start = dict(
        Assignment.objects.filter(person__in=current.values("person_id"))
        .values("person_id")
        .annotate(latest=Max("start_date"))
        .values_list("person_id", "latest")
    )
    recent_limit = _months_before(on, recent_move_months)
    members = []
    fixed: dict[int, str] = {}
    for assignment in current:
        person = assignment.person
        why = _why_fixed(person, assignment, last_start.get(person.pk), recent_limit)
        if why:
            fixed[person.pk] = why
        members.append(
            Member(
                id=person.pk,
                place=assignment.unit.station_id,
                officer=person.is_officer,
                community=person.is_officer and assignment.unit.kind == Unit.Kind.COMMUNITY,
                investigator=person.is_investigator,
                qualified=person.law_enforcement_level != Person.LawEnforcementLevel.NONE,
                tenure_years=(on - person.post_since).days / 365.25,
                at_post=person.status == Person.Status.ACTIVE,
                movable=not why,
            )
        )
    return Instance(places, members, rules), fixed


def _why_fixed(person: Person, assignment: Assignment, latest_start: dt.date | None, recent_limit: dt.date) -> str:
    if person.status != Person.Status.ACTIVE:
        return f"not at post ({person.get_status_display()})"
    if person.is_leader:
        return "leader"
    if not person.movable:
        return "flagged not movable"
    if latest_start is not None and latest_start > recent_limit and assignment.source != Assignment.Source.INITIAL:
        return "moved recently"
    return ""
