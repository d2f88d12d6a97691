"""Pages of the allocation review: runs, proposals and their moves, for planners, chiefs and auditors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from allocation import charts
from allocation.explain import reasons_text, rule_label
from allocation.forms import ApproveForm, CommentForm, DecideForm, MoveFilterForm, RejectForm, RunForm
from allocation.models import AllocationRun, ProposalStatus, ProposedMove, RunStatus
from allocation.selectors import MoveFilters, move_get, moves_of, proposal_get, run_get, runs_visible
from allocation.services import (
    ProposalRefused,
    move_comment,
    move_decide,
    proposal_approve,
    proposal_reject,
    run_cancel,
    run_create,
    run_group_create,
)
from config.access import scope_required
from config.roles import scope_of
from stations.models import Station, Unit


def run_message(run: AllocationRun) -> str:
    """The run's stage in the reader's language (the row keeps a stage code)."""
    stages = {
        "loading": _("loading the inputs"),
        "solving": _("solving"),
        "curve": _("computing the trade-off curve"),
        "storing": _("storing the proposal"),
        "cancelled": _("cancelled"),
    }
    if run.status == RunStatus.SUCCEEDED:
        count = getattr(run, "moves_count", None)
        if count is None:
            count = run.proposal.moves.count() if hasattr(run, "proposal") else 0
        return ngettext("%(n)d move proposed", "%(n)d moves proposed", count) % {"n": count}
    if run.status == RunStatus.FAILED:
        return run.error
    return stages.get(run.message, run.message)


@scope_required()
def runs(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    form = RunForm(request.POST or None) if scope.can_write else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["whole_city"]:
                    batch = run_group_create(
                        counties=list(form.fields["county"].queryset),  # type: ignore[attr-defined]
                        max_moves=data["max_moves"],
                        standards=data["standards"],
                        recent_move_months=data["recent_move_months"],
                        by=request.user,
                    )
                    messages.success(request, _("%(n)d runs started, one per county.") % {"n": batch.runs.count()})
                    return redirect("allocation:runs")
                run = run_create(
                    county=data["county"],
                    max_moves=data["max_moves"],
                    standards=data["standards"],
                    recent_move_months=data["recent_move_months"],
                    by=request.user,
                )
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("allocation:run", pk=run.pk)
    page = Paginator(runs_visible(scope), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "allocation/runs.html",
        {"page": page, "form": form, "can_write": scope.can_write, "statuses": RunStatus},
    )


@scope_required()
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request.user)
    run = run_get(scope, pk)
    return render(
        request,
        "allocation/run.html",
        {"run": run, "message": run_message(run), "can_write": scope.can_write, "statuses": RunStatus},
    )


@scope_required()
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = run_get(scope_of(request.user), pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_display": run.get_status_display(),
            "progress": run.progress,
            "message": run_message(run),
            "finished": run.is_finished,
        }
    )


@require_POST
@scope_required(write=True)
def run_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_get(scope_of(request.user), pk)
    if run_cancel(run=run, by=request.user):
        messages.success(request, _("Run #%(id)d cancelled; nothing of it is stored.") % {"id": run.pk})
    else:
        messages.error(
            request,
            _("Run #%(id)d is already %(status)s; there is nothing to cancel.")
            % {"id": run.pk, "status": run.get_status_display().lower()},
        )
    return redirect("allocation:run", pk=pk)


def _station_rows(proposal: Any, names: dict[str, str], only: set[str] | None) -> list[dict[str, Any]]:
    before = {s["code"]: s for s in proposal.before.get("stations", [])}
    rows = []
    for after in proposal.after.get("stations", []):
        code = after["code"]
        if only is not None and code not in only:
            continue
        first = before.get(code, after)
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "need": after["need"],
                "people_before": first["people"],
                "people_after": after["people"],
                "officers_before": first["officers"],
                "officers_after": after["officers"],
                "gap_before": first["gap"],
                "gap_after": after["gap"],
                "load_before": first["workload_per_person"],
                "load_after": after["workload_per_person"],
                "changed": first["people"] != after["people"],
            }
        )
    return rows


def _move_row(move: ProposedMove) -> dict[str, Any]:
    names = {move.origin.code: move.origin.name, move.destination.code: move.destination.name}
    explanation = move.explanation or {}
    return {
        "move": move,
        "reasons": reasons_text(explanation, names),
        "origin": explanation.get("origin", {}),
        "destination": explanation.get("destination", {}),
        "comments": list(move.comments.all()),
    }


@scope_required()
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request.user)
    proposal = proposal_get(scope, pk)
    run = proposal.run
    names = dict(Station.objects.filter(county_id=run.county_id).values_list("code", "name"))
    own_code = None
    if scope.station_id is not None:
        own_code = Station.objects.filter(pk=scope.station_id).values_list("code", flat=True).first()
    station_choices = sorted((code, f"{code} {name}") for code, name in names.items())
    filter_form = MoveFilterForm(request.GET or None, stations=station_choices)
    filters = MoveFilters()
    if filter_form.is_valid():
        filters = MoveFilters(**{k: v or "" for k, v in filter_form.cleaned_data.items()})
    moves = [_move_row(m) for m in moves_of(proposal, scope, filters)]
    rows = _station_rows(proposal, names, {own_code} if own_code else None)
    chart = charts.before_after(
        [charts.StationRow(f"{r['name']}", r["need"], r["people_before"], r["people_after"]) for r in rows],
        series=(_("need"), _("people before"), _("people after")),
        title=_("Need against strength, before and after"),
        unit=_("people"),
    )
    curve = charts.curve(
        [(int(p["moves"]), float(p["shortfall_removed"])) for p in proposal.tradeoff],
        chosen=int(proposal.tradeoff[-1]["moves"]) if proposal.tradeoff else None,
        title=_("Trade-off: share of the shortfall removed by the number of moves"),
        x_label=_("moves"),
        y_label=_("shortfall removed"),
    )
    violations = [
        {"rule": rule_label(v["rule"]), "place": names.get(v["place"], v["place"]), "amount": v["amount"]}
        for v in proposal.after.get("violations", [])
    ]
    is_open = proposal.status in (ProposalStatus.DRAFT, ProposalStatus.IN_REVIEW)
    return render(
        request,
        "allocation/proposal.html",
        {
            "proposal": proposal,
            "run": run,
            "rows": rows,
            "moves": moves,
            "chart": chart,
            "curve": curve,
            "violations": violations,
            "filter_form": filter_form,
            "can_write": scope.can_write,
            "can_comment": scope.can_write or scope.is_station_bound,
            "is_open": is_open,
            "approve_form": ApproveForm(),
            "reject_form": RejectForm(),
            "team_labels": dict(Unit.Kind.choices),
            "station_bound": scope.is_station_bound,
        },
    )


@scope_required()
def move_detail(request: HttpRequest, proposal_pk: int, pk: int) -> HttpResponse:
    scope = scope_of(request.user)
    proposal = proposal_get(scope, proposal_pk)
    move = move_get(proposal, scope, pk)
    return render(
        request,
        "allocation/move.html",
        {
            "proposal": proposal,
            "row": _move_row(move),
            "can_write": scope.can_write,
            "can_comment": scope.can_write or scope.is_station_bound,
            "is_open": proposal.status in (ProposalStatus.DRAFT, ProposalStatus.IN_REVIEW),
            "decide_form": DecideForm(),
            "comment_form": CommentForm(),
            "team_labels": dict(Unit.Kind.choices),
        },
    )


@require_POST
@scope_required(write=True)
def move_decide_view(request: HttpRequest, proposal_pk: int, pk: int) -> HttpResponse:
    scope = scope_of(request.user)
    proposal = proposal_get(scope, proposal_pk)
    move = move_get(proposal, scope, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or reject the move."))
    else:
        try:
            move_decide(
                move=move,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ProposalRefused as exc:
            messages.error(request, f"{move.person}: {exc}")
    return redirect(request.POST.get("next") or proposal_url(proposal.pk, move.pk))


def proposal_url(proposal_pk: int, move_pk: int | None = None) -> str:
    from django.urls import reverse

    url = reverse("allocation:proposal", kwargs={"pk": proposal_pk})
    return f"{url}#move-{move_pk}" if move_pk else url


@require_POST
@scope_required()
def move_comment_view(request: HttpRequest, proposal_pk: int, pk: int) -> HttpResponse:
    scope = scope_of(request.user)
    if not (scope.can_write or scope.is_station_bound):
        raise PermissionDenied  # auditors read only
    proposal = proposal_get(scope, proposal_pk)
    move = move_get(proposal, scope, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment of at most 1,000 characters."))
    else:
        try:
            move_comment(move=move, text=form.cleaned_data["text"], by=request.user)
        except ProposalRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Comment added."))
    return redirect("allocation:move", proposal_pk=proposal.pk, pk=move.pk)


@require_POST
@scope_required(write=True)
def proposal_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_get(scope_of(request.user), pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the moves take effect."))
        return redirect("allocation:proposal", pk=pk)
    try:
        moved = proposal_approve(proposal=proposal, effective_date=form.cleaned_data["effective_date"], by=request.user)
    except ProposalRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            ngettext("Approved: %(n)d person moves on %(date)s.", "Approved: %(n)d people move on %(date)s.", moved)
            % {"n": moved, "date": form.cleaned_data["effective_date"].isoformat()},
        )
    return redirect("allocation:proposal", pk=pk)


@require_POST
@scope_required(write=True)
def proposal_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_get(scope_of(request.user), pk)
    form = RejectForm(request.POST)
    try:
        if not form.is_valid():
            raise ProposalRefused(_("Say why the proposal is rejected."))
        proposal_reject(proposal=proposal, reason=form.cleaned_data["reason"], by=request.user)
    except ProposalRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The proposal is rejected; nobody moves."))
    return redirect("allocation:proposal", pk=pk)
