"""Write a generated demo county into the database.

Insert-only by natural key (county, station and community codes, police numbers, incident ids): a
second run with the same seed finds everything in place and writes nothing, and it never undoes what
planners changed since (a person moved by an approved proposal stays moved).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pandas as pd
from django.db import transaction

from personnel.models import Person
from stations.models import Community, County, Station
from workload.demo.generate import INCIDENT_SOURCE, DemoCounty, county_code
from workload.models import Incident, IncidentCategory
from workload.services import catalogue_ensure

BATCH = 5_000


class SeedConflict(Exception):
    """The county exists but was built from another seed; loading on top would mix two counties."""


@dataclass
class LoadStats:
    stations: int = 0
    communities: int = 0
    people: int = 0
    assignments: int = 0
    leaves: int = 0
    incidents: int = 0


def _batched(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def check_seed(*, number: int, seed: int) -> None:
    prefix = f"{county_code(number)}-"
    other = (
        Incident.objects.filter(source=INCIDENT_SOURCE, external_id__startswith=prefix)
        .exclude(external_id__startswith=f"{prefix}{seed}-")
        .values_list("external_id", flat=True)
        .first()
    )
    if other is not None:
        built_with = other.split("-")[1]
        raise SeedConflict(
            f"County {county_code(number)} was built with seed {built_with}, not {seed}; "
            "run seed_demo with --reset to rebuild it."
        )


@transaction.atomic
def load_county(county: DemoCounty) -> LoadStats:
    """Load the county: its organisation through the org import (as a real county's), then its incidents."""
    # orgdata sits beside workload and imports from it; importing it here, at call time, keeps the
    # module graph one-way while the demo takes the same road as a real county.
    from orgdata.demo import demo_org_load, demo_stats

    catalogue_ensure()
    # The county row first, with its English name, which the org layout does not carry.
    County.objects.get_or_create(code=county.code, defaults={"name": county.name, "name_en": county.name_en})
    stats = LoadStats(**demo_stats(demo_org_load(county)))
    station_ids = dict(Station.objects.filter(county__code=county.code).values_list("code", "id"))
    stats.incidents = _insert_incidents(county.incidents, station_ids)
    return stats


def _unit_kind_at(station_kind: str, wanted: str) -> str:
    return "department" if station_kind == "department" else wanted


def _insert_new(model: Any, key: str, rows: list[Any]) -> set[str]:
    """Insert the rows whose natural key is not stored yet; return the keys inserted."""
    existing = set(model.objects.filter(**{f"{key}__in": [getattr(r, key) for r in rows]}).values_list(key, flat=True))
    fresh = [r for r in rows if getattr(r, key) not in existing]
    model.objects.bulk_create(fresh, batch_size=BATCH)
    return {getattr(r, key) for r in fresh}


def _insert_incidents(frame: pd.DataFrame, station_ids: dict[str, int]) -> int:
    if frame.empty:
        return 0
    existing = set(
        Incident.objects.filter(source=INCIDENT_SOURCE, station_id__in=station_ids.values()).values_list(
            "external_id", flat=True
        )
    )
    fresh = frame[~frame["external_id"].isin(existing)]
    if fresh.empty:
        return 0
    category_ids = dict(IncidentCategory.objects.values_list("code", "id"))
    community_ids = dict(Community.objects.filter(station_id__in=station_ids.values()).values_list("code", "id"))

    def column(name: str) -> list[dt.datetime | None]:
        values = fresh[name]
        return [None if pd.isna(v) else v.to_pydatetime() for v in values]

    received = [v.to_pydatetime() for v in fresh["received_at"]]
    arrived, cleared = column("arrived_at"), column("cleared_at")
    minutes = [None if pd.isna(v) else float(v) for v in fresh["handling_minutes"]]
    people = [None if pd.isna(v) else int(v) for v in fresh["people_involved"]]
    rows = (
        Incident(
            source=INCIDENT_SOURCE,
            external_id=external_id,
            station_id=station_ids[station],
            community_id=community_ids[community],
            category_id=category_ids[category],
            received_at=received[i],
            arrived_at=arrived[i],
            cleared_at=cleared[i],
            handling_minutes=minutes[i],
            people_involved=people[i],
        )
        for i, (external_id, station, community, category) in enumerate(
            zip(
                fresh["external_id"],
                fresh["station_code"],
                fresh["community_code"],
                fresh["category_code"],
                strict=True,
            )
        )
    )
    count = 0
    for chunk in _batched(rows):
        Incident.objects.bulk_create(chunk)
        count += len(chunk)
    return count


@transaction.atomic
def reset_county(code: str) -> bool:
    """Remove a demo county and everything in it (people, history, incidents, its chiefs' accounts)."""
    from personnel.models import User

    county = County.objects.filter(code=code).first()
    if county is None:
        return False
    stations = Station.objects.filter(county=county)
    Incident.objects.filter(station__in=stations).delete()
    User.objects.filter(station__in=stations).delete()
    people = Person.objects.filter(assignments__unit__station__in=stations).distinct()
    Person.objects.filter(pk__in=list(people.values_list("pk", flat=True))).delete()
    Community.objects.filter(station__in=stations).delete()
    stations.delete()
    county.delete()
    return True


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    station: str
    password: str | None  # None: the account already existed and keeps its password
    title: str = ""  # the post the account stands for at its station (所长, 教导员)


@transaction.atomic
def ensure_demo_users(*, chief_stations: list[Station]) -> list[DemoAccount]:
    """A planner, an auditor and two station-leadership accounts per station with the chief role: the
    chief (所长) and the political instructor (教导员). A roster's approver is never its submitter and
    planners only read rosters, so a station needs both for its rosters to be approvable. New accounts
    get a random password; existing ones are left as they are."""
    import secrets

    from config.roles import Role
    from personnel.models import Person, User
    from personnel.services import user_set_role

    wanted: list[tuple[str, str, Station | None, str]] = [
        ("planner", Role.PLANNER, None, ""),
        ("auditor", Role.AUDITOR, None, ""),
    ]
    for s in chief_stations:
        wanted.append((f"chief-{s.code.lower()}", Role.CHIEF, s, str(Person.Post.CHIEF.label)))
        wanted.append((f"instructor-{s.code.lower()}", Role.CHIEF, s, str(Person.Post.INSTRUCTOR.label)))
    accounts = []
    for username, role, station, title in wanted:
        user = User.objects.filter(username=username).first()
        password = None
        if user is None:
            password = secrets.token_urlsafe(12)
            user = User.objects.create_user(username=username, password=password)
            user_set_role(user=user, role=role, station=station)
        accounts.append(DemoAccount(username, str(Role(role).label), station.name if station else "", password, title))
    return accounts
