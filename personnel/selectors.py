"""Named reads over people and their placement."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from personnel.models import Assignment, Person
from stations.models import Station


def _current_assignment_filter(on: dt.date, prefix: str) -> Q:
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": on})
    )


def stations_with_strength(stations: QuerySet[Station], *, on: dt.date | None = None) -> QuerySet[Station]:
    """Annotate each station with its nominal and effective strength on a date, in one query.

    nominal   = people on the books whose assignment in force is at the station (seconded and long
                absent people included: "on the books");
    effective = of those, the people actually at their post (status active).
    Community officers are counted separately for the 40 % rule.
    """
    on = on or timezone.localdate()
    # Restricting the join to the assignments in force (rather than filtering inside every COUNT)
    # keeps past history out of the aggregation: the query then costs what the hand-written one does.
    current = FilteredRelation("units__assignments", condition=_current_assignment_filter(on, "units__assignments__"))
    here = ~Q(current__person__status=Person.Status.LEFT)
    officer = Q(current__person__kind=Person.Kind.OFFICER)
    active = Q(current__person__status=Person.Status.ACTIVE)
    community = Q(current__person__post__in=[p.value for p in Person.COMMUNITY_POSTS])
    people = "current__person"
    return stations.annotate(current=current).annotate(
        nominal_officers=Count(people, filter=here & officer),
        nominal_auxiliaries=Count(people, filter=here & ~officer),
        effective_officers=Count(people, filter=here & officer & active),
        effective_auxiliaries=Count(people, filter=here & ~officer & active),
        community_officers=Count(people, filter=here & officer & active & community),
    )


def people_with_placement(people: QuerySet[Person], *, on: dt.date | None = None) -> QuerySet[Person]:
    """Annotate each person with the station and unit of the assignment in force on a date."""
    on = on or timezone.localdate()
    current = Assignment.objects.current(on).filter(person=OuterRef("pk"))
    return people.annotate(
        station_id_now=Subquery(current.values("unit__station_id")[:1]),
        station_name_now=Subquery(current.values("unit__station__name")[:1]),
        unit_kind_now=Subquery(current.values("unit__kind")[:1]),
    )


def people_in_scope(people: QuerySet[Person], *, station_id: int | None, on: dt.date | None = None) -> QuerySet[Person]:
    """People an account bound to `station_id` may see: those assigned there now. None means all."""
    if station_id is None:
        return people
    return people.filter(pk__in=Person.objects.assigned_to(station_id, on).values("pk"))
