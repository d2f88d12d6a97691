"""The reports a reader can open and export: what each shows, built from reports.data and analysis.

A report is a title, some notes, charts and labelled tables. Tables keep the analysis frame (stable
keys, raw numbers) next to the column labels and kinds, so the page shows localised text while the
spreadsheet export keeps numbers as numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from allocation.models import Proposal, ProposedMove
from config.roles import Scope
from personnel.models import Person
from reports import analysis, charts, data
from reports.overview import county_overview
from stations.models import County, Station, Unit
from workload.models import StandardsSet
from workload.selectors import standards_default

TEXT, INT, FLOAT, PERCENT, FLAG, CHOICE, DATE = "text", "int", "float", "percent", "flag", "choice", "date"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: str = TEXT
    choices: dict[str, Any] | None = None
    digits: int = 1


@dataclass
class Table:
    title: str
    frame: pd.DataFrame
    columns: list[Column]

    def header(self) -> list[tuple[str, bool]]:
        return [(str(c.label), c.kind in (INT, FLOAT, PERCENT)) for c in self.columns]

    def rows(self) -> list[list[tuple[str, str]]]:
        """(text, css class) per cell, localised for the page."""
        out = []
        for record in self.frame.to_dict("records"):
            out.append([_display(c, record.get(c.key)) for c in self.columns])
        return out

    def export_frame(self) -> pd.DataFrame:
        """Labelled headers; numbers stay numbers, choices and flags become words."""
        columns = {}
        for column in self.columns:
            series = self.frame[column.key] if column.key in self.frame else pd.Series(dtype=object)
            columns[str(column.label)] = [_export_value(column, v) for v in series]
        return pd.DataFrame(columns)


@dataclass
class Report:
    slug: str
    title: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    charts: list[SafeString] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)  # what the page's chooser needs
    parameters: dict[str, str] = field(default_factory=dict)  # what the export's audit record says


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _display(column: Column, value: Any) -> tuple[str, str]:
    if column.kind == FLAG:
        return (_("breach"), "bad") if bool(value) else ("", "")
    if _missing(value):
        return ("–", "num muted" if column.kind in (INT, FLOAT, PERCENT) else "muted")
    if column.kind == INT:
        return formats.number_format(int(value), 0, force_grouping=True), "num"
    if column.kind == FLOAT:
        # number_format cuts the digits off; round first so 2.96 shows as 3.0, not 2.9.
        return formats.number_format(round(float(value), column.digits), column.digits, force_grouping=True), "num"
    if column.kind == PERCENT:
        return formats.number_format(round(100 * float(value)), 0) + " %", "num"
    if column.kind == CHOICE and column.choices is not None:
        return str(column.choices.get(value, value)), ""
    if column.kind == DATE:
        return formats.date_format(value, "YEAR_MONTH_FORMAT"), ""
    return str(value), ""


def _export_value(column: Column, value: Any) -> Any:
    if column.kind == FLAG:
        return _("yes") if bool(value) else _("no")
    if _missing(value):
        return None
    if column.kind == INT:
        return int(value)
    if column.kind == FLOAT:
        return round(float(value), max(column.digits, 2))
    if column.kind == PERCENT:
        return round(float(value), 4)
    if column.kind == CHOICE and column.choices is not None:
        return str(column.choices.get(value, value))
    if column.kind == DATE:
        return f"{value:%Y-%m}"
    return value


# --- Choice labels ---------------------------------------------------------------------------------


def _kinds() -> dict[str, Any]:
    return dict(Station.Kind.choices)


def _teams() -> dict[str, Any]:
    return dict(Unit.Kind.choices)


# --- Where the viewer may look ------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    county: County
    stations: QuerySet[Station]
    station_bound: bool


def place_for(scope: Scope, county_code: str | None) -> Place | None:
    """The county and stations the viewer may report on: a chief only his own station."""
    if scope.station_id is not None:
        own = Station.objects.select_related("county").get(pk=scope.station_id)
        return Place(own.county, Station.objects.filter(pk=own.pk), True)
    counties = County.objects.filter(stations__isnull=False).distinct().order_by("code")
    county = counties.filter(code=county_code).first() if county_code else None
    county = county or counties.first()
    if county is None:
        return None
    return Place(county, Station.objects.filter(county=county), False)


def _counties_context(place: Place) -> dict[str, Any]:
    if place.station_bound:
        return {"county": place.county, "counties": []}
    counties = list(County.objects.filter(stations__isnull=False).distinct().order_by("code"))
    return {"county": place.county, "counties": counties}


# --- Compliance ------------------------------------------------------------------------------------------


def rules_of(standards: StandardsSet) -> analysis.Rules:
    return analysis.Rules(
        min_officers=standards.min_officers_per_station,
        min_community_share=standards.min_community_share,
        min_station_share=standards.min_station_share,
    )


def compliance_report(place: Place, params: dict[str, str]) -> Report:
    standards = standards_default()
    overview = county_overview(place.county, standards)
    stations = data.stations_frame(overview, standards)
    rules = rules_of(standards)
    share = analysis.station_share(stations, rules)
    if place.station_bound:
        codes = set(place.stations.values_list("code", flat=True))
        stations = stations.loc[stations["code"].isin(codes)]
    table = analysis.compliance(stations, rules)
    notes = [
        _(
            "Standards set “%(name)s”: at least %(officers)d officers at post per station; community officers at "
            "least %(share).0f %% of a station's officers; residents per community officer at most the limit of "
            "the station's kind; stations hold at least %(county).0f %% of the county's officers."
        )
        % {
            "name": standards.name,
            "officers": rules.min_officers,
            "share": 100 * rules.min_community_share,
            "county": 100 * rules.min_station_share,
        }
    ]
    if not place.station_bound and share.share is not None:
        notes.append(
            _("Stations' share of the county's officers on the books: %(in)d of %(all)d, %(share).0f %% — %(verdict)s.")
            % {
                "in": share.station_officers,
                "all": share.county_officers,
                "share": 100 * share.share,
                "verdict": _("below the standard") if share.below_standard else _("meets the standard"),
            }
        )
    breaches = int(table["breaches"].gt(0).sum())
    notes.append(_("%(n)d of %(all)d stations breach at least one rule.") % {"n": breaches, "all": len(table)})
    columns = [
        Column("code", gettext_lazy("code")),
        Column("name", gettext_lazy("name")),
        Column("kind", gettext_lazy("kind"), CHOICE, _kinds()),
        Column("effective_officers", gettext_lazy("officers at post"), INT),
        Column("below_floor", gettext_lazy("below the minimum officers"), FLAG),
        Column("community_officers", gettext_lazy("community officers"), INT),
        Column("community_share", gettext_lazy("community officers share"), PERCENT),
        Column("community_share_low", gettext_lazy("community share under the minimum"), FLAG),
        Column("residents", gettext_lazy("residents"), INT),
        Column("residents_per_community_officer", gettext_lazy("residents per community officer"), INT),
        Column("residents_limit", gettext_lazy("limit"), INT),
        Column("residents_over", gettext_lazy("over the limit"), FLAG),
    ]
    return Report(
        slug="compliance",
        title=_("Compliance with the standards set"),
        tables=[Table(_("Stations against the rules"), table, columns)],
        notes=notes,
        context=_counties_context(place),
        parameters={"county": place.county.code, "standards": standards.name},
    )


# --- On the books, not at the post --------------------------------------------------------------------


def absence_report(place: Place, params: dict[str, str]) -> Report:
    today = timezone.localdate()
    people = data.people_frame(place.stations, on=today)
    by_station = analysis.absence_by_station(people)
    absent = analysis.absent_people(people)
    charts_ = []
    if len(by_station):
        charts_.append(
            charts.grouped_bars(
                [
                    charts.Bar(str(name), (float(books), float(post)))
                    for name, books, post in zip(
                        by_station["station_name"].tolist(),
                        (by_station["nominal_officers"] + by_station["nominal_auxiliaries"]).tolist(),
                        (by_station["effective_officers"] + by_station["effective_auxiliaries"]).tolist(),
                        strict=True,
                    )
                ],
                series=[_("on the books"), _("at post")],
                colours=["#9aa5b1", "#1f4e79"],
                title=_("Nominal against effective strength"),
                unit=_("people"),
            )
        )
    statuses = dict(Person.Status.choices)
    station_columns = [
        Column("station_code", gettext_lazy("code")),
        Column("station_name", gettext_lazy("name")),
        Column("nominal_officers", gettext_lazy("officers on the books"), INT),
        Column("effective_officers", gettext_lazy("officers at post"), INT),
        Column("nominal_auxiliaries", gettext_lazy("auxiliaries on the books"), INT),
        Column("effective_auxiliaries", gettext_lazy("auxiliaries at post"), INT),
        Column("seconded", statuses["seconded"], INT),
        Column("long_leave", statuses["long_leave"], INT),
        Column("training", statuses["training"], INT),
        Column("not_at_post_share", gettext_lazy("share not at post"), PERCENT),
    ]
    people_columns = [
        Column("station_code", gettext_lazy("code")),
        Column("station_name", gettext_lazy("station")),
        Column("team", gettext_lazy("team"), CHOICE, _teams()),
        Column("number", gettext_lazy("number")),
        Column("name", gettext_lazy("name")),
        Column("kind", gettext_lazy("kind"), CHOICE, dict(Person.Kind.choices)),
        Column("post", gettext_lazy("post"), CHOICE, dict(Person.Post.choices)),
        Column("status", gettext_lazy("status"), CHOICE, statuses),
        Column("seconded_to", gettext_lazy("seconded to")),
    ]
    total = int(by_station["not_at_post"].sum()) if len(by_station) else 0
    return Report(
        slug="absence",
        title=_("On the books, not at the post"),
        tables=[
            Table(_("Nominal and effective strength per station"), by_station, station_columns),
            Table(_("People not at their post"), absent, people_columns),
        ],
        notes=[
            _(
                "Seconded, long-absent and training people count in the quota (nominal strength) but not in the "
                "people at post (effective strength). On %(date)s: %(n)d people."
            )
            % {"date": formats.date_format(today, "DATE_FORMAT"), "n": total}
        ],
        charts=charts_,
        context=_counties_context(place),
        parameters={"county": place.county.code, "on": today.isoformat()},
    )


# --- Workload per person and per team over a period (考核) ----------------------------------------------


def _month(text: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(text or "", "%Y-%m").date().replace(day=1)  # noqa: DTZ007 - a month, no time
    except ValueError:
        return None


def workload_report(place: Place, params: dict[str, str]) -> Report:
    # Bureau departments have no measured workload; counting their people would only lower the mean.
    stations = place.stations.exclude(kind=Station.Kind.DEPARTMENT)
    months_available = data.workload_months(stations)
    context: dict[str, Any] = {**_counties_context(place), "months": months_available}
    if not months_available:
        return Report(
            slug="workload",
            title=_("Workload per person and per team"),
            tables=[],
            notes=[_("No workload has been measured yet: import incidents first.")],
            context=context,
        )
    last = _month(params.get("to")) or months_available[0]
    first = _month(params.get("from")) or months_available[min(11, len(months_available) - 1)]
    if first > last:
        first, last = last, first
    months = analysis.months_between(first, last)
    workload = data.workload_frame(stations, first_month=first, last_month=last)
    people = data.people_frame(stations, on=timezone.localdate())
    per_team = analysis.workload_per_team(workload, people, months=months)
    per_station = analysis.workload_per_station(per_team, months=months)
    names = dict(stations.values_list("code", "name"))
    per_station.insert(1, "name", per_station["station_code"].map(names))
    context.update({"first": first, "last": last})
    chart = charts.grouped_bars(
        [
            charts.Bar(str(name), (0.0 if pd.isna(hours) else float(hours),))
            for name, hours in zip(per_station["name"].tolist(), per_station["hours_per_person"].tolist(), strict=True)
        ],
        series=[_("officer-hours per person at post")],
        colours=["#1f4e79"],
        title=_("Officer-hours per person at post over the period"),
        unit=_("hours"),
    )
    station_columns = [
        Column("station_code", gettext_lazy("code")),
        Column("name", gettext_lazy("name")),
        Column("incidents", gettext_lazy("incidents"), INT),
        Column("officer_hours", gettext_lazy("officer-hours"), FLOAT, digits=0),
        Column("people_at_post", gettext_lazy("people at post"), INT),
        Column("hours_per_person", gettext_lazy("hours per person"), FLOAT),
        Column("hours_per_person_per_month", gettext_lazy("hours per person per month"), FLOAT),
        Column("against_mean", gettext_lazy("against the county mean"), PERCENT),
    ]
    team_columns = [
        Column("station_code", gettext_lazy("code")),
        Column("team", gettext_lazy("team"), CHOICE, _teams()),
        Column("incidents", gettext_lazy("incidents"), INT),
        Column("officer_hours", gettext_lazy("officer-hours"), FLOAT, digits=0),
        Column("people_at_post", gettext_lazy("people at post"), INT),
        Column("hours_per_person", gettext_lazy("hours per person"), FLOAT),
        Column("hours_per_person_per_month", gettext_lazy("hours per person per month"), FLOAT),
    ]
    period: dict[str, Any] = {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}", "months": months}
    return Report(
        slug="workload",
        title=_("Workload per person and per team"),
        tables=[
            Table(_("Per station"), per_station, station_columns),
            Table(_("Per team"), per_team, team_columns),
        ],
        notes=[
            _(
                "Officer-hours (handling time × people involved) measured from %(first)s to %(last)s (%(months)d "
                "months), shared by the people at post today. Leaders count as people at post without hours of "
                "their own."
            )
            % period
        ],
        charts=[chart],
        context=context,
        parameters={"county": place.county.code, "from": period["first"], "to": period["last"]},
    )


# --- A proposal's impact --------------------------------------------------------------------------------


SUMMARY_LABELS = {
    "shortfall": gettext_lazy("people short across stations"),
    "stations_below_need": gettext_lazy("stations below need"),
    "workload_per_person_cv": gettext_lazy("spread of hours per person (coefficient of variation)"),
    "workload_per_person_max_min": gettext_lazy("busiest ÷ quietest hours per person"),
    "station_share_of_officers": gettext_lazy("stations' share of officers"),
    "violations": gettext_lazy("rule breaches"),
}


def _proposals(place: Place) -> QuerySet[Proposal]:
    proposals = Proposal.objects.filter(run__county=place.county).select_related("run").order_by("-created_at")
    if place.station_bound:
        touching = ProposedMove.objects.filter(Q(origin__in=place.stations) | Q(destination__in=place.stations))
        proposals = proposals.filter(pk__in=touching.values("proposal_id"))
    return proposals


def impact_report(place: Place, params: dict[str, str]) -> Report:
    proposals = list(_proposals(place)[:50])
    context: dict[str, Any] = {**_counties_context(place), "proposals": proposals}
    chosen = next((p for p in proposals if str(p.pk) == params.get("proposal")), proposals[0] if proposals else None)
    if chosen is None:
        return Report(
            slug="impact",
            title=_("A proposal's impact"),
            tables=[],
            notes=[_("No allocation proposal yet for this county.")],
            context=context,
        )
    context["proposal"] = chosen
    moves = data.moves_frame(chosen)
    stations = analysis.proposal_stations(chosen.before, chosen.after, moves)
    names = dict(Station.objects.filter(county=place.county).values_list("code", "name"))
    stations.insert(1, "name", stations["code"].map(names))
    if place.station_bound:
        own = set(place.stations.values_list("code", flat=True))
        stations = stations.loc[stations["code"].isin(own)].reset_index(drop=True)
    charts_ = [
        charts.before_after(
            [
                charts.Change(str(name if isinstance(name, str) else code), float(before), float(after))
                for code, name, before, after in zip(
                    stations["code"].tolist(),
                    stations["name"].tolist(),
                    stations["gap_before"].tolist(),
                    stations["gap_after"].tolist(),
                    strict=True,
                )
                if not (pd.isna(before) or pd.isna(after))
            ],
            series=(_("before"), _("after")),
            title=_("Gap per station (need − people; right of the line: short)"),
            unit=_("people"),
        )
    ]
    tables = []
    if not place.station_bound:
        summary = analysis.proposal_summary(chosen.before, chosen.after)
        summary["metric"] = summary["metric"].map(lambda key: str(SUMMARY_LABELS[key]))
        tables.append(
            Table(
                _("County before and after"),
                summary,
                [
                    Column("metric", gettext_lazy("figure")),
                    Column("before", gettext_lazy("before"), FLOAT, digits=3),
                    Column("after", gettext_lazy("after"), FLOAT, digits=3),
                    Column("change", gettext_lazy("change"), FLOAT, digits=3),
                ],
            )
        )
        curve = [
            charts.CurvePoint(float(p["moves"]), float(p["shortfall"]), bool(p.get("optimal", True)))
            for p in chosen.tradeoff or []
            if "moves" in p and "shortfall" in p
        ]
        if curve:
            charts_.append(
                charts.tradeoff_curve(
                    curve,
                    title=_("Trade-off: moves against people still short"),
                    x_label=_("moves"),
                    y_label=_("people short (hollow dot: not proven optimal)"),
                )
            )
    tables.append(
        Table(
            _("Stations before and after"),
            stations,
            [
                Column("code", gettext_lazy("code")),
                Column("name", gettext_lazy("name")),
                Column("need", gettext_lazy("need"), FLOAT),
                Column("people_before", gettext_lazy("people before"), INT),
                Column("people_after", gettext_lazy("people after"), INT),
                Column("gap_before", gettext_lazy("gap before"), FLOAT),
                Column("gap_after", gettext_lazy("gap after"), FLOAT),
                Column("load_before", gettext_lazy("hours per person before"), FLOAT, digits=0),
                Column("load_after", gettext_lazy("hours per person after"), FLOAT, digits=0),
                Column("arriving", gettext_lazy("arriving"), INT),
                Column("leaving", gettext_lazy("leaving"), INT),
            ],
        )
    )
    return Report(
        slug="impact",
        title=_("A proposal's impact"),
        tables=tables,
        notes=[
            _("Proposal of run #%(run)d (%(status)s), %(moves)d moves not rejected.")
            % {"run": chosen.run_id, "status": chosen.get_status_display(), "moves": len(moves)}
        ],
        charts=charts_,
        context=context,
        parameters={"county": place.county.code, "proposal": str(chosen.pk)},
    )


# --- Roster fairness -------------------------------------------------------------------------------------


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def fairness_report(place: Place, params: dict[str, str]) -> Report:
    stations = place.stations.exclude(kind=Station.Kind.DEPARTMENT)
    months_available = data.roster_months(stations)
    context: dict[str, Any] = {**_counties_context(place), "months": months_available}
    notes = []
    if months_available:
        last = _month(params.get("to")) or months_available[0]
        first = _month(params.get("from")) or months_available[min(2, len(months_available) - 1)]
    else:
        # Still the report's tables (empty), so the page and its exports keep one shape.
        last = first = timezone.localdate().replace(day=1)
        notes.append(_("No roster has been published yet: the report counts the duty of published rosters."))
    if first > last:
        first, last = last, first
    first_day, last_day = first, _month_end(last)
    duty = data.duty_frame(stations, first_day=first_day, last_day=last_day)
    calendar = data.calendar_frame(first_day=first_day, last_day=last_day)
    per_person = analysis.duty_fairness(duty, calendar)
    spread = analysis.fairness_spread(per_person)
    names = dict(stations.values_list("code", "name"))
    spread.insert(1, "name", spread["station_code"].map(names))
    context.update({"first": first, "last": last})
    kinds = dict(Person.Kind.choices)
    person_columns = [
        Column("station_code", gettext_lazy("code")),
        Column("number", gettext_lazy("number")),
        Column("name", gettext_lazy("name")),
        Column("kind", gettext_lazy("kind"), CHOICE, kinds),
        Column("shifts", gettext_lazy("shifts"), INT),
        Column("hours", gettext_lazy("hours"), FLOAT, digits=0),
        Column("nights", gettext_lazy("nights"), INT),
        Column("nights_vs_mean", gettext_lazy("nights against the station mean"), FLOAT),
        Column("weekends", gettext_lazy("weekend shifts"), INT),
        Column("weekends_vs_mean", gettext_lazy("weekend shifts against the station mean"), FLOAT),
        Column("holidays", gettext_lazy("holiday shifts"), INT),
        Column("holidays_vs_mean", gettext_lazy("holiday shifts against the station mean"), FLOAT),
    ]
    spread_columns = [
        Column("station_code", gettext_lazy("code")),
        Column("name", gettext_lazy("name")),
        Column("people", gettext_lazy("people on duty"), INT),
    ]
    for key, label in (
        ("nights", gettext_lazy("nights")),
        ("weekends", gettext_lazy("weekend shifts")),
        ("holidays", gettext_lazy("holiday shifts")),
    ):
        spread_columns += [
            Column(f"{key}_min", _pair_label(label, gettext_lazy("fewest")), INT),
            Column(f"{key}_max", _pair_label(label, gettext_lazy("most")), INT),
            Column(f"{key}_mean", _pair_label(label, gettext_lazy("mean")), FLOAT),
            Column(f"{key}_spread", _pair_label(label, gettext_lazy("spread")), INT),
        ]
    chart = charts.grouped_bars(
        [
            charts.Bar(str(name), (float(n), float(w), float(h)))
            for name, n, w, h in zip(
                spread["name"].tolist(),
                spread["nights_spread"].tolist(),
                spread["weekends_spread"].tolist(),
                spread["holidays_spread"].tolist(),
                strict=True,
            )
        ],
        series=[_("nights"), _("weekend shifts"), _("holiday shifts")],
        colours=["#1f4e79", "#f2c14e", "#c0504d"],
        title=_("Spread between the most and the fewest per person"),
        unit=_("shifts"),
    )
    period = {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"}
    return Report(
        slug="fairness",
        title=_("Roster fairness"),
        tables=[
            Table(_("Per station"), spread, spread_columns),
            Table(_("Per person"), per_person, person_columns),
        ],
        notes=[
            *notes,
            _(
                "Shifts on the published rosters from %(first)s to %(last)s. Weekends and public holidays follow "
                "the holiday calendar: a make-up working day counts as a working day. A fair roster keeps the "
                "spread between the most and the fewest small."
            )
            % period,
        ],
        charts=[chart] if len(spread) else [],
        context=context,
        parameters={"county": place.county.code, "from": period["first"], "to": period["last"]},
    )


def _pair_label(what: str | Promise, which: str | Promise) -> str:
    """ "nights: most", in the reader's language (the colon and order are the same in both)."""
    return f"{what}: {which}"


@dataclass(frozen=True)
class Entry:
    slug: str
    title: str | Promise
    description: str | Promise
    build: Callable[[Place, dict[str, str]], Report]


CATALOGUE = {
    entry.slug: entry
    for entry in (
        Entry(
            "compliance",
            gettext_lazy("Compliance with the standards set"),
            gettext_lazy("Officer floor, community share, residents per community officer, stations' share."),
            compliance_report,
        ),
        Entry(
            "absence",
            gettext_lazy("On the books, not at the post"),
            gettext_lazy("Seconded and absent people; nominal against effective strength per station."),
            absence_report,
        ),
        Entry(
            "workload",
            gettext_lazy("Workload per person and per team"),
            gettext_lazy("Officer-hours per person at post over a chosen period, for assessment (考核)."),
            workload_report,
        ),
        Entry(
            "impact",
            gettext_lazy("A proposal's impact"),
            gettext_lazy("Need, people and gap of each station before and after an allocation proposal."),
            impact_report,
        ),
        Entry(
            "fairness",
            gettext_lazy("Roster fairness"),
            gettext_lazy("Nights, weekend and holiday shifts per person on the published rosters, and their spread."),
            fairness_report,
        ),
    )
}
