"""A small bureau for API tests, and clients that act as each role.

Two counties: QH with stations QH-01 ("own": the chief's), QH-02 ("other") and QH-03, and QX with one
station, so a chief's county scope can be seen too. Every station has its teams, a community, a
person and incidents; one finished allocation run proposes two moves: one out of QH-01 ("own move")
and one between QH-02 and QH-03 ("other move", which the chief of QH-01 must not see).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from allocation.models import AllocationRun, Proposal, ProposedMove
from apikeys.services import apikey_create
from audit.models import AuditEvent
from audit.services import audit_record
from personnel.models import Assignment, Person, User
from rosters.models import Roster, RosterCell, RosterMember, ShiftPattern
from stations.models import Community, County, Station, Unit
from tests import factories
from workload.models import Incident, StandardsSet
from workload.selectors import standards_default

ROSTER_START = dt.date(2026, 11, 2)  # a Monday


@dataclass
class World:
    county: County
    far_county: County
    own: Station
    other: Station
    third: Station
    far: Station
    own_person: Person
    other_person: Person
    own_community: Community
    other_community: Community
    own_incident: Incident
    other_incident: Incident
    own_assignment: Assignment
    other_assignment: Assignment
    run: AllocationRun
    proposal: Proposal
    own_move: ProposedMove
    other_move: ProposedMove
    standards: StandardsSet
    event: AuditEvent
    own_roster: Roster
    other_roster: Roster
    own_entry: RosterCell
    other_entry: RosterCell

    def unit(self, station: Station) -> Unit:
        return station.units.get(kind=Unit.Kind.CASE)


@pytest.fixture
def world(db: None) -> World:
    county = factories.county(code="QH", name="清河县")
    far_county = factories.county(code="QX", name="远县")
    own = factories.station(county_row=county, code="QH-01", name="城关派出所")
    other = factories.station(county_row=county, code="QH-02", name="城东派出所")
    third = factories.station(county_row=county, code="QH-03", name="河口镇派出所", kind="town")
    far = factories.station(county_row=far_county, code="QX-01", name="远县派出所")
    people: dict[int, Person] = {}
    assignments: dict[int, Assignment] = {}
    communities: dict[int, Community] = {}
    incidents: dict[int, Incident] = {}
    for station in (own, other, third, far):
        person = factories.person()
        people[station.pk] = person
        assignments[station.pk] = factories.place(person, station)
        communities[station.pk] = factories.jurisdiction(station, residents=5000)
        incidents[station.pk] = factories.incidents(station, 3)[0]
    standards = standards_default()
    run = AllocationRun.objects.create(
        county=county, standards=standards, max_moves=2, status=AllocationRun.Status.SUCCEEDED, progress=100
    )
    proposal = Proposal.objects.create(run=run, before={"shortfall": 3.0}, after={"shortfall": 1.0}, objective=1.0)
    own_move = ProposedMove.objects.create(
        proposal=proposal,
        person=people[own.pk],
        origin=own,
        destination=third,
        destination_team="case",
        origin_assignment=assignments[own.pk],
        explanation={"why": "QH-03 is short of case officers"},
    )
    other_move = ProposedMove.objects.create(
        proposal=proposal,
        person=people[other.pk],
        origin=other,
        destination=third,
        destination_team="case",
        origin_assignment=assignments[other.pk],
        explanation={"why": "QH-03 is short of case officers"},
    )
    event = audit_record(action="test.event", obj=other, detail="made by the fixture")
    own_roster, own_entry = roster_with_entry(own, people[own.pk])
    other_roster, other_entry = roster_with_entry(other, people[other.pk])
    return World(
        county=county,
        far_county=far_county,
        own=own,
        other=other,
        third=third,
        far=far,
        own_person=people[own.pk],
        other_person=people[other.pk],
        own_community=communities[own.pk],
        other_community=communities[other.pk],
        own_incident=incidents[own.pk],
        other_incident=incidents[other.pk],
        own_assignment=assignments[own.pk],
        other_assignment=assignments[other.pk],
        run=run,
        proposal=proposal,
        own_move=own_move,
        other_move=other_move,
        standards=standards,
        event=event,
        own_roster=own_roster,
        other_roster=other_roster,
        own_entry=own_entry,
        other_entry=other_entry,
    )


def roster_with_entry(station: Station, person: Person, *, start: dt.date = ROSTER_START) -> tuple[Roster, RosterCell]:
    """A draft week of the built-in three-shift pattern with one night entry, written directly: the
    API reads rosters, it does not need the solver."""
    pattern = ShiftPattern.objects.get(code="THREE8", station__isnull=True)
    roster = Roster.objects.create(station=station, pattern=pattern, start_date=start, days=7)
    RosterMember.objects.create(roster=roster, person=person, officer=True, leader=False, team="command")
    night = pattern.shift_types.get(code="N")
    return roster, RosterCell.objects.create(roster=roster, person=person, day=start, shift=night)


def user_for(role: str, world: World) -> User | None:
    if role == "planner":
        return factories.planner()
    if role == "auditor":
        return factories.auditor()
    if role == "chief":
        return factories.chief(world.own)
    if role == "norole":
        return factories.user()
    return None  # anonymous


def client_for(user: User | None, **headers: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", **headers)
    if user is not None:
        client.force_authenticate(user)
    return client


def key_client(owner: User, *, scope: str = "read", **headers: Any) -> tuple[APIClient, str]:
    """A client that authenticates only with a new API key of `owner` (no session)."""
    _key, plaintext = apikey_create(name="test system", owner=owner, scope=scope)
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Api-Key {plaintext}", **headers), plaintext


@pytest.fixture(autouse=True)
def _generous_throttle(settings: Any) -> None:
    # The throttle has its own test; everywhere else it must not interfere.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "100000/minute", "api_user": "100000/minute"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()
