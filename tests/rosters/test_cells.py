"""Editing a cell: checked at once against every hard rule, refused with the reasons, audited when done."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import translation

from audit.models import AuditEvent
from personnel.models import Leave, Person, User
from rosters.models import Roster, RosterCell, ShiftPattern
from rosters.problem import cells_of, problem_build
from rosters.services import RosterRefused, cell_set, roster_submit
from rosters.solver import check
from stations.models import Station
from tests import factories
from tests.rosters.conftest import START, make_roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty(station: Station, three8: ShiftPattern, chief: User) -> Roster:
    """A week's draft with no cell yet: every edit adds, so only the hard rules can refuse it."""
    return make_roster(station, three8, by=chief)


def member(roster: Roster, *, officer: bool = True, leader: bool = False) -> int:
    return (
        roster.members.filter(officer=officer, leader=leader)
        .order_by("position")
        .values_list("person_id", flat=True)[0]
    )


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def refused(roster: Roster, person: int, on: dt.date, code: str | None, by: User) -> list[str]:
    with pytest.raises(RosterRefused) as info:
        cell_set(roster=roster, person_id=person, day=on, shift_code=code, by=by)
    return info.value.reasons


def test_an_evening_then_a_day_shift_is_refused_with_both_reasons(empty: Roster, chief: User) -> None:
    officer = member(empty)
    cell_set(roster=empty, person_id=officer, day=day(0), shift_code="E", by=chief)
    reasons = refused(empty, officer, day(1), "D", chief)
    assert any("forbidden succession" in r for r in reasons)
    assert any("rest less than 11 hours before shift D on 2026-11-03" in r for r in reasons)
    assert RosterCell.objects.filter(roster=empty, person_id=officer).count() == 1  # nothing changed


def test_a_shift_on_a_leave_day_is_refused(empty: Roster, chief: User) -> None:
    officer = member(empty)
    Leave.objects.create(person_id=officer, kind="annual", start_date=day(2), end_date=day(3), status="approved")
    (reason,) = refused(empty, officer, day(3), "D", chief)
    name = Person.objects.get(pk=officer).name
    assert reason == f"{name} is on leave or absent on 2026-11-05."


def test_a_seventh_day_in_a_row_is_refused(empty: Roster, chief: User) -> None:
    officer = member(empty)
    for n in range(6):
        cell_set(roster=empty, person_id=officer, day=day(n), shift_code="D", by=chief)
    reasons = refused(empty, officer, day(6), "D", chief)
    assert any("more than 6 days in a row" in r for r in reasons)
    assert any("more than 48 hours in the week" in r for r in reasons)


def test_an_auxiliary_alone_on_a_shift_is_refused(empty: Roster, chief: User) -> None:
    auxiliary = member(empty, officer=False)
    (reason,) = refused(empty, auxiliary, day(0), "N", chief)
    assert "is an auxiliary and would be on shift N on 2026-11-02 with no officer" in reason
    cell_set(roster=empty, person_id=member(empty), day=day(0), shift_code="N", by=chief)
    cell_set(roster=empty, person_id=auxiliary, day=day(0), shift_code="N", by=chief)  # now with an officer
    assert Counter(cells_of(empty).values()) == {"N": 2}


def test_taking_someone_off_a_fully_covered_shift_is_refused(roster: Roster, chief: User) -> None:
    context = problem_build(roster)
    cells = cells_of(roster)
    assert check(context.problem, cells) == []
    on_shift = Counter((d, code) for (_p, d), code in cells.items())
    cover = {(c.day, c.shift): c.min_people for c in context.problem.cover}
    (person, index), code = next(
        (key, code) for key, code in sorted(cells.items()) if on_shift[(key[1], code)] == cover[(key[1], code)]
    )
    reasons = refused(roster, person, day(index), None, chief)
    assert f"Shift {code} on {day(index)} would be short of 1 person." in reasons
    with translation.override("zh-hans"):
        reasons = refused(roster, person, day(index), None, chief)
    assert f"{day(index)} 的 {code} 班将缺少 1 人。" in reasons
    assert not any("名人" in reason for reason in reasons)  # once "short of 1 people", worded as a celebrity


def test_an_accepted_edit_is_stored_and_audited(empty: Roster, chief: User) -> None:
    officer = member(empty)
    change = cell_set(roster=empty, person_id=officer, day=day(1), shift_code="N", by=chief)
    assert (change.before, change.after) == (None, "N")
    cell = RosterCell.objects.select_related("shift").get(roster=empty, person_id=officer)
    assert (cell.day, cell.shift.code) == (day(1), "N")
    event = AuditEvent.objects.get(action="roster.cell_set")
    assert event.before == {"person": officer, "day": "2026-11-03", "shift": None}
    assert event.after["shift"] == "N" and event.username == chief.username and event.station_id == empty.station_id


def test_only_a_draft_is_edited_and_only_by_its_stations_chief(
    roster: Roster, chief: User, other_station: Station
) -> None:
    officer = member(roster)
    with pytest.raises(RosterRefused, match="Only a chief of this station"):
        cell_set(roster=roster, person_id=officer, day=day(0), shift_code=None, by=factories.chief(other_station))
    with pytest.raises(RosterRefused, match="Only a chief of this station"):
        cell_set(roster=roster, person_id=officer, day=day(0), shift_code=None, by=factories.planner())
    roster_submit(roster=roster, by=chief)
    with pytest.raises(RosterRefused, match="make a new version"):
        cell_set(roster=roster, person_id=officer, day=day(0), shift_code=None, by=chief)


def test_the_page_shows_the_refusal_with_its_reasons(client, empty: Roster, chief: User) -> None:  # type: ignore[no-untyped-def]
    officer = member(empty)
    cell_set(roster=empty, person_id=officer, day=day(0), shift_code="E", by=chief)
    client.force_login(chief)
    url = f"/rosters/{empty.pk}/cell/"
    response = client.post(url, {"person": officer, "day": "2026-11-03", "shift": "D"}, follow=True)
    assert response.status_code == 200
    assert "This change is refused:" in response.text and "forbidden succession" in response.text
    json = client.post(
        url, {"person": officer, "day": "2026-11-03", "shift": "D"}, headers={"accept": "application/json"}
    )
    assert json.status_code == 409 and any("forbidden succession" in r for r in json.json()["reasons"])
    chinese = client.post(
        url, {"person": officer, "day": "2026-11-03", "shift": "D"}, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True
    )
    assert "此修改被拒绝：" in chinese.text and "禁止的班次衔接" in chinese.text


def test_the_explanation_is_in_the_readers_language(empty: Roster, chief: User) -> None:
    from django.utils import translation

    officer = member(empty)
    cell_set(roster=empty, person_id=officer, day=day(0), shift_code="E", by=chief)
    with translation.override("zh-hans"), pytest.raises(RosterRefused) as info:
        cell_set(roster=empty, person_id=officer, day=day(1), shift_code="D", by=chief)
    assert str(info.value) == "此修改被拒绝："
    assert any("禁止的班次衔接" in reason for reason in info.value.reasons)
    assert any("休息将不足 11 小时" in reason for reason in info.value.reasons)
