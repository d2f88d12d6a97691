"""The organisation through the API: counties, stations (with their strength), units, communities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import serializers

from config.api import ScopedReadViewSet, UpdatedSinceFilterSet
from config.roles import Scope
from personnel.selectors import stations_with_strength
from stations.models import Community, County, Station, Unit

# --- Counties ------------------------------------------------------------------------------------


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["code", "name", "name_en", "created_at", "updated_at"]


class CountyFilter(UpdatedSinceFilterSet):
    class Meta:
        model = County
        fields = {"code": ["exact"], "name": ["exact", "icontains"]}


class CountyViewSet(ScopedReadViewSet):
    """County bureaus. Chiefs see their own station's county."""

    queryset = County.objects.order_by("code")
    serializer_class = CountySerializer
    filterset_class = CountyFilter
    ordering_fields = ["code", "name", "updated_at"]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    export_name = "counties"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        if scope.station_id is not None:
            return queryset.filter(stations__pk=scope.station_id)
        return queryset


# --- Stations ------------------------------------------------------------------------------------


STRENGTH_FIELDS = (
    "nominal_officers",
    "nominal_auxiliaries",
    "effective_officers",
    "effective_auxiliaries",
    "community_officers",
)


class StrengthSerializer(serializers.Serializer):
    officers_on_books = serializers.IntegerField(source="nominal_officers")
    auxiliaries_on_books = serializers.IntegerField(source="nominal_auxiliaries")
    officers_at_post = serializers.IntegerField(source="effective_officers")
    auxiliaries_at_post = serializers.IntegerField(source="effective_auxiliaries")
    community_officers = serializers.IntegerField()


class StationSerializer(serializers.ModelSerializer):
    county: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    strength = StrengthSerializer(source="*", read_only=True, help_text="People assigned today (see docs/api.md).")

    class Meta:
        model = Station
        fields = [
            "code",
            "name",
            "name_en",
            "kind",
            "county",
            "address",
            "latitude",
            "longitude",
            "establishment_quota",
            "auxiliary_quota",
            "strength",
            "created_at",
            "updated_at",
        ]


class StationFilter(UpdatedSinceFilterSet):
    county = filters.CharFilter(field_name="county__code", label="County code")

    class Meta:
        model = Station
        fields = {"code": ["exact"], "kind": ["exact"], "name": ["exact", "icontains"]}


class StationViewSet(ScopedReadViewSet):
    """Stations and bureau departments with their quota and today's strength. Chiefs: their own."""

    queryset = Station.objects.select_related("county")
    serializer_class = StationSerializer
    filterset_class = StationFilter
    ordering_fields = ["code", "name", "kind", "establishment_quota", "updated_at"]
    ordering = ["code"]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    export_name = "stations"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        if scope.station_id is not None:
            queryset = queryset.filter(pk=scope.station_id)
        return queryset

    def decorate(self, rows: Sequence[Any]) -> None:
        # One GROUP BY for the stations of the page only (not for every station the count reads).
        counted = stations_with_strength(Station.objects.filter(pk__in=[row.pk for row in rows]))
        strength = {station.pk: station for station in counted.only("pk")}
        for row in rows:
            for field in STRENGTH_FIELDS:
                setattr(row, field, getattr(strength[row.pk], field))


# --- Units ---------------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    station: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "station", "kind", "name", "created_at", "updated_at"]


class UnitFilter(UpdatedSinceFilterSet):
    station = filters.CharFilter(field_name="station__code", label="Station code")

    class Meta:
        model = Unit
        fields = {"kind": ["exact"]}


class UnitViewSet(ScopedReadViewSet):
    """The teams of each station: leadership, community, case handling, command room."""

    queryset = Unit.objects.select_related("station").order_by("station__code", "kind")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["id", "kind", "station__code", "updated_at"]
    export_name = "units"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        if scope.station_id is not None:
            queryset = queryset.filter(station_id=scope.station_id)
        return queryset


# --- Communities ---------------------------------------------------------------------------------


class CommunitySerializer(serializers.ModelSerializer):
    station: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    police_area: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Community
        fields = [
            "code",
            "name",
            "kind",
            "station",
            "police_area",
            "resident_population",
            "households",
            "area_km2",
            "created_at",
            "updated_at",
        ]


class CommunityFilter(UpdatedSinceFilterSet):
    station = filters.CharFilter(field_name="station__code", label="Station code")
    min_population = filters.NumberFilter(field_name="resident_population", lookup_expr="gte")

    class Meta:
        model = Community
        fields = {"code": ["exact"], "kind": ["exact"], "name": ["exact", "icontains"]}


class CommunityViewSet(ScopedReadViewSet):
    """Communities and villages of each station's jurisdiction, with resident population."""

    queryset = Community.objects.select_related("station", "police_area").order_by("code")
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter
    ordering_fields = ["code", "name", "resident_population", "households", "updated_at"]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    export_name = "communities"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        if scope.station_id is not None:
            queryset = queryset.filter(station_id=scope.station_id)
        return queryset
