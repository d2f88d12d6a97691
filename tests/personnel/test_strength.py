"""Nominal strength counts who is on the books; effective strength counts who is at the post."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from personnel.models import Person
from personnel.selectors import stations_with_strength
from stations.models import Station
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def test_effective_and_nominal_strength() -> None:
    county = factories.county()
    here = factories.station(county_row=county)
    elsewhere = factories.station(county_row=county)
    officer = factories.place  # for brevity below

    officer(factories.person(), here, start=dt.date(2020, 1, 1))
    officer(factories.person(post=Person.Post.COMMUNITY_OFFICER), here, unit_kind="community")
    officer(factories.person(status=Person.Status.SECONDED, seconded_to="县委巡察办"), here)
    officer(factories.person(status=Person.Status.LONG_LEAVE), here)
    officer(factories.person(status=Person.Status.LEFT), here)
    officer(factories.person(kind=Person.Kind.AUXILIARY_DUTY), here, unit_kind="command")
    officer(factories.person(kind=Person.Kind.AUXILIARY_CLERICAL, post=Person.Post.AUX_CLERK, status="training"), here)
    # moved away last month: counts at the other station only
    gone = factories.person()
    officer(gone, here, start=dt.date(2019, 1, 1), end_date=dt.date(2026, 5, 1))
    officer(gone, elsewhere, start=dt.date(2026, 5, 1))
    # arrives next month: not counted yet
    officer(factories.person(), here, start=dt.date(2026, 7, 1))

    rows = {s.pk: s for s in stations_with_strength(Station.objects.all(), on=TODAY)}
    assert rows[here.pk].nominal_officers == 4  # active, community, seconded, long leave
    assert rows[here.pk].effective_officers == 2
    assert rows[here.pk].community_officers == 1
    assert rows[here.pk].nominal_auxiliaries == 2
    assert rows[here.pk].effective_auxiliaries == 1
    assert (rows[elsewhere.pk].nominal_officers, rows[elsewhere.pk].effective_officers) == (1, 1)


def test_the_named_person_queries_agree_with_the_station_counts() -> None:
    station = factories.station()
    for status in (Person.Status.ACTIVE, Person.Status.ACTIVE, Person.Status.TRAINING, Person.Status.LEFT):
        factories.place(factories.person(status=status), station)
    people = Person.objects.assigned_to(station, TODAY).officers()
    row = stations_with_strength(Station.objects.filter(pk=station.pk), on=TODAY).get()
    assert people.on_books().count() == row.nominal_officers == 3
    assert people.at_post().count() == row.effective_officers == 2


def test_strength_of_every_station_is_one_query() -> None:
    county = factories.county()
    for _ in range(5):
        station = factories.station(county_row=county)
        for _ in range(3):
            factories.place(factories.person(), station)
    with CaptureQueriesContext(connection) as queries:
        rows = list(stations_with_strength(Station.objects.all(), on=TODAY))
    assert len(rows) == 5
    assert len(queries) == 1
