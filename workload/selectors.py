"""Named reads of the workload app: standards, the measurement window, need per station."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, QuerySet, Sum

from personnel.selectors import stations_with_strength
from stations.models import Community, Station
from workload import need as need_model
from workload.models import PostRequirement, StandardsSet, WorkloadCell, WorkloadMonth


def standards_default() -> StandardsSet:
    standards = StandardsSet.objects.filter(is_default=True).first() or StandardsSet.objects.order_by("pk").first()
    if standards is None:
        raise StandardsSet.DoesNotExist("no standards set: run migrate, which installs the national defaults")
    return standards


def standards_plain(
    standards: StandardsSet, station_kind: str, posts: list[PostRequirement] | None = None
) -> need_model.Standards:
    """The plain parameters for one kind of station; pass `posts` to reuse them across stations."""
    applicable = tuple(
        need_model.Post(p.name, p.team, p.hours_per_week, p.persons, p.officers_only)
        for p in (posts if posts is not None else standards.posts.all())
        if p.applies_to(station_kind)
    )
    return need_model.Standards(
        proactive_share=standards.proactive_share,
        net_hours_per_person=standards.net_hours_per_person,
        admin_minutes_per_hour=standards.admin_minutes_per_hour,
        residents_per_community_officer=standards.residents_per_community_officer(station_kind),
        min_officers=standards.min_officers_per_station,
        leaders=standards.leaders_per_station,
        posts=applicable,
    )


@dataclass(frozen=True)
class Window:
    first_month: dt.date
    last_month: dt.date
    months: int


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def workload_window(station_ids: list[int], standards: StandardsSet) -> Window | None:
    """The last `window_months` months with data for these stations (fewer if data is shorter)."""
    # The monthly rows, not the cells: a city has thousands of those and hundreds of thousands of cells.
    rows = WorkloadMonth.objects.filter(station_id__in=station_ids)
    last = rows.aggregate(last=Max("month"))["last"]
    if last is None:
        return None
    first = _add_months(last, -(standards.window_months - 1))
    months = rows.filter(month__gte=first).values("month").distinct().count()
    return Window(first_month=first, last_month=last, months=months)


@dataclass
class StationNeed:
    station: Station  # annotated with strength
    result: need_model.NeedResult | None  # None for bureau departments and stations without data
    window: Window | None


def station_needs(
    stations: QuerySet[Station], *, standards: StandardsSet, on: dt.date | None = None
) -> list[StationNeed]:
    """Need, strength and gap of each station in a constant number of queries."""
    rows = list(stations_with_strength(stations.select_related("county"), on=on))
    ids = [s.pk for s in rows]
    window = workload_window(ids, standards)
    hours: dict[int, dict[str, float]] = defaultdict(dict)
    only: dict[int, dict[str, float]] = defaultdict(dict)
    follow_up: dict[int, float] = defaultdict(float)
    if window is not None:
        sums = (
            WorkloadMonth.objects.filter(
                station_id__in=ids, month__gte=window.first_month, month__lte=window.last_month
            )
            .values("station_id", "team")
            .annotate(officer=Sum("officer_hours"), only=Sum("officer_only_hours"), follow_up=Sum("follow_up_hours"))
        )
        for row in sums:
            hours[row["station_id"]][row["team"]] = row["officer"]
            only[row["station_id"]][row["team"]] = row["only"]
            follow_up[row["station_id"]] += row["follow_up"]
    areas: dict[int, dict[object, int]] = defaultdict(lambda: defaultdict(int))
    for station_id, area_id, community_id, residents in Community.objects.filter(station_id__in=ids).values_list(
        "station_id", "police_area_id", "id", "resident_population"
    ):
        # A community outside any police area is its own area.
        areas[station_id][area_id or ("community", community_id)] += residents
    posts = list(standards.posts.all())
    needs = []
    for station in rows:
        if station.is_department or window is None:
            needs.append(StationNeed(station=station, result=None, window=window))
            continue
        measured = need_model.StationWorkload(
            months=window.months,
            officer_hours=hours[station.pk],
            officer_only_hours=only[station.pk],
            follow_up_hours=follow_up[station.pk],
            police_area_residents=tuple(areas[station.pk].values()),
            effective_officers=station.effective_officers,  # type: ignore[attr-defined]
            effective_auxiliaries=station.effective_auxiliaries,  # type: ignore[attr-defined]
        )
        result = need_model.compute_need(
            measured, standards_plain(standards, station.kind, posts), station_kind=station.kind
        )
        needs.append(StationNeed(station=station, result=result, window=window))
    return needs


@dataclass(frozen=True)
class HourProfile:
    """Per hour of the week (0 = Monday 00:00 local), averaged over the weeks of the window."""

    incidents_per_hour: list[float]
    officer_hours_per_week: list[float]
    mean_handling_hours: list[float]
    weeks: float


def hour_of_week_profile(station_id: int, window: Window) -> HourProfile:
    weeks = window.months * 365.25 / 12 / 7
    incidents = [0.0] * 168
    officer = [0.0] * 168
    handling = [0.0] * 168
    rows = (
        WorkloadCell.objects.filter(station_id=station_id, month__gte=window.first_month, month__lte=window.last_month)
        .values("hour_of_week")
        .annotate(n=Sum("incidents"), officer=Sum("officer_hours"), handling=Sum("handling_hours"))
    )
    for row in rows:
        slot = row["hour_of_week"]
        incidents[slot], officer[slot], handling[slot] = row["n"], row["officer"], row["handling"]
    overall = sum(handling) / sum(incidents) if sum(incidents) else 0.0
    # Thin slots borrow the station's overall mean handling time rather than a noisy own one.
    mean = [handling[h] / incidents[h] if incidents[h] >= 20 else overall for h in range(168)]
    return HourProfile(
        incidents_per_hour=[n / weeks for n in incidents],
        officer_hours_per_week=[o / weeks for o in officer],
        mean_handling_hours=mean,
        weeks=weeks,
    )


def crews_by_hour(profile: HourProfile, standards: StandardsSet, *, minimum: int = 1) -> list[int]:
    """Erlang C: crews on duty needed in each hour of the week to meet the response target."""
    from workload.erlang import crews_needed

    return [
        crews_needed(
            profile.incidents_per_hour[h],
            profile.mean_handling_hours[h],
            wait_hours=standards.answer_within_minutes / 60,
            service_level=standards.service_level,
            minimum=minimum,
        )
        for h in range(168)
    ]


def saturation_by_hour(profile: HourProfile, people_at_post: int, standards: StandardsSet) -> list[float | None]:
    """Committed hours ÷ on-duty hours in each hour of the week; above 0.6 is overloaded.

    Without a roster, the people at post are taken as evenly on duty around the clock: each hour of
    the week has people × net hours per person ÷ hours in a year of them.
    """
    on_duty = people_at_post * standards.net_hours_per_person / (365.25 * 24)
    if on_duty <= 0:
        return [None] * 168
    return [hours / on_duty for hours in profile.officer_hours_per_week]


def monthly_trend(station_id: int, last_months: int = 24) -> list[tuple[dt.date, int, float]]:
    """(month, incidents, officer-hours) for the station's latest months, oldest first."""
    rows = (
        WorkloadMonth.objects.filter(station_id=station_id)
        .values("month")
        .annotate(incidents=Sum("incidents"), officer_hours=Sum("officer_hours"))
        .order_by("-month")
        .values_list("month", "incidents", "officer_hours")[:last_months]
    )
    return list(reversed(list(rows)))
