"""The county overview as plain rows: strength, need, gap and the compliance flags of each station."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from stations.models import Community, County, Station
from workload.models import StandardsSet
from workload.selectors import StationNeed, station_needs


@dataclass
class OverviewRow:
    station: Station
    need: StationNeed
    residents: int
    flags: list[str] = field(default_factory=list)

    @property
    def community_share(self) -> float | None:
        officers = self.station.effective_officers  # type: ignore[attr-defined]
        return self.station.community_officers / officers if officers else None  # type: ignore[attr-defined]

    @property
    def community_share_percent(self) -> float | None:
        share = self.community_share
        return None if share is None or self.station.is_department else 100 * share

    @property
    def flag_texts(self) -> list[tuple[str, str]]:
        return [(flag, str(FLAG_LABELS[flag])) for flag in self.flags]

    @property
    def residents_per_community_officer(self) -> float | None:
        community = self.station.community_officers  # type: ignore[attr-defined]
        return self.residents / community if community else None


@dataclass
class Overview:
    county: County | None  # None: several counties at once (a city)
    standards: StandardsSet
    rows: list[OverviewRow]
    station_officers: int
    county_officers: int

    @property
    def station_share(self) -> float | None:
        return self.station_officers / self.county_officers if self.county_officers else None

    @property
    def station_share_percent(self) -> float | None:
        share = self.station_share
        return None if share is None else 100 * share

    @property
    def min_station_share_percent(self) -> str:
        return f"{100 * self.standards.min_station_share:.0f} %"

    @property
    def station_share_low(self) -> bool:
        share = self.station_share
        return share is not None and share < self.standards.min_station_share


FLAG_LABELS = {
    "below_floor": _("below the minimum officers"),
    "community_share": _("community officers under the minimum share"),
    "residents_per_officer": _("too many residents per community officer"),
    "overloaded": _("overloaded (saturation above 0.6)"),
    "short": _("short of need"),
}


def county_overview(
    county: County | None,
    standards: StandardsSet,
    *,
    on: dt.date | None = None,
    stations: QuerySet[Station] | None = None,
) -> Overview:
    """One county's stations and departments, or with `county` None every place in `stations` (a city)."""
    if stations is None:
        stations = Station.objects.filter(county=county)
    needs = station_needs(stations, standards=standards, on=on)
    residents = dict(
        Community.objects.filter(station__in=stations)
        .values("station_id")
        .annotate(n=Sum("resident_population"))
        .values_list("station_id", "n")
    )
    rows = []
    for item in needs:
        station = item.station
        row = OverviewRow(station=station, need=item, residents=residents.get(station.pk, 0))
        if not station.is_department:
            if station.effective_officers < standards.min_officers_per_station:  # type: ignore[attr-defined]
                row.flags.append("below_floor")
            share = row.community_share
            if share is not None and share < standards.min_community_share:
                row.flags.append("community_share")
            per_officer = row.residents_per_community_officer
            limit = standards.residents_per_community_officer(station.kind)
            if row.residents and (per_officer is None or per_officer > limit):
                row.flags.append("residents_per_officer")
            result = item.result
            if result is not None and result.saturation is not None and result.saturation > 0.6:
                row.flags.append("overloaded")
            if result is not None and result.gap >= 1:
                row.flags.append("short")
        rows.append(row)
    station_officers = sum(r.station.nominal_officers for r in rows if not r.station.is_department)  # type: ignore[attr-defined]
    county_officers = sum(r.station.nominal_officers for r in rows)  # type: ignore[attr-defined]
    return Overview(county, standards, rows, station_officers, county_officers)


@dataclass(frozen=True)
class RowDisplay:
    """One overview row as the page shows it: every figure already formatted for the language."""

    url: str
    code: str
    name: str
    kind: str
    is_department: bool
    strength: tuple[str, ...]  # officers on the books, at post; auxiliaries on the books, at post
    figures: tuple[tuple[str, str], ...]  # (text, " css") need, officers needed, gap, hours, saturation
    share: str
    flags: list[tuple[str, str]]


def _number(value: float | None, digits: int) -> str:
    return "–" if value is None else formats.number_format(round(value, digits), digits)


def row_display(row: OverviewRow, *, url: str, kinds: dict[str, str], labels: dict[str, str]) -> RowDisplay:
    station: Any = row.station  # annotated by stations_with_strength
    result = row.need.result
    figures: tuple[tuple[str, str], ...] = ()
    if result is not None:
        gap_css = " bad" if result.gap >= 1 else " good" if result.gap <= -1 else ""
        figures = (
            (_number(result.need, 1), ""),
            (_number(result.officer_need, 1), ""),
            (_number(result.gap, 1), gap_css),
            (_number(result.workload_per_person, 0), ""),
            (_number(result.saturation, 2), ""),
        )
    share = row.community_share_percent
    return RowDisplay(
        url=url,
        code=station.code,
        name=station.name,
        kind=kinds.get(station.kind, station.kind),
        is_department=station.is_department,
        strength=tuple(
            str(n)
            for n in (
                station.nominal_officers,
                station.effective_officers,
                station.nominal_auxiliaries,
                station.effective_auxiliaries,
            )
        ),
        figures=figures,
        share="–" if share is None else f"{_number(share, 0)} %",
        flags=[(flag, labels[flag]) for flag in row.flags],
    )
