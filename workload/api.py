"""The workload API: import batches in, workload and need out."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import PlannerWrite, ReadScope
from config.roles import scope_of
from stations.models import County, Station
from workload.importer import ImportRefused, batch_submit, batch_summary
from workload.mapping import MappingError
from workload.models import BatchMode, ImportBatch
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
    permission_classes = [PlannerWrite]

    def get(self, request: Request, pk: int) -> Response:
        return Response(_batch_body(request, get_object_or_404(ImportBatch, pk=pk)))


def _station_in_scope(request: Request, code: str) -> Station:
    queryset = Station.objects.filter(code=code)
    scope = scope_of(request.user)
    if scope.station_id is not None:
        queryset = queryset.filter(pk=scope.station_id)  # another station is a 404, not a 403
    return get_object_or_404(queryset)


class NeedApi(APIView):
    """Need, strength and gap per station of a county (chiefs: their own station)."""

    permission_classes = [ReadScope]

    def get(self, request: Request) -> Response:
        scope = scope_of(request.user)
        stations = Station.objects.all()
        if scope.station_id is not None:
            stations = stations.filter(pk=scope.station_id)
        county_code = request.query_params.get("county")
        if county_code:
            stations = stations.filter(county=get_object_or_404(County, code=county_code))
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
