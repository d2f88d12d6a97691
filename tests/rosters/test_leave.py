"""Leave is approved only when every roster the person is on still covers its shifts without them."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from personnel.models import Leave, User
from rosters.models import Roster, RosterCell, ShiftDemand
from rosters.problem import cells_of
from rosters.services import (
    RosterRefused,
    demand_override,
    leave_approve,
    leave_reject,
    roster_approve,
    roster_publish,
    roster_submit,
)
from stations.models import Station
from tests import factories
from tests.rosters.conftest import START

pytestmark = pytest.mark.django_db


def request_for(person_id: int, index: int) -> Leave:
    day = START.replace(day=START.day + index)
    return Leave.objects.create(person_id=person_id, kind="annual", start_date=day, end_date=day)


def a_cell(roster: Roster, *, officer: bool) -> tuple[int, int, str]:
    cells = cells_of(roster)
    ids = set(roster.members.filter(officer=officer).values_list("person_id", flat=True))
    (person, index), code = next((k, c) for k, c in sorted(cells.items()) if k[0] in ids)
    return person, index, code


def test_leave_that_would_leave_a_shift_short_is_refused_with_the_reason(roster: Roster, chief: User) -> None:
    person, index, code = a_cell(roster, officer=True)
    leave = request_for(person, index)
    with pytest.raises(RosterRefused) as info:
        leave_approve(leave=leave, by=chief)
    day = START.replace(day=START.day + index)
    assert any(f"Shift {code} on {day} would be short of 1" in reason for reason in info.value.reasons)
    leave.refresh_from_db()
    assert leave.status == Leave.Status.REQUESTED
    assert (person, index) in cells_of(roster)
    refusal = AuditEvent.objects.get(action="leave.approve")
    assert refusal.outcome == AuditEvent.Outcome.REFUSED
    assert refusal.get_outcome_display() == "refused by a rule"  # a defined outcome, filterable on /audit/


def test_leave_is_approved_when_coverage_holds_and_the_shift_is_taken_off(roster: Roster, chief: User) -> None:
    person, index, code = a_cell(roster, officer=False)
    day = START.replace(day=START.day + index)
    demand = ShiftDemand.objects.get(roster=roster, day=day, shift__code=code)
    demand_override(demand=demand, required=demand.required - 1, reason="集市取消", by=chief)
    leave = leave_approve(leave=request_for(person, index), by=chief)
    assert leave.status == Leave.Status.APPROVED
    assert not RosterCell.objects.filter(roster=roster, person_id=person, day=day).exists()
    assert not roster.shortfalls.filter(day=day, shift__code=code).exists()


def test_leave_on_a_day_off_is_approved_without_change(roster: Roster, chief: User) -> None:
    cells = cells_of(roster)
    member = roster.members.first()
    assert member is not None
    index = next(i for i in range(roster.days) if (member.person_id, i) not in cells)
    assert leave_approve(leave=request_for(member.person_id, index), by=chief).status == Leave.Status.APPROVED
    assert cells_of(roster) == cells


def test_a_published_roster_must_be_revised_first(roster: Roster, chief: User, second_chief: User) -> None:
    roster_submit(roster=roster, by=chief)
    roster_approve(roster=roster, by=second_chief)
    roster_publish(roster=roster, by=chief)
    person, index, _code = a_cell(roster, officer=False)
    with pytest.raises(RosterRefused) as info:
        leave_approve(leave=request_for(person, index), by=chief)
    assert "make a new version first" in info.value.reasons[0]


def test_only_the_persons_chief_decides_and_a_refusal_needs_a_reason(
    roster: Roster, chief: User, other_station: Station
) -> None:
    person, index, _code = a_cell(roster, officer=False)
    leave = request_for(person, index)
    with pytest.raises(RosterRefused, match="Only a chief of the person's station"):
        leave_approve(leave=leave, by=factories.chief(other_station))
    with pytest.raises(RosterRefused, match="Say why"):
        leave_reject(leave=leave, by=chief, reason="")
    assert leave_reject(leave=leave, by=chief, reason="春运保障").status == Leave.Status.REJECTED


def test_the_leave_page_shows_why_it_was_refused(client, roster: Roster, chief: User) -> None:  # type: ignore[no-untyped-def]
    person, index, code = a_cell(roster, officer=True)
    leave = request_for(person, index)
    client.force_login(chief)
    listing = client.get("/rosters/leave/")
    assert leave in listing.context["leaves"]
    response = client.post(f"/rosters/leave/{leave.pk}/decide/", {"choice": "approve"}, follow=True)
    assert "coverage would not hold" in response.text and f"Shift {code}" in response.text
