"""The county overview, the station page, the reports and their exports, the language switch."""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from audit.services import audit_record
from config.access import scope_required
from config.roles import scope_of
from reports import charts, exports
from reports.catalogue import CATALOGUE, place_for
from reports.overview import FLAG_LABELS, county_overview, row_display
from reports.selectors import county_monthly_trend, station_people, station_proposals, station_rosters
from reports.services import UnknownLanguage, language_preference_set
from stations.models import County, Station, Unit
from workload.selectors import (
    crews_by_hour,
    hour_of_week_profile,
    monthly_trend,
    saturation_by_hour,
    standards_default,
    station_needs,
)

ALL_COUNTIES = "all"

SORTS = {
    "code": lambda r: r.station.code,
    "gap": lambda r: -(r.need.result.gap if r.need.result else -1e9),
    "need": lambda r: -(r.need.result.need if r.need.result else -1e9),
    "officers": lambda r: -r.station.effective_officers,
    "nominal": lambda r: -r.station.nominal_officers,
    "auxiliaries": lambda r: -r.station.effective_auxiliaries,
    "load": lambda r: -(r.need.result.workload_per_person or 0 if r.need.result else 0),
    "saturation": lambda r: -(r.need.result.saturation or 0 if r.need.result else 0),
    "community": lambda r: r.community_share_percent if r.community_share_percent is not None else 1e9,
    "flags": lambda r: -len(r.flags),
}


def _day_labels() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def _without(request: HttpRequest, key: str) -> str:
    """The page's query string without `key`, ready for `key=...` to be appended."""
    query = request.GET.copy()
    query.pop(key, None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


@scope_required()
def overview(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if scope.station_id is not None:
        return redirect("reports:station", code=Station.objects.get(pk=scope.station_id).code)
    counties = list(County.objects.filter(stations__isnull=False).distinct().order_by("code"))
    if not counties:
        return render(request, "reports/overview.html", {"overview": None})
    code = request.GET.get("county")
    standards = standards_default()
    county: County | None
    if code == ALL_COUNTIES and len(counties) > 1:
        # A prefecture city's planners look at every county at once (the bench measures this page).
        county = None
        data = county_overview(None, standards, stations=Station.objects.filter(county__in=counties))
    else:
        county = next((c for c in counties if c.code == code), counties[0])
        data = county_overview(county, standards)
    rows = data.rows
    kind = request.GET.get("kind", "")
    if kind:
        rows = [r for r in rows if r.station.kind == kind]
    flag = request.GET.get("flag", "")
    if flag:
        rows = [r for r in rows if flag in r.flags]
    query = request.GET.get("q", "").strip()
    if query:
        rows = [r for r in rows if query.lower() in f"{r.station.code} {r.station.name}".lower()]
    sort = request.GET.get("sort", "code")
    rows = sorted(rows, key=SORTS.get(sort, SORTS["code"]))
    # One reverse for the whole table; the code is the only part that changes from row to row.
    url_pattern = reverse("reports:station", args=["CODE"])
    kinds = {key: str(label) for key, label in Station.Kind.choices}
    labels = {key: str(label) for key, label in FLAG_LABELS.items()}
    display_rows = [
        row_display(r, url=url_pattern.replace("CODE", quote(r.station.code)), kinds=kinds, labels=labels) for r in rows
    ]
    stations_only = [r for r in rows if r.need.result is not None]
    chart = charts.grouped_bars(
        [
            charts.Bar(r.station.name if county else r.station.code, (result.need, float(result.effective_people)))
            for r in stations_only
            if (result := r.need.result) is not None
        ],
        series=[_("need"), _("people at post")],
        colours=["#f2c14e", "#1f4e79"],
        title=_("Need against strength"),
        unit=_("people"),
    )
    trend = county_monthly_trend(Station.objects.filter(county__in=[county] if county else counties))
    trend_chart = (
        charts.column_trend(
            [(f"{month:%y-%m}", hours) for month, _incidents, hours in trend],
            title=_("Officer-hours per month, whole county"),
            unit=_("hours"),
        )
        if trend
        else None
    )
    return render(
        request,
        "reports/overview.html",
        {
            "overview": data,
            "rows": rows,
            "display_rows": display_rows,
            "counties": counties,
            "county": county,
            "all_counties": ALL_COUNTIES,
            "chart": chart,
            "trend_chart": trend_chart,
            "sort_query": _without(request, "sort"),
            "query": query,
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
    context["people"] = station_people(row, on=timezone.localdate())
    context["proposals"] = station_proposals(row)
    context["rosters"] = station_rosters(request.user, row)
    return render(request, "reports/station.html", context)


@scope_required()
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", {"entries": list(CATALOGUE.values())})


EXPORTS = {
    "csv": (exports.report_csv, exports.CSV_TYPE, "csv"),
    "xlsx": (exports.report_xlsx, exports.XLSX_TYPE, "xlsx"),
}


@scope_required()
def report(request: HttpRequest, slug: str) -> HttpResponseBase:
    """A report page; `?format=csv|xlsx` downloads it (audited), scoped like the page."""
    entry = CATALOGUE.get(slug)
    if entry is None:
        raise Http404
    scope = scope_of(request.user)
    place = place_for(scope, request.GET.get("county"))
    if place is None:
        return render(request, "reports/report.html", {"entry": entry, "report": None})
    params = {key: request.GET.get(key, "") for key in ("from", "to", "proposal")}
    built = entry.build(place, params)
    fmt = request.GET.get("format", "")
    if fmt not in EXPORTS:
        links = {}
        for name in EXPORTS:
            query = request.GET.copy()
            query["format"] = name
            links[name] = f"?{query.urlencode()}"
        context = {"entry": entry, "report": built, "export_links": links, **built.context}
        return render(request, "reports/report.html", context)
    write, content_type, extension = EXPORTS[fmt]
    body = write(built)
    audit_record(
        action="report.export",
        by=request.user,
        station_id=scope.station_id,
        after={
            "report": slug,
            "format": fmt,
            "rows": sum(len(t.frame) for t in built.tables),
            **built.parameters,
        },
    )
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    # Codes are typed by people: keep only characters that are safe in a header and a file name.
    code = re.sub(r"[^A-Za-z0-9_-]", "_", place.county.code)
    response["Content-Disposition"] = f'attachment; filename="jingli-{slug}-{code}-{stamp}.{extension}"'
    return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponseBase:
    """Django's set_language (cookie and redirect), and the choice remembered on the account."""
    response = set_language(request)
    if request.user.is_authenticated:
        # An unknown code is ignored by set_language too: the page simply stays in its language.
        with contextlib.suppress(UnknownLanguage):
            language_preference_set(user=request.user, language=request.POST.get("language", ""))
    return response
