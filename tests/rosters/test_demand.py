"""Demand per shift: Erlang C crews over the shift's hours, post minimums, auxiliaries, overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import AuditEvent
from personnel.models import User
from rosters.demand import PatternRules, ShiftSpec, shift_demand
from rosters.models import Roster, ShiftDemand, ShiftPattern
from rosters.services import RosterRefused, demand_override, roster_create
from stations.models import Station
from tests import factories
from tests.rosters.conftest import START, make_roster
from workload.aggregate import cells_refresh
from workload.selectors import crews_by_hour, hour_of_week_profile, standards_default, workload_window

RULES = PatternRules(
    crew_size=2, desk_persons=1, standby_crews=1, leader_daily=True, auxiliaries_allowed=True, workdays_only=False
)
DAY = ShiftSpec("D", 8, 8, True)
EVENING = ShiftSpec("E", 16, 8, False)
NIGHT = ShiftSpec("N", 20, 12, False)


def crews(peak_hour_of_week: int, peak: int) -> list[int]:
    values = [0] * 168
    values[peak_hour_of_week] = peak
    return values


def test_a_shift_takes_the_busiest_of_its_hours_plus_the_desk() -> None:
    friday = dt.date(2026, 11, 6)
    figures = crews(4 * 24 + 20, 3)  # Friday 20:00-21:00 needs 3 crews
    (day, evening) = shift_demand([friday], ["work"], [DAY, EVENING], figures, RULES)
    assert (evening.crews, evening.people, evening.officers, evening.leaders) == (3, 1 + 3 * 2, 1 + 3, 0)
    # No call in the day shift's hours: the first-standby crew and the desk remain, and the duty leader.
    assert (day.crews, day.people, day.officers, day.leaders) == (1, 3, 2, 1)


def test_a_night_shift_past_midnight_reads_the_next_days_hours() -> None:
    friday = dt.date(2026, 11, 6)
    figures = crews(5 * 24 + 3, 4)  # Saturday 03:00
    (night,) = shift_demand([friday], ["work"], [NIGHT], figures, RULES)
    assert night.crews == 4


def test_without_auxiliaries_every_place_is_an_officers() -> None:
    rules = PatternRules(2, 1, 1, True, auxiliaries_allowed=False, workdays_only=False)
    (evening,) = shift_demand([dt.date(2026, 11, 6)], ["work"], [EVENING], crews(4 * 24 + 20, 3), rules)
    assert evening.people == evening.officers == 7


def test_every_shift_has_at_least_one_officer() -> None:
    rules = PatternRules(
        1, desk_persons=0, standby_crews=0, leader_daily=False, auxiliaries_allowed=True, workdays_only=False
    )
    (day,) = shift_demand([dt.date(2026, 11, 2)], ["work"], [DAY], [0] * 168, rules)
    assert (day.people, day.officers) == (1, 1)


def test_public_holidays_are_read_as_sundays_and_office_hours_skip_rest_days() -> None:
    national_day = dt.date(2026, 10, 1)  # a Thursday
    sunday_evening = crews(6 * 24 + 18, 5)
    (evening,) = shift_demand([national_day], ["holiday"], [EVENING], sunday_evening, RULES)
    assert evening.crews == 5
    office = PatternRules(1, 0, 0, False, True, workdays_only=True)
    dates = [dt.date(2026, 10, 1), dt.date(2026, 10, 10), dt.date(2026, 10, 11)]
    rows = shift_demand(dates, ["holiday", "work", "weekend"], [DAY], [1] * 168, office)
    assert [r.day for r in rows] == [dt.date(2026, 10, 10)]  # only the make-up Saturday


def test_roster_demand_comes_from_the_stations_erlang_c_crews(station: Station, three8: ShiftPattern) -> None:
    factories.incidents(station, 4000, category="ZA01", minutes=90, people=2, months=10)
    cells_refresh()
    standards = standards_default()
    window = workload_window([station.pk], standards)
    assert window is not None
    expected = crews_by_hour(hour_of_week_profile(station.pk, window), standards, minimum=0)
    roster = make_roster(station, three8)
    rows = {(r.day, r.shift.code): r for r in ShiftDemand.objects.filter(roster=roster).select_related("shift")}
    assert len(rows) == 7 * 3
    monday_evening = rows[(START, "E")]
    assert monday_evening.crews == max(1, max(expected[16:24]))
    assert monday_evening.computed == 1 + monday_evening.crews * 2
    assert monday_evening.officers == 1 + monday_evening.crews
    assert rows[(START, "D")].leaders == 1 and rows[(START, "N")].leaders == 0
    assert max(r.crews for r in rows.values()) > 1  # the calls matter, not only the minimums


def test_the_chief_overrides_a_figure_with_a_reason_and_it_is_audited(roster: Roster, chief: User) -> None:
    row = ShiftDemand.objects.get(roster=roster, day=START, shift__code="E")
    with pytest.raises(RosterRefused, match="Say why"):
        demand_override(demand=row, required=5, reason=" ", by=chief)
    demand_override(demand=row, required=5, reason="周一晚集市", by=chief)
    row.refresh_from_db()
    assert (row.required, row.computed, row.override_reason, row.overridden_by) == (5, 3, "周一晚集市", chief)
    event = AuditEvent.objects.filter(action="roster.demand_override").get()
    assert event.before["required"] == 3 and event.after["required"] == 5 and event.username == chief.username
    # Five people needed now: the shortfall list says so until someone is added.
    short = roster.shortfalls.filter(day=START, shift__code="E", kind="people").get()
    assert (short.required, short.assigned) == (5, 3)
    demand_override(demand=row, required=None, reason="", by=chief)
    row.refresh_from_db()
    assert row.required == 3 and not roster.shortfalls.filter(day=START, shift__code="E").exists()


def test_a_planner_cannot_override_demand(roster: Roster) -> None:
    row = ShiftDemand.objects.filter(roster=roster).first()
    assert row is not None
    with pytest.raises(RosterRefused, match="Only a chief"):
        demand_override(demand=row, required=4, reason="x", by=factories.planner())


def test_rosters_only_for_stations_and_only_once_per_period(station: Station, three8: ShiftPattern) -> None:
    make_roster(station, three8)
    with pytest.raises(RosterRefused, match="already exists"):
        make_roster(station, three8)
    department = factories.station(kind=Station.Kind.DEPARTMENT)
    with pytest.raises(RosterRefused, match="no duty roster"):
        roster_create(station=department, pattern=three8, start_date=START, days=7)
