"""A planner runs an allocation and decides it, in a real browser.

From the allocation pages: start a run, follow it to its proposal, filter the moves, accept some,
reject one (a reason is required, and asked for when missing), approve with an effective date and see
the people moved; an approval sent from a page opened before the decision is refused with who decided
and when. Every page is checked for labels and sideways scrolling at 1280 px; console errors fail it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from allocation.models import AllocationRun, MoveStatus, Proposal, ProposalStatus
from audit.models import AuditEvent
from personnel.models import Assignment
from tests.browser.conftest import JourneyCounty, check_page, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "zh-CN": {
        "runs": "警力配置运行",
        "reason_needed": "请说明拒绝该项调动的理由。",
        "approved": "已批准：",
        "already": "已由 approver 于",
        "separation": "须由另一名规划人员审批其方案",
        "no_match": "没有符合条件的调动。",
    },
    "en-US": {
        "runs": "Allocation runs",
        "reason_needed": "Say why the move is rejected.",
        "approved": "Approved:",
        "already": "Already applied by approver at",
        "separation": "another planner must approve its proposal",
        "no_match": "No move matches.",
    },
}


def messages(page: Any) -> str:
    return page.inner_text("ul.messages") if page.locator("ul.messages").count() else ""


def decide(page: Any, row: Any, decision: str, reason: str = "") -> None:
    if reason:
        row.locator("input[name=reason]").fill(reason)
    with page.expect_navigation():
        row.locator(f"button[name=decision][value={decision}]").click()
    check_page(page)


@pytest.mark.parametrize("language", ["zh-CN", "en-US"])
def test_a_planner_runs_reviews_and_approves_an_allocation(
    login_as: Callable[..., Any], journey_county: JourneyCounty, language: str
) -> None:
    words = WORDS[language]
    shoot = language == "zh-CN"  # the README shows the Chinese pages
    page = login_as("planner", language)

    # Start a run from the runs page; the run page follows it and offers the proposal once it is done.
    page.goto(page.base + "/allocation/")
    check_page(page)
    assert words["runs"] in page.inner_text("h1")
    page.select_option("#id_county", label=journey_county.county.name)
    page.fill("#id_max_moves", "4")
    page.fill("#id_recent_move_months", "12")
    with page.expect_navigation():
        page.click("form.run-form button[type=submit]")
    run = AllocationRun.objects.order_by("-pk").first()
    assert run is not None and run.created_by == journey_county.users["planner"]
    assert page.url.endswith(f"/allocation/runs/{run.pk}/")
    review = page.locator("a.button[href*='/allocation/proposals/']")
    review.wait_for(timeout=30_000)  # the page reloads itself when the run ends
    check_page(page)
    if shoot:
        screenshot(page, "allocation-run")
    with page.expect_navigation():
        review.click()
    check_page(page)
    proposal = Proposal.objects.get(run=run)
    moves = list(proposal.moves.select_related("person", "destination", "origin").order_by("pk"))
    assert len(moves) >= 3, "the county needs at least three moves for this journey"
    table = page.locator("table.moves tbody tr[id^=move-]")
    assert table.count() == len(moves)
    assert page.locator("svg").count() == 2  # before/after and the trade-off curve
    if shoot:
        screenshot(page, "allocation-proposal")

    # Filter by destination station: only the moves touching it stay; then a filter that matches none.
    target = moves[0].destination
    page.select_option("#id_station", target.code)
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    check_page(page)
    touching = [m for m in moves if target.pk in (m.origin_id, m.destination_id)]
    assert table.count() == len(touching)
    page.select_option("#id_status", MoveStatus.REJECTED)
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert table.count() == 0 and words["no_match"] in page.inner_text("table.moves")
    with page.expect_navigation():
        page.click("form.filters a")  # all moves
    assert table.count() == len(moves)

    # Accept all but the last; reject the last one, first without a reason (refused), then with one.
    for move in moves[:-1]:
        decide(page, page.locator(f"#move-{move.pk}"), "accept")
    last = page.locator(f"#move-{moves[-1].pk}")
    decide(page, last, "reject")
    assert words["reason_needed"] in messages(page)
    assert proposal.moves.get(pk=moves[-1].pk).status == MoveStatus.PENDING
    decide(page, page.locator(f"#move-{moves[-1].pk}"), "reject", reason="离岗位太远 / too far from home")
    statuses = dict(proposal.moves.values_list("pk", "status"))
    assert statuses == {m.pk: MoveStatus.ACCEPTED for m in moves[:-1]} | {moves[-1].pk: MoveStatus.REJECTED}
    assert "too far from home" in page.locator(f"#move-{moves[-1].pk}").inner_text()

    # The planner who started the run may not approve its proposal (separation of duties).
    effective = timezone.localdate() + dt.timedelta(days=10)
    page.fill("#id_effective_date", effective.isoformat())
    with page.expect_navigation():
        page.click(f"form[action$='/proposals/{proposal.pk}/approve/'] button")
    assert words["separation"] in messages(page)
    proposal.refresh_from_db()
    assert proposal.status != ProposalStatus.APPLIED

    # Another planner approves; a second tab of his, opened before the decision, keeps its form.
    proposal_url = page.url.split("?")[0]
    page = login_as("approver", language)
    page.goto(proposal_url)
    stale = page.context.new_page()
    stale.goto(proposal_url)

    # Approve with an effective date: the accepted people move on that day, the rejected one stays.
    page.fill("#id_effective_date", effective.isoformat())
    with page.expect_navigation():
        page.click(f"form[action$='/proposals/{proposal.pk}/approve/'] button")
    check_page(page)
    assert words["approved"] in messages(page) and effective.isoformat() in messages(page)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPLIED and proposal.effective_date == effective
    assert page.locator(f"h1 .status.{ProposalStatus.APPLIED}").count() == 1
    assert page.locator("form[action$='/approve/']").count() == 0  # decided: no more forms
    for move in moves:
        latest = Assignment.objects.filter(person=move.person).order_by("-start_date", "-pk").first()
        assert latest is not None
        moved = latest.unit.station_id == move.destination_id and latest.start_date == effective
        assert moved == (move in moves[:-1])

    # The stale tab's approval is refused, and says who decided; nothing changes.
    stale.fill("#id_effective_date", (effective + dt.timedelta(days=1)).isoformat())
    with stale.expect_navigation():
        stale.click(f"form[action$='/proposals/{proposal.pk}/approve/'] button")
    refusal = messages(stale)
    assert words["already"] in refusal, refusal
    proposal.refresh_from_db()
    assert proposal.effective_date == effective
    assert AuditEvent.objects.filter(action="allocation.proposal_apply", object_id=str(proposal.pk)).count() == 1
