"""People and their assignment history through the API.

Personal data: birth date and hire date (age and length of service) are shown only to roles that
work with them, county planners and auditors; for station chiefs these fields are null. Chiefs see
the people assigned to their station today (everything a roster needs: post, rank, qualifications,
status), and the assignment history of their station's units.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import serializers

from config.api import ScopedReadViewSet, UpdatedSinceFilterSet
from config.roles import Scope, scope_of
from personnel.models import Assignment, Person, Qualification
from personnel.selectors import people_in_scope

PERSONAL_FIELDS = ("birth_date", "hire_date")


def may_see_personal_data(scope: Scope) -> bool:
    """Planners and auditors work county-wide with ages and service years; chiefs do not need them."""
    return scope.can_read and not scope.is_station_bound


# --- People --------------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    qualifications: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    station = serializers.CharField(
        source="station_code_now", read_only=True, allow_null=True, help_text="Station assigned to today."
    )
    unit = serializers.CharField(
        source="unit_kind_now", read_only=True, allow_null=True, help_text="Team (unit kind) assigned to today."
    )
    birth_date = serializers.DateField(read_only=True, allow_null=True, help_text="Planners and auditors only.")
    hire_date = serializers.DateField(read_only=True, allow_null=True, help_text="Planners and auditors only.")

    class Meta:
        model = Person
        fields = [
            "number",
            "name",
            "kind",
            "sex",
            "rank",
            "post",
            "law_enforcement_level",
            "is_investigator",
            "qualifications",
            "status",
            "seconded_to",
            "station",
            "unit",
            "post_since",
            "movable",
            "birth_date",
            "hire_date",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance: Person) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("personal", False):
            for field in PERSONAL_FIELDS:
                data[field] = None
        return data


class PersonFilter(UpdatedSinceFilterSet):
    station = filters.CharFilter(method="filter_station", label="Code of the station assigned to today")
    qualification = filters.CharFilter(field_name="qualifications__code", label="Qualification code")

    class Meta:
        model = Person
        fields = {
            "number": ["exact"],
            "name": ["exact"],
            "kind": ["exact"],
            "status": ["exact"],
            "post": ["exact"],
            "rank": ["exact"],
            "law_enforcement_level": ["exact"],
            "is_investigator": ["exact"],
            "movable": ["exact"],
        }

    def filter_station(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        here = Assignment.objects.current().filter(unit__station__code=value).values("person_id")
        return queryset.filter(pk__in=here)


class PersonViewSet(ScopedReadViewSet):
    """Officers and auxiliaries with today's station and team. Chiefs: the people assigned to their
    station today, without birth and hire dates."""

    queryset = Person.objects.order_by("number")
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["number", "name", "kind", "post", "post_since", "updated_at"]
    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    export_name = "people"

    def get_queryset(self) -> QuerySet[Any]:
        qualifications = Prefetch("qualifications", queryset=Qualification.objects.only("id", "code"))
        return super().get_queryset().prefetch_related(qualifications)

    def decorate(self, rows: Sequence[Any]) -> None:
        # Today's placement of the page's people in one query. As a subquery in the SELECT list it
        # would also run for every row a deep page skips over.
        placed = dict(
            (person_id, (station, unit))
            for person_id, station, unit in Assignment.objects.current(timezone.localdate())
            .filter(person_id__in=[row.pk for row in rows])
            .values_list("person_id", "unit__station__code", "unit__kind")
        )
        for row in rows:
            row.station_code_now, row.unit_kind_now = placed.get(row.pk, (None, None))

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        return people_in_scope(queryset, station_id=scope.station_id)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "personal": may_see_personal_data(scope_of(self.request.user))}


# --- Assignment history --------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.number", read_only=True, help_text="Police or auxiliary number.")
    person_name = serializers.CharField(source="person.name", read_only=True)
    station = serializers.CharField(source="unit.station.code", read_only=True)
    unit = serializers.CharField(source="unit.kind", read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "person",
            "person_name",
            "station",
            "unit",
            "start_date",
            "end_date",
            "source",
            "reason",
            "created_at",
            "updated_at",
        ]


class AssignmentFilter(UpdatedSinceFilterSet):
    person = filters.CharFilter(field_name="person__number", label="Police or auxiliary number")
    station = filters.CharFilter(field_name="unit__station__code", label="Station code")
    unit = filters.CharFilter(field_name="unit__kind", label="Unit kind")
    current = filters.BooleanFilter(method="filter_current", label="In force today (true) or ended (false)")
    started_after = filters.DateFilter(field_name="start_date", lookup_expr="gte")
    started_before = filters.DateFilter(field_name="start_date", lookup_expr="lt")

    class Meta:
        model = Assignment
        fields = {"source": ["exact"]}

    def filter_current(self, queryset: QuerySet[Assignment], name: str, value: bool | None) -> QuerySet[Assignment]:
        if value is None:
            return queryset
        in_force = Assignment.objects.current().values("pk")
        return queryset.filter(pk__in=in_force) if value else queryset.exclude(pk__in=in_force)


class AssignmentViewSet(ScopedReadViewSet):
    """Who worked where, when: every assignment, never rewritten (a move ends one and starts one).
    Chiefs: the assignments to their station's units."""

    queryset = Assignment.objects.order_by("id")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["id", "start_date", "end_date", "updated_at"]
    export_name = "assignments"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        if scope.station_id is not None:
            queryset = queryset.filter(unit__station_id=scope.station_id)
        return queryset

    def decorate(self, rows: Sequence[Any]) -> None:
        # The page is read from the assignment table alone (an index walk by id, however deep the
        # page); joined to people, units and stations, PostgreSQL hashed all of them and sorted.
        prefetch_related_objects(list(rows), "person", "unit__station")
