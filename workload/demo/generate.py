"""Generate a demo county as plain records: no database, deterministic for a given seed.

Every random draw comes from generators seeded by (seed, county number), so the same seed always gives
the same county, and county 1 of a city-scale demo is the county-scale demo itself.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workload.categories import CATEGORIES, QUALIFICATIONS
from workload.demo.catalogue import (
    ARRIVAL_MINUTES,
    COMMUNITY_WORDS,
    COUNTY_NAMES,
    DEPARTMENTS,
    FEMALE_GIVEN,
    FIRST_COUNTY_STATIONS,
    HOURLY_SHAPE,
    MALE_GIVEN,
    MONTHLY_SHAPE,
    RURAL_NAMES,
    SECONDMENT_PLACES,
    SURNAMES,
    TOWN_NAMES,
    URBAN_NAMES,
    VILLAGE_WORDS,
    DepartmentSpec,
    StationSpec,
)

# Shanghai time has had no daylight saving since 1991: local = UTC + 8 h exactly.
CHINA_UTC_OFFSET = np.timedelta64(8, "h")
INCIDENT_SOURCE = "demo"


@dataclass(frozen=True)
class StationRecord:
    code: str
    name: str
    name_en: str
    kind: str
    address: str
    latitude: float
    longitude: float
    establishment_quota: int
    auxiliary_quota: int


@dataclass(frozen=True)
class CommunityRecord:
    code: str
    station_code: str
    police_area_code: str
    name: str
    kind: str
    resident_population: int
    households: int
    area_km2: float


@dataclass(frozen=True)
class PersonRecord:
    number: str
    name: str
    kind: str
    sex: str
    birth_date: dt.date
    rank: str
    post: str
    law_enforcement_level: str
    is_investigator: bool
    status: str
    seconded_to: str
    hire_date: dt.date
    post_since: dt.date
    movable: bool
    station_code: str
    unit_kind: str
    qualifications: tuple[str, ...]
    # where the person worked before the current station, if anywhere: (station code, unit kind)
    previous_placement: tuple[str, str] | None


@dataclass(frozen=True)
class LeaveRecord:
    number: str
    kind: str
    start_date: dt.date
    end_date: dt.date
    status: str
    reason: str


@dataclass
class DemoCounty:
    code: str
    name: str
    name_en: str
    stations: list[StationRecord] = field(default_factory=list)
    police_areas: list[tuple[str, str, str]] = field(default_factory=list)  # station code, area code, name
    communities: list[CommunityRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    leaves: list[LeaveRecord] = field(default_factory=list)
    incidents: pd.DataFrame = field(default_factory=pd.DataFrame)


def county_code(number: int) -> str:
    return f"DM{number:02d}"


def generate_county(*, seed: int, number: int, end_date: dt.date, incidents: int) -> DemoCounty:
    """Build county `number` (1-based). `incidents` is the approximate yearly incident count.

    Dates of people (hire, post, leave) are relative to the day after `end_date`, not to the clock, so
    the same seed gives the same county whatever day it runs.
    """
    today = end_date + dt.timedelta(days=1)
    rng = np.random.default_rng([seed, number])
    names = random.Random(seed * 1_000 + number)
    code = county_code(number)
    name, name_en = COUNTY_NAMES[(number - 1) % len(COUNTY_NAMES)]
    if number > len(COUNTY_NAMES):
        name, name_en = f"{name}{number}", f"{name_en} {number}"
    county = DemoCounty(code=code, name=name, name_en=name_en)
    station_specs = FIRST_COUNTY_STATIONS if number == 1 else _random_station_specs(rng)
    _add_places(county, station_specs, rng, names)
    _add_people(county, station_specs, DEPARTMENTS, rng, names, today)
    _add_leaves(county, rng, today)
    county.incidents = _incidents(county, station_specs, rng, end_date, incidents, seed)
    return county


def _random_station_specs(rng: np.random.Generator) -> tuple[StationSpec, ...]:
    specs = []
    layout = [("urban", URBAN_NAMES, 4), ("town", TOWN_NAMES, 5), ("rural", RURAL_NAMES, 6)]
    index = 1
    for kind, words, count in layout:
        chosen = rng.choice(len(words), size=count, replace=False)
        for word_index in sorted(chosen.tolist()):
            word = words[word_index]
            population = int({"urban": 55_000, "town": 30_000, "rural": 11_000}[kind] * rng.uniform(0.7, 1.3))
            officers = max(
                5, round(population / {"urban": 2_900, "town": 2_300, "rural": 1_900}[kind] * rng.uniform(0.8, 1.2))
            )
            suffix = {"urban": "派出所", "town": "镇派出所", "rural": "乡派出所"}[kind]
            specs.append(
                StationSpec(
                    code_suffix=f"S{index:02d}",
                    name=f"{word}{suffix}",
                    name_en=f"{word} Station",
                    kind=kind,
                    population=population,
                    officers=officers,
                    auxiliaries=round(officers * rng.uniform(1.3, 2.2)),
                    intensity=float(rng.uniform(0.85, 1.15)),
                    seconded=int(rng.integers(0, 3)),
                )
            )
            index += 1
    return tuple(specs)


def _add_places(
    county: DemoCounty, specs: tuple[StationSpec, ...], rng: np.random.Generator, names: random.Random
) -> None:
    base_lat, base_lon = 30.0 + 0.35 * (int(county.code[2:]) % 7), 114.0 + 0.45 * (int(county.code[2:]) % 9)
    for spec in specs:
        station_code = f"{county.code}-{spec.code_suffix}"
        street = names.choice(("人民路", "解放路", "建设路", "中山路"))
        spread = {"urban": 0.04, "town": 0.25, "rural": 0.45}[spec.kind]
        county.stations.append(
            StationRecord(
                code=station_code,
                name=spec.name,
                name_en=spec.name_en,
                kind=spec.kind,
                address=f"{county.name}{spec.name.removesuffix('派出所')}{street}{names.randint(1, 300)}号",
                latitude=round(base_lat + float(rng.uniform(-spread, spread)), 6),
                longitude=round(base_lon + float(rng.uniform(-spread, spread)), 6),
                establishment_quota=spec.officers + int(rng.integers(0, 3)),
                auxiliary_quota=spec.auxiliaries + int(rng.integers(0, 4)),
            )
        )
        _add_jurisdiction(county, station_code, spec, rng)
    for dept in DEPARTMENTS:
        county.stations.append(
            StationRecord(
                code=f"{county.code}-{dept.code_suffix}",
                name=dept.name,
                name_en=dept.name_en,
                kind="department",
                address=f"{county.name}公安局",
                latitude=round(base_lat, 6),
                longitude=round(base_lon, 6),
                establishment_quota=dept.officers,
                auxiliary_quota=dept.auxiliaries,
            )
        )


def _add_jurisdiction(county: DemoCounty, station_code: str, spec: StationSpec, rng: np.random.Generator) -> None:
    """Split the station's population into communities (urban) or villages, grouped into police areas."""
    if spec.kind == "urban":
        parts = max(4, round(spec.population / 8_000))
        kinds = ["community"] * parts
        per_area = 1
    else:
        parts = max(6, round(spec.population / (1_800 if spec.kind == "town" else 1_100)))
        kinds = ["community"] + ["village"] * (parts - 1) if spec.kind == "town" else ["village"] * parts
        per_area = 3 if spec.kind == "town" else 4
    shares = rng.dirichlet(np.full(parts, 6.0))
    populations = np.maximum(300, np.round(shares * spec.population)).astype(int)
    word_pool = COMMUNITY_WORDS if spec.kind == "urban" else VILLAGE_WORDS
    words = rng.permutation(len(word_pool))
    for index in range(parts):
        area_number = index // per_area + 1
        area_code = f"{station_code}-A{area_number:02d}"
        if index % per_area == 0:
            county.police_areas.append((station_code, area_code, f"第{area_number}警务区"))
        kind = kinds[index]
        word = word_pool[int(words[index % len(word_pool)])]
        name = f"{word}社区" if kind == "community" else f"{word}村"
        if index >= len(word_pool):
            name = f"{word}{index // len(word_pool) + 1}{'社区' if kind == 'community' else '村'}"
        population = int(populations[index])
        county.communities.append(
            CommunityRecord(
                code=f"{station_code}-C{index + 1:02d}",
                station_code=station_code,
                police_area_code=area_code,
                name=name,
                kind=kind,
                resident_population=population,
                households=int(population / rng.uniform(2.6, 3.2)),
                area_km2=round(float(rng.uniform(0.8, 3.5) if kind == "community" else rng.uniform(4.0, 18.0)), 2),
            )
        )


RANK_BY_SERVICE_YEARS = (
    (2, "constable_2"),
    (5, "constable_1"),
    (8, "sergeant_3"),
    (12, "sergeant_2"),
    (16, "sergeant_1"),
    (20, "inspector_3"),
    (25, "inspector_2"),
    (99, "inspector_1"),
)


def _rank(hire: dt.date, today: dt.date, leader: bool) -> str:
    years = (today - hire).days / 365.25
    rank = next(rank for limit, rank in RANK_BY_SERVICE_YEARS if years < limit)
    if leader and rank in {"constable_2", "constable_1", "sergeant_3", "sergeant_2", "sergeant_1"}:
        return "inspector_3"
    return rank


def _station_posts(spec: StationSpec) -> list[tuple[str, str]]:
    """(post, unit kind) for each officer of a station: leadership, then community, case and command."""
    n = spec.officers
    posts = [("chief", "leadership")]
    if n >= 6:
        posts.append(("instructor", "leadership"))
    if n >= 12:
        posts.append(("deputy_chief", "leadership"))
    if n >= 20:
        posts.append(("deputy_chief", "leadership"))
    remaining = n - len(posts)
    community = min(remaining, math.ceil(spec.community_share * n))
    community_post = "community_officer" if spec.kind == "urban" else "village_officer"
    posts += [(community_post, "community")] * community
    remaining -= community
    command = min(remaining, max(0, round(remaining * 0.3)) if remaining >= 3 else 0)
    posts += [("case_officer", "case")] * (remaining - command)
    posts += [("command_officer", "command")] * command
    return posts


def _auxiliary_posts(count: int, station_kind: str) -> list[tuple[str, str, str]]:
    """(kind, post, unit kind) for each auxiliary of a station or department."""
    if station_kind == "department":
        return [("aux_clerical", "aux_clerk", "department")] * count
    posts: list[tuple[str, str, str]] = []
    for index in range(count):
        slot = index % 10
        if slot in (0, 1, 2, 3):
            posts.append(("aux_duty", "aux_patrol", "command"))
        elif slot in (4, 5, 6):
            posts.append(("aux_duty", "aux_community", "community"))
        elif slot in (7, 8):
            posts.append(("aux_duty", "aux_desk", "command"))
        else:
            posts.append(("aux_clerical", "aux_clerk", "case"))
    return posts


class _NameMaker:
    """Chinese names, unique within a county so the demo reads naturally."""

    def __init__(self, names: random.Random) -> None:
        self.names = names
        self.used: set[str] = set()
        self.surnames = SURNAMES
        weights = [1.0 / (1 + i) ** 0.7 for i in range(len(SURNAMES))]  # common surnames first
        self.weights = weights

    def make(self, sex: str) -> str:
        pool = MALE_GIVEN if sex == "M" else FEMALE_GIVEN
        for _attempt in range(50):
            surname = self.names.choices(self.surnames, self.weights)[0]
            given = "".join(self.names.choice(pool) for _ in range(self.names.choice((1, 2, 2))))
            name = surname + given
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("name space exhausted")  # never with these pools and a county's size


def _add_people(
    county: DemoCounty,
    specs: tuple[StationSpec, ...],
    departments: tuple[DepartmentSpec, ...],
    rng: np.random.Generator,
    names: random.Random,
    today: dt.date,
) -> None:
    county_number = int(county.code[2:])
    maker = _NameMaker(names)
    officer_seq = iter(range(1, 10_000))
    auxiliary_seq = iter(range(1, 10_000))
    station_codes = [f"{county.code}-{s.code_suffix}" for s in specs]

    def dates(leader: bool, officer: bool) -> tuple[dt.date, dt.date, dt.date]:
        age_at_hire = int(rng.integers(22, 29))
        service_years = float(rng.uniform(8, 30) if leader else rng.uniform(0.3, 33 if officer else 15))
        hire = today - dt.timedelta(days=int(service_years * 365.25))
        birth = hire - dt.timedelta(days=int(age_at_hire * 365.25 + rng.integers(0, 365)))
        in_post_years = float(rng.uniform(0.2, min(service_years, 12.0)))
        post_since = max(hire, today - dt.timedelta(days=int(in_post_years * 365.25)))
        return birth, hire, post_since

    def officer(station_code: str, post: str, unit_kind: str, investigator_rate: float) -> PersonRecord:
        leader = post in {"chief", "instructor", "deputy_chief", "department_head"}
        sex = "M" if rng.random() < 0.82 else "F"
        birth, hire, post_since = dates(leader, True)
        years = (today - hire).days / 365.25
        level = "none" if years < 1 else str(rng.choice(["basic", "intermediate", "advanced"], p=[0.62, 0.32, 0.06]))
        quals = [code for code, _zh, _en, _only in QUALIFICATIONS if rng.random() < 0.3]
        previous = None
        if rng.random() < 0.35 and post_since > hire:
            other = station_codes[int(rng.integers(0, len(station_codes)))]
            if other != station_code:
                previous = (other, "case" if rng.random() < 0.5 else "community")
        return PersonRecord(
            number=f"{county_number:02d}{next(officer_seq):04d}",
            name=maker.make(sex),
            kind="officer",
            sex=sex,
            birth_date=birth,
            rank=_rank(hire, today, leader),
            post=post,
            law_enforcement_level=level,
            is_investigator=bool(rng.random() < investigator_rate and years >= 1),
            status="active",
            seconded_to="",
            hire_date=hire,
            post_since=post_since,
            movable=bool(rng.random() > 0.05),
            station_code=station_code,
            unit_kind=unit_kind,
            qualifications=tuple(quals),
            previous_placement=previous,
        )

    def auxiliary(station_code: str, kind: str, post: str, unit_kind: str) -> PersonRecord:
        sex = "M" if rng.random() < (0.85 if kind == "aux_duty" else 0.4) else "F"
        birth, hire, post_since = dates(False, False)
        return PersonRecord(
            number=f"FJ{county_number:02d}{next(auxiliary_seq):04d}",
            name=maker.make(sex),
            kind=kind,
            sex=sex,
            birth_date=birth,
            rank="",
            post=post,
            law_enforcement_level="none",
            is_investigator=False,
            status="active",
            seconded_to="",
            hire_date=hire,
            post_since=post_since,
            movable=bool(rng.random() > 0.05),
            station_code=station_code,
            unit_kind=unit_kind,
            qualifications=tuple(c for c, _zh, _en, only in QUALIFICATIONS if not only and rng.random() < 0.2),
            previous_placement=None,
        )

    for spec, station_code in zip(specs, station_codes, strict=True):
        station_people = [
            officer(station_code, post, unit_kind, 0.8 if unit_kind == "case" else 0.1)
            for post, unit_kind in _station_posts(spec)
        ]
        # Secondments hit rank-and-file officers, never the chief: that is what hides them in the books.
        candidates = [i for i, p in enumerate(station_people) if p.post not in {"chief", "instructor"}]
        for index in sorted(rng.choice(candidates, size=min(spec.seconded, len(candidates)), replace=False).tolist()):
            person = station_people[index]
            station_people[index] = _replace(
                person, status="seconded", seconded_to=SECONDMENT_PLACES[index % len(SECONDMENT_PLACES)]
            )
        county.people += station_people
        county.people += [auxiliary(station_code, k, p, u) for k, p, u in _auxiliary_posts(spec.auxiliaries, spec.kind)]
    for dept in departments:
        dept_code = f"{county.code}-{dept.code_suffix}"
        heads = 2 if dept.officers >= 30 else 1
        county.people += [
            officer(
                dept_code,
                "department_head" if i < heads else "department_officer",
                "department",
                0.9 if dept.code_suffix == "XZ" else 0.15,
            )
            for i in range(dept.officers)
        ]
        county.people += [auxiliary(dept_code, k, p, u) for k, p, u in _auxiliary_posts(dept.auxiliaries, "department")]
    # A few people are away long-term or in training, spread over the county.
    active = [i for i, p in enumerate(county.people) if p.status == "active" and p.post not in {"chief"}]
    picks = rng.choice(active, size=min(len(active), max(2, len(county.people) // 90)), replace=False)
    for position, index in enumerate(sorted(picks.tolist())):
        status = "long_leave" if position % 2 == 0 else "training"
        county.people[index] = _replace(county.people[index], status=status)


def _replace(person: PersonRecord, **changes: object) -> PersonRecord:
    return replace(person, **changes)  # type: ignore[arg-type]


def _add_leaves(county: DemoCounty, rng: np.random.Generator, today: dt.date) -> None:
    for person in county.people:
        if person.status == "long_leave":
            start = today - dt.timedelta(days=int(rng.integers(20, 120)))
            kind = "maternity" if person.sex == "F" else "sick"
            county.leaves.append(
                LeaveRecord(
                    person.number, kind, start, start + dt.timedelta(days=int(rng.integers(150, 240))), "approved", ""
                )
            )
            continue
        if person.status != "active":
            continue
        # One stretch of annual leave in the last year for most people, a request for next month for some.
        if rng.random() < 0.7:
            start = today - dt.timedelta(days=int(rng.integers(20, 340)))
            county.leaves.append(
                LeaveRecord(
                    person.number, "annual", start, start + dt.timedelta(days=int(rng.integers(2, 10))), "approved", ""
                )
            )
        if rng.random() < 0.08:
            start = today + dt.timedelta(days=int(rng.integers(5, 40)))
            county.leaves.append(
                LeaveRecord(
                    person.number, "annual", start, start + dt.timedelta(days=int(rng.integers(1, 6))), "requested", ""
                )
            )


def _incidents(
    county: DemoCounty,
    specs: tuple[StationSpec, ...],
    rng: np.random.Generator,
    end_date: dt.date,
    total: int,
    seed: int,
) -> pd.DataFrame:
    """Incidents over the 12 months ending `end_date`, with hour-of-week, seasonal and place patterns."""
    kind_rate = {"urban": 1.6, "town": 1.0, "rural": 0.75}  # calls per resident relative to a town
    weights = np.array([s.population * kind_rate[s.kind] * s.intensity for s in specs])
    per_station = np.floor(weights / weights.sum() * total).astype(int)
    start_date = (pd.Timestamp(end_date) - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date()
    days = pd.date_range(start_date, end_date, freq="D")
    day_weight = np.array([MONTHLY_SHAPE[d.month - 1] for d in days])
    # Friday and Saturday evenings are busier; Sunday mornings quieter.
    hour_of_week = np.zeros((7, 24))
    for weekday in range(7):
        shape = np.array(HOURLY_SHAPE)
        if weekday in (4, 5):
            shape[19:] *= 1.25
        if weekday == 6:
            shape[6:11] *= 0.85
        hour_of_week[weekday] = shape
    categories = list(CATEGORIES)
    frames = []
    communities_by_station: dict[str, list[CommunityRecord]] = {}
    for community in county.communities:
        communities_by_station.setdefault(community.station_code, []).append(community)
    for spec, count in zip(specs, per_station.tolist(), strict=True):
        station_code = f"{county.code}-{spec.code_suffix}"
        mix = np.array([getattr(c, spec.kind) for c in categories])
        category_index = rng.choice(len(categories), size=count, p=mix / mix.sum())
        day_index = rng.choice(len(days), size=count, p=day_weight / day_weight.sum())
        weekday = days.weekday.to_numpy()[day_index]
        hour_probs = hour_of_week[weekday]
        cumulative = hour_probs.cumsum(axis=1)
        draws = rng.random(count) * cumulative[:, -1]
        hour = (cumulative < draws[:, None]).sum(axis=1)
        seconds = rng.integers(0, 3600, size=count)
        local = days.to_numpy()[day_index] + hour.astype("timedelta64[h]") + seconds.astype("timedelta64[s]")
        received = local - CHINA_UTC_OFFSET
        default_minutes = np.array([c.minutes for c in categories])[category_index]
        handling = np.round(default_minutes * rng.lognormal(0.0, 0.45, size=count), 1)
        # A handful of records carry the implausible times real systems produce (under 30 s, over 8 h).
        outliers = rng.random(count) < 0.002
        handling[outliers] = np.where(rng.random(outliers.sum()) < 0.5, 0.2, 600.0)
        crew = np.maximum(1, np.array([c.crew for c in categories])[category_index] + rng.integers(-1, 2, size=count))
        arrival = np.round(rng.gamma(2.0, ARRIVAL_MINUTES[spec.kind] / 2.0, size=count) * 60).astype("timedelta64[s]")
        arrived = received + arrival
        cleared = arrived + np.round(handling * 60).astype("timedelta64[s]")
        invalid = np.array([c.code == "QT02" for c in categories])[category_index]
        # Some records were closed without a clearance time: their handling falls back to the category default.
        missing = rng.random(count) < 0.03
        station_communities = communities_by_station[station_code]
        populations = np.array([c.resident_population for c in station_communities], dtype=float)
        community_index = rng.choice(len(station_communities), size=count, p=populations / populations.sum())
        frame = pd.DataFrame(
            {
                "station_code": station_code,
                "community_code": np.array([c.code for c in station_communities])[community_index],
                "category_code": np.array([c.code for c in categories])[category_index],
                "received_at": received,
                "arrived_at": np.where(invalid, np.datetime64("NaT"), arrived),
                "cleared_at": np.where(invalid | missing, np.datetime64("NaT"), cleared),
                "handling_minutes": np.where(invalid, 5.0, np.where(missing, np.nan, handling)),
                "people_involved": pd.array(np.where(invalid, 1, np.where(missing, -1, crew)).tolist(), dtype="Int64"),
            }
        )
        frame.loc[frame["people_involved"] < 0, "people_involved"] = pd.NA
        frames.append(frame)
    incidents = pd.concat(frames, ignore_index=True).sort_values(["received_at", "station_code"], kind="stable")
    incidents = incidents.reset_index(drop=True)
    incidents.insert(0, "external_id", [f"{county.code}-{seed}-{i + 1:07d}" for i in range(len(incidents))])
    for column in ("received_at", "arrived_at", "cleared_at"):
        incidents[column] = pd.to_datetime(incidents[column]).dt.tz_localize("UTC")
    return incidents
