"""The holiday calendar: the official 2025 and 2026 dates, day kinds for the solver, and the loader."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from rosters.calendar import HOLIDAY, WEEKEND, WORK, day_kind, profile_weekday
from rosters.models import CalendarDay, Roster, ShiftPattern
from rosters.problem import problem_build
from rosters.services import roster_create
from stations.models import Station

pytestmark = pytest.mark.django_db


def kinds(year: int) -> dict[dt.date, str]:
    return dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))


def test_2026_official_dates_are_in_every_database() -> None:
    days = kinds(2026)
    spring = [dt.date(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)]
    assert all(days[d] == "holiday" for d in spring)  # 春节: 15-23 February, 9 days
    assert days[dt.date(2026, 2, 14)] == days[dt.date(2026, 2, 28)] == "makeup"
    assert days[dt.date(2026, 1, 4)] == "makeup"  # 元旦 1-3 January, Sunday 4 worked
    assert [d for d, k in days.items() if k == "makeup"] == [
        dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28),
        dt.date(2026, 5, 9), dt.date(2026, 9, 20), dt.date(2026, 10, 10),
    ]  # fmt: skip
    assert sum(1 for k in days.values() if k == "holiday") == 3 + 9 + 3 + 5 + 3 + 3 + 7
    # 13 statutory days a year since the 2024 revision (除夕 and 2 May added).
    assert CalendarDay.objects.filter(date__year=2026, statutory=True).count() == 13


def test_2025_official_dates_are_in_every_database() -> None:
    days = kinds(2025)
    assert days[dt.date(2025, 1, 28)] == days[dt.date(2025, 2, 4)] == "holiday"  # 除夕 to 初七
    assert days[dt.date(2025, 1, 26)] == days[dt.date(2025, 2, 8)] == days[dt.date(2025, 4, 27)] == "makeup"
    assert all(days[dt.date(2025, 10, d)] == "holiday" for d in range(1, 9))  # National Day + Mid-Autumn, 8 days
    assert days[dt.date(2025, 9, 28)] == days[dt.date(2025, 10, 11)] == "makeup"
    assert dt.date(2025, 1, 2) not in days  # New Year 2025 is one day only, no make-up
    assert CalendarDay.objects.filter(date__year=2025, statutory=True).count() == 13


def test_day_kinds_follow_the_calendar_over_the_weekday() -> None:
    exceptions = {dt.date(2026, 2, 14): "makeup", dt.date(2026, 2, 16): "holiday"}
    assert day_kind(dt.date(2026, 2, 14), exceptions) == WORK  # a Saturday worked
    assert day_kind(dt.date(2026, 2, 16), exceptions) == HOLIDAY  # a Monday off
    assert day_kind(dt.date(2026, 2, 21), exceptions) == WEEKEND
    assert day_kind(dt.date(2026, 2, 10), exceptions) == WORK
    # Holidays are expected to see Sunday's calls, make-up Saturdays Monday's.
    assert profile_weekday(dt.date(2026, 2, 16), HOLIDAY) == 6
    assert profile_weekday(dt.date(2026, 2, 14), WORK) == 0


def test_the_calendar_feeds_day_kinds_to_the_solver(station: Station, three8: ShiftPattern) -> None:
    roster = roster_create(station=station, pattern=three8, start_date=dt.date(2026, 9, 28), days=14)
    problem = problem_build(roster).problem
    assert problem.day_kinds[:3] == ("work", "work", "work")  # Mon 28 - Wed 30 September
    assert problem.day_kinds[3:10] == ("holiday",) * 7  # 1-7 October
    assert problem.day_kinds[12] == "work"  # Saturday 10 October, a make-up working day
    assert problem.day_kinds[13] == "weekend"
    assert problem.first_weekday == 0


def test_a_planner_edit_of_the_calendar_changes_the_next_roster(station: Station, three8: ShiftPattern) -> None:
    CalendarDay.objects.create(date=dt.date(2026, 11, 4), kind="holiday", name="县庆")
    roster = roster_create(station=station, pattern=three8, start_date=dt.date(2026, 11, 2), days=7)
    assert problem_build(roster).problem.day_kinds[2] == "holiday"
    assert Roster.objects.count() == 1


def test_load_holidays_restores_the_official_list() -> None:
    CalendarDay.objects.filter(date=dt.date(2026, 10, 7)).delete()
    CalendarDay.objects.filter(date=dt.date(2026, 10, 10)).update(kind="holiday", name="错")
    CalendarDay.objects.create(date=dt.date(2026, 12, 31), kind="holiday", name="自加")
    call_command("load_holidays", "--year", "2026")
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 7)).kind == "holiday"  # missing day added back
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == "holiday"  # without --replace: kept
    call_command("load_holidays", "--year", "2026", "--replace")
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == "makeup"
    assert not CalendarDay.objects.filter(date=dt.date(2026, 12, 31)).exists()


def test_load_holidays_refuses_an_unknown_year() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No official list for \\[2030\\]"):
        call_command("load_holidays", "--year", "2030")


def test_a_planner_edits_the_calendar_in_the_admin_and_it_is_audited(client) -> None:  # type: ignore[no-untyped-def]
    from audit.models import AuditEvent
    from tests import factories

    planner = factories.planner()
    client.force_login(planner)
    day = CalendarDay.objects.get(date=dt.date(2026, 10, 10))
    response = client.post(
        f"/admin/rosters/calendarday/{day.pk}/change/",
        {"date": "2026-10-10", "kind": "holiday", "name": "国庆节", "statutory": ""},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="roster.calendar_change")
    assert (event.before["kind"], event.after["kind"], event.username) == ("makeup", "holiday", planner.username)
    client.force_login(factories.auditor())
    assert client.post(f"/admin/rosters/calendarday/{day.pk}/change/", {"date": "2026-10-10"}).status_code == 403
