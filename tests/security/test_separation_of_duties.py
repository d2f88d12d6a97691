"""Separation of duties: whoever started an allocation run does not approve its proposal."""

from __future__ import annotations

import datetime as dt

import pytest

from allocation.models import AllocationRun, MoveStatus, Proposal, ProposalStatus, ProposedMove
from allocation.services import ProposalRefused, proposal_approve
from personnel.models import Assignment
from tests import factories
from workload.selectors import standards_default

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal() -> Proposal:
    county = factories.county()
    origin = factories.station(county_row=county)
    destination = factories.station(county_row=county)
    person = factories.person()
    assignment = factories.place(person, origin)
    starter = factories.planner()
    run = AllocationRun.objects.create(county=county, standards=standards_default(), max_moves=1, created_by=starter)
    proposal = Proposal.objects.create(run=run, objective=0)
    ProposedMove.objects.create(
        proposal=proposal, person=person, origin=origin, destination=destination, destination_team="case",
        origin_assignment=assignment, status=MoveStatus.ACCEPTED,
    )  # fmt: skip
    return proposal


def test_the_planner_who_started_the_run_cannot_approve_its_proposal(proposal: Proposal) -> None:
    starter = proposal.run.created_by
    with pytest.raises(ProposalRefused, match="another planner must approve"):
        proposal_approve(proposal=proposal, effective_date=dt.date(2026, 12, 1), by=starter)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT and Assignment.objects.count() == 1


def test_another_planner_approves_it(proposal: Proposal) -> None:
    assert proposal_approve(proposal=proposal, effective_date=dt.date(2026, 12, 1), by=factories.planner()) == 1
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED


def test_the_rule_can_be_switched_off_for_a_one_planner_bureau(proposal: Proposal, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JINGLI_SEPARATE_APPROVER = False
    assert proposal_approve(proposal=proposal, effective_date=dt.date(2026, 12, 1), by=proposal.run.created_by) == 1
