"""Who may move: leaders, people moved recently (a run parameter), people flagged not movable and
people not at their post stay; the qualification rule is kept or reported."""

from __future__ import annotations

import datetime as dt

import pytest

from allocation.engine import Instance, Member, Place, Rules, solve
from allocation.inputs import county_instance
from personnel.models import Person
from personnel.services import assignment_start
from stations.models import County, Station, Unit
from tests import factories
from workload.selectors import standards_default

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 20)


def instance_of(county: County, months: int) -> tuple[Instance, dict[int, str]]:
    return county_instance(county, standards=standards_default(), rules=Rules(), recent_move_months=months, on=ON)


def test_recently_moved_people_stay_for_the_months_the_planner_chose(county) -> None:  # type: ignore[no-untyped-def]
    quiet = Station.objects.get(code="QH-02")
    person = factories.person(post=Person.Post.CASE_OFFICER)
    factories.place(person, Station.objects.get(code="QH-01"), unit_kind="case", start=dt.date(2020, 1, 1))
    assignment_start(person=person, unit=quiet.units.get(kind=Unit.Kind.CASE), start_date=dt.date(2026, 6, 1))
    members = {m.id: m for m in instance_of(county, 12)[0].members}
    assert not members[person.pk].movable and instance_of(county, 12)[1][person.pk] == "moved recently"
    assert {m.id: m for m in instance_of(county, 3)[0].members}[person.pk].movable  # 5½ months ago: free again


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"status": Person.Status.SECONDED}, "not at post"),
        ({"status": Person.Status.LONG_LEAVE}, "not at post"),
        ({"movable": False}, "flagged not movable"),
        ({"post": Person.Post.CHIEF, "rank": Person.Rank.INSPECTOR_3}, "leader"),
    ],
)
def test_people_who_may_not_move_are_fixed_and_say_why(county, change: dict[str, object], why: str) -> None:  # type: ignore[no-untyped-def]
    person = factories.person(**change)
    factories.place(person, Station.objects.get(code="QH-02"), unit_kind="case")
    instance, fixed = instance_of(county, 12)
    member = next(m for m in instance.members if m.id == person.pk)
    assert not member.movable and fixed[person.pk].startswith(why)
    if "status" in change:
        assert not member.at_post  # seconded and long-absent people do not count in strength


def test_the_case_team_gets_qualified_officers_or_the_shortage_is_reported() -> None:
    places = [
        Place(1, "BUSY", True, need=6, officer_need=6, case_need=3),
        Place(2, "QUIET", True, need=2, officer_need=2, case_need=0),
    ]
    members = [
        *[Member(i, 1, True, qualified=False) for i in range(1, 6)],
        Member(10, 2, True, qualified=True),
        Member(11, 2, True, qualified=False),
        *[Member(20 + i, 2, True, qualified=False) for i in range(4)],
    ]
    rules = Rules(max_moves=3, min_officers=0, min_community_share=0, min_investigator_share=0)
    solution = solve(Instance(places, members, rules))
    assert 10 in [m.member for m in solution.moves if m.destination == 1]  # the only qualified officer
    short = {(v.rule, v.place): v.amount for v in solution.violations}
    assert short == {("qualified", "BUSY"): 2.0}


def test_the_station_share_and_community_share_are_reported_when_they_cannot_hold() -> None:
    places = [Place(1, "S1", True, need=1, officer_need=1), Place(2, "HQ", False)]
    members = [Member(1, 1, True), *[Member(10 + i, 2, True, movable=False) for i in range(5)]]
    rules = Rules(max_moves=5, min_officers=1, min_investigator_share=0, min_qualified_share=0)
    rules_hold = {(v.rule, v.place) for v in solve(Instance(places, members, rules)).violations}
    assert rules_hold == {("community_share", "S1"), ("station_share", "")}
