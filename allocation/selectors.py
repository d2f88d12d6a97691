"""Named reads of runs, proposals and moves, each scoped by the reader's role and station."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from allocation.models import AllocationRun, MoveComment, Proposal, ProposedMove
from config.roles import Scope


def _touching(station_id: int, prefix: str = "") -> Q:
    return Q(**{f"{prefix}origin_id": station_id}) | Q(**{f"{prefix}destination_id": station_id})


def runs_visible(scope: Scope) -> QuerySet[AllocationRun]:
    """Runs a reader may see: every run for county-wide roles; for a chief, the runs whose proposal
    moves someone from or to his station."""
    runs = (
        AllocationRun.objects.select_related("county", "created_by", "proposal", "group")
        .annotate(moves_count=Count("proposal__moves"))
        .order_by("-created_at")
    )
    if scope.station_id is not None:
        touching = ProposedMove.objects.filter(_touching(scope.station_id)).values("proposal__run_id")
        runs = runs.filter(pk__in=touching)
    return runs


def run_get(scope: Scope, pk: int) -> AllocationRun:
    run = runs_visible(scope).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def proposal_get(scope: Scope, pk: int) -> Proposal:
    """A proposal the reader may open; another station's proposal is simply not there for a chief."""
    proposals = Proposal.objects.select_related("run__county", "run__standards", "run__created_by", "decided_by")
    if scope.station_id is not None:
        proposals = proposals.filter(pk__in=ProposedMove.objects.filter(_touching(scope.station_id)).values("proposal"))
    proposal = proposals.filter(pk=pk).first()
    if proposal is None:
        raise Http404
    return proposal


@dataclass(frozen=True)
class MoveFilters:
    station: str = ""  # code: moves from or to it
    team: str = ""
    kind: str = ""  # officer | auxiliary
    status: str = ""


def moves_of(proposal: Proposal, scope: Scope, filters: MoveFilters | None = None) -> QuerySet[ProposedMove]:
    """The proposal's moves the reader may see, filtered, with everything the table shows, in a
    fixed number of queries whatever the number of moves."""
    moves = proposal.moves.select_related("person", "origin", "destination", "decided_by").prefetch_related(
        Prefetch("comments", queryset=MoveComment.objects.select_related("author"))
    )
    if scope.station_id is not None:
        moves = moves.filter(_touching(scope.station_id))
    filters = filters or MoveFilters()
    if filters.station:
        moves = moves.filter(Q(origin__code=filters.station) | Q(destination__code=filters.station))
    if filters.team:
        moves = moves.filter(destination_team=filters.team)
    if filters.kind == "officer":
        moves = moves.filter(person__kind="officer")
    elif filters.kind == "auxiliary":
        moves = moves.exclude(person__kind="officer")
    if filters.status:
        moves = moves.filter(status=filters.status)
    return moves.order_by("destination__code", "person__number")


def move_get(proposal: Proposal, scope: Scope, pk: int) -> ProposedMove:
    move = moves_of(proposal, scope).filter(pk=pk).first()
    if move is None:
        raise Http404
    return move
