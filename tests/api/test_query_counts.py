"""Every list endpoint costs the same number of queries for a page of 2 as for a page of 40: no N+1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from allocation.models import AllocationRun, Proposal, ProposedMove
from audit.services import audit_record
from personnel.models import Qualification
from rosters.models import RosterCell
from stations.models import County
from tests import factories
from tests.api.conftest import ROSTER_START, World, client_for, roster_with_entry, user_for
from workload.models import PostRequirement, StandardsSet

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/counties/",
    "/api/v1/stations/",
    "/api/v1/units/",
    "/api/v1/communities/",
    "/api/v1/people/",
    "/api/v1/assignments/",
    "/api/v1/incidents/",
    "/api/v1/standards/",
    "/api/v1/allocation-runs/",
    "/api/v1/proposals/",
    "/api/v1/moves/",
    "/api/v1/audit-events/",
    "/api/v1/rosters/",
    "/api/v1/roster-entries/",
]


@pytest.fixture
def crowded(world: World) -> World:
    """At least 12 rows behind every list, with the related rows each serializer shows."""
    driver = Qualification.objects.create(code="DRV", name="驾驶")
    household = Qualification.objects.create(code="HJ", name="户籍")
    for n in range(12):
        factories.county(code=f"C{n:02d}")
        station = factories.station(county_row=world.county, code=f"QH-1{n:02d}")
        factories.jurisdiction(station, residents=3000 + n)
        factories.incidents(station, 1)
        person = factories.person()
        person.qualifications.add(driver, household)
        assignment = factories.place(person, station)
        run = AllocationRun.objects.create(
            county=world.county, standards=world.standards, max_moves=1, status="succeeded", progress=100
        )
        Proposal.objects.create(run=run, before={}, after={}, objective=float(n))
        ProposedMove.objects.create(
            proposal=world.proposal,
            person=person,
            origin=station,
            destination=world.third,
            destination_team="case",
            origin_assignment=assignment,
        )
        standards = StandardsSet.objects.create(name=f"set {n}")
        PostRequirement.objects.create(standards=standards, name="值班台", hours_per_week=168)
        audit_record(action="test.event", obj=station)
        roster, _entry = roster_with_entry(station, person, start=ROSTER_START + dt.timedelta(days=7 * n))
        for day in range(1, 3):
            RosterCell.objects.create(
                roster=roster, person=person, day=roster.start_date + dt.timedelta(days=day), shift=_entry.shift
            )
    assert County.objects.count() >= 12
    return world


@pytest.mark.parametrize("url", LISTS)
def test_query_count_does_not_grow_with_page_size(crowded: World, url: str, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(user_for("auditor", crowded))
    client.get(url, {"page_size": 2})  # warm-up: content types and other per-process caches
    with CaptureQueriesContext(connection) as small:
        response = client.get(url, {"page_size": 2})
    assert response.status_code == 200 and len(response.json()["results"]) == 2
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, {"page_size": 40})
    assert len(response.json()["results"]) >= 12
