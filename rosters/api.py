"""Duty rosters through the API: every version of a station's roster, its entries (who works which
shift on which day), and the chiefs' workflow steps submit, approve and publish.

Reads follow the station scope (Roster.objects.in_scope): a chief sees his own station's rosters, and
another station's roster is a 404; planners and auditors read every station. The workflow goes through
rosters.services (roster_submit, roster_approve, roster_publish), which own the rules (only the
station's chiefs, never the submitter approving), the conditional update and the audit record; a
refusal is a 409 with the service's reason. Editing cells, demand and generation stay in the pages:
they need the grid to be judged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import Conflict, ScopedReadViewSet, UpdatedSinceFilterSet, UtcDateTimeFilter, key_may_write
from config.roles import Role, Scope, scope_of
from rosters.models import Roster, RosterCell, RosterQuerySet
from rosters.services import RosterRefused, roster_approve, roster_publish, roster_submit


class ReadOrChiefWrite(permissions.BasePermission):
    """Any role reads (scoped by the queryset); the workflow steps are for station chiefs (and
    operators), never with a read-only key. Which station's chief is the service's and the scope's
    business: another station's roster is not found before this matters."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user: Any = request.user
        scope = scope_of(user)
        if request.method in permissions.SAFE_METHODS:
            return scope.can_read
        if not scope.can_read or not (user.is_superuser or getattr(user, "role", "") == Role.CHIEF):
            return False
        if not key_may_write(request):
            self.message = _("This API key is read-only.")
            return False
        return True


# --- Rosters -------------------------------------------------------------------------------------


class RosterSerializer(serializers.ModelSerializer):
    station = serializers.CharField(source="station.code", read_only=True)
    pattern = serializers.CharField(source="pattern.code", read_only=True, help_text="Shift pattern code.")
    end_date = serializers.DateField(read_only=True, help_text="The last day (inclusive).")
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True, default=None)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Roster
        fields = [
            "id",
            "station",
            "pattern",
            "start_date",
            "end_date",
            "days",
            "version",
            "previous",
            "status",
            "generation",
            "objective",
            "optimal",
            "submitted_by",
            "submitted_at",
            "approved_by",
            "approved_at",
            "published_at",
            "created_at",
            "updated_at",
        ]


class RosterFilter(UpdatedSinceFilterSet):
    station = filters.CharFilter(field_name="station__code", label="Station code")
    pattern = filters.CharFilter(field_name="pattern__code", label="Shift pattern code")

    class Meta:
        model = Roster
        fields = {"status": ["exact"], "version": ["exact"], "start_date": ["exact", "gte", "lte"]}


class RosterViewSet(ScopedReadViewSet):
    """Every version of every roster in the caller's scope. `/versions/` lists the versions of the same
    station, pattern and period; chiefs of the station submit, approve (never their own submission)
    and publish."""

    queryset = Roster.objects.select_related("station", "pattern", "submitted_by", "approved_by").order_by(
        "-start_date", "station__code", "-version"
    )
    serializer_class = RosterSerializer
    filterset_class = RosterFilter
    permission_classes = [ReadOrChiefWrite]
    ordering_fields = ["id", "start_date", "version", "status", "updated_at"]
    export_name = "rosters"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        rosters: RosterQuerySet = queryset  # type: ignore[assignment]  # the model's manager made it
        return rosters.in_scope(scope.station_id)

    @extend_schema(responses=RosterSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        roster = self.get_object()
        rows = self.get_queryset().filter(
            station_id=roster.station_id, pattern_id=roster.pattern_id, start_date=roster.start_date
        )
        return Response(self.get_serializer(rows.order_by("version"), many=True).data)

    def _step(self, request: Request, service: Callable[..., Roster]) -> Response:
        roster = self.get_object()
        try:
            service(roster=roster, by=request.user)
        except RosterRefused as exc:
            raise Conflict(str(exc)) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=roster.pk)).data)

    @extend_schema(request=None, responses=RosterSerializer)
    @action(detail=True, methods=["post"], renderer_classes=[JSONRenderer])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, roster_submit)

    @extend_schema(request=None, responses=RosterSerializer)
    @action(detail=True, methods=["post"], renderer_classes=[JSONRenderer])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, roster_approve)

    @extend_schema(request=None, responses=RosterSerializer)
    @action(detail=True, methods=["post"], renderer_classes=[JSONRenderer])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, roster_publish)


# --- Entries -------------------------------------------------------------------------------------


class EntrySerializer(serializers.ModelSerializer):
    station = serializers.CharField(source="roster.station.code", read_only=True)
    version = serializers.IntegerField(source="roster.version", read_only=True)
    roster_status = serializers.CharField(source="roster.status", read_only=True)
    person = serializers.CharField(source="person.number", read_only=True, help_text="Police or auxiliary number.")
    person_name = serializers.CharField(source="person.name", read_only=True)
    shift = serializers.CharField(source="shift.code", read_only=True)
    shift_name = serializers.CharField(source="shift.name", read_only=True)
    # A plain "HH:MM:SS" wall-clock time: OpenAPI's "time" format would demand a UTC offset.
    starts = serializers.CharField(source="shift.start", read_only=True, help_text="Local time the shift starts.")
    hours = serializers.FloatField(source="shift.hours", read_only=True)
    night = serializers.BooleanField(source="shift.night", read_only=True)

    class Meta:
        model = RosterCell
        fields = [
            "id",
            "roster",
            "station",
            "version",
            "roster_status",
            "day",
            "person",
            "person_name",
            "shift",
            "shift_name",
            "starts",
            "hours",
            "night",
        ]


class EntryFilter(filters.FilterSet):
    # Entries have no time of their own: every change of a cell stamps its roster (rosters.services).
    updated_since = UtcDateTimeFilter(
        field_name="roster__updated_at", lookup_expr="gte", label="Roster changed at or after (ISO 8601)"
    )
    station = filters.CharFilter(field_name="roster__station__code", label="Station code")
    person = filters.CharFilter(field_name="person__number", label="Police or auxiliary number")
    shift = filters.CharFilter(field_name="shift__code", label="Shift code")
    roster_status = filters.CharFilter(field_name="roster__status", label="Status of the roster")

    class Meta:
        model = RosterCell
        fields = {"roster": ["exact"], "day": ["exact", "gte", "lte"]}


class RosterEntryViewSet(ScopedReadViewSet):
    """Roster entries, one row per person, day and shift: the tabular export of the grid (CSV, XLSX)."""

    queryset = RosterCell.objects.select_related("roster__station", "person", "shift").order_by(
        "roster_id", "day", "shift__order", "person_id"
    )
    serializer_class = EntrySerializer
    filterset_class = EntryFilter
    ordering_fields = ["id", "day", "roster"]
    export_name = "roster-entries"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        return queryset.filter(roster__in=Roster.objects.in_scope(scope.station_id))
