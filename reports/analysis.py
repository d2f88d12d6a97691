"""The reports' analysis: plain pandas over plain frames, no ORM, no translation, no request.

Frames come from reports.data (the one boundary with the database); each function here takes
frames and plain numbers and returns a frame whose columns are stable English keys. Labels for the
reader are the views' business (reports.catalogue), so these functions can be tested on small
literal frames and reused by exports, pages and the API alike.

Station frame columns (one row per station or bureau department):
    code, name, kind, is_department, nominal_officers, nominal_auxiliaries, effective_officers,
    effective_auxiliaries, community_officers, residents, residents_limit, need, officer_need,
    committed_hours, saturation
People frame columns (one row per person on the books, placed by their assignment in force):
    station_code, station_name, team, number, name, kind, post, status, seconded_to
Workload frame columns (one row per station, team and month):
    station_code, team, month, incidents, officer_hours
Duty frame columns (one row per shift a person stands on a published roster):
    station_code, number, name, kind, day, hours, night
Calendar frame columns (one row per stored calendar day): date, kind ("holiday" or "makeup")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rosters.calendar import HOLIDAY, WEEKEND, day_kind

OFFICER = "officer"
ACTIVE = "active"
TEAMS = ("leadership", "community", "case", "command", "department")
NOT_AT_POST = ("seconded", "long_leave", "training")


@dataclass(frozen=True)
class Rules:
    """The thresholds of a standards set that the compliance report checks."""

    min_officers: int = 5
    min_community_share: float = 0.40
    min_station_share: float = 0.40


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """Element-wise division that gives NaN (shown as a dash) instead of inf where nothing divides."""
    return numerator.astype(float).div(denominator.where(denominator > 0).astype(float))


# --- Compliance with the standards set ------------------------------------------------------------


def compliance(stations: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Each station against the rules: officer floor, community share, residents per community officer.

    Departments are not stations: the rules do not apply to them and they are left out. Columns:
    code, name, kind, effective_officers, community_officers, community_share, residents,
    residents_per_community_officer, residents_limit, below_floor, community_share_low,
    residents_over, breaches.
    """
    frame = stations.loc[~stations["is_department"].astype(bool)].copy()
    frame["community_share"] = _ratio(frame["community_officers"], frame["effective_officers"])
    frame["residents_per_community_officer"] = _ratio(frame["residents"], frame["community_officers"])
    frame["below_floor"] = frame["effective_officers"] < rules.min_officers
    frame["community_share_low"] = frame["community_share"].fillna(0.0) < rules.min_community_share
    # Residents with no community officer at all breach the rule as surely as too many per officer.
    per_officer = frame["residents_per_community_officer"].fillna(np.inf)
    frame["residents_over"] = (frame["residents"] > 0) & (per_officer > frame["residents_limit"])
    frame["breaches"] = frame[["below_floor", "community_share_low", "residents_over"]].sum(axis=1).astype(int)
    columns = [
        "code",
        "name",
        "kind",
        "effective_officers",
        "community_officers",
        "community_share",
        "residents",
        "residents_per_community_officer",
        "residents_limit",
        "below_floor",
        "community_share_low",
        "residents_over",
        "breaches",
    ]
    return frame[columns].sort_values("code").reset_index(drop=True)


@dataclass(frozen=True)
class CountyShare:
    station_officers: int
    county_officers: int
    share: float | None
    below_standard: bool


def station_share(stations: pd.DataFrame, rules: Rules) -> CountyShare:
    """Stations' share of the county's officers on the books (the 40 % rule is about the books)."""
    county = int(stations["nominal_officers"].sum())
    in_stations = int(stations.loc[~stations["is_department"].astype(bool), "nominal_officers"].sum())
    share = in_stations / county if county else None
    return CountyShare(in_stations, county, share, share is not None and share < rules.min_station_share)


# --- On the books, not at the post (在编不在岗) ----------------------------------------------------


def absence_by_station(people: pd.DataFrame) -> pd.DataFrame:
    """Nominal against effective strength per station, and why the difference is not at the post.

    Columns: station_code, station_name, nominal_officers, effective_officers, nominal_auxiliaries,
    effective_auxiliaries, seconded, long_leave, training, not_at_post, not_at_post_share.
    """
    frame = people.assign(
        officer=people["kind"] == OFFICER,
        at_post=people["status"] == ACTIVE,
    )
    frame = frame.assign(
        nominal_officers=frame["officer"],
        effective_officers=frame["officer"] & frame["at_post"],
        nominal_auxiliaries=~frame["officer"],
        effective_auxiliaries=~frame["officer"] & frame["at_post"],
        **{status: frame["status"] == status for status in NOT_AT_POST},
    )
    counted = [
        "nominal_officers",
        "effective_officers",
        "nominal_auxiliaries",
        "effective_auxiliaries",
        *NOT_AT_POST,
    ]
    table = frame.groupby(["station_code", "station_name"], as_index=False)[counted].sum()
    table[counted] = table[counted].astype(int)
    table["not_at_post"] = table[list(NOT_AT_POST)].sum(axis=1)
    on_books = table["nominal_officers"] + table["nominal_auxiliaries"]
    table["not_at_post_share"] = _ratio(table["not_at_post"], on_books)
    return table.sort_values("station_code").reset_index(drop=True)


def absent_people(people: pd.DataFrame) -> pd.DataFrame:
    """The people on the books who are not at their post, station by station."""
    frame = people.loc[people["status"].isin(NOT_AT_POST)]
    columns = ["station_code", "station_name", "team", "number", "name", "kind", "post", "status", "seconded_to"]
    return frame[columns].sort_values(["station_code", "status", "number"]).reset_index(drop=True)


# --- Workload per person and per team over a period (考核) -----------------------------------------


def workload_per_team(workload: pd.DataFrame, people: pd.DataFrame, *, months: int) -> pd.DataFrame:
    """Officer-hours of each station's team over the period, per person at post in that team.

    `months` is the length of the chosen period, months without incidents included, so that a team
    with a quiet month is not flattered. Columns: station_code, team, incidents, officer_hours,
    people_at_post, hours_per_person, hours_per_person_per_month.
    """
    hours = workload.groupby(["station_code", "team"], as_index=False)[["incidents", "officer_hours"]].sum()
    at_post = (
        people.loc[people["status"] == ACTIVE]
        .groupby(["station_code", "team"])
        .size()
        .rename("people_at_post")
        .reset_index()
    )
    table = hours.merge(at_post, on=["station_code", "team"], how="outer")
    table[["incidents", "officer_hours"]] = table[["incidents", "officer_hours"]].fillna(0)
    table["incidents"] = table["incidents"].astype(int)
    table["people_at_post"] = table["people_at_post"].fillna(0).astype(int)
    table["hours_per_person"] = _ratio(table["officer_hours"], table["people_at_post"])
    table["hours_per_person_per_month"] = table["hours_per_person"] / max(months, 1)
    order = {team: index for index, team in enumerate(TEAMS)}
    table = table.assign(_order=table["team"].map(order).fillna(len(TEAMS)))
    return table.sort_values(["station_code", "_order"]).drop(columns="_order").reset_index(drop=True)


def workload_per_station(per_team: pd.DataFrame, *, months: int) -> pd.DataFrame:
    """The team table summed per station: hours per person at post over the period and per month.

    Every person at post counts, leaders and teams without measured hours included: that is the
    station's committed time shared by everyone who is there. Also the spread across stations
    (share of the county mean), to see who carries more than the others.
    """
    table = per_team.groupby("station_code", as_index=False)[["incidents", "officer_hours", "people_at_post"]].sum()
    table["hours_per_person"] = _ratio(table["officer_hours"], table["people_at_post"])
    table["hours_per_person_per_month"] = table["hours_per_person"] / max(months, 1)
    mean = table["hours_per_person"].mean()
    table["against_mean"] = table["hours_per_person"] / mean if mean and not np.isnan(mean) else np.nan
    return table.sort_values("station_code").reset_index(drop=True)


def months_between(first: pd.Timestamp | Any, last: pd.Timestamp | Any) -> int:
    """Months from `first` to `last` inclusive (first days of months)."""
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    return (last.year - first.year) * 12 + last.month - first.month + 1


# --- A proposal's impact, before and after ----------------------------------------------------------

SUMMARY_METRICS = (
    "shortfall",
    "stations_below_need",
    "workload_per_person_cv",
    "workload_per_person_max_min",
    "station_share_of_officers",
    "violations",
)


def proposal_summary(before: dict[str, Any], after: dict[str, Any]) -> pd.DataFrame:
    """The county figures before and after a proposal. Columns: metric, before, after, change.

    `violations` is a list in the proposal's metrics; it is counted here.
    """
    rows = []
    for metric in SUMMARY_METRICS:
        b, a = before.get(metric), after.get(metric)
        if isinstance(b, list) or isinstance(a, list):
            b, a = len(b or []), len(a or [])
        rows.append({"metric": metric, "before": b, "after": a})
    table = pd.DataFrame(rows, columns=["metric", "before", "after"])
    table["change"] = pd.to_numeric(table["after"], errors="coerce") - pd.to_numeric(table["before"], errors="coerce")
    return table


def proposal_stations(before: dict[str, Any], after: dict[str, Any], moves: pd.DataFrame) -> pd.DataFrame:
    """Each station before and after, with the people arriving and leaving.

    `moves` has columns origin_code, destination_code (one row per accepted or pending move).
    Places that only appear in moves (bureau departments) get a row with their moves and no figures.
    Columns: code, need, people_before, people_after, gap_before, gap_after, load_before,
    load_after, arriving, leaving.
    """
    keep = ["code", "need", "people", "gap", "workload_per_person"]
    b = pd.DataFrame(before.get("stations", []), columns=keep)
    a = pd.DataFrame(after.get("stations", []), columns=keep).drop(columns="need")
    table = b.merge(a, on="code", how="outer", suffixes=("_before", "_after"))
    table = table.rename(
        columns={"workload_per_person_before": "load_before", "workload_per_person_after": "load_after"}
    )
    arriving = moves.groupby("destination_code").size().rename("arriving").rename_axis("code").reset_index()
    leaving = moves.groupby("origin_code").size().rename("leaving").rename_axis("code").reset_index()
    # Outer joins: a bureau department has no need figures but does send people down (警力下沉).
    table = table.merge(arriving, on="code", how="outer").merge(leaving, on="code", how="outer")
    table[["arriving", "leaving"]] = table[["arriving", "leaving"]].fillna(0).astype(int)
    columns = [
        "code",
        "need",
        "people_before",
        "people_after",
        "gap_before",
        "gap_after",
        "load_before",
        "load_after",
        "arriving",
        "leaving",
    ]
    return table[columns].sort_values("code").reset_index(drop=True)


# --- Roster fairness -----------------------------------------------------------------------------------

FAIRNESS_COUNTS = ("nights", "weekends", "holidays")


def duty_fairness(duty: pd.DataFrame, calendar: pd.DataFrame) -> pd.DataFrame:
    """Per person: shifts, hours, night shifts, shifts on weekend days and on public holidays, and
    how far each count is from the mean of the person's station (the burden to share fairly).

    Day kinds follow the roster calendar (rosters.calendar.day_kind): a make-up working day is not a
    weekend, a public holiday on a weekday is a holiday. Columns: station_code, number, name, kind,
    shifts, hours, nights, weekends, holidays, nights_vs_mean, weekends_vs_mean, holidays_vs_mean.
    """
    columns = ["station_code", "number", "name", "kind", "shifts", "hours", *FAIRNESS_COUNTS]
    columns += [f"{count}_vs_mean" for count in FAIRNESS_COUNTS]
    if duty.empty:
        return pd.DataFrame(columns=columns)
    exceptions = dict(zip(calendar["date"], calendar["kind"], strict=True))
    frame = duty.copy()
    kinds = frame["day"].map(lambda day: day_kind(day, exceptions))
    frame["nights"] = frame["night"].astype(bool).astype(int)
    frame["weekends"] = (kinds == WEEKEND).astype(int)
    frame["holidays"] = (kinds == HOLIDAY).astype(int)
    frame["shifts"] = 1
    per_person = (
        frame.groupby(["station_code", "number", "name", "kind"], as_index=False)[["shifts", "hours", *FAIRNESS_COUNTS]]
        .sum()
        .sort_values(["station_code", "number"], ignore_index=True)
    )
    for count in FAIRNESS_COUNTS:
        mean = per_person.groupby("station_code")[count].transform("mean")
        per_person[f"{count}_vs_mean"] = per_person[count] - mean
    return per_person[columns]


def fairness_spread(per_person: pd.DataFrame) -> pd.DataFrame:
    """Per station: people on duty, and the fewest, most and mean nights, weekends and holidays.

    The spread (most minus fewest) is what a fair roster keeps small. Columns: station_code, people,
    then <count>_min, <count>_max, <count>_mean, <count>_spread for nights, weekends, holidays.
    """
    columns = ["station_code", "people"]
    for count in FAIRNESS_COUNTS:
        columns += [f"{count}_min", f"{count}_max", f"{count}_mean", f"{count}_spread"]
    if per_person.empty:
        return pd.DataFrame(columns=columns)
    grouped = per_person.groupby("station_code")
    out = grouped.size().rename("people").reset_index()
    for count in FAIRNESS_COUNTS:
        stats = grouped[count].agg(["min", "max", "mean"])
        stats.columns = [f"{count}_min", f"{count}_max", f"{count}_mean"]
        stats[f"{count}_spread"] = stats[f"{count}_max"] - stats[f"{count}_min"]
        out = out.merge(stats.reset_index(), on="station_code")
    return out[columns].sort_values("station_code", ignore_index=True)
