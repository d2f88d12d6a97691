"""The allocation engine: which people should move where, solved as a mixed-integer programme.

Plain data in, plain data out; no ORM. The model is aggregated: people who are interchangeable for
the rules (same origin, officer or auxiliary, community officer or not, investigator or not,
qualified or not, tenure band) form a class, and the programme decides how many of each class move
to each place. Individuals are chosen afterwards, least disruptive first. HiGHS (through
`scipy.optimize.milp`) solves it to proven optimality.

Objective, by weight (each term dominates the next):
    rule slack      a hard rule that cannot hold, by how much (reported, never hidden)
    shortfall       people and officers below need, summed over stations
    imbalance       |people − need × R| per station, R = the county's share of need it can cover
    moves           number of people moved
    disruption      community officers, long tenure, distance between stations
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

W_RULE = 100_000.0
W_SHORTFALL = 1_000.0
W_IMBALANCE = 10.0
W_MOVE = 1.0
W_DISRUPTION = 0.1


@dataclass(frozen=True)
class Place:
    id: int
    code: str
    is_station: bool
    need: float = 0.0  # people (officers and auxiliaries)
    officer_need: float = 0.0
    case_need: float = 0.0  # people the case team needs: investigators are counted against it
    committed_hours: float = 0.0  # per year: workload per person = committed ÷ people
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Member:
    id: int
    place: int
    officer: bool
    community: bool = False  # an officer of the community policing team
    investigator: bool = False
    qualified: bool = True  # law-enforcement qualification at basic level or above (officers)
    tenure_years: float = 0.0  # in the current post
    at_post: bool = True  # counts in effective strength
    movable: bool = True  # after every exclusion: leaders, recent moves, flagged, not at post


@dataclass(frozen=True)
class Rules:
    max_moves: int = 30
    min_officers: int = 5
    min_community_share: float = 0.40
    min_station_share: float = 0.40
    min_investigator_share: float = 0.30  # investigators ≥ share × case-team need
    max_department_release: float = 0.15  # share of a department's people that may be sent down
    allow_moves_to_departments: bool = False
    time_limit_seconds: float = 60.0


@dataclass(frozen=True)
class ClassKey:
    origin: int
    officer: bool
    community: bool
    investigator: bool
    qualified: bool
    tenure_band: int  # 0: under 2 years, 1: 2 to 5, 2: 5 or more


@dataclass
class Counts:
    """Strength of one place: officers, auxiliaries, community officers, investigators, qualified."""

    officers: int = 0
    auxiliaries: int = 0
    community: int = 0
    investigators: int = 0
    qualified: int = 0

    @property
    def people(self) -> int:
        return self.officers + self.auxiliaries


@dataclass(frozen=True)
class Violation:
    rule: str  # floor | community_share | investigators | station_share
    place: str  # station code, or "" for the county
    amount: float  # how far from holding, in people


@dataclass
class Move:
    member: int
    origin: int
    destination: int
    community: bool  # joins the destination's community team
    cost: float


@dataclass
class Solution:
    moves: list[Move]
    counts: dict[int, Counts]  # after the moves
    objective: float
    shortfall: float
    imbalance: float
    violations: list[Violation]
    optimal: bool
    seconds: float
    status: str = ""


@dataclass
class Instance:
    places: list[Place]
    members: list[Member]
    rules: Rules = field(default_factory=Rules)

    def __post_init__(self) -> None:
        self.place_by_id = {p.id: p for p in self.places}
        self.stations = [p for p in self.places if p.is_station]


def tenure_band(years: float) -> int:
    return 0 if years < 2 else 1 if years < 5 else 2


def class_of(member: Member) -> ClassKey:
    return ClassKey(
        origin=member.place,
        officer=member.officer,
        community=member.officer and member.community,
        investigator=member.officer and member.investigator,
        qualified=member.officer and member.qualified,
        tenure_band=tenure_band(member.tenure_years),
    )


def counts_now(instance: Instance) -> dict[int, Counts]:
    counts = {p.id: Counts() for p in instance.places}
    for member in instance.members:
        if member.at_post:
            _add(counts[member.place], class_of(member), +1, community=member.officer and member.community)
    return counts


def _add(counts: Counts, key: ClassKey, n: int, *, community: bool) -> None:
    if key.officer:
        counts.officers += n
        counts.community += n if community else 0
        counts.investigators += n if key.investigator else 0
        counts.qualified += n if key.qualified else 0
    else:
        counts.auxiliaries += n


def distance_km(a: Place, b: Place) -> float:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return 0.0
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def disruption(key: ClassKey, origin: Place, destination: Place) -> float:
    """Cost of moving one person of a class: community ties, tenure, and the distance travelled."""
    cost = 1.0
    cost += 2.0 if key.community else 0.0
    cost += (0.0, 0.5, 1.5)[key.tenure_band]
    cost += distance_km(origin, destination) / 20.0
    return cost


def balance_ratio(instance: Instance) -> float:
    """R: the share of need the county's people can cover, with what departments may release."""
    now = counts_now(instance)
    station_people = sum(now[p.id].people for p in instance.stations)
    releasable = sum(
        math.floor(now[p.id].people * instance.rules.max_department_release)
        for p in instance.places
        if not p.is_station
    )
    total_need = sum(p.need for p in instance.stations)
    # Below a hundredth of a person the county has no measured need to balance against.
    return (station_people + releasable) / total_need if total_need > 0.01 else 1.0


def evaluate(instance: Instance, counts: dict[int, Counts], moves: int, disruption_total: float) -> dict[str, float]:
    """The objective of a state, term by term. The programme minimises exactly this."""
    rules = instance.rules
    ratio = balance_ratio(instance)
    shortfall = imbalance = rule = 0.0
    for place in instance.stations:
        c = counts[place.id]
        shortfall += max(0.0, place.need - c.people) + max(0.0, place.officer_need - c.officers)
        imbalance += abs(c.people - place.need * ratio)
        rule += max(0.0, rules.min_officers - c.officers)
        rule += max(0.0, rules.min_community_share * c.officers - c.community)
        rule += max(0.0, rules.min_investigator_share * place.case_need - c.investigators)
    total_officers = sum(c.officers for c in counts.values())
    station_officers = sum(counts[p.id].officers for p in instance.stations)
    rule += max(0.0, rules.min_station_share * total_officers - station_officers)
    objective = (
        W_RULE * rule
        + W_SHORTFALL * shortfall
        + W_IMBALANCE * imbalance
        + W_MOVE * moves
        + W_DISRUPTION * disruption_total
    )
    return {"objective": objective, "rule": rule, "shortfall": shortfall, "imbalance": imbalance}


def violations_of(instance: Instance, counts: dict[int, Counts]) -> list[Violation]:
    rules = instance.rules
    found = []
    for place in instance.stations:
        c = counts[place.id]
        checks = [
            ("floor", rules.min_officers - c.officers),
            ("community_share", rules.min_community_share * c.officers - c.community),
            ("investigators", rules.min_investigator_share * place.case_need - c.investigators),
        ]
        found += [Violation(rule, place.code, round(amount, 3)) for rule, amount in checks if amount > 1e-6]
    total = sum(c.officers for c in counts.values())
    stations = sum(counts[p.id].officers for p in instance.stations)
    if rules.min_station_share * total - stations > 1e-6:
        found.append(Violation("station_share", "", round(rules.min_station_share * total - stations, 3)))
    return found


def solve(instance: Instance) -> Solution:
    """The optimal proposal under the rules, within the move budget."""
    started = time.perf_counter()
    rules = instance.rules
    now = counts_now(instance)
    classes: dict[ClassKey, list[Member]] = defaultdict(list)
    for member in sorted(instance.members, key=lambda m: m.id):
        if member.movable and member.at_post:
            classes[class_of(member)].append(member)
    class_keys = sorted(
        classes, key=lambda k: (k.origin, not k.officer, k.community, k.investigator, k.qualified, k.tenure_band)
    )
    stations = instance.stations
    station_index = {p.id: i for i, p in enumerate(stations)}
    departments = [p for p in instance.places if not p.is_station]

    # --- Variables -------------------------------------------------------------------------------
    pairs: list[tuple[ClassKey, Place]] = []
    for key in class_keys:
        origin = instance.place_by_id[key.origin]
        for destination in instance.places:
            if destination.id == origin.id:
                continue
            if not destination.is_station and not rules.allow_moves_to_departments:
                continue
            pairs.append((key, destination))
    n_x = len(pairs)
    n_s = len(stations)
    # x | y (community arrivals) | shortfall | officer shortfall | dev+ | dev- | slack floor | slack community
    #   | slack investigators | slack station share
    offsets = {}
    cursor = 0
    for name, size in (
        ("x", n_x), ("y", n_s), ("s", n_s), ("so", n_s), ("dp", n_s), ("dn", n_s),
        ("floor", n_s), ("comm", n_s), ("inv", n_s), ("share", 1),
    ):  # fmt: skip
        offsets[name] = cursor
        cursor += size
    n = cursor
    ratio = balance_ratio(instance)

    cost = np.zeros(n)
    pair_cost = [disruption(key, instance.place_by_id[key.origin], dest) for key, dest in pairs]
    cost[:n_x] = W_MOVE + W_DISRUPTION * np.array(pair_cost)
    for name, weight in (("s", W_SHORTFALL), ("so", W_SHORTFALL), ("dp", W_IMBALANCE), ("dn", W_IMBALANCE)):
        cost[offsets[name] : offsets[name] + n_s] = weight
    for name in ("floor", "comm", "inv"):
        cost[offsets[name] : offsets[name] + n_s] = W_RULE
    cost[offsets["share"]] = W_RULE

    upper = np.full(n, np.inf)
    for i, (key, _dest) in enumerate(pairs):
        upper[i] = len(classes[key])
    integrality = np.zeros(n)
    integrality[: n_x + n_s] = 1  # moves and community arrivals are whole people

    # --- Constraints -----------------------------------------------------------------------------
    rows: list[tuple[dict[int, float], float, float]] = []

    def row(coefficients: dict[int, float], low: float, high: float) -> None:
        rows.append((coefficients, low, high))

    # Each class moves at most its size; each department releases at most its share.
    by_class: dict[ClassKey, dict[int, float]] = defaultdict(dict)
    for i, (key, _dest) in enumerate(pairs):
        by_class[key][i] = 1.0
    for key, coefficients in by_class.items():
        row(coefficients, -np.inf, len(classes[key]))
    for department in departments:
        coefficients = {i: 1.0 for i, (key, _d) in enumerate(pairs) if key.origin == department.id}
        if coefficients:
            row(coefficients, -np.inf, math.floor(now[department.id].people * rules.max_department_release))
    row({i: 1.0 for i in range(n_x)}, -np.inf, rules.max_moves)

    # Strength after the moves, as linear expressions in x.
    def delta(place_id: int, *, officers: bool | None = None, field_name: str = "") -> dict[int, float]:
        coefficients: dict[int, float] = {}
        for i, (key, dest) in enumerate(pairs):
            if officers is not None and key.officer != officers:
                continue
            if field_name and not getattr(key, field_name):
                continue
            sign = (1.0 if dest.id == place_id else 0.0) - (1.0 if key.origin == place_id else 0.0)
            if sign:
                coefficients[i] = coefficients.get(i, 0.0) + sign
        return coefficients

    total_officers = sum(c.officers for c in now.values())
    station_officer_expr: dict[int, float] = {}
    for place in stations:
        j = station_index[place.id]
        c = now[place.id]
        people = delta(place.id)
        officers = delta(place.id, officers=True)
        # Community arrivals: at most the officers who arrive.
        arrivals = {i: -1.0 for i, (key, dest) in enumerate(pairs) if dest.id == place.id and key.officer}
        row({**arrivals, offsets["y"] + j: 1.0}, -np.inf, 0.0)
        # Shortfalls.
        row({**people, offsets["s"] + j: 1.0}, place.need - c.people, np.inf)
        row({**officers, offsets["so"] + j: 1.0}, place.officer_need - c.officers, np.inf)
        # Imbalance: people − need × R = dev+ − dev−.
        target = place.need * ratio - c.people
        row({**people, offsets["dp"] + j: -1.0, offsets["dn"] + j: 1.0}, target, target)
        # Floor of officers.
        row({**officers, offsets["floor"] + j: 1.0}, rules.min_officers - c.officers, np.inf)
        # Community officers ≥ share × officers: leavers from the community team, plus arrivals placed there.
        community = {i: -1.0 for i, (key, _dest) in enumerate(pairs) if key.origin == place.id and key.community}
        expr = dict(community)
        for i, value in officers.items():
            expr[i] = expr.get(i, 0.0) - rules.min_community_share * value
        expr[offsets["y"] + j] = 1.0
        expr[offsets["comm"] + j] = 1.0
        row(expr, rules.min_community_share * c.officers - c.community, np.inf)
        # Investigators for the case team.
        investigators = delta(place.id, field_name="investigator")
        row(
            {**investigators, offsets["inv"] + j: 1.0},
            rules.min_investigator_share * place.case_need - c.investigators,
            np.inf,
        )
        for i, value in officers.items():
            station_officer_expr[i] = station_officer_expr.get(i, 0.0) + value
    # Stations hold at least their share of the county's officers (the total never changes).
    station_officers_now = sum(now[p.id].officers for p in stations)
    station_officer_expr[offsets["share"]] = 1.0
    row(station_officer_expr, rules.min_station_share * total_officers - station_officers_now, np.inf)

    matrix = lil_matrix((len(rows), n))
    low = np.empty(len(rows))
    high = np.empty(len(rows))
    for r, (coefficients, lo, hi) in enumerate(rows):
        for column, value in coefficients.items():
            if value:
                matrix[r, column] = value
        low[r], high[r] = lo, hi
    result = milp(
        c=cost,
        integrality=integrality,
        bounds=Bounds(np.zeros(n), upper),
        constraints=[LinearConstraint(matrix.tocsr(), low, high)],
        options={"time_limit": rules.time_limit_seconds, "mip_rel_gap": 0.0, "presolve": True, "disp": False},
    )
    if result.x is None:
        raise RuntimeError(f"the solver found no solution: {result.message}")
    values = np.round(result.x).astype(int)

    # --- Individuals ---------------------------------------------------------------------------
    moves = _choose_people(
        instance, classes, pairs, values[:n_x], values[offsets["y"] : offsets["y"] + n_s], pair_cost, station_index
    )
    after = apply_moves(instance, moves)
    scores = evaluate(instance, after, len(moves), sum(m.cost for m in moves))
    return Solution(
        moves=moves,
        counts=after,
        objective=scores["objective"],
        shortfall=scores["shortfall"],
        imbalance=scores["imbalance"],
        violations=violations_of(instance, after),
        optimal=result.status == 0,
        seconds=time.perf_counter() - started,
        status=str(result.message),
    )


def _choose_people(
    instance: Instance,
    classes: dict[ClassKey, list[Member]],
    pairs: list[tuple[ClassKey, Place]],
    counts: np.ndarray,
    community_arrivals: np.ndarray,
    pair_cost: list[float],
    station_index: dict[int, int],
) -> list[Move]:
    """Individuals for each class-to-place count: shortest tenure first, then lowest id (deterministic)."""
    pools = {key: sorted(members, key=lambda m: (m.tenure_years, m.id)) for key, members in classes.items()}
    taken: dict[ClassKey, int] = defaultdict(int)
    moves: list[Move] = []
    for i, (key, destination) in enumerate(pairs):
        for _ in range(int(counts[i])):
            member = pools[key][taken[key]]
            taken[key] += 1
            moves.append(Move(member.id, key.origin, destination.id, community=False, cost=pair_cost[i]))
    # Place arriving officers in community teams where the programme asked for them: former
    # community officers first, then non-investigators (investigators are wanted in case teams).
    members = {m.id: m for m in instance.members}
    for destination_id, j in station_index.items():
        wanted = int(community_arrivals[j])
        arriving = [m for m in moves if m.destination == destination_id and members[m.member].officer]
        arriving.sort(key=lambda m: (not members[m.member].community, members[m.member].investigator, m.member))
        for move in arriving[:wanted]:
            move.community = True
    return sorted(moves, key=lambda m: (m.destination, m.origin, m.member))


def apply_moves(instance: Instance, moves: list[Move]) -> dict[int, Counts]:
    counts = counts_now(instance)
    members = {m.id: m for m in instance.members}
    for move in moves:
        member = members[move.member]
        key = class_of(member)
        _add(counts[move.origin], key, -1, community=member.officer and member.community)
        _add(counts[move.destination], key, +1, community=move.community)
    return counts
