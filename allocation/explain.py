"""Metrics and explanations of a proposal: what it changes, station by station and move by move."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from allocation.engine import Counts, Instance, Member, Move, Place, distance_km, violations_of


@dataclass(frozen=True)
class StationState:
    code: str
    need: float
    officer_need: float
    people: int
    officers: int
    auxiliaries: int
    community: int
    investigators: int
    gap: float
    workload_per_person: float | None

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def station_state(place: Place, counts: Counts) -> StationState:
    return StationState(
        code=place.code,
        need=place.need,
        officer_need=place.officer_need,
        people=counts.people,
        officers=counts.officers,
        auxiliaries=counts.auxiliaries,
        community=counts.community,
        investigators=counts.investigators,
        gap=place.need - counts.people,
        workload_per_person=place.committed_hours / counts.people if counts.people else None,
    )


def metrics(instance: Instance, counts: dict[int, Counts]) -> dict[str, Any]:
    """Before/after figures of DOMAIN.md §3: per-station gap and load, spread across stations, rules."""
    states = [station_state(p, counts[p.id]) for p in instance.stations]
    loads = [s.workload_per_person for s in states if s.workload_per_person is not None]
    mean = statistics.fmean(loads) if loads else 0.0
    total_officers = sum(c.officers for c in counts.values())
    station_officers = sum(counts[p.id].officers for p in instance.stations)
    return {
        "stations": [s.as_dict() for s in states],
        "workload_per_person_cv": round(statistics.pstdev(loads) / mean, 4) if len(loads) > 1 and mean else None,
        "workload_per_person_max_min": round(max(loads) / min(loads), 3) if loads and min(loads) > 0 else None,
        "stations_below_need": sum(1 for s in states if s.gap >= 1),
        "shortfall": round(sum(max(0.0, s.gap) for s in states), 2),
        "station_share_of_officers": round(station_officers / total_officers, 4) if total_officers else None,
        "violations": [v.__dict__ for v in violations_of(instance, counts)],
    }


def explain_move(
    instance: Instance, move: Move, member: Member, before: dict[int, Counts], after: dict[int, Counts]
) -> dict[str, Any]:
    """Why this person, and what the move does to both places.

    Reasons are stored as codes with their figures, not as sentences, so each reader gets them in
    their own language (`reason_text`).
    """
    origin = instance.place_by_id[move.origin]
    destination = instance.place_by_id[move.destination]
    reasons: list[dict[str, Any]] = []
    if not origin.is_station:
        reasons.append({"code": "sent_down"})
    else:
        surplus = before[origin.id].people - origin.need
        if surplus > 0:
            reasons.append({"code": "surplus", "place": origin.code, "people": round(surplus, 1)})
    if member.officer and member.investigator and destination.case_need > before[destination.id].investigators:
        reasons.append({"code": "investigator", "place": destination.code})
    if member.officer and move.community:
        reasons.append({"code": "community", "place": destination.code})
    if not member.officer:
        reasons.append({"code": "auxiliary"})
    reasons.append({"code": "tenure", "years": round(member.tenure_years, 1)})
    distance = distance_km(origin, destination)
    if distance:
        reasons.append({"code": "distance", "km": round(distance)})
    return {
        "reasons": reasons,
        "origin": _effect(origin, before[origin.id], after[origin.id]),
        "destination": _effect(destination, before[destination.id], after[destination.id]),
    }


def reason_text(reason: dict[str, Any] | str, names: dict[str, str] | None = None) -> str:
    """One stored reason as a sentence in the active language; `names` turns station codes into names."""
    if isinstance(reason, str):
        return reason  # proposals stored before reasons became codes
    if names and "place" in reason:
        reason = {**reason, "place": names.get(reason["place"], reason["place"])}
    code = reason.get("code")
    if code == "sent_down":
        return _("sent down from the bureau (police strength to the grassroots)")
    if code == "surplus":
        return _("%(place)s has %(people).1f people above its need") % reason
    if code == "investigator":
        return _("investigator: %(place)s's case team lacks investigators") % reason
    if code == "community":
        return _("joins %(place)s's community team") % reason
    if code == "auxiliary":
        return _("auxiliary: covers work that does not need an officer")
    if code == "tenure":
        return _("%(years).1f years in post") % reason
    if code == "distance":
        return _("%(km)d km between the two places") % reason
    return str(code)


def reasons_text(explanation: dict[str, Any], names: dict[str, str] | None = None) -> list[str]:
    return [reason_text(r, names) for r in explanation.get("reasons", [])]


def rule_label(rule: str) -> str:
    """The name of a hard rule, as the violations of a proposal carry it."""
    labels = {
        "floor": _("officers per station (floor)"),
        "community_share": _("community officers' share of a station's officers"),
        "investigators": _("investigators in the case team"),
        "qualified": _("law-enforcement qualified officers for the case team"),
        "station_share": _("stations' share of the county's officers"),
    }
    return labels.get(rule, rule)


def _effect(place: Place, before: Counts, after: Counts) -> dict[str, Any]:
    first, last = station_state(place, before), station_state(place, after)
    return {
        "code": place.code,
        "gap_before": round(first.gap, 2) if place.is_station else None,
        "gap_after": round(last.gap, 2) if place.is_station else None,
        "workload_per_person_before": _round(first.workload_per_person),
        "workload_per_person_after": _round(last.workload_per_person),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
