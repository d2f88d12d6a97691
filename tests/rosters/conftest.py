"""A small station for roster tests: two leaders, eight officers and four auxiliaries in the command room,
with no measured workload (so demand is the post minimums: 1 desk officer + 1 first-standby crew of 2).

Rosters here are a week long and solved with a short time budget, so each test solves in seconds.
"""

from __future__ import annotations

import datetime as dt

import pytest

from personnel.models import Person, User
from rosters.models import Roster, ShiftPattern
from rosters.services import roster_create, roster_generate_execute
from stations.models import Station
from tests import factories

START = dt.date(2026, 11, 2)  # a Monday
TIME_LIMIT = 1


@pytest.fixture
def station(db: None) -> Station:
    row = factories.station(code="QH-01", name="城关派出所")
    for post in (Person.Post.CHIEF, Person.Post.DEPUTY_CHIEF):
        factories.place(factories.person(post=post, rank=Person.Rank.INSPECTOR_3), row, unit_kind="leadership")
    for _n in range(8):
        factories.place(factories.person(post=Person.Post.COMMAND_OFFICER), row, unit_kind="command")
    for _n in range(4):
        factories.place(factories.person(kind=Person.Kind.AUXILIARY_DUTY), row, unit_kind="command")
    return row


@pytest.fixture
def other_station(db: None) -> Station:
    row = factories.station(code="QH-02", name="石门乡派出所", kind="rural")
    factories.place(factories.person(post=Person.Post.COMMAND_OFFICER), row, unit_kind="command")
    return row


@pytest.fixture
def chief(station: Station) -> User:
    return factories.chief(station)


@pytest.fixture
def second_chief(station: Station) -> User:
    """The political instructor's account: a second chief of the same station, who may approve."""
    return factories.chief(station)


@pytest.fixture
def three8() -> ShiftPattern:
    return ShiftPattern.objects.get(code="THREE8", station__isnull=True)


def make_roster(
    station: Station, pattern: ShiftPattern, *, by: User | None = None, days: int = 7, start: dt.date = START
) -> Roster:
    return roster_create(station=station, pattern=pattern, start_date=start, days=days, by=by, time_limit=TIME_LIMIT)


def generate(roster: Roster) -> Roster:
    """Generate in this process, as the command does (the Celery path has its own tests)."""
    Roster.objects.filter(pk=roster.pk).update(generation=Roster.Generation.QUEUED)
    result = roster_generate_execute(roster.pk, time_limit=TIME_LIMIT)
    assert result is not None
    return result


@pytest.fixture
def roster(station: Station, three8: ShiftPattern, chief: User) -> Roster:
    """A generated week of three 8-hour shifts at the station, still a draft."""
    return generate(make_roster(station, three8, by=chief))


@pytest.fixture
def client(client):  # type: ignore[no-untyped-def]
    """Pages in English, as the services' messages are asserted; Chinese pages are asked for explicitly."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
