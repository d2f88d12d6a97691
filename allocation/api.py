"""Allocation through the API: start runs, follow them, review proposals move by move.

Every decision goes through allocation.services (move_decide, proposal_approve, proposal_reject),
which own the rules, the locking and the audit record; these views only parse and answer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from allocation.models import AllocationRun, MoveStatus, Proposal, ProposedMove
from allocation.services import ProposalRefused, move_decide, proposal_approve, proposal_reject, run_create
from config.api import Conflict, PlannerWrite, ReadOrPlannerWrite, ScopedReadViewSet, UpdatedSinceFilterSet
from config.roles import Scope
from stations.models import County
from workload.models import StandardsSet

# --- Runs ----------------------------------------------------------------------------------------


class RunSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county.code", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)
    proposal = serializers.SerializerMethodField()

    class Meta:
        model = AllocationRun
        fields = [
            "id",
            "county",
            "standards",
            "max_moves",
            "parameters",
            "status",
            "progress",
            "message",
            "error",
            "fingerprint",
            "optimal",
            "solve_seconds",
            "proposal",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "updated_at",
        ]

    def get_proposal(self, run: AllocationRun) -> int | None:
        return getattr(run, "proposal_ref", None)


class RunInput(serializers.Serializer):
    county = serializers.CharField(help_text="County code.")
    max_moves = serializers.IntegerField(min_value=0, max_value=500)
    standards = serializers.IntegerField(required=False, help_text="Standards set id; the default set if omitted.")


class RunFilter(UpdatedSinceFilterSet):
    county = filters.CharFilter(field_name="county__code", label="County code")

    class Meta:
        model = AllocationRun
        fields = {"status": ["exact"], "standards": ["exact"]}


class AllocationRunViewSet(ScopedReadViewSet):
    """Allocation runs: POST starts one (202, Location), GET follows its status and progress.
    County-wide: planners and auditors read, planners start."""

    queryset = AllocationRun.objects.select_related("county", "created_by").order_by("-id")
    serializer_class = RunSerializer
    filterset_class = RunFilter
    permission_classes = [PlannerWrite]
    ordering_fields = ["id", "created_at", "status", "updated_at"]
    export_name = "allocation-runs"

    def get_queryset(self) -> QuerySet[Any]:
        # The proposal's id without loading its JSON columns (a select_related would).
        proposal = Proposal.objects.filter(run=OuterRef("pk")).values("pk")[:1]
        return super().get_queryset().annotate(proposal_ref=Subquery(proposal))

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        return queryset  # PlannerWrite already keeps station-bound accounts out

    @extend_schema(request=RunInput, responses={202: RunSerializer})
    def create(self, request: Request) -> Response:
        data = RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        county = get_object_or_404(County, code=data.validated_data["county"])
        standards = None
        if "standards" in data.validated_data:
            standards = get_object_or_404(StandardsSet, pk=data.validated_data["standards"])
        run = run_create(
            county=county, max_moves=data.validated_data["max_moves"], standards=standards, by=request.user
        )
        run = self.get_queryset().get(pk=run.pk)
        location = request.build_absolute_uri(reverse("api:allocation-run-detail", args=[run.pk]))
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


# --- Proposals -----------------------------------------------------------------------------------


class MoveCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField(source="moves_pending")
    accepted = serializers.IntegerField(source="moves_accepted")
    rejected = serializers.IntegerField(source="moves_rejected")


class ProposalSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="run.county.code", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True, default=None)
    moves = MoveCountsSerializer(source="*", read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "run",
            "county",
            "status",
            "objective",
            "before",
            "after",
            "tradeoff",
            "moves",
            "effective_date",
            "decided_by",
            "decided_at",
            "decision_reason",
            "created_at",
            "updated_at",
        ]


class ProposalFilter(UpdatedSinceFilterSet):
    county = filters.CharFilter(field_name="run__county__code", label="County code")

    class Meta:
        model = Proposal
        fields = {"status": ["exact"], "run": ["exact"]}


class ApproveInput(serializers.Serializer):
    effective_date = serializers.DateField(help_text="The day the accepted moves take effect.")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=False)


class OptionalReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")


class ApproveOutput(ProposalSerializer):
    moved = serializers.IntegerField(read_only=True, help_text="People moved by this approval.")

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "moved"]


class ProposalViewSet(ScopedReadViewSet):
    """Proposals of finished runs with the county before and after. County-wide: planners and
    auditors read; planners approve (applying the accepted moves) or reject."""

    queryset = (
        Proposal.objects.select_related("run__county", "decided_by")
        .annotate(
            moves_pending=Count("moves", filter=Q(moves__status=MoveStatus.PENDING)),
            moves_accepted=Count("moves", filter=Q(moves__status=MoveStatus.ACCEPTED)),
            moves_rejected=Count("moves", filter=Q(moves__status=MoveStatus.REJECTED)),
        )
        .order_by("-id")
    )
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter
    permission_classes = [PlannerWrite]
    ordering_fields = ["id", "created_at", "status", "objective", "updated_at"]
    export_name = "proposals"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        return queryset  # PlannerWrite already keeps station-bound accounts out

    def _reread(self, proposal: Proposal) -> Proposal:
        return self.get_queryset().get(pk=proposal.pk)

    @extend_schema(request=ApproveInput, responses=ApproveOutput)
    @action(detail=True, methods=["post"], renderer_classes=[JSONRenderer])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            moved = proposal_approve(
                proposal=proposal, effective_date=data.validated_data["effective_date"], by=request.user
            )
        except ProposalRefused as exc:
            raise Conflict(str(exc)) from None
        body = dict(ProposalSerializer(self._reread(proposal), context=self.get_serializer_context()).data)
        return Response({**body, "moved": moved})

    @extend_schema(request=ReasonInput, responses=ProposalSerializer)
    @action(detail=True, methods=["post"], renderer_classes=[JSONRenderer])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            proposal_reject(proposal=proposal, reason=data.validated_data["reason"], by=request.user)
        except ProposalRefused as exc:
            raise Conflict(str(exc)) from None
        return Response(ProposalSerializer(self._reread(proposal), context=self.get_serializer_context()).data)


# --- Moves ---------------------------------------------------------------------------------------


class MoveSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.number", read_only=True, help_text="Police or auxiliary number.")
    person_name = serializers.CharField(source="person.name", read_only=True)
    person_kind = serializers.CharField(source="person.kind", read_only=True)
    origin = serializers.CharField(source="origin.code", read_only=True)
    destination = serializers.CharField(source="destination.code", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ProposedMove
        fields = [
            "id",
            "proposal",
            "person",
            "person_name",
            "person_kind",
            "origin",
            "destination",
            "destination_team",
            "explanation",
            "status",
            "reason",
            "decided_by",
            "decided_at",
            "updated_at",
        ]


class MoveFilter(UpdatedSinceFilterSet):
    origin = filters.CharFilter(field_name="origin__code", label="Station code moved from")
    destination = filters.CharFilter(field_name="destination__code", label="Station code moved to")
    station = filters.CharFilter(method="filter_station", label="Station code moved from or to")
    person = filters.CharFilter(field_name="person__number", label="Police or auxiliary number")

    class Meta:
        model = ProposedMove
        fields = {"proposal": ["exact"], "status": ["exact"], "destination_team": ["exact"]}

    def filter_station(self, queryset: QuerySet[ProposedMove], name: str, value: str) -> QuerySet[ProposedMove]:
        return queryset.filter(Q(origin__code=value) | Q(destination__code=value))


class MoveViewSet(ScopedReadViewSet):
    """Proposed moves with their explanation. Chiefs read the moves into or out of their station;
    planners accept or reject each (a rejection needs a reason) while the proposal is open."""

    queryset = ProposedMove.objects.select_related("person", "origin", "destination", "decided_by").order_by(
        "proposal_id", "id"
    )
    serializer_class = MoveSerializer
    filterset_class = MoveFilter
    permission_classes = [ReadOrPlannerWrite]
    ordering_fields = ["id", "proposal", "status", "updated_at"]
    export_name = "moves"

    def scope(self, queryset: QuerySet[Any], scope: Scope) -> QuerySet[Any]:
        if scope.station_id is not None:
            queryset = queryset.filter(Q(origin_id=scope.station_id) | Q(destination_id=scope.station_id))
        return queryset

    def _decide(self, request: Request, *, accept: bool, reason: str) -> Response:
        move = self.get_object()
        try:
            move = move_decide(move=move, accept=accept, reason=reason, by=request.user)
        except ProposalRefused as exc:
            raise Conflict(str(exc)) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=move.pk)).data)

    @extend_schema(request=OptionalReasonInput, responses=MoveSerializer)
    @action(detail=True, methods=["post"], renderer_classes=[JSONRenderer])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        data = OptionalReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._decide(request, accept=True, reason=data.validated_data["reason"])

    @extend_schema(request=ReasonInput, responses=MoveSerializer)
    @action(detail=True, methods=["post"], renderer_classes=[JSONRenderer])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._decide(request, accept=False, reason=data.validated_data["reason"])
