"""The station page lists its teams and people and the proposals that move people in or out."""

from __future__ import annotations

import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allocation.models import Proposal
from personnel.models import Person
from stations.models import County, Station
from tests import factories
from tests.reports.conftest import client_for

pytestmark = pytest.mark.django_db


def test_people_are_listed_by_team_with_those_away_marked(small_county: County) -> None:
    response = client_for(factories.planner()).get(reverse("reports:station", args=["QH-01"]))
    people = response.context["people"]
    assert len(people) == 6  # chief, three community officers, one seconded, one on long leave
    assert {a.person.status for a in people} == {"active", "seconded", "long_leave"}
    page = response.content.decode()
    assert page.count('class="away"') == 2 and "市局" in page


def test_proposals_touching_the_station_show_arrivals_and_departures(small_county: County, proposal: Proposal) -> None:
    busy, quiet = Station.objects.get(code="QH-01"), Station.objects.get(code="QH-02")
    client = client_for(factories.planner())
    listed = list(client.get(reverse("reports:station", args=["QH-01"])).context["proposals"])
    assert [p.pk for p in listed] == [proposal.pk]
    assert listed[0].arriving == proposal.moves.filter(destination=busy).count() > 0
    assert listed[0].leaving == proposal.moves.filter(origin=busy).count()
    other = list(client.get(reverse("reports:station", args=["QH-02"])).context["proposals"])
    assert bool(other) == proposal.moves.filter(origin=quiet).exists()


def test_a_chief_sees_his_people_and_no_one_elses(small_county: County) -> None:
    client = client_for(factories.chief(Station.objects.get(code="QH-01")))
    page = client.get(reverse("reports:station", args=["QH-01"])).content.decode()
    elsewhere = Person.objects.filter(assignments__unit__station__code="QH-02").values_list("number", flat=True)
    assert not any(f"<td>{number}</td>" in page for number in elsewhere)
    assert client.get(reverse("reports:station", args=["QH-02"])).status_code == 404


def test_station_page_queries_do_not_grow_with_its_people(small_county: County, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    client = client_for(factories.planner())
    path = reverse("reports:station", args=["QH-01"])
    client.get(path)
    with CaptureQueriesContext(connection) as before:
        client.get(path)
    busy = Station.objects.get(code="QH-01")
    for _n in range(10):
        factories.place(factories.person(), busy)
    with django_assert_num_queries(len(before.captured_queries)):
        response = client.get(path)
    assert len(response.context["people"]) == 16
