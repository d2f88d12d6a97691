"""The org import API: POST a file, get the differences back (dry run) or 202 while it is stored."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import PlannerWrite
from orgdata.mapping import MappingError
from orgdata.models import OrgBatch, OrgBatchMode, OrgBatchStatus
from orgdata.services import OrgImportRefused, import_max_bytes, orgbatch_check, orgbatch_summary


class OrgImportInput(serializers.Serializer):
    file = serializers.FileField()
    mapping = serializers.CharField(max_length=255, default="jingli")
    mode = serializers.ChoiceField(choices=OrgBatchMode.choices, default=OrgBatchMode.ALL_OR_NOTHING)
    dry_run = serializers.BooleanField(default=False)
    add_only = serializers.BooleanField(default=False)
    full = serializers.BooleanField(default=False)
    effective_date = serializers.DateField(required=False)


def _body(request: Request, batch: OrgBatch) -> dict[str, Any]:
    body = orgbatch_summary(batch)
    body["url"] = request.build_absolute_uri(reverse("api:org-import-detail", args=[batch.pk]))
    if batch.rejected_file:
        body["errors_url"] = request.build_absolute_uri(reverse("orgdata:errors", args=[batch.pk]))
    return body


def _queue_store(batch: OrgBatch) -> None:
    from orgdata.tasks import store_batch

    store_batch.delay_on_commit(batch.pk)  # type: ignore[attr-defined]  # DjangoTask (config/celery.py)


class OrgImportApi(APIView):
    """POST an org file. dry_run: 200 with the differences. Refused: 422 with the errors. Else 202."""

    permission_classes = [PlannerWrite]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="org_imports_create",
        request={"multipart/form-data": OrgImportInput},
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT, 422: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request) -> Response:
        data = OrgImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            with transaction.atomic():
                batch = orgbatch_check(
                    upload=values["file"],
                    file_name=values["file"].name,
                    mapping_name=values["mapping"],
                    mode=values["mode"],
                    update_existing=not values["add_only"],
                    full_export=values["full"],
                    effective_date=values.get("effective_date"),
                    by=request.user,
                    max_bytes=import_max_bytes(),
                )
                if batch.status == OrgBatchStatus.CHECKED and not values["dry_run"]:
                    _queue_store(batch)
        except MappingError as exc:
            raise ValidationError({"mapping": exc.problems}) from None
        except OrgImportRefused as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        body = _body(request, batch)
        if batch.status == OrgBatchStatus.REJECTED:
            return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        if values["dry_run"]:
            return Response(body, status=status.HTTP_200_OK)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class OrgImportDetailApi(APIView):
    permission_classes = [PlannerWrite]

    @extend_schema(operation_id="org_imports_retrieve", responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_body(request, get_object_or_404(OrgBatch, pk=pk)))

    @extend_schema(operation_id="org_imports_store", request=None, responses={202: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        """Store a batch checked as a dry run: 202, then follow its URL."""
        batch = get_object_or_404(OrgBatch, pk=pk)
        if batch.status != OrgBatchStatus.CHECKED:
            raise ValidationError({"status": [f"this import is {batch.status}; only a checked import can be stored"]})
        with transaction.atomic():
            _queue_store(batch)
        body = _body(request, batch)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


urlpatterns = [
    path("", OrgImportApi.as_view(), name="org-import-list"),
    path("<int:pk>/", OrgImportDetailApi.as_view(), name="org-import-detail"),
]
