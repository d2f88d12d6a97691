"""Small builders for test data: each makes one valid row, overridable field by field."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from config.roles import Role
from personnel.models import Assignment, Person, User
from personnel.services import user_set_role
from stations.models import Community, County, PoliceArea, Station, Unit
from workload.models import Incident, IncidentCategory

_sequence = itertools.count(1)


def county(**fields: Any) -> County:
    n = next(_sequence)
    return County.objects.create(**{"code": f"T{n:03d}", "name": f"测试县{n}", **fields})


def station(*, county_row: County | None = None, kind: str = Station.Kind.URBAN, **fields: Any) -> Station:
    n = next(_sequence)
    row = Station.objects.create(
        **{
            "county": county_row or county(),
            "code": f"ST{n:04d}",
            "name": f"测试派出所{n}",
            "kind": kind,
            **fields,
        }
    )
    unit_kinds = (Unit.Kind.DEPARTMENT,) if kind == Station.Kind.DEPARTMENT else Unit.STATION_KINDS
    Unit.objects.bulk_create([Unit(station=row, kind=k, name=str(Unit.Kind(k).label)) for k in unit_kinds])
    return row


def jurisdiction(at: Station, *, residents: int, code: str | None = None) -> Community:
    """One police area with one community of `residents` people."""
    area = PoliceArea.objects.create(station=at, code="A1", name="一区")
    return Community.objects.create(
        station=at,
        police_area=area,
        code=code or f"{at.code}-C1",
        name="东风社区",
        kind=Community.Kind.COMMUNITY,
        resident_population=residents,
        households=residents // 3,
    )


def incidents(
    at: Station,
    count: int,
    *,
    category: str = "XS01",
    minutes: float = 60,
    people: int = 2,
    first_month: int = 1,
    months: int = 1,
    prefix: str = "",
) -> list[Incident]:
    """`count` incidents at a station, spread over days and hours of `months` months of 2026."""
    kind = IncidentCategory.objects.get(code=category)
    return Incident.objects.bulk_create(
        Incident(
            source="test",
            external_id=f"{prefix or at.code}-{n}",
            station=at,
            category=kind,
            handling_minutes=minutes,
            people_involved=people,
            received_at=dt.datetime(2026, first_month + n % months, 1 + n % 28, n % 24, tzinfo=dt.UTC),
        )
        for n in range(count)
    )


def person(*, kind: str = Person.Kind.OFFICER, **fields: Any) -> Person:
    n = next(_sequence)
    officer = kind == Person.Kind.OFFICER
    defaults: dict[str, Any] = {
        "number": f"{n:06d}" if officer else f"FJ{n:06d}",
        "name": f"测试{n}",
        "kind": kind,
        "sex": Person.Sex.MALE,
        "birth_date": dt.date(1985, 5, 1),
        "rank": Person.Rank.SERGEANT_2 if officer else "",
        "post": Person.Post.CASE_OFFICER if officer else Person.Post.AUX_PATROL,
        "law_enforcement_level": Person.LawEnforcementLevel.BASIC if officer else Person.LawEnforcementLevel.NONE,
        "hire_date": dt.date(2010, 7, 1),
        "post_since": dt.date(2018, 3, 1),
    }
    return Person.objects.create(**{**defaults, **fields})


def place(
    who: Person, at: Station, *, unit_kind: str | None = None, start: dt.date = dt.date(2018, 3, 1), **fields: Any
) -> Assignment:
    kind = unit_kind or (Unit.Kind.DEPARTMENT if at.is_department else Unit.Kind.CASE)
    return Assignment.objects.create(person=who, unit=at.units.get(kind=kind), start_date=start, **fields)


def user(*, role: str | None = None, station_row: Station | None = None, **fields: Any) -> User:
    n = next(_sequence)
    account = User.objects.create_user(username=f"user{n}", password="correct horse battery", **fields)
    if role is not None:
        user_set_role(user=account, role=role, station=station_row)
    return account


def planner() -> User:
    return user(role=Role.PLANNER)


def auditor() -> User:
    return user(role=Role.AUDITOR)


def chief(of: Station) -> User:
    return user(role=Role.CHIEF, station_row=of)
