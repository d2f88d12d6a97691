"""Named reads for organisation imports and exports: the stored county as plain, layout-shaped data."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from orgdata.models import OrgBatch
from orgdata.plan import Snapshot
from personnel.models import Assignment, Leave, Person, Qualification
from stations.models import Community, County, PoliceArea, Station, Unit


def _decimal(value: Any, places: int) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places))


def org_snapshot(*, counties: list[str] | None = None) -> Snapshot:
    """The stored organisation keyed by codes and numbers; `counties` limits it (the export), None is all.

    A handful of set-wise queries, whatever the county's size: no query per row.
    """
    snapshot = Snapshot()
    county_rows = County.objects.all() if counties is None else County.objects.filter(code__in=counties)
    snapshot.counties = dict(county_rows.values_list("code", "name"))
    stations = Station.objects.all() if counties is None else Station.objects.filter(county__code__in=counties)
    for row in stations.values(
        "code", "name", "name_en", "kind", "county__code", "address", "latitude", "longitude",
        "establishment_quota", "auxiliary_quota",
    ):  # fmt: skip
        code = row["code"]
        snapshot.stations[(code,)] = {
            "code": code, "name": row["name"], "name_en": row["name_en"], "kind": row["kind"],
            "county": row["county__code"], "county_name": snapshot.counties.get(row["county__code"], ""),
            "address": row["address"], "latitude": _decimal(row["latitude"], 6),
            "longitude": _decimal(row["longitude"], 6), "establishment_quota": row["establishment_quota"],
            "auxiliary_quota": row["auxiliary_quota"],
        }  # fmt: skip
    for station, kind, name in Unit.objects.filter(station__in=stations).values_list("station__code", "kind", "name"):
        snapshot.units[(station, kind)] = {"station": station, "kind": kind, "name": name}
    snapshot.police_areas = {
        (station, code): name
        for station, code, name in PoliceArea.objects.filter(station__in=stations).values_list(
            "station__code", "code", "name"
        )
    }
    for place in Community.objects.filter(station__in=stations).values(
        "code", "name", "station__code", "police_area__code", "police_area__name", "kind", "resident_population",
        "households", "area_km2",
    ):  # fmt: skip
        snapshot.communities[(place["code"],)] = {
            "code": place["code"], "name": place["name"], "station": place["station__code"],
            "police_area": place["police_area__code"] or "", "police_area_name": place["police_area__name"] or "",
            "kind": place["kind"], "resident_population": place["resident_population"],
            "households": place["households"], "area_km2": _decimal(place["area_km2"], 2),
        }  # fmt: skip
    _people(snapshot, stations if counties is not None else None)
    for code, name, name_en, officer_only in Qualification.objects.values_list(
        "code", "name", "name_en", "officer_only"
    ):
        snapshot.qualifications[code] = officer_only
        for spelling in (code, name, name_en):
            if spelling:
                snapshot.qualification_names[spelling.lower()] = code
    return snapshot


def _people(snapshot: Snapshot, stations: QuerySet[Station] | None) -> None:
    people = Person.objects.all()
    if stations is not None:
        people = people.filter(assignments__unit__station__in=stations).distinct()
    assignments = Assignment.objects.filter(person__in=people) if stations is not None else Assignment.objects.all()
    placements: dict[str, tuple[str, str, Any]] = {}
    latest: dict[str, Any] = {}
    for number, station, kind, start, end, reason in assignments.order_by("person_id", "start_date").values_list(
        "person__number", "unit__station__code", "unit__kind", "start_date", "end_date", "reason"
    ):
        latest[number] = start
        if end is None:
            placements[number] = (station, kind, start)
        else:
            placements.pop(number, None)
            snapshot.history[(number, start)] = {
                "number": number, "station": station, "unit": kind, "start_date": start, "end_date": end,
                "reason": reason,
            }  # fmt: skip
    snapshot.latest_start = latest
    qualifications: dict[int, list[str]] = defaultdict(list)
    through = Person.qualifications.through.objects.filter(person__in=people)
    for person_id, code in through.values_list("person_id", "qualification__code"):
        qualifications[person_id].append(code)
    for row in people.values(
        "id", "number", "name", "kind", "sex", "birth_date", "rank", "post", "law_enforcement_level",
        "is_investigator", "status", "seconded_to", "hire_date", "post_since", "movable",
    ):  # fmt: skip
        number = row["number"]
        station, unit, since = placements.get(number, ("", "", None))
        snapshot.people[(number,)] = {
            "number": number, "name": row["name"], "kind": row["kind"], "sex": row["sex"],
            "birth_date": row["birth_date"], "station": station, "unit": unit, "rank": row["rank"],
            "post": row["post"], "law_enforcement_level": row["law_enforcement_level"],
            "investigator": row["is_investigator"], "qualifications": tuple(sorted(qualifications[row["id"]])),
            "status": row["status"], "seconded_to": row["seconded_to"], "hire_date": row["hire_date"],
            "post_since": row["post_since"], "assigned_since": since, "movable": row["movable"],
        }  # fmt: skip
    leaves = Leave.objects.filter(person__in=people) if stations is not None else Leave.objects.all()
    for number, kind, start, end, status, reason in leaves.values_list(
        "person__number", "kind", "start_date", "end_date", "status", "reason"
    ):
        snapshot.leaves[(number, kind, start)] = {
            "number": number, "kind": kind, "start_date": start, "end_date": end, "status": status, "reason": reason,
        }  # fmt: skip


def org_batches_recent(*, limit: int = 50) -> QuerySet[OrgBatch]:
    return OrgBatch.objects.select_related("created_by", "stored_by").order_by("-created_at")[:limit]
