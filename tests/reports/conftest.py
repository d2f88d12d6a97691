"""A small county shared by the report tests: a busy station, a quiet one, a department, a proposal."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from allocation.models import Proposal
from personnel.models import Person
from stations.models import County
from tests import factories
from workload.aggregate import cells_refresh


@pytest.fixture
def small_county() -> County:
    row = factories.county(code="QH", name="清河县")
    busy = factories.station(county_row=row, code="QH-01", name="城关派出所")
    quiet = factories.station(county_row=row, code="QH-02", name='=HYPERLINK("x")', kind="rural")
    bureau = factories.station(county_row=row, code="QH-ZH", name="指挥中心", kind="department")
    factories.place(
        factories.person(post=Person.Post.CHIEF, rank=Person.Rank.INSPECTOR_3), busy, unit_kind="leadership"
    )
    for _n in range(3):
        factories.place(factories.person(post=Person.Post.COMMUNITY_OFFICER), busy, unit_kind="community")
    factories.place(factories.person(status=Person.Status.SECONDED, seconded_to="市局"), busy)
    factories.place(factories.person(status=Person.Status.LONG_LEAVE), busy)
    for n in range(12):
        factories.place(
            factories.person(post=Person.Post.COMMUNITY_OFFICER if n < 5 else Person.Post.CASE_OFFICER),
            quiet,
            unit_kind="community" if n < 5 else "case",
        )
    factories.place(factories.person(kind=Person.Kind.AUXILIARY_DUTY, status=Person.Status.TRAINING), quiet)
    for _n in range(20):
        factories.place(factories.person(post=Person.Post.DEPARTMENT_OFFICER), bureau)
    factories.jurisdiction(busy, residents=8000)
    factories.jurisdiction(quiet, residents=3000)
    factories.incidents(busy, 3000, category="ZA01", months=10)
    factories.incidents(quiet, 200, category="ZA01", months=10)
    cells_refresh()
    return row


@pytest.fixture
def proposal(small_county: County, tasks_in_process: None) -> Proposal:
    call_command("run_allocation", "--county", small_county.code, "--max-moves", "4", stdout=io.StringIO())
    return Proposal.objects.get()


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client
