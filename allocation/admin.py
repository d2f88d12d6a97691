"""The allocation review in the admin: runs to read, moves to accept or reject, proposals to approve."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allocation.models import AllocationRun, MoveComment, Proposal, ProposedMove
from allocation.selectors import runs_visible
from allocation.services import ProposalRefused, move_decide, proposal_approve, run_cancel, run_create
from config.admin_scope import RoleScopedAdmin
from config.roles import Scope, scope_of


@admin.register(AllocationRun)
class AllocationRunAdmin(RoleScopedAdmin):
    planner_can_write = False  # a run is never edited; planners start one here (the add form) or elsewhere
    list_display = ["id", "county", "status", "max_moves", "optimal", "solve_seconds", "created_by", "created_at"]
    list_filter = ["status", "county"]
    list_select_related = ["county", "created_by"]
    readonly_fields = [f.name for f in AllocationRun._meta.fields]
    actions = ["start_again", "cancel"]

    def scope_queryset(self, queryset: QuerySet[Any], station_id: int) -> QuerySet[Any]:
        # As on the pages: a chief sees the runs whose proposal moves someone from or to his station.
        return queryset.filter(pk__in=runs_visible(Scope(True, False, station_id)).values("pk"))

    # "Add" starts a run: the form asks what the dashboard's form asks, and saving queues it through
    # the same service instead of writing the row itself.
    START_FIELDS = ("county", "max_moves", "standards")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return scope_of(request.user).can_write

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.START_FIELDS if obj is None else super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: AllocationRun, form: Any, change: bool) -> None:
        if change:
            raise PermissionDenied
        try:
            run = run_create(county=obj.county, max_moves=obj.max_moves, standards=obj.standards, by=request.user)
        except ValueError as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk = run.pk  # the admin then shows the queued run
        obj.refresh_from_db()

    @admin.action(description=_("Start the selected runs again (same county, moves and rules)"))
    def start_again(self, request: HttpRequest, queryset: QuerySet[AllocationRun]) -> None:
        if not scope_of(request.user).can_write:
            raise PermissionDenied
        for run in queryset.select_related("county", "standards"):
            try:
                new = run_create(
                    county=run.county,
                    max_moves=run.max_moves,
                    standards=run.standards,
                    recent_move_months=int(run.parameters.get("recent_move_months", 12)),
                    by=request.user,
                )
            except ValueError as exc:
                self.message_user(request, f"#{run.pk}: {exc}", level=messages.ERROR)
            else:
                self.message_user(request, _("Run #%(id)d started.") % {"id": new.pk})

    @admin.action(description=_("Cancel the selected runs"))
    def cancel(self, request: HttpRequest, queryset: QuerySet[AllocationRun]) -> None:
        if not scope_of(request.user).can_write:
            raise PermissionDenied
        for run in queryset:
            if not run_cancel(run=run, by=request.user):
                self.message_user(
                    request,
                    _("Run #%(id)d is already %(status)s; there is nothing to cancel.")
                    % {"id": run.pk, "status": run.get_status_display().lower()},
                    level=messages.WARNING,
                )


class ProposedMoveInline(admin.TabularInline):
    model = ProposedMove
    extra = 0
    can_delete = False
    fields = ("person", "origin", "destination", "destination_team", "status", "reason", "decided_by", "decided_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProposedMove]:
        return super().get_queryset(request).select_related("person", "origin", "destination", "decided_by")


@admin.register(Proposal)
class ProposalAdmin(RoleScopedAdmin):
    planner_can_write = False  # decisions go through the actions, which call the services
    list_display = ["id", "run", "status", "objective", "effective_date", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["run__county", "decided_by"]
    readonly_fields = [f.name for f in Proposal._meta.fields]
    inlines = [ProposedMoveInline]
    actions = ["approve_from_next_month"]

    def scope_queryset(self, queryset: QuerySet[Any], station_id: int) -> QuerySet[Any]:
        # Chiefs read the proposals whose moves touch their station.
        return queryset.filter(moves__origin=station_id) | queryset.filter(moves__destination=station_id)

    @admin.action(description=_("Approve and apply the accepted moves from the first of next month"))
    def approve_from_next_month(self, request: HttpRequest, queryset: QuerySet[Proposal]) -> None:
        if not scope_of(request.user).can_write:
            raise PermissionDenied
        today = timezone.localdate()
        first = today.replace(year=today.year + today.month // 12, month=today.month % 12 + 1, day=1)
        for proposal in queryset:
            try:
                moved = proposal_approve(proposal=proposal, effective_date=first, by=request.user)
            except ProposalRefused as exc:
                self.message_user(request, f"#{proposal.pk}: {exc}", level=messages.ERROR)
            else:
                self.message_user(request, _("#%(id)d: %(n)d people moved.") % {"id": proposal.pk, "n": moved})


@admin.register(ProposedMove)
class ProposedMoveAdmin(RoleScopedAdmin):
    planner_can_write = False
    list_display = ["proposal", "person", "origin", "destination", "destination_team", "status", "reason", "decided_by"]
    list_filter = ["status", "destination_team", "proposal"]
    search_fields = ["person__name", "person__number", "origin__name", "destination__name"]
    list_select_related = ["person", "origin", "destination", "decided_by", "proposal"]
    readonly_fields = [f.name for f in ProposedMove._meta.fields]
    actions = ["accept", "reject"]

    def scope_queryset(self, queryset: QuerySet[Any], station_id: int) -> QuerySet[Any]:
        return queryset.filter(origin=station_id) | queryset.filter(destination=station_id)

    def _decide(self, request: HttpRequest, queryset: QuerySet[ProposedMove], accept: bool) -> None:
        if not scope_of(request.user).can_write:
            raise PermissionDenied
        reason = "" if accept else str(_("rejected in the admin"))
        for move in queryset:
            try:
                move_decide(move=move, accept=accept, reason=reason, by=request.user)
            except ProposalRefused as exc:
                self.message_user(request, f"{move}: {exc}", level=messages.ERROR)

    @admin.action(description=_("Accept the selected moves"))
    def accept(self, request: HttpRequest, queryset: QuerySet[ProposedMove]) -> None:
        self._decide(request, queryset, True)

    @admin.action(description=_("Reject the selected moves"))
    def reject(self, request: HttpRequest, queryset: QuerySet[ProposedMove]) -> None:
        self._decide(request, queryset, False)


@admin.register(MoveComment)
class MoveCommentAdmin(RoleScopedAdmin):
    planner_can_write = False  # comments are written on the proposal pages, through move_comment
    list_display = ["move", "author", "created_at", "text"]
    list_select_related = ["move__person", "author"]
    search_fields = ["text", "author__username"]
    readonly_fields = [f.name for f in MoveComment._meta.fields]

    def scope_queryset(self, queryset: QuerySet[Any], station_id: int) -> QuerySet[Any]:
        return queryset.filter(move__origin=station_id) | queryset.filter(move__destination=station_id)
