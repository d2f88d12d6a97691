"""The workload API: incidents and import batches in, incidents, standards, workload and need out."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import PlannerWrite, ReadScope, ScopedReadViewSet, UpdatedSinceFilterSet, UtcDateTimeFilter
from config.api_renderers import CsvRenderer, XlsxRenderer
from config.roles import Scope, scope_of
from stations.models import County, Station
from workload.importer import ImportRefused, batch_submit, batch_summary
from workload.mapping import MappingError
from workload.models import BatchMode, ImportBatch, Incident, PostRequirement, StandardsSet
from workload.selectors import (
    crews_by_hour,
    hour_of_week_profile,
    monthly_trend,
    saturation_by_hour,
    standards_default,
    station_needs,
)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


class BatchOutput(serializers.Serializer):
    """What becomes of an import batch (a file, or an incident batch pushed as JSON)."""

    batch = serializers.IntegerField()
    file = serializers.CharField()
    checksum = serializers.CharField()
    mapping = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.source
    mode = serializers.ChoiceField(choices=BatchMode.choices)
    status = serializers.CharField(help_text="queued, running, awaiting, stored, rejected, failed, ...")
    message = serializers.CharField()
    rows_read = serializers.IntegerField()
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    outliers = serializers.IntegerField()
    blank = serializers.IntegerField()
    errors_by_reason = serializers.DictField(child=serializers.IntegerField())
    errors = serializers.ListField(  # type: ignore[assignment]  # a declared field, not Serializer.errors
        child=serializers.DictField(), help_text="The first errors: row, column, value, reason, message."
    )
    progress = serializers.IntegerField()
    url = serializers.URLField()
    rejected_rows_url = serializers.URLField(required=False)


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    mapping = serializers.CharField(max_length=255)
    mode = serializers.ChoiceField(choices=BatchMode.choices, default=BatchMode.ALL_OR_NOTHING)


def _batch_body(request: Request, batch: ImportBatch) -> dict[str, Any]:
    body = batch_summary(batch)
    body["progress"] = batch.progress
    body["url"] = request.build_absolute_uri(reverse("api:import-detail", args=[batch.pk]))
    if batch.rejected_file:
        body["rejected_rows_url"] = request.build_absolute_uri(reverse("workload:import_rejected", args=[batch.pk]))
    return body


class ImportListApi(APIView):
    """POST a file to import it: 202 Accepted, then follow the batch's URL until it is finished."""

    permission_classes = [PlannerWrite]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ImportInput, responses={202: BatchOutput}, operation_id="imports_create")
    def post(self, request: Request) -> Response:
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            batch = batch_submit(
                upload=upload,
                file_name=upload.name,
                mapping_name=data.validated_data["mapping"],
                mode=data.validated_data["mode"],
                by=request.user,
            )
        except MappingError as exc:
            raise ValidationError({"mapping": exc.problems}) from None
        except ImportRefused as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        batch.refresh_from_db()
        body = _batch_body(request, batch)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ImportDetailApi(APIView):
    """An import batch: its status, progress and the first errors (row, column, reason)."""

    permission_classes = [PlannerWrite]

    @extend_schema(responses=BatchOutput, operation_id="imports_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(_batch_body(request, get_object_or_404(ImportBatch, pk=pk)))


def _station_in_scope(request: Request, code: str) -> Station:
    queryset = Station.objects.filter(code=code)
    scope = scope_of(request.user)
    if scope.station_id is not None:
        queryset = queryset.filter(pk=scope.station_id)  # another station is a 404, not a 403
    return get_object_or_404(queryset)


class NeedApi(APIView):
    """Need, strength and gap per station of a county (chiefs: their own station).

    Computed for every station asked for, so not paginated: narrow it with `county` or `station`."""

    permission_classes = [ReadScope]
    renderer_classes = [JSONRenderer, CsvRenderer, XlsxRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("county", str, description="County code"),
            OpenApiParameter("station", str, description="Station code"),
        ],
        responses=inline_serializer(
            "NeedList",
            {
                "standards": serializers.CharField(),
                "count": serializers.IntegerField(),
                "results": serializers.ListField(child=serializers.DictField()),
            },
        ),
        operation_id="need_list",
    )
    def get(self, request: Request) -> Response:
        scope = scope_of(request.user)
        stations = Station.objects.all()
        if scope.station_id is not None:
            stations = stations.filter(pk=scope.station_id)
        county_code = request.query_params.get("county")
        if county_code:
            stations = stations.filter(county=get_object_or_404(County, code=county_code))
        station_code = request.query_params.get("station")
        if station_code:
            stations = stations.filter(code=station_code)
        standards = standards_default()
        results = []
        for item in station_needs(stations.order_by("code"), standards=standards):
            station: Any = item.station
            row: dict[str, Any] = {
                "code": station.code,
                "name": station.name,
                "kind": station.kind,
                "county": station.county.code,
                "officers_on_books": station.nominal_officers,
                "auxiliaries_on_books": station.nominal_auxiliaries,
                "officers_at_post": station.effective_officers,
                "auxiliaries_at_post": station.effective_auxiliaries,
                "community_officers": station.community_officers,
                "need": None,
            }
            if item.result is not None:
                result = item.result
                row.update(
                    need=round(result.need, 2),
                    officer_need=round(result.officer_need, 2),
                    gap=round(result.gap, 2),
                    officer_gap=round(result.officer_gap, 2),
                    committed_hours_per_year=round(result.committed_hours, 1),
                    workload_per_person=_rounded(result.workload_per_person, 1),
                    saturation=_rounded(result.saturation, 3),
                    teams={
                        key: {
                            "reactive_hours": round(team.reactive_hours, 1),
                            "follow_up_hours": round(team.follow_up_hours, 1),
                            "required_hours": round(team.required_hours, 1),
                            "need": round(team.need, 2),
                            "officer_need": round(team.officer_need, 2),
                        }
                        for key, team in result.teams.items()
                    },
                    explain=[{"step": line.step, "label": line.label, "text": line.text} for line in result.explain],
                )
            results.append(row)
        return Response({"standards": standards.name, "count": len(results), "results": results})


class StationWorkloadApi(APIView):
    """A station's workload: the measurement window, monthly trend and the hour-of-week profile."""

    permission_classes = [ReadScope]

    @extend_schema(
        responses=inline_serializer(
            "StationWorkload",
            {
                "station": serializers.CharField(),
                "window": serializers.DictField(allow_null=True),
                "months": serializers.ListField(child=serializers.DictField()),
                "hours_of_week": serializers.ListField(child=serializers.DictField()),
            },
        ),
        operation_id="station_workload_retrieve",
    )
    def get(self, request: Request, code: str) -> Response:
        station = _station_in_scope(request, code)
        standards = standards_default()
        need = station_needs(Station.objects.filter(pk=station.pk), standards=standards)[0]
        body: dict[str, Any] = {"station": station.code, "window": None, "months": [], "hours_of_week": []}
        if need.window is None:
            return Response(body)
        window = need.window
        body["window"] = {"first_month": window.first_month, "last_month": window.last_month, "months": window.months}
        body["months"] = [
            {"month": month, "incidents": incidents, "officer_hours": round(hours, 2)}
            for month, incidents, hours in monthly_trend(station.pk)
        ]
        profile = hour_of_week_profile(station.pk, window)
        crews = crews_by_hour(profile, standards)
        people: Any = need.station
        saturation = saturation_by_hour(profile, people.effective_officers + people.effective_auxiliaries, standards)
        body["hours_of_week"] = [
            {
                "hour_of_week": h,
                "day": h // 24 + 1,  # ISO: 1 = Monday
                "hour": h % 24,
                "incidents_per_hour": round(profile.incidents_per_hour[h], 4),
                "officer_hours_per_week": round(profile.officer_hours_per_week[h], 3),
                "mean_handling_hours": round(profile.mean_handling_hours[h], 3),
                "crews_needed": crews[h],
                "saturation": _rounded(saturation[h], 3),
            }
            for h in range(168)
        ]
        return Response(body)


# --- Incidents -----------------------------------------------------------------------------------


class IncidentSerializer(serializers.ModelSerializer):
    """The columns of the `jingli` import mapping, so a CSV export can be imported elsewhere as is."""

    station = serializers.CharField(source="station.code", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    community = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "source",
            "external_id",
            "station",
            "category",
            "community",
            "received_at",
            "arrived_at",
            "cleared_at",
            "handling_minutes",
            "people_involved",
            "is_outlier",
            "batch",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_community(self, incident: Incident) -> str | None:
        return incident.community.code if incident.community_id else None  # type: ignore[union-attr]


class IncidentFilter(UpdatedSinceFilterSet):
    station = filters.CharFilter(field_name="station__code", label="Station code")
    category = filters.CharFilter(field_name="category__code", label="Category code")
    category_group = filters.CharFilter(field_name="category__group", label="Category group")
    community = filters.CharFilter(field_name="community__code", label="Community code")
    received_after = UtcDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = UtcDateTimeFilter(field_name="received_at", lookup_expr="lt")
    id_after = filters.NumberFilter(
        field_name="id",
        lookup_expr="gt",
        label="Only ids above this: for full pulls, page by id instead of page number",
    )

    class Meta:
        model = Incident
        fields = {"source": ["exact"], "external_id": ["exact"], "batch": ["exact"], "is_outlier": ["exact"]}


class IncidentViewSet(ScopedReadViewSet):
    """Incidents (警情). Chiefs: their own station's. Push new ones with POST /incidents/batch/."""

    # Ordered by id: an index walk, where ordering millions of rows by time would sort them all.
    queryset = Incident.objects.select_related("station", "category", "community").order_by("id")
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    ordering_fields = ["id", "received_at", "updated_at"]
    export_name = "incidents"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        if scope.station_id is not None:
            queryset = queryset.filter(station_id=scope.station_id)
        return queryset


# The columns of the `jingli` mapping (workload/mappings/jingli.toml), in its order.
BATCH_COLUMNS = [
    "external_id",
    "received_at",
    "arrived_at",
    "cleared_at",
    "station",
    "category",
    "community",
    "handling_minutes",
    "people_involved",
]
MAX_BATCH_ROWS = 10_000


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}], "nullable": True})
class CellField(serializers.Field):
    """A cell as a file would hold it: text or a number, checked by the import like any file's."""

    def to_internal_value(self, data: Any) -> str:
        if data is None:
            return ""
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            raise ValidationError(_("Give text or a number."))
        return str(data)

    def to_representation(self, value: Any) -> Any:
        return value


class IncidentRowInput(serializers.Serializer):
    external_id = CellField(help_text="Unique per source system.")
    received_at = CellField(help_text="'YYYY-MM-DD HH:MM:SS' (local time) or ISO 8601 with offset.")
    arrived_at = CellField(required=False)
    cleared_at = CellField(required=False)
    station = CellField(help_text="Station code, name or alias.")
    category = CellField(help_text="Category code or name.")
    community = CellField(required=False, help_text="Community code or name.")
    handling_minutes = CellField(required=False)
    people_involved = CellField(required=False)


class IncidentBatchInput(serializers.Serializer):
    mode = serializers.ChoiceField(choices=BatchMode.choices, default=BatchMode.ALL_OR_NOTHING)
    incidents = IncidentRowInput(many=True, allow_empty=False, max_length=MAX_BATCH_ROWS)  # type: ignore[call-arg]


def incidents_as_csv(rows: list[dict[str, str]]) -> bytes:
    """The pushed rows as a file in the `jingli` mapping's columns: item i becomes row i + 2."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(BATCH_COLUMNS)
    writer.writerows([row.get(column, "") for column in BATCH_COLUMNS] for row in rows)
    return buffer.getvalue().encode("utf-8")


class IncidentBatchApi(APIView):
    """Push up to 10,000 incidents as JSON. They go through the file import unchanged (the `jingli`
    mapping, the same checks, the same report): 202, then follow the batch's URL. Error rows are
    numbered as in a file: item 0 is row 2."""

    permission_classes = [PlannerWrite]
    parser_classes = [JSONParser]

    @extend_schema(request=IncidentBatchInput, responses={202: BatchOutput}, operation_id="incidents_batch_create")
    def post(self, request: Request) -> Response:
        data = IncidentBatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        content = incidents_as_csv(data.validated_data["incidents"])
        try:
            batch = batch_submit(
                upload=io.BytesIO(content),
                file_name="api-incidents.csv",
                mapping_name="jingli",
                mode=data.validated_data["mode"],
                by=request.user,
            )
        except ImportRefused as exc:
            raise ValidationError({"incidents": [str(exc)]}) from None
        batch.refresh_from_db()
        body = _batch_body(request, batch)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


# --- Standards sets ------------------------------------------------------------------------------


class PostRequirementSerializer(serializers.ModelSerializer):
    class Meta:
        model = PostRequirement
        fields = ["name", "team", "hours_per_week", "persons", "officers_only", "station_kinds"]


class StandardsSetSerializer(serializers.ModelSerializer):
    posts = PostRequirementSerializer(many=True, read_only=True)

    class Meta:
        model = StandardsSet
        fields = [
            "id",
            "name",
            "description",
            "is_default",
            "proactive_share",
            "net_hours_per_person",
            "admin_minutes_per_hour",
            "residents_per_community_officer_urban",
            "residents_per_community_officer_town",
            "residents_per_community_officer_rural",
            "min_officers_per_station",
            "min_community_share",
            "min_station_share",
            "leaders_per_station",
            "answer_within_minutes",
            "service_level",
            "window_months",
            "posts",
            "created_at",
            "updated_at",
        ]


class StandardsSetFilter(UpdatedSinceFilterSet):
    class Meta:
        model = StandardsSet
        fields = {"name": ["exact"], "is_default": ["exact"]}


class StandardsSetViewSet(ScopedReadViewSet):
    """The parameter sets need and allocation are computed with; every role may read them."""

    queryset = StandardsSet.objects.prefetch_related(
        Prefetch("posts", queryset=PostRequirement.objects.order_by("name"))
    ).order_by("-is_default", "name")
    serializer_class = StandardsSetSerializer
    filterset_class = StandardsSetFilter
    ordering_fields = ["id", "name", "updated_at"]
    export_name = "standards"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        return queryset  # county-wide rules, not station data
