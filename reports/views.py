"""The county overview and the station page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from config.access import scope_required
from config.roles import scope_of
from reports import charts
from reports.overview import FLAG_LABELS, county_overview
from stations.models import County, Station, Unit
from workload.selectors import (
    crews_by_hour,
    hour_of_week_profile,
    monthly_trend,
    saturation_by_hour,
    standards_default,
    station_needs,
)

SORTS = {
    "code": lambda r: r.station.code,
    "gap": lambda r: -(r.need.result.gap if r.need.result else -1e9),
    "need": lambda r: -(r.need.result.need if r.need.result else -1e9),
    "officers": lambda r: -r.station.effective_officers,
    "load": lambda r: -(r.need.result.workload_per_person or 0 if r.need.result else 0),
}


def _day_labels() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


@scope_required()
def overview(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if scope.station_id is not None:
        return redirect("reports:station", code=Station.objects.get(pk=scope.station_id).code)
    counties = list(County.objects.filter(stations__isnull=False).distinct().order_by("code"))
    if not counties:
        return render(request, "reports/overview.html", {"overview": None})
    code = request.GET.get("county")
    county = next((c for c in counties if c.code == code), counties[0])
    standards = standards_default()
    data = county_overview(county, standards)
    rows = data.rows
    kind = request.GET.get("kind", "")
    if kind:
        rows = [r for r in rows if r.station.kind == kind]
    flag = request.GET.get("flag", "")
    if flag:
        rows = [r for r in rows if flag in r.flags]
    sort = request.GET.get("sort", "code")
    rows = sorted(rows, key=SORTS.get(sort, SORTS["code"]))
    stations_only = [r for r in rows if r.need.result is not None]
    chart = charts.grouped_bars(
        [
            charts.Bar(r.station.name, (r.need.result.need, float(r.need.result.effective_people)))  # type: ignore[union-attr]
            for r in stations_only
        ],
        series=[_("need"), _("people at post")],
        colours=["#f2c14e", "#1f4e79"],
        title=_("Need against strength"),
        unit=_("people"),
    )
    return render(
        request,
        "reports/overview.html",
        {
            "overview": data,
            "rows": rows,
            "counties": counties,
            "county": county,
            "chart": chart,
            "kind": kind,
            "flag": flag,
            "sort": sort,
            "kinds": Station.Kind.choices,
            "flag_labels": FLAG_LABELS,
        },
    )


@scope_required()
def station(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_of(request.user)
    queryset = Station.objects.filter(code=code)
    if scope.station_id is not None:
        queryset = queryset.filter(pk=scope.station_id)  # another station's page is simply not there
    row = get_object_or_404(queryset)
    standards = standards_default()
    need = station_needs(Station.objects.filter(pk=row.pk), standards=standards)[0]
    context: dict[str, object] = {"station": need.station, "need": need, "standards": standards}
    if need.result is not None:
        labels = dict(Unit.Kind.choices)
        context["team_rows"] = [(labels[key], team) for key, team in need.result.teams.items()]
    if need.window is not None and need.result is not None:
        profile = hour_of_week_profile(row.pk, need.window)
        crews = crews_by_hour(profile, standards)
        days = _day_labels()
        context["load_heatmap"] = charts.heatmap(
            profile.officer_hours_per_week, day_labels=days, title=_("Officer-hours per week"), unit=_("hours")
        )
        context["crews_heatmap"] = charts.heatmap(
            [float(c) for c in crews],
            day_labels=days,
            title=_("Crews needed on duty (Erlang C)"),
            unit=_("crews"),
            digits=0,
        )
        trend = monthly_trend(row.pk)
        context["trend"] = charts.column_trend(
            [(f"{month:%y-%m}", hours) for month, _incidents, hours in trend],
            title=_("Officer-hours per month"),
            unit=_("hours"),
        )
        context["peak_crews"] = max(crews)
        people: Any = need.station
        saturation = saturation_by_hour(profile, people.effective_officers + people.effective_auxiliaries, standards)
        if saturation[0] is not None:
            context["saturation_heatmap"] = charts.heatmap(
                [s or 0.0 for s in saturation],
                day_labels=days,
                title=_("Saturation (above 0.6: overloaded)"),
                unit="",
                digits=2,
            )
            context["overloaded_hours"] = sum(1 for s in saturation if s is not None and s > 0.6)
    elif not row.is_department:
        context["no_data"] = True
    return render(request, "reports/station.html", context)
