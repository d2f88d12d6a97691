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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, vstack

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
    group: str = ""  # the county: people move within it, and its rules (station share) hold within it


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
    # Officers with a law-enforcement qualification ≥ share × case-team need: the case team's work
    # (evidence, coercive measures, interrogation) needs qualified officers, whoever stands the post.
    min_qualified_share: float = 1.0
    max_department_release: float = 0.15  # share of a department's people that may be sent down
    allow_moves_to_departments: bool = False
    time_limit_seconds: float = 60.0
    # Read by allocation.inputs, not by the programme: people who moved within this many months
    # stay where they are (a move unsettles a team; moving someone twice in a year is worse).
    recent_move_months: int = 12


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
    rule: str  # floor | community_share | investigators | qualified | station_share
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


TENURE_COST = (0.0, 0.5, 1.5)  # by tenure band: under 2 years, 2 to 5, 5 or more


def place_cost(key: ClassKey, origin: Place, destination: Place) -> float:
    """The part of a move's disruption that does not depend on tenure: community ties, distance."""
    return 1.0 + (2.0 if key.community else 0.0) + distance_km(origin, destination) / 20.0


def disruption(key: ClassKey, origin: Place, destination: Place) -> float:
    """Cost of moving one person of a class: community ties, tenure, and the distance travelled."""
    return place_cost(key, origin, destination) + TENURE_COST[key.tenure_band]


def balance_ratios(instance: Instance) -> dict[str, float]:
    """R per county: the share of need its people can cover, with what its departments may release."""
    now = counts_now(instance)
    people: dict[str, float] = defaultdict(float)
    need: dict[str, float] = defaultdict(float)
    for place in instance.places:
        if place.is_station:
            people[place.group] += now[place.id].people
            need[place.group] += place.need
        else:
            people[place.group] += math.floor(now[place.id].people * instance.rules.max_department_release)
    # Below a hundredth of a person a county has no measured need to balance against.
    return {group: people[group] / need[group] if need[group] > 0.01 else 1.0 for group in people}


def _groups(instance: Instance) -> list[str]:
    return sorted({p.group for p in instance.places})


def station_rule_amounts(place: Place, c: Counts, rules: Rules) -> dict[str, float]:
    """How far each station rule is from holding (≤ 0: it holds), in people."""
    return {
        "floor": rules.min_officers - c.officers,
        "community_share": rules.min_community_share * c.officers - c.community,
        "investigators": rules.min_investigator_share * place.case_need - c.investigators,
        "qualified": rules.min_qualified_share * place.case_need - c.qualified,
    }


def evaluate(instance: Instance, counts: dict[int, Counts], moves: int, disruption_total: float) -> dict[str, float]:
    """The objective of a state, term by term. The programme minimises exactly this."""
    rules = instance.rules
    ratios = balance_ratios(instance)
    shortfall = imbalance = rule = 0.0
    for place in instance.stations:
        c = counts[place.id]
        shortfall += max(0.0, place.need - c.people) + max(0.0, place.officer_need - c.officers)
        imbalance += abs(c.people - place.need * ratios[place.group])
        rule += sum(max(0.0, amount) for amount in station_rule_amounts(place, c, rules).values())
    for group in _groups(instance):
        total_officers = sum(counts[p.id].officers for p in instance.places if p.group == group)
        station_officers = sum(counts[p.id].officers for p in instance.stations if p.group == group)
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
        amounts = station_rule_amounts(place, counts[place.id], rules)
        found += [Violation(rule, place.code, round(amount, 3)) for rule, amount in amounts.items() if amount > 1e-6]
    for group in _groups(instance):
        total = sum(counts[p.id].officers for p in instance.places if p.group == group)
        stations = sum(counts[p.id].officers for p in instance.stations if p.group == group)
        if rules.min_station_share * total - stations > 1e-6:
            found.append(Violation("station_share", group, round(rules.min_station_share * total - stations, 3)))
    return found


@dataclass
class Model:
    """The programme of one instance, built once and solved for any move budget.

    Only the budget row's upper bound changes between budgets (the trade-off curve), so the
    aggregated structure is built a single time.
    """

    instance: Instance
    classes: dict[ClassKey, list[Member]]
    pairs: list[tuple[ClassKey, Place]]
    pair_cost: list[float]
    station_index: dict[int, int]
    cost: np.ndarray
    upper: np.ndarray
    integrality: np.ndarray
    matrix: Any
    low: np.ndarray
    high: np.ndarray
    budget_row: int
    y_offset: int


def build(instance: Instance) -> Model:
    rules = instance.rules
    now = counts_now(instance)
    # A pool: the people of one origin alike for the rules, whatever their tenure. The programme
    # moves counts out of pools; tenure only adds a cost that does not depend on the destination,
    # so it is counted per pool and band (u), which spares the solver swapping equal-cost people
    # of two bands between two destinations.
    classes: dict[ClassKey, list[Member]] = defaultdict(list)
    bands: dict[ClassKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    for member in sorted(instance.members, key=lambda m: m.id):
        if member.movable and member.at_post:
            key = class_of(member)
            pool = replace(key, tenure_band=-1)
            classes[pool].append(member)
            bands[pool][key.tenure_band] += 1
    class_keys = sorted(
        classes, key=lambda k: (k.origin, not k.officer, k.community, k.investigator, k.qualified, k.tenure_band)
    )
    stations = instance.stations
    station_index = {p.id: i for i, p in enumerate(stations)}
    departments = [p for p in instance.places if not p.is_station]

    # --- Variables -------------------------------------------------------------------------------
    # x: people of a pool moving to a place (within the pool's county); u: people of a pool taken
    # from each tenure band; y: officers arriving at a station who join its community team; then
    # per station the shortfalls, the two sides of the imbalance and the slack of each rule; and
    # the slack of the station share per county.
    by_group: dict[str, list[Place]] = defaultdict(list)
    for place in instance.places:
        if place.is_station or rules.allow_moves_to_departments:
            by_group[place.group].append(place)
    pairs: list[tuple[ClassKey, Place]] = [
        (key, destination)
        for key in class_keys
        for destination in by_group[instance.place_by_id[key.origin].group]
        if destination.id != key.origin
    ]
    band_cols = [(key, band) for key in class_keys for band in range(3) if bands[key][band]]
    groups = _groups(instance)
    n_x, n_s, n_g = len(pairs), len(stations), len(groups)
    offsets = {}
    cursor = 0
    for name, size in (
        ("x", n_x), ("u", len(band_cols)), ("y", n_s), ("s", n_s), ("so", n_s), ("dp", n_s), ("dn", n_s),
        ("floor", n_s), ("comm", n_s), ("inv", n_s), ("qual", n_s), ("share", n_g),
    ):  # fmt: skip
        offsets[name] = cursor
        cursor += size
    n = cursor
    ratios = balance_ratios(instance)

    cost = np.zeros(n)
    pair_cost = [place_cost(key, instance.place_by_id[key.origin], dest) for key, dest in pairs]
    cost[:n_x] = W_MOVE + W_DISRUPTION * np.array(pair_cost)
    u0 = offsets["u"]
    cost[u0 : u0 + len(band_cols)] = [W_DISRUPTION * TENURE_COST[band] for _key, band in band_cols]
    for name, weight in (("s", W_SHORTFALL), ("so", W_SHORTFALL), ("dp", W_IMBALANCE), ("dn", W_IMBALANCE)):
        cost[offsets[name] : offsets[name] + n_s] = weight
    for name in ("floor", "comm", "inv", "qual"):
        cost[offsets[name] : offsets[name] + n_s] = W_RULE
    cost[offsets["share"] : offsets["share"] + n_g] = W_RULE

    upper = np.full(n, np.inf)
    upper[:n_x] = [len(classes[key]) for key, _dest in pairs]
    upper[u0 : u0 + len(band_cols)] = [bands[key][band] for key, band in band_cols]
    integrality = np.zeros(n)
    # Moves, people taken from each band and community arrivals are whole people. (u would come out
    # whole by itself, cheapest bands first, but with u continuous HiGHS's presolve returned a worse
    # solution as optimal on a random instance — scipy 1.16.3 — so u is declared integer.)
    integrality[: n_x + len(band_cols)] = 1
    integrality[offsets["y"] : offsets["y"] + n_s] = 1

    # --- Constraints -----------------------------------------------------------------------------
    # Built as coordinate lists in one pass over the pairs: each pair touches the rows of its origin
    # and its destination only, so building stays linear in the size of the model.
    row_i: list[int] = []
    col_j: list[int] = []
    val: list[float] = []
    low: list[float] = []
    high: list[float] = []

    def new_row(lo: float, hi: float) -> int:
        low.append(lo)
        high.append(hi)
        return len(low) - 1

    def put(r: int, column: int, value: float) -> None:
        row_i.append(r)
        col_j.append(column)
        val.append(value)

    class_row = {key: new_row(0.0, 0.0) for key in class_keys}  # Σ moves − Σ bands taken = 0
    for j, (key, _band) in enumerate(band_cols):
        put(class_row[key], u0 + j, -1.0)
    release_row = {
        d.id: new_row(-np.inf, math.floor(now[d.id].people * rules.max_department_release)) for d in departments
    }
    budget_row = new_row(-np.inf, rules.max_moves)
    rows_of: dict[int, dict[str, int]] = {}
    for place in stations:
        j = station_index[place.id]
        c = now[place.id]
        target = place.need * ratios[place.group] - c.people
        amounts = station_rule_amounts(place, c, rules)
        rows_of[place.id] = {
            "arrivals": new_row(-np.inf, 0.0),  # y − officers arriving ≤ 0
            "people": new_row(place.need - c.people, np.inf),  # Δpeople + s ≥ need − people
            "officers": new_row(place.officer_need - c.officers, np.inf),  # Δofficers + so ≥ ...
            "balance": new_row(target, target),  # Δpeople − dp + dn = need·R − people
            "floor": new_row(amounts["floor"], np.inf),
            "community": new_row(amounts["community_share"], np.inf),
            "investigators": new_row(amounts["investigators"], np.inf),
            "qualified": new_row(amounts["qualified"], np.inf),
        }
        rows = rows_of[place.id]
        put(rows["arrivals"], offsets["y"] + j, 1.0)
        put(rows["people"], offsets["s"] + j, 1.0)
        put(rows["officers"], offsets["so"] + j, 1.0)
        put(rows["balance"], offsets["dp"] + j, -1.0)
        put(rows["balance"], offsets["dn"] + j, 1.0)
        put(rows["floor"], offsets["floor"] + j, 1.0)
        put(rows["community"], offsets["y"] + j, 1.0)
        put(rows["community"], offsets["comm"] + j, 1.0)
        put(rows["investigators"], offsets["inv"] + j, 1.0)
        put(rows["qualified"], offsets["qual"] + j, 1.0)
    share_row = {}
    for g, group in enumerate(groups):
        total = sum(now[p.id].officers for p in instance.places if p.group == group)
        in_stations = sum(now[p.id].officers for p in stations if p.group == group)
        share_row[group] = new_row(rules.min_station_share * total - in_stations, np.inf)
        put(share_row[group], offsets["share"] + g, 1.0)

    for i, (key, destination) in enumerate(pairs):
        put(class_row[key], i, 1.0)
        put(budget_row, i, 1.0)
        if key.origin in release_row:
            put(release_row[key.origin], i, 1.0)
        for place_id, sign in ((key.origin, -1.0), (destination.id, 1.0)):
            if place_id not in rows_of:
                continue  # a department: no need, no rules of its own
            rows = rows_of[place_id]
            put(rows["people"], i, sign)
            put(rows["balance"], i, sign)
            if key.officer:
                put(rows["officers"], i, sign)
                put(rows["floor"], i, sign)
                put(rows["community"], i, -rules.min_community_share * sign)
                if sign > 0:
                    put(rows["arrivals"], i, -1.0)
                if key.investigator:
                    put(rows["investigators"], i, sign)
                if key.qualified:
                    put(rows["qualified"], i, sign)
            if key.community and sign < 0:
                put(rows["community"], i, -1.0)  # leaves the origin's community team
        if key.officer:
            shift = (1.0 if destination.is_station else 0.0) - (
                1.0 if instance.place_by_id[key.origin].is_station else 0.0
            )
            if shift:
                put(share_row[destination.group], i, shift)

    return Model(
        instance=instance,
        classes=classes,
        pairs=pairs,
        pair_cost=pair_cost,
        station_index=station_index,
        cost=cost,
        upper=upper,
        integrality=integrality,
        matrix=coo_matrix((val, (row_i, col_j)), shape=(len(low), n)).tocsr(),
        low=np.array(low),
        high=np.array(high),
        budget_row=budget_row,
        y_offset=offsets["y"],
    )


def solve(instance: Instance, *, model: Model | None = None, max_moves: int | None = None) -> Solution:
    """The optimal proposal under the rules, within the move budget.

    `model` reuses a programme already built for the same instance; `max_moves` overrides the
    budget of the instance's rules (the trade-off curve solves one model for many budgets).
    """
    started = time.perf_counter()
    model = model or build(instance)
    budget = instance.rules.max_moves if max_moves is None else max_moves
    high = model.high.copy()
    high[model.budget_row] = budget
    n = len(model.cost)
    result = milp(
        c=model.cost,
        integrality=model.integrality,
        bounds=Bounds(np.zeros(n), model.upper),
        constraints=[LinearConstraint(model.matrix, model.low, high)],
        options={
            "time_limit": instance.rules.time_limit_seconds,
            "mip_rel_gap": 0.0,
            "presolve": True,
            "disp": False,
        },
    )
    if result.x is None:
        raise RuntimeError(f"the solver found no solution: {result.message}")
    values = np.round(result.x).astype(int)
    n_x, n_s = len(model.pairs), len(model.station_index)

    # --- Individuals ---------------------------------------------------------------------------
    moves = _choose_people(
        instance,
        model.classes,
        model.pairs,
        values[:n_x],
        values[model.y_offset : model.y_offset + n_s],
        model.pair_cost,
        model.station_index,
    )
    return _solution(
        instance, moves, apply_moves(instance, moves), started, optimal=result.status == 0, status=str(result.message)
    )


def _solution(
    instance: Instance, moves: list[Move], after: dict[int, Counts], started: float, *, optimal: bool, status: str
) -> Solution:
    scores = evaluate(instance, after, len(moves), sum(m.cost for m in moves))
    return Solution(
        moves=moves,
        counts=after,
        objective=scores["objective"],
        shortfall=scores["shortfall"],
        imbalance=scores["imbalance"],
        violations=violations_of(instance, after),
        optimal=optimal,
        seconds=time.perf_counter() - started,
        status=status,
    )


def evaluated(instance: Instance, moves: list[Move], *, optimal: bool) -> Solution:
    """A solution from moves chosen elsewhere (e.g. a stored proposal), scored like any other."""
    return _solution(instance, moves, apply_moves(instance, moves), time.perf_counter(), optimal=optimal, status="")


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
            origin = instance.place_by_id[key.origin]
            cost = disruption(class_of(member), origin, destination)
            moves.append(Move(member.id, key.origin, destination.id, community=False, cost=cost))
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


def _station_term(place: Place, c: Counts, rules: Rules, ratio: float) -> float:
    """The part of the objective that depends on one station only (see `evaluate`)."""
    rule = sum(max(0.0, amount) for amount in station_rule_amounts(place, c, rules).values())
    shortfall = max(0.0, place.need - c.people) + max(0.0, place.officer_need - c.officers)
    return W_RULE * rule + W_SHORTFALL * shortfall + W_IMBALANCE * abs(c.people - place.need * ratio)


def greedy(instance: Instance) -> Solution:
    """The baseline a planner might follow by hand: take the single move that helps most, repeat.

    Same rules and objective as `solve`; it stops when no move improves the objective or the budget
    is spent. Used to show what the optimiser gains.
    """
    started = time.perf_counter()
    rules = instance.rules
    ratios = balance_ratios(instance)
    counts = counts_now(instance)
    pools: dict[ClassKey, list[Member]] = defaultdict(list)
    for member in sorted(instance.members, key=lambda m: (m.tenure_years, m.id)):
        if member.movable and member.at_post:
            pools[class_of(member)].append(member)
    released: dict[int, int] = defaultdict(int)
    release_cap = {
        p.id: math.floor(counts[p.id].people * rules.max_department_release)
        for p in instance.places
        if not p.is_station
    }
    total_officers = {
        group: sum(counts[p.id].officers for p in instance.places if p.group == group) for group in _groups(instance)
    }
    station_officers = {
        group: sum(counts[p.id].officers for p in instance.stations if p.group == group) for group in _groups(instance)
    }

    def share_term(group: str, in_stations: int) -> float:
        return W_RULE * max(0.0, rules.min_station_share * total_officers[group] - in_stations)

    def term(place: Place, c: Counts) -> float:
        return _station_term(place, c, rules, ratios[place.group]) if place.is_station else 0.0

    moves: list[Move] = []
    destinations = [p for p in instance.places if p.is_station or rules.allow_moves_to_departments]
    while len(moves) < rules.max_moves:
        best: tuple[float, ClassKey, Place, bool] | None = None
        for key, pool in pools.items():
            if not pool:
                continue
            origin = instance.place_by_id[key.origin]
            if not origin.is_station and released[origin.id] >= release_cap[origin.id]:
                continue
            before_origin = term(origin, counts[origin.id])
            left = replace_counts(counts[origin.id])
            _add(left, key, -1, community=key.community)
            after_origin = term(origin, left)
            for destination in destinations:
                if destination.id == origin.id or destination.group != origin.group:
                    continue
                for community in (False, True) if key.officer and destination.is_station else (False,):
                    arrived = replace_counts(counts[destination.id])
                    _add(arrived, key, +1, community=community)
                    gain = (
                        before_origin
                        - after_origin
                        + term(destination, counts[destination.id])
                        - term(destination, arrived)
                    )
                    shift = (1 if destination.is_station else 0) - (1 if origin.is_station else 0)
                    if key.officer and shift:
                        in_stations = station_officers[origin.group]
                        gain += share_term(origin.group, in_stations) - share_term(origin.group, in_stations + shift)
                    gain -= W_MOVE + W_DISRUPTION * disruption(key, origin, destination)
                    if gain > 1e-9 and (best is None or gain > best[0]):
                        best = (gain, key, destination, community)
        if best is None:
            break
        _gain, key, destination, community = best
        member = pools[key].pop(0)
        origin = instance.place_by_id[key.origin]
        moves.append(Move(member.id, origin.id, destination.id, community, disruption(key, origin, destination)))
        _add(counts[origin.id], key, -1, community=key.community)
        _add(counts[destination.id], key, +1, community=community)
        if not origin.is_station:
            released[origin.id] += 1
        if key.officer:
            station_officers[origin.group] += (1 if destination.is_station else 0) - (1 if origin.is_station else 0)
    return _solution(instance, moves, counts, started, optimal=False, status="greedy")


def replace_counts(counts: Counts) -> Counts:
    return Counts(counts.officers, counts.auxiliaries, counts.community, counts.investigators, counts.qualified)


# --- The trade-off curve ---------------------------------------------------------------------------
#
# Counties are independent problems but for the move budget they share, so the best city for a
# budget B is the best split of B over the counties' own curves (a knapsack). Each county's curve is
# known only where a solve has been done, and bounded everywhere else: more budget never hurts, so
# f(b) ≥ f(k) for a solved k ≥ b, and f(b) ≤ f(k) for a solved k ≤ b. The knapsack is solved on the
# lower bounds; when every county's share falls on a known value the split is exact, otherwise the
# unknown points it chose are solved and the knapsack is solved again. Few county solves are
# needed, each small and easy, where one city-wide solve with a small budget is slow to prove.


@dataclass
class _Curve:
    """One county's solved budgets: `solved[k]` is the optimum with budget k."""

    instance: Instance
    model: Model | None = None
    solved: dict[int, Solution] = field(default_factory=dict)
    tangents: list[tuple[int, float, float]] = field(default_factory=list)  # budget, LP value, dual

    def record(self, budget: int, solution: Solution) -> None:
        self.solved[budget] = solution

    def exact(self, budget: int) -> Solution | None:
        """The optimum for `budget` if it is known: a solve at k ≥ budget that used ≤ budget moves,
        or equal bounds on both sides."""
        above = [k for k in self.solved if k >= budget and len(self.solved[k].moves) <= budget]
        if above:
            return self.solved[min(above)]
        low = self.lower(budget)
        below = [k for k in self.solved if k <= budget]
        if below and low is not None:
            candidate = self.solved[max(below)]
            if candidate.objective <= low + 1e-6:
                return candidate
        return None

    def lower(self, budget: int) -> float | None:
        above = [k for k in self.solved if k >= budget]
        bounds = [self.solved[min(above)].objective] if above else []
        # The relaxation's value is convex in the budget, so each relaxation solved at k with the
        # budget row's dual μ bounds every budget b: f(b) ≥ LP(b) ≥ LP(k) + μ·(b − k). A small
        # margin keeps the solver's tolerances from turning a bound into an overestimate.
        bounds += [value + dual * (budget - k) - 1e-6 * abs(value) - 1e-3 for k, value, dual in self.tangents]
        return max(bounds) if bounds else None

    def relax(self, budgets: list[int]) -> None:
        self.model = self.model or build(self.instance)
        for budget in budgets:
            relaxed = relaxation(self.model, budget)
            if relaxed is not None:
                self.tangents.append((budget, *relaxed))

    def solve(self, budget: int) -> Solution:
        if budget == 1:
            solution = best_single_move(self.instance)
        else:
            self.model = self.model or build(self.instance)
            solution = solve(self.instance, model=self.model, max_moves=budget)
        self.record(budget, solution)
        return solution


def relaxation(model: Model, budget: int) -> tuple[float, float] | None:
    """The linear relaxation's optimum for a budget and the dual of the budget row (≤ 0)."""
    high = model.high.copy()
    high[model.budget_row] = budget
    upper_rows = np.flatnonzero(np.isfinite(high))
    lower_rows = np.flatnonzero(np.isfinite(model.low))
    result = linprog(
        model.cost,
        A_ub=vstack([model.matrix[upper_rows], -model.matrix[lower_rows]]).tocsr(),
        b_ub=np.concatenate([high[upper_rows], -model.low[lower_rows]]),
        bounds=np.column_stack([np.zeros(len(model.cost)), model.upper]),
        method="highs",
    )
    if result.status != 0:
        return None
    position = int(np.flatnonzero(upper_rows == model.budget_row)[0])
    return float(result.fun), float(result.ineqlin.marginals[position])


def best_single_move(instance: Instance) -> Solution:
    """The optimum for a budget of one move, by trying every move: the greedy baseline's first step
    looks at every class, destination and team and keeps the best, or none if none helps.

    A one-move programme is the slowest of a curve to prove (its relaxation spreads a fraction of
    a person everywhere), and this is exact and takes a few milliseconds.
    """
    solution = greedy(Instance(instance.places, instance.members, replace(instance.rules, max_moves=1)))
    solution.optimal = True
    solution.status = "best single move"
    return solution


def split_by_group(instance: Instance) -> list[Instance]:
    """One instance per county: people move within their county, so these are independent."""
    groups = _groups(instance)
    if len(groups) == 1:
        return [instance]
    parts = []
    for group in groups:
        places = [p for p in instance.places if p.group == group]
        ids = {p.id for p in places}
        parts.append(Instance(places, [m for m in instance.members if m.place in ids], instance.rules))
    return parts


def nothing(instance: Instance) -> Solution:
    """The proposal of no moves: the optimum for a budget of zero, without a solve."""
    return _solution(instance, [], counts_now(instance), time.perf_counter(), optimal=True, status="no moves")


def combine(instance: Instance, parts: list[Solution]) -> Solution:
    """The city's solution from its counties' solutions (disjoint places and people)."""
    moves = sorted((m for part in parts for m in part.moves), key=lambda m: (m.destination, m.origin, m.member))
    counts: dict[int, Counts] = {}
    for part in parts:
        counts.update(part.counts)
    solution = _solution(
        instance,
        moves,
        counts,
        time.perf_counter(),
        optimal=all(p.optimal for p in parts),
        status="combined from counties",
    )
    solution.seconds = sum(p.seconds for p in parts)
    return solution


def tradeoff_solutions(
    instance: Instance, budgets: list[int], *, full: Solution | None = None
) -> list[tuple[int, Solution]]:
    """The optimum for each budget, exact, from as few county solves as the bounds allow.

    `full` is the optimum of the instance for its largest budget, when already solved (used when
    the instance is one county).
    """
    parts = split_by_group(instance)
    top = max(budgets)
    curves = [_Curve(part) for part in parts]
    for curve, part in zip(curves, parts, strict=True):
        curve.record(0, nothing(part))
    if full is not None and len(parts) == 1:
        curves[0].record(top, full)
    else:
        # A county's share of the city's full solution is optimal for that share only, which bounds
        # nothing above it; a solve at the top budget bounds every budget of the county.
        for curve in curves:
            curve.solve(top)
            curve.relax([b for b in (2, 4, 8, 16, 32) if b < top])
    return [(budget, _best_split(instance, curves, budget)) for budget in sorted(budgets)]


def _best_split(instance: Instance, curves: list[_Curve], budget: int) -> Solution:
    while True:
        shares = _knapsack(curves, budget)
        unknown = [(curve, share) for curve, share in zip(curves, shares, strict=True) if curve.exact(share) is None]
        if not unknown:
            chosen = [curve.exact(share) for curve, share in zip(curves, shares, strict=True)]
            if len(chosen) == 1:
                return chosen[0]  # type: ignore[return-value]
            return combine(instance, chosen)  # type: ignore[arg-type]
        for curve, share in unknown:
            curve.solve(share)


def _knapsack(curves: list[_Curve], budget: int) -> list[int]:
    """Shares of the budget minimising the sum of the counties' lower bounds.

    Ties go to the share whose value is known, then to the larger share (a lower bound is read
    from a solve above the share, so it is tightest there): fewer solves, and the same inputs
    always give the same split.
    """
    infinity = (math.inf, 0, 0)
    best: list[tuple[float, int, int]] = [(0.0, 0, 0)] + [infinity] * budget  # (value, unknowns, −moves)
    choices: list[list[int]] = []
    for curve in curves:
        table = []
        for b in range(budget + 1):
            known = curve.exact(b)
            value = known.objective if known is not None else curve.lower(b)
            table.append((round(value if value is not None else 0.0, 6), 0 if known is not None else 1))
        new: list[tuple[float, int, int]] = [infinity] * (budget + 1)
        choice = [0] * (budget + 1)
        for total in range(budget + 1):
            for b in range(total + 1):
                prior = best[total - b]
                if prior[0] == math.inf:
                    continue
                candidate = (round(prior[0] + table[b][0], 6), prior[1] + table[b][1], prior[2] - b)
                if candidate < new[total]:
                    new[total], choice[total] = candidate, b
        best = new
        choices.append(choice)
    # Walk back from the best total (a smaller total may already be as good).
    total = min(range(budget + 1), key=lambda t: (best[t], t))
    shares = []
    for choice in reversed(choices):
        shares.append(choice[total])
        total -= choice[total]
    return list(reversed(shares))
