"""The audit trail through the API: auditors read it, filter it and pull it incrementally."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import serializers

from audit.models import AuditEvent
from config.api import AuditorRead, ScopedReadViewSet, UtcDateTimeFilter
from config.roles import Scope


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "username",
            "role",
            "address",
            "api_key",
            "channel",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "station_id",
            "before",
            "after",
            "outcome",
            "detail",
        ]


class AuditEventFilter(filters.FilterSet):
    # Records never change, so "updated since" is "recorded since".
    updated_since = UtcDateTimeFilter(field_name="at", lookup_expr="gte", label="Recorded at or after")
    before = UtcDateTimeFilter(field_name="at", lookup_expr="lt", label="Recorded before")
    action_prefix = filters.CharFilter(field_name="action", lookup_expr="startswith", label="e.g. allocation.")

    class Meta:
        model = AuditEvent
        fields = {
            "action": ["exact"],
            "username": ["exact"],
            "role": ["exact"],
            "channel": ["exact"],
            "api_key": ["exact"],
            "outcome": ["exact"],
            "object_type": ["exact"],
            "object_id": ["exact"],
            "station_id": ["exact"],
        }


class AuditEventViewSet(ScopedReadViewSet):
    """Who did what, when, from where, with which API key; read-only, for auditors."""

    queryset = AuditEvent.objects.order_by("-at", "-id")
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    permission_classes = [AuditorRead]
    ordering_fields = ["id", "at"]
    export_name = "audit-events"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        return queryset  # AuditorRead admits only auditors (and superusers), who read all of it
