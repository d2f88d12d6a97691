"""Need computed by hand for a small station, then through the database for the same station."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from personnel.models import Person
from stations.models import Station
from tests import factories
from workload.aggregate import cells_refresh
from workload.models import IncidentCategory, StandardsSet
from workload.need import Post, Standards, StationWorkload, compute_need
from workload.selectors import station_needs

STANDARDS = Standards(
    proactive_share=0.40,
    net_hours_per_person=1800,
    admin_minutes_per_hour=10,
    residents_per_community_officer=4000,
    min_officers=5,
    leaders=2,
    posts=(Post("desk", "command", 168, 1, True),),
)


def test_need_by_hand() -> None:
    # Six months measured: 1,200 command officer-hours (300 of them officers-only), 600 case hours,
    # 150 community hours, 240 follow-up hours; two police areas of 9,000 and 3,500 residents.
    workload = StationWorkload(
        months=6,
        officer_hours={"command": 1200.0, "case": 600.0, "community": 150.0},
        officer_only_hours={"command": 300.0, "case": 600.0},
        follow_up_hours=240.0,
        police_area_residents=(9000, 3500),
        effective_officers=9,
        effective_auxiliaries=4,
    )
    result = compute_need(workload, STANDARDS, station_kind="urban")
    # Per year: ×2. Admin adds 1/6, the proactive share keeps 0.6 of time free of calls.
    command_required = 2400 * (1 + 10 / 60) / 0.6  # 4,666.7 h
    desk = 168 * (365.25 / 7) / 1800  # 4.87 people for a 24/7 desk
    assert result.teams["command"].required_hours == pytest.approx(command_required)
    assert result.teams["command"].need == pytest.approx(command_required / 1800 + desk)
    case_required = (1200 + 480) * (1 + 10 / 60) / 0.6
    assert result.teams["case"].need == pytest.approx(case_required / 1800)
    assert result.teams["case"].officer_need == result.teams["case"].need  # cases: officers only
    # Community: 300 h/yr of work is less than the population floor ⌈9000/4000⌉ + ⌈3500/4000⌉ = 3 + 1.
    assert result.community_floor == 4
    assert result.teams["community"].need == 4
    expected_need = 2 + command_required / 1800 + desk + case_required / 1800 + 4
    assert result.need == pytest.approx(expected_need)
    assert result.gap == pytest.approx(expected_need - 13)
    officers_only_command = 600 * (1 + 10 / 60) / 0.6 / 1800 + desk
    assert result.officer_need == pytest.approx(2 + officers_only_command + case_required / 1800 + 4)
    assert result.committed_hours == pytest.approx(2400 + 1200 + 480 + 300)
    assert result.workload_per_person == pytest.approx(result.committed_hours / 13)
    assert any("raised to the floor" in line for _key, line in result.explain) is False


def test_the_floor_of_five_officers() -> None:
    quiet = StationWorkload(1, {"command": 1.0}, {}, 0.0, (800,), 3, 0)
    result = compute_need(quiet, Standards(min_officers=5, leaders=1), station_kind="rural")
    assert result.need == 5 and result.floor_applied
    assert "raised to the floor of 5" in result.explain[-1][1]


@pytest.mark.django_db
def test_station_needs_reads_the_database_in_a_constant_number_of_queries() -> None:
    county = factories.county()
    stations = [factories.station(county_row=county, kind=Station.Kind.URBAN) for _ in range(4)]
    department = factories.station(county_row=county, kind=Station.Kind.DEPARTMENT)
    theft = IncidentCategory.objects.get(code="XS01")
    for index, station in enumerate(stations):
        factories.jurisdiction(station, residents=6000)
        for _n in range(3 + index):
            factories.place(factories.person(), station)
        factories.incidents(station, 10 * (index + 1), first_month=3)
    cells_refresh()
    standards = StandardsSet.objects.get(name="national")
    with CaptureQueriesContext(connection) as queries:
        needs = station_needs(Station.objects.filter(county=county), standards=standards, on=dt.date(2026, 6, 1))
    assert len(queries) <= 6
    by_code = {n.station.code: n for n in needs}
    assert by_code[department.code].result is None
    busiest = by_code[stations[3].code].result
    quietest = by_code[stations[0].code].result
    assert busiest is not None and quietest is not None
    # One month measured, so a year is ×12; theft is case work: 40 incidents × 2 officer-hours, plus follow-up.
    assert busiest.teams["case"].reactive_hours == pytest.approx(40 * 2 * 12)
    assert busiest.teams["case"].follow_up_hours == pytest.approx(40 * theft.follow_up_hours * 12)
    assert busiest.teams["community"].need == math.ceil(6000 / 4000)
    assert busiest.need > quietest.need
    assert busiest.effective_officers == 6 and quietest.effective_officers == 3
    assert Person.objects.count() == 3 + 4 + 5 + 6


def test_the_explanation_follows_the_language() -> None:
    quiet = StationWorkload(1, {"command": 1.0}, {}, 0.0, (800,), 3, 0)
    with translation.override("zh-hans"):
        chinese = compute_need(quiet, Standards(min_officers=5, leaders=1), station_kind="rural").explain
    with translation.override("en"):
        english = compute_need(quiet, Standards(min_officers=5, leaders=1), station_kind="rural").explain
    assert (
        [line.step for line in chinese]
        == [line.step for line in english]
        == [
            "window",
            "command",
            "case",
            "community",
            "need",
        ]
    )
    assert english[0].text == "1 months measured, × 12.00 to a year"
    assert chinese[0].text == "统计 1 个月，× 12.00 折算为一年"
    assert chinese[-1].text.endswith("，按最低 5 人补足") and english[-1].text.endswith(", raised to the floor of 5")
    with translation.override("zh-hans"):
        assert chinese[3].label == "社区警务队"
    assert "小时" in chinese[1].text and "posts" not in chinese[1].text
