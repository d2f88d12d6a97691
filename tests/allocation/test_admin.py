"""The admin review: planners accept moves and approve; auditors and chiefs cannot decide."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from allocation.models import MoveStatus, Proposal, ProposalStatus, ProposedMove
from stations.models import Station
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]


@pytest.fixture
def proposal(county) -> Proposal:  # type: ignore[no-untyped-def]
    call_command("run_allocation", "--county", "QH", "--max-moves", "3", stdout=io.StringIO())
    return Proposal.objects.get()


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_planner_accepts_and_approves_in_the_admin(proposal: Proposal) -> None:
    client = client_for(factories.planner())
    ids = [str(pk) for pk in proposal.moves.values_list("pk", flat=True)]
    client.post(reverse("admin:allocation_proposedmove_changelist"), {"action": "accept", "_selected_action": ids})
    assert set(ProposedMove.objects.values_list("status", flat=True)) == {MoveStatus.ACCEPTED}
    client.post(
        reverse("admin:allocation_proposal_changelist"),
        {"action": "approve_from_next_month", "_selected_action": [str(proposal.pk)]},
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED and proposal.effective_date.day == 1


@pytest.mark.parametrize("who", ["auditor", "chief"])
def test_readers_cannot_decide(proposal: Proposal, who: str) -> None:
    user = factories.auditor() if who == "auditor" else factories.chief(Station.objects.get(code="QH-01"))
    client = client_for(user)
    ids = [str(pk) for pk in proposal.moves.values_list("pk", flat=True)]
    response = client.post(
        reverse("admin:allocation_proposedmove_changelist"), {"action": "accept", "_selected_action": ids}
    )
    assert response.status_code == 403
    assert set(ProposedMove.objects.values_list("status", flat=True)) == {MoveStatus.PENDING}
    # Both may read the moves; the chief sees only those touching his station (here: all of them).
    listing = client.get(reverse("admin:allocation_proposedmove_changelist"))
    assert listing.status_code == 200 and listing.context["cl"].result_count == len(ids)


def test_a_chief_does_not_see_moves_elsewhere(proposal: Proposal) -> None:
    elsewhere = factories.station(county_row=Station.objects.get(code="QH-01").county, code="QH-09")
    client = client_for(factories.chief(elsewhere))
    assert client.get(reverse("admin:allocation_proposedmove_changelist")).context["cl"].result_count == 0


def test_a_planner_starts_a_run_again_and_cancels_one_from_the_admin(proposal: Proposal) -> None:
    from allocation.models import AllocationRun

    client = client_for(factories.planner())
    url = reverse("admin:allocation_allocationrun_changelist")
    client.post(url, {"action": "start_again", "_selected_action": [str(proposal.run_id)]})
    runs = list(AllocationRun.objects.order_by("pk"))
    assert len(runs) == 2 and runs[1].status == "succeeded" and runs[1].max_moves == runs[0].max_moves
    response = client.post(url, {"action": "cancel", "_selected_action": [str(runs[1].pk)]}, follow=True)
    assert "already succeeded; there is nothing to cancel" in response.content.decode()


def test_an_auditor_cannot_start_runs_from_the_admin(proposal: Proposal) -> None:
    from allocation.models import AllocationRun

    client = client_for(factories.auditor())
    url = reverse("admin:allocation_allocationrun_changelist")
    assert client.post(url, {"action": "start_again", "_selected_action": [str(proposal.run_id)]}).status_code == 403
    assert AllocationRun.objects.count() == 1


def test_a_planner_starts_a_run_from_the_admin_and_others_cannot(county) -> None:  # type: ignore[no-untyped-def]
    from allocation.models import AllocationRun, RunStatus
    from audit.models import AuditEvent
    from stations.models import County
    from workload.selectors import standards_default

    planner = factories.planner()
    qh = County.objects.get(code="QH")
    form = {"county": qh.pk, "max_moves": 3, "standards": standards_default().pk}
    add = reverse("admin:allocation_allocationrun_add")
    assert client_for(factories.auditor()).post(add, form).status_code == 403
    assert not AllocationRun.objects.exists()
    response = client_for(planner).post(add, form)
    run = AllocationRun.objects.get()
    assert response.status_code == 302
    # Started through the service: queued, ran (tasks in process), audited under the planner.
    assert (run.county_id, run.max_moves, run.created_by) == (qh.pk, 3, planner)
    assert run.status == RunStatus.SUCCEEDED and Proposal.objects.filter(run=run).exists()
    assert AuditEvent.objects.filter(action="allocation.run_create", object_id=str(run.pk)).count() == 1
