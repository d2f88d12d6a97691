"""Pages of the rosters app: the list, the people × days grid and its actions, demand, the difference
between versions, exports, leave decisions and the holiday calendar.

Every page reads through rosters.selectors (scoped: another station's roster is a 404) and every change
goes through one service; only a chief of the station changes its roster, planners and auditors read.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.services import audit_record
from config.access import scope_required
from config.roles import scope_of
from personnel.models import Person
from rosters import exports, services
from rosters.models import CalendarDay, Roster, RosterStatus, ShiftDemand, ShiftPattern, ShiftRequest
from rosters.selectors import (
    feed_token_live,
    feed_token_person,
    leave_requests,
    person_cells,
    published_person_cells,
    roster_diff,
    roster_get,
    roster_grid,
    rosters_visible,
)
from stations.models import Station

# The soft rules' names as the solver reports them (RosterSolution.penalties), for the reader.
PENALTY_LABELS = {
    "shortfall": gettext_lazy("shortfalls"),
    "overcover": gettext_lazy("over-cover"),
    "requests": gettext_lazy("personal requests"),
    "fairness_nights": gettext_lazy("fair nights"),
    "fairness_weekends": gettext_lazy("fair weekends"),
    "fairness_holidays": gettext_lazy("fair holidays"),
    "continuity": gettext_lazy("continuity"),
    "stability": gettext_lazy("stability"),
}


def penalties_listed(penalties: dict[str, float]) -> list[tuple[str, float]]:
    """The soft rules in one fixed order (PENALTY_LABELS'), whatever order the stored JSON kept them in
    (PostgreSQL's jsonb reorders keys; SQLite keeps the solver's)."""
    order = {key: n for n, key in enumerate(PENALTY_LABELS)}
    return [
        (str(PENALTY_LABELS.get(k, k)), v)
        for k, v in sorted(penalties.items(), key=lambda kv: order.get(kv[0], len(order)))
    ]


class RosterForm(forms.Form):
    pattern = forms.ModelChoiceField(queryset=ShiftPattern.objects.none(), label=gettext_lazy("shift pattern"))
    start_date = forms.DateField(label=gettext_lazy("first day"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=gettext_lazy("days"), min_value=1, max_value=services.MAX_DAYS, initial=30)
    # A short budget gives a quick first draft; the solver stops earlier when it proves the roster optimal.
    time_limit = forms.IntegerField(
        label=gettext_lazy("solver time limit (s)"),
        min_value=1,
        max_value=services.MAX_TIME_LIMIT,
        required=False,
        initial=services.DEFAULT_TIME_LIMIT,
    )

    def __init__(self, *args: object, station: Station, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["pattern"].queryset = services.patterns_for(station)  # type: ignore[attr-defined]


def _station_of_user(request: HttpRequest) -> Station | None:
    scope = scope_of(request.user)
    return Station.objects.filter(pk=scope.station_id).first() if scope.station_id else None


@scope_required()
def roster_list(request: HttpRequest) -> HttpResponse:
    rosters = (
        rosters_visible(request.user)
        .select_related("station", "pattern")
        .order_by("-start_date", "station__code", "-version")[:200]
    )
    station = _station_of_user(request)
    form = None
    if station is not None and services.can_edit(request.user, station.pk):
        today = timezone.localdate()
        first_next = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        form = RosterForm(station=station, initial={"start_date": first_next, "days": 30})
    return render(request, "rosters/list.html", {"rosters": rosters, "form": form, "station": station})


@require_POST
@scope_required()
def roster_create(request: HttpRequest) -> HttpResponse:
    station = _station_of_user(request)
    if station is None or not services.can_edit(request.user, station.pk):
        raise Http404
    form = RosterForm(request.POST, station=station)
    if form.is_valid():
        try:
            roster = services.roster_create(
                station=station,
                pattern=form.cleaned_data["pattern"],
                start_date=form.cleaned_data["start_date"],
                days=form.cleaned_data["days"],
                by=request.user,
                time_limit=form.cleaned_data["time_limit"] or services.DEFAULT_TIME_LIMIT,
            )
            services.roster_generate(roster=roster, by=request.user)
        except services.RosterRefused as exc:
            messages.error(request, str(exc))
        else:
            return redirect("rosters:detail", pk=roster.pk)
    else:
        # Name each field as the form shows it (its label, in the reader's language), not by its code.
        labels = {name: str(field.label) for name, field in form.fields.items()}
        messages.error(
            request,
            "; ".join(f"{labels.get(k, k)}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()),
        )
    return redirect("rosters:list")


@scope_required()
def roster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roster = roster_get(request.user, pk)
    grid = roster_grid(roster)
    editable = services.can_edit(request.user, roster.station_id)
    return render(
        request,
        "rosters/detail.html",
        {
            "roster": roster,
            "grid": grid,
            "editable": editable,
            # Calendar links are managed by the station's chiefs and by planners (not auditors).
            "can_manage_feeds": editable or services.can_manage_feed_anywhere(request.user),
            "can_change_cells": editable and roster.status == RosterStatus.DRAFT and not roster.is_generating,
            "statuses": RosterStatus,
            "refused": request.session.pop("roster_refused", None),
            "penalties": penalties_listed(roster.penalties or {}),
        },
    )


@scope_required()
def roster_status(request: HttpRequest, pk: int) -> JsonResponse:
    roster = roster_get(request.user, pk)
    return JsonResponse(
        {
            "status": roster.generation,
            "status_display": roster.get_generation_display(),
            "progress": roster.progress,
            "message": roster.message,
            "finished": not roster.is_generating,
        }
    )


ACTIONS = {
    "generate": services.roster_generate,
    "submit": services.roster_submit,
    "approve": services.roster_approve,
    "publish": services.roster_publish,
}


@require_POST
@scope_required()
def roster_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    roster = roster_get(request.user, pk)
    if not services.can_edit(request.user, roster.station_id):
        raise PermissionDenied  # planners and auditors read rosters; only the station's chiefs change them
    try:
        if action == "return":
            services.roster_return(roster=roster, by=request.user, reason=request.POST.get("reason", ""))
        elif action == "revise":
            revision = services.roster_revise(roster=roster, by=request.user)
            messages.success(
                request, _("Version %(version)d is a draft: change it, then submit it.") % {"version": revision.version}
            )
            return redirect("rosters:detail", pk=revision.pk)
        elif action in ACTIONS:
            ACTIONS[action](roster=roster, by=request.user)
        else:
            raise Http404
    except services.RosterRefused as exc:
        messages.error(request, str(exc))
    return redirect("rosters:detail", pk=pk)


@require_POST
@scope_required()
def cell_set(request: HttpRequest, pk: int) -> HttpResponse:
    roster = roster_get(request.user, pk)
    if not services.can_edit(request.user, roster.station_id):
        raise PermissionDenied
    try:
        person_id = int(request.POST["person"])
        day = dt.date.fromisoformat(request.POST["day"])
    except (KeyError, ValueError):
        messages.error(request, _("Choose a person and a day."))
        return redirect("rosters:detail", pk=pk)
    code = request.POST.get("shift", "").strip() or None
    try:
        change = services.cell_set(roster=roster, person_id=person_id, day=day, shift_code=code, by=request.user)
    except services.RosterRefused as exc:
        # The form comes back filled with the refused change, so the chief adjusts it instead of starting over.
        request.session["roster_refused"] = {
            "message": str(exc),
            "reasons": exc.reasons,
            "person": person_id,
            "day": day.isoformat(),
            "shift": code or "",
        }
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"ok": False, "message": str(exc), "reasons": exc.reasons}, status=409)
    else:
        if request.headers.get("Accept") == "application/json":
            return JsonResponse({"ok": True, "before": change.before, "after": change.after})
        messages.success(
            request,
            _("%(day)s: %(before)s → %(after)s.")
            % {"day": day, "before": change.before or _("off"), "after": change.after or _("off")},
        )
    return redirect("rosters:detail", pk=pk)


@scope_required()
def demand_page(request: HttpRequest, pk: int) -> HttpResponse:
    roster = roster_get(request.user, pk)
    rows = (
        ShiftDemand.objects.filter(roster=roster)
        .select_related("shift", "overridden_by")
        .order_by("day", "shift__order")
    )
    editable = services.can_edit(request.user, roster.station_id) and roster.status == RosterStatus.DRAFT
    return render(request, "rosters/demand.html", {"roster": roster, "rows": rows, "editable": editable})


@require_POST
@scope_required()
def demand_override(request: HttpRequest, pk: int, demand_id: int) -> HttpResponse:
    roster = roster_get(request.user, pk)
    if not services.can_edit(request.user, roster.station_id):
        raise PermissionDenied
    row = get_object_or_404(ShiftDemand.objects.select_related("roster"), pk=demand_id, roster=roster)
    raw = request.POST.get("required", "").strip()
    try:
        required = int(raw) if raw else None
    except ValueError:
        messages.error(request, _("The figure must be a whole number."))
        return redirect("rosters:demand", pk=pk)
    try:
        services.demand_override(demand=row, required=required, reason=request.POST.get("reason", ""), by=request.user)
    except services.RosterRefused as exc:
        messages.error(request, str(exc))
    return redirect("rosters:demand", pk=pk)


@scope_required()
def roster_diff_page(request: HttpRequest, pk: int) -> HttpResponse:
    roster = roster_get(request.user, pk)
    previous = rosters_visible(request.user).filter(pk=roster.previous_id).first() if roster.previous_id else None
    return render(
        request, "rosters/diff.html", {"roster": roster, "previous": previous, "changes": roster_diff(roster)}
    )


@scope_required()
def roster_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    roster = roster_get(request.user, pk)
    content = exports.grid_xlsx(roster_grid(roster))
    audit_record(action="roster.export_xlsx", obj=roster, by=request.user)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"roster-{roster.station.code}-{roster.start_date:%Y%m%d}-v{roster.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@scope_required()
def roster_print(request: HttpRequest, pk: int) -> HttpResponse:
    roster = roster_get(request.user, pk)
    audit_record(action="roster.export_print", obj=roster, by=request.user)
    return render(request, "rosters/print.html", {"roster": roster, "grid": roster_grid(roster)})


@scope_required()
def person_feed(request: HttpRequest, station_code: str, person_id: int) -> HttpResponse:
    """One person's published shifts at a station as an iCalendar feed."""
    scope = scope_of(request.user)
    station = get_object_or_404(
        Station.objects.filter(Q(pk=scope.station_id) if scope.station_id else Q()), code=station_code
    )
    published = rosters_visible(request.user).filter(station=station, status=RosterStatus.PUBLISHED)
    cells = list(person_cells(published, person_id))
    member = (
        Roster.objects.filter(station=station, members__person_id=person_id)
        .values_list("members__person__name", flat=True)
        .first()
    )
    if member is None:
        raise Http404
    text = exports.person_ics(member, cells, host=request.get_host().split(":")[0], now=timezone.now())
    audit_record(action="roster.export_ics", by=request.user, station_id=station.pk, detail=f"person {person_id}")
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="roster-{station.code}-{person_id}.ics"'
    return response


def token_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's published shifts as an iCalendar feed, for a phone to subscribe to without a session.

    The secret link is the only credential (made and revoked by a chief of his station or a planner);
    a wrong or revoked token is simply not there. Read-only, GET only, every fetch on record."""
    if request.method not in ("GET", "HEAD"):
        raise Http404
    person = feed_token_person(token)
    if person is None:
        raise Http404
    cells = list(published_person_cells(person.pk))
    text = exports.person_ics(person.name, cells, host=request.get_host().split(":")[0], now=timezone.now())
    audit_record(
        action="roster.export_ics_link",
        obj=person,
        station_id=cells[-1].roster.station_id if cells else None,
        detail=f"person {person.pk}, {len(cells)} shifts",
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="roster-{person.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@scope_required()
def feed_link(request: HttpRequest, person_id: int) -> HttpResponse:
    """Make, replace or revoke a person's calendar link. The new link is shown once, on this response."""
    person = get_object_or_404(Person, pk=person_id)
    if not services.can_manage_feed(request.user, person):
        raise Http404  # another station's person is not there
    url = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "issue":
                token = services.feed_token_issue(person=person, by=request.user)
                url = request.build_absolute_uri(reverse("rosters:token_feed", args=[token]))
            elif action == "revoke":
                if services.feed_token_revoke(person=person, by=request.user):
                    messages.success(request, _("The calendar link is revoked: it no longer works."))
                return redirect("rosters:feed_link", person_id=person.pk)
            else:
                return HttpResponse(status=400)
        except services.RosterRefused as exc:
            messages.error(request, str(exc))
            return redirect("rosters:feed_link", person_id=person.pk)
    response = render(
        request, "rosters/feed_link.html", {"person": person, "live": feed_token_live(person.pk), "url": url}
    )
    response["Cache-Control"] = "private, no-store"
    return response


@scope_required()
def leave_list(request: HttpRequest) -> HttpResponse:
    leaves = list(leave_requests(request.user)[:200])
    scope = scope_of(request.user)
    editable = scope.station_id is not None and services.can_edit(request.user, scope.station_id)
    return render(request, "rosters/leave.html", {"leaves": leaves, "editable": editable})


@require_POST
@scope_required()
def leave_decide(request: HttpRequest, pk: int) -> HttpResponse:
    leave = get_object_or_404(leave_requests(request.user), pk=pk)
    try:
        if request.POST.get("choice") == "approve":
            services.leave_approve(leave=leave, by=request.user)
            messages.success(request, _("Leave approved."))
        else:
            services.leave_reject(leave=leave, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Leave refused."))
    except services.RosterRefused as exc:
        messages.error(request, " ".join([str(exc), *exc.reasons]))
    return redirect("rosters:leave")


@scope_required()
def calendar_page(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    years = CalendarDay.objects.dates("date", "year")
    return render(request, "rosters/calendar.html", {"days": days, "year": year, "years": [d.year for d in years]})


@scope_required()
def requests_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Personal wishes (a day or a shift on or off) of the roster's people, weighed at the next generation."""
    roster = roster_get(request.user, pk)
    editable = services.can_edit(request.user, roster.station_id)
    members = list(roster.members.select_related("person").order_by("position"))
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        person = next((m.person for m in members if str(m.person_id) == request.POST.get("person")), None)
        try:
            day = dt.date.fromisoformat(request.POST.get("day", ""))
            weight = int(request.POST.get("weight") or 1)
        except ValueError:
            messages.error(request, _("Choose a person and a day."))
            return redirect("rosters:requests", pk=pk)
        if person is None:
            messages.error(request, _("This person is not on the roster."))
            return redirect("rosters:requests", pk=pk)
        try:
            services.shift_request_add(
                person=person,
                station=roster.station,
                day=day,
                shift_code=request.POST.get("shift", ""),
                want=request.POST.get("want") == "on",
                weight=weight,
                reason=request.POST.get("reason", ""),
                by=request.user,
            )
        except services.RosterRefused as exc:
            messages.error(request, str(exc))
        return redirect("rosters:requests", pk=pk)
    wishes = ShiftRequest.objects.filter(
        person_id__in=[m.person_id for m in members], day__gte=roster.start_date, day__lte=roster.end_date
    ).select_related("person")
    return render(
        request,
        "rosters/requests.html",
        {
            "roster": roster,
            "wishes": wishes,
            "members": members,
            "shifts": roster.pattern.shift_types.order_by("order"),
            "editable": editable,
        },
    )
