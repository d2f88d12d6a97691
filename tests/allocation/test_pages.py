"""The review pages: planners start runs and decide; chiefs read and comment on their station's moves;
auditors read; everyone else's station stays out of sight."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from allocation.models import AllocationRun, MoveComment, MoveStatus, Proposal, ProposalStatus, ProposedMove
from allocation.services import move_decide
from audit.models import AuditEvent
from personnel.models import Assignment
from personnel.services import assignment_start
from stations.models import Station, Unit
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]


@pytest.fixture
def proposal(county) -> Proposal:  # type: ignore[no-untyped-def]
    call_command("run_allocation", "--county", "QH", "--max-moves", "4", stdout=io.StringIO())
    return Proposal.objects.get()


def client_for(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_a_planner_starts_a_run_from_the_page_and_follows_it(county) -> None:  # type: ignore[no-untyped-def]
    planner = factories.planner()
    client = client_for(planner)
    page = client.get(reverse("allocation:runs"))
    assert page.status_code == 200 and "Start a run" in page.content.decode()
    form = page.context["form"]
    response = client.post(
        reverse("allocation:runs"),
        {
            "county": county.pk,
            "max_moves": 3,
            "standards": form.fields["standards"].initial,
            "recent_move_months": 6,
        },
    )
    run = AllocationRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("allocation:run", kwargs={"pk": run.pk})
    assert run.status == "succeeded" and run.created_by == planner and run.parameters["recent_move_months"] == 6
    status = client.get(reverse("allocation:run_status", kwargs={"pk": run.pk})).json()
    assert status["finished"] and status["progress"] == 100
    assert status["message"] == f"{run.proposal.moves.count()} moves proposed"
    listing = client.get(reverse("allocation:runs")).content.decode()
    assert reverse("allocation:proposal", kwargs={"pk": run.proposal.pk}) in listing


def test_bad_run_parameters_are_refused_with_the_field_named(county) -> None:  # type: ignore[no-untyped-def]
    client = client_for(factories.planner())
    response = client.post(reverse("allocation:runs"), {"county": county.pk, "max_moves": -1, "recent_move_months": 6})
    assert response.status_code == 200 and response.context["form"].errors["max_moves"]
    assert not AllocationRun.objects.exists()


@pytest.mark.parametrize("who", ["auditor", "chief"])
def test_readers_cannot_start_a_run(county, who: str) -> None:  # type: ignore[no-untyped-def]
    user = factories.auditor() if who == "auditor" else factories.chief(Station.objects.get(code="QH-01"))
    response = client_for(user).post(reverse("allocation:runs"), {"county": county.pk, "max_moves": 3})
    assert response.status_code == 403 and not AllocationRun.objects.exists()


def test_the_proposal_page_shows_moves_charts_rules_and_explanations(proposal: Proposal) -> None:
    page = client_for(factories.planner()).get(reverse("allocation:proposal", kwargs={"pk": proposal.pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("<svg") == 2  # before/after per station, trade-off curve
    moves = list(proposal.moves.select_related("person"))
    assert all(m.person.name in body for m in moves)
    assert "years in post" in body and "Need against strength, before and after" in body
    assert "Approve and apply the accepted moves" in body


def test_filters_narrow_the_moves(proposal: Proposal) -> None:
    client = client_for(factories.planner())
    url = reverse("allocation:proposal", kwargs={"pk": proposal.pk})
    total = proposal.moves.count()
    assert len(client.get(url).context["moves"]) == total
    first = proposal.moves.order_by("pk").first()
    move_decide(move=first, accept=False, reason="kept for the festival")
    rejected = client.get(url, {"status": MoveStatus.REJECTED}).context["moves"]
    assert [r["move"].pk for r in rejected] == [first.pk]
    officers = client.get(url, {"kind": "officer"}).context["moves"]
    assert all(r["move"].person.is_officer for r in officers)
    assert (
        len(client.get(url, {"station": "QH-02"}).context["moves"])
        == proposal.moves.filter(origin__code="QH-02").count()
        + proposal.moves.filter(destination__code="QH-02").count()
    )
    team = first.destination_team
    assert {r["move"].destination_team for r in client.get(url, {"team": team}).context["moves"]} == {team}


def test_a_planner_decides_approves_and_is_told_plainly_when_refused(proposal: Proposal) -> None:
    planner = factories.planner()
    client = client_for(planner)
    moves = list(proposal.moves.order_by("pk"))
    decide = [reverse("allocation:move_decide", kwargs={"proposal_pk": proposal.pk, "pk": m.pk}) for m in moves]
    page = client.post(decide[0], {"decision": "reject", "reason": ""}, follow=True)
    assert "Say why the move is rejected." in page.content.decode()
    client.post(decide[0], {"decision": "reject", "reason": "needed at home"})
    for url in decide[1:]:
        client.post(url, {"decision": "accept"})
    assert ProposedMove.objects.get(pk=moves[0].pk).status == MoveStatus.REJECTED
    approve = reverse("allocation:proposal_approve", kwargs={"pk": proposal.pk})
    page = client.post(approve, {"effective_date": "2026-12-01"}, follow=True)
    assert f"Approved: {len(moves) - 1} people move on 2026-12-01." in page.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED and proposal.effective_date == dt.date(2026, 12, 1)
    again = client_for(factories.planner()).post(approve, {"effective_date": "2026-12-01"}, follow=True)
    assert f"Already applied by {planner.username}" in again.content.decode()


def test_a_stale_proposal_names_who_changed(proposal: Proposal) -> None:
    for move in proposal.moves.all():
        move_decide(move=move, accept=True)
    person = proposal.moves.select_related("person").first().person
    assignment_start(
        person=person,
        unit=Station.objects.get(code="QH-02").units.get(kind=Unit.Kind.COMMAND),
        start_date=dt.date(2026, 11, 1),
    )
    history = Assignment.objects.count()
    page = client_for(factories.planner()).post(
        reverse("allocation:proposal_approve", kwargs={"pk": proposal.pk}),
        {"effective_date": "2026-12-01"},
        follow=True,
    )
    assert f"Stale: changed since the run: {person.name} ({person.number})" in page.content.decode()
    assert Assignment.objects.count() == history


def test_rejecting_the_proposal_needs_a_reason(proposal: Proposal) -> None:
    client = client_for(factories.planner())
    url = reverse("allocation:proposal_reject", kwargs={"pk": proposal.pk})
    assert "Say why the proposal is rejected." in client.post(url, {"reason": ""}, follow=True).content.decode()
    client.post(url, {"reason": "wait for the recruits"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_reason) == (ProposalStatus.REJECTED, "wait for the recruits")


def test_a_chief_reads_his_stations_moves_and_comments(proposal: Proposal) -> None:
    quiet = Station.objects.get(code="QH-02")
    chief = factories.chief(quiet)
    client = client_for(chief)
    page = client.get(reverse("allocation:proposal", kwargs={"pk": proposal.pk}))
    assert page.status_code == 200
    shown = {r["move"].pk for r in page.context["moves"]}
    assert shown == set(proposal.moves.filter(origin=quiet).values_list("pk", flat=True)) and shown
    assert "Approve and apply" not in page.content.decode()
    assert [r["code"] for r in page.context["rows"]] == ["QH-02"]
    move = proposal.moves.filter(origin=quiet).first()
    url = reverse("allocation:move_comment", kwargs={"proposal_pk": proposal.pk, "pk": move.pk})
    client.post(url, {"text": "他是所里唯一的驾驶员"})
    comment = MoveComment.objects.get()
    assert (comment.move, comment.author, comment.text) == (move, chief, "他是所里唯一的驾驶员")
    event = AuditEvent.objects.get(action="allocation.move_comment")
    assert event.username == chief.username and event.after["text"] == "他是所里唯一的驾驶员"
    detail = client.get(reverse("allocation:move", kwargs={"proposal_pk": proposal.pk, "pk": move.pk}))
    assert "他是所里唯一的驾驶员" in detail.content.decode()
    # Read-only: deciding is refused and changes nothing.
    decide = reverse("allocation:move_decide", kwargs={"proposal_pk": proposal.pk, "pk": move.pk})
    assert client.post(decide, {"decision": "accept"}).status_code == 403
    assert ProposedMove.objects.get(pk=move.pk).status == MoveStatus.PENDING


def test_another_stations_chief_finds_nothing(proposal: Proposal) -> None:
    elsewhere = factories.station(county_row=Station.objects.get(code="QH-01").county, code="QH-09")
    client = client_for(factories.chief(elsewhere))
    move = proposal.moves.first()
    assert client.get(reverse("allocation:proposal", kwargs={"pk": proposal.pk})).status_code == 404
    assert client.get(reverse("allocation:move", kwargs={"proposal_pk": proposal.pk, "pk": move.pk})).status_code == 404
    url = reverse("allocation:move_comment", kwargs={"proposal_pk": proposal.pk, "pk": move.pk})
    assert client.post(url, {"text": "看看"}).status_code == 404
    assert client.get(reverse("allocation:run", kwargs={"pk": proposal.run_id})).status_code == 404
    assert not client.get(reverse("allocation:runs")).context["page"].object_list
    assert not MoveComment.objects.exists()


def test_a_chief_of_one_end_does_not_see_moves_between_other_stations(proposal: Proposal) -> None:
    busy = Station.objects.get(code="QH-01")
    quiet = Station.objects.get(code="QH-02")
    client = client_for(factories.chief(quiet))
    hidden = proposal.moves.exclude(origin=quiet).exclude(destination=quiet).first()
    if hidden is None:  # every move touches the quiet station here; make one that does not
        other = factories.station(county_row=busy.county, code="QH-03")
        hidden = proposal.moves.filter(origin=quiet).first()
        ProposedMove.objects.filter(pk=hidden.pk).update(origin=other)
    url = reverse("allocation:move", kwargs={"proposal_pk": proposal.pk, "pk": hidden.pk})
    assert client.get(url).status_code == 404


def test_an_auditor_reads_everything_and_changes_nothing(proposal: Proposal) -> None:
    client = client_for(factories.auditor())
    move = proposal.moves.first()
    page = client.get(reverse("allocation:proposal", kwargs={"pk": proposal.pk}))
    assert page.status_code == 200 and len(page.context["moves"]) == proposal.moves.count()
    assert "Approve and apply" not in page.content.decode() and 'name="decision"' not in page.content.decode()
    for name, data in (
        ("allocation:move_decide", {"decision": "accept"}),
        ("allocation:move_comment", {"text": "ok"}),
    ):
        assert client.post(reverse(name, kwargs={"proposal_pk": proposal.pk, "pk": move.pk}), data).status_code == 403
    for name, data in (
        ("allocation:proposal_approve", {"effective_date": "2026-12-01"}),
        ("allocation:proposal_reject", {"reason": "no"}),
    ):
        assert client.post(reverse(name, kwargs={"pk": proposal.pk}), data).status_code == 403
    assert client.post(reverse("allocation:run_cancel", kwargs={"pk": proposal.run_id})).status_code == 403
    assert Proposal.objects.get().status == ProposalStatus.DRAFT and not MoveComment.objects.exists()


def test_anonymous_visitors_go_to_the_login_page(proposal: Proposal) -> None:
    response = Client().get(reverse("allocation:proposal", kwargs={"pk": proposal.pk}))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_proposal_page_costs_the_same_queries_whatever_the_number_of_moves(county) -> None:  # type: ignore[no-untyped-def]
    client = client_for(factories.planner())
    counts = []
    for budget in (1, 6):
        call_command("run_allocation", "--county", "QH", "--max-moves", str(budget), stdout=io.StringIO())
        proposal = Proposal.objects.order_by("-pk").first()
        move = proposal.moves.first()
        MoveComment.objects.create(move=move, author=factories.planner(), text="noted")
        client.get(reverse("allocation:proposal", kwargs={"pk": proposal.pk}))  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("allocation:proposal", kwargs={"pk": proposal.pk})).status_code == 200
        counts.append((proposal.moves.count(), len(queries)))
    (few, few_queries), (many, many_queries) = counts
    assert few < many
    assert few_queries == many_queries <= 12


def test_the_pages_speak_chinese(proposal: Proposal) -> None:
    client = client_for(factories.planner(), language="zh-hans")
    body = client.get(reverse("allocation:proposal", kwargs={"pk": proposal.pk})).content.decode()
    assert "任现职" in body and "批准并执行已接受的调动" in body
    assert "years in post" not in body
