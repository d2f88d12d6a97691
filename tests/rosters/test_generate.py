"""Generation: hard rules kept, shortfalls exact, continuity and stability, the command, the task."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from personnel.models import Leave, Person, User
from rosters.models import GenerationStatus, Roster, RosterShortfall, ShiftPattern
from rosters.problem import cells_of, problem_build
from rosters.services import (
    RosterRefused,
    roster_approve,
    roster_create,
    roster_generate,
    roster_publish,
    roster_submit,
)
from rosters.solver import check
from stations.models import Station
from tests import factories
from tests.rosters.conftest import START, generate, make_roster


@pytest.mark.django_db
def test_a_generated_roster_breaks_no_hard_rule_and_stores_what_is_short(roster: Roster) -> None:
    context = problem_build(roster)
    cells = cells_of(roster)
    assert cells and check(context.problem, cells) == []
    assert roster.generation == GenerationStatus.SUCCEEDED and roster.progress == 100
    # Every day has its duty leader on the day shift, and every shift its officers.
    leaders = set(roster.members.filter(leader=True).values_list("person_id", flat=True))
    assert all(any(p in leaders and code == "D" for (p, d), code in cells.items() if d == day) for day in range(7))
    assert RosterShortfall.objects.filter(roster=roster).count() == 0


@pytest.mark.django_db
def test_a_station_too_small_gets_exactly_its_shortfalls(other_station: Station, three8: ShiftPattern) -> None:
    # One officer for a week of three shifts needing 3 people (2 officers) each and a leader by day.
    roster = generate(make_roster(other_station, three8))
    short = Counter()
    for row in RosterShortfall.objects.filter(roster=roster):
        short[row.kind] += row.missing
    worked = len(cells_of(roster))
    assert worked == 6  # at most 6 days in a row, 48 hours a week
    assert short == {"people": 7 * 3 * 3 - worked, "officers": 7 * 3 * 2 - worked, "leaders": 7}


@pytest.mark.django_db
def test_regenerating_after_one_leave_moves_few_cells(roster: Roster) -> None:
    before = cells_of(roster)
    (person, index), _code = sorted(before.items())[0]
    day = START + dt.timedelta(days=index)
    Leave.objects.create(person_id=person, kind="sick", start_date=day, end_date=day, status="approved")
    after = cells_of(generate(roster))
    assert (person, index) not in after
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert 1 <= len(changed) <= 6, changed


@pytest.mark.django_db
def test_the_next_period_continues_from_the_last_days_of_the_previous_one(
    roster: Roster, chief: User, second_chief: User, station: Station, three8: ShiftPattern
) -> None:
    roster_submit(roster=roster, by=chief)
    roster_approve(roster=roster, by=second_chief)
    roster_publish(roster=roster, by=chief)
    following = make_roster(station, three8, by=chief, start=START + dt.timedelta(days=7))
    context = problem_build(following)
    previous = cells_of(roster)
    for worker in context.problem.workers:
        assert worker.history == tuple(previous.get((worker.id, d)) for d in range(7))
    generated = generate(following)
    # Rest, successions and runs are checked across the boundary, through the history.
    assert check(problem_build(generated).problem, cells_of(generated)) == []


@pytest.mark.django_db
def test_group_rotation_gives_each_group_a_leader_and_its_days(station: Station) -> None:
    pattern = ShiftPattern.objects.get(code="DUTY24-3")
    roster = make_roster(station, pattern, days=6)
    groups = Counter(roster.members.filter(leader=True).values_list("group", flat=True))
    assert sorted(groups) == [0, 1] and roster.members.filter(group__isnull=True).count() == 0
    officers = Counter(roster.members.filter(officer=True, leader=False).values_list("group", flat=True))
    assert sorted(officers.values()) == [2, 3, 3]
    context = problem_build(roster)
    wishes = {w.id: {r.day for r in w.requests if r.on} for w in context.problem.workers}
    member = roster.members.get(position=0)
    assert wishes[member.person_id] == {i for i, d in enumerate(roster.dates()) if d.toordinal() % 3 == member.group}


@pytest.mark.django_db
def test_the_command_prints_json_with_the_shortfalls(other_station: Station) -> None:
    for _n in range(2):  # three officers, no leader: every shift short of people, every day of its leader
        factories.place(factories.person(post=Person.Post.COMMAND_OFFICER), other_station, unit_kind="command")
    out = io.StringIO()
    call_command(
        "generate_roster", "--station", other_station.code, "--start", "2026-11-02", "--days", "3",
        "--time-limit", "2", "--json", stdout=out,
    )  # fmt: skip
    summary = json.loads(out.getvalue())
    roster = Roster.objects.get(pk=summary["roster"])
    assert (summary["station"], summary["pattern"], summary["days"], summary["status"]) == (
        other_station.code, "THREE8", 3, "draft",
    )  # fmt: skip
    assert summary["cells"] == roster.cells.count() == 9  # each officer every day, no more
    missing = Counter()
    for row in summary["shortfalls"]:
        missing[row["kind"]] += row["missing"]
    # 3 days × 3 shifts of 3 people (2 officers, a leader by day) against 9 officer-shifts.
    assert missing == {"people": 27 - 9, "officers": 18 - 9, "leaders": 3}
    assert len(summary["shortfalls"]) == RosterShortfall.objects.filter(roster=roster).count()
    assert {"day": "2026-11-02", "shift": "N", "kind": "leaders", "missing": 1} not in summary["shortfalls"]
    assert {"day": "2026-11-02", "shift": "D", "kind": "leaders", "missing": 1} in summary["shortfalls"]
    # Again: the same draft is regenerated, not duplicated.
    call_command("generate_roster", "--station", other_station.code, "--start", "2026-11-02", "--days", "3",
                 "--time-limit", "2", "--json", stdout=io.StringIO())  # fmt: skip
    assert Roster.objects.count() == 1
    # make run: --unless-exists leaves an existing roster alone, whatever its state.
    out = io.StringIO()
    call_command(
        "generate_roster", "--station", other_station.code, "--start", "2026-11-02", "--unless-exists", stdout=out
    )
    assert f"Roster #{roster.pk} already exists" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--station", "NOPE", "--start", "2026-11-02"], "No station with code 'NOPE'"),
        (["--station", "QH-02", "--start", "2026-13-01"], "--start must be a date"),
        (["--station", "QH-02", "--start", "2026-11-02", "--pattern", "X"], "No pattern 'X' at QH-02; available:"),
        (["--station", "QH-02", "--start", "2026-11-02", "--days", "90"], "A roster covers 1 to 62 days"),
    ],
)
def test_the_command_refuses_bad_input_clearly(other_station: Station, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("generate_roster", *args)
    assert Roster.objects.count() == 0


@pytest.mark.django_db
def test_the_page_creates_and_generates_a_roster(  # type: ignore[no-untyped-def]
    client, station: Station, chief: User, three8: ShiftPattern, tasks_in_process, django_capture_on_commit_callbacks
) -> None:
    client.force_login(chief)
    form = client.get("/rosters/").context["form"]
    assert form is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rosters/new/", {"pattern": three8.pk, "start_date": "2026-11-02", "days": 2})
    roster = Roster.objects.get()
    assert response.status_code == 302 and response.url == f"/rosters/{roster.pk}/"
    assert roster.generation == GenerationStatus.SUCCEEDED and roster.cells.exists()
    status = client.get(f"/rosters/{roster.pk}/status/").json()
    assert status == {
        "status": "succeeded", "status_display": "Generated", "progress": 100,
        "message": roster.message, "finished": True,
    }  # fmt: skip


@pytest.mark.postgres
@pytest.mark.redis
def test_a_real_worker_generates_the_roster_and_reports_progress(celery_worker_process, station: Station) -> None:  # type: ignore[no-untyped-def]
    chief = factories.chief(station)
    roster = make_roster(station, ShiftPattern.objects.get(code="THREE8", station__isnull=True), by=chief, days=3)
    roster_generate(roster=roster, by=chief)  # committed at once: transactional_db
    deadline = time.monotonic() + 90
    seen = set()
    while time.monotonic() < deadline:
        roster.refresh_from_db()
        seen.add(roster.generation)
        if not roster.is_generating:
            break
        time.sleep(0.2)
    assert roster.generation == GenerationStatus.SUCCEEDED, roster.error
    assert roster.progress == 100 and roster.cells.count() > 0
    assert check(problem_build(roster).problem, cells_of(roster)) == []
    # Delivered again (a lost acknowledgement), the task leaves the generated roster alone.
    from rosters.tasks import generate_roster

    cells = cells_of(roster)
    generate_roster.delay(roster.pk)
    time.sleep(2)
    assert cells_of(roster) == cells
    assert Person.objects.count() == 14


@pytest.mark.django_db
def test_a_personal_request_reaches_the_solver_and_is_honoured(  # type: ignore[no-untyped-def]
    client, station: Station, three8: ShiftPattern, chief: User
) -> None:
    roster = make_roster(station, three8, by=chief)
    person = roster.members.filter(officer=True, leader=False).values_list("person_id", flat=True)[0]
    client.force_login(chief)
    for index in range(3):  # three days off in a row, weight 10 each
        day = START + dt.timedelta(days=index)
        response = client.post(
            f"/rosters/{roster.pk}/requests/",
            {"person": person, "day": day.isoformat(), "shift": "", "weight": 10, "reason": "探亲"},
        )
        assert response.status_code == 302
    worker = next(w for w in problem_build(roster).problem.workers if w.id == person)
    assert sorted(r.day for r in worker.requests if not r.on and r.shift is None and r.weight == 10) == [0, 1, 2]
    generated = generate(roster)
    assert not {(person, 0), (person, 1), (person, 2)} & set(cells_of(generated))
    assert generated.penalties["requests"] == 0
    client.force_login(factories.planner())
    assert client.post(f"/rosters/{roster.pk}/requests/", {"person": person, "day": "2026-11-02"}).status_code == 403


@pytest.mark.django_db
def test_a_generation_left_running_by_a_dead_worker_can_be_queued_again(
    roster: Roster,
    chief: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from django.utils import timezone

    from rosters.services import RosterRefused

    Roster.objects.filter(pk=roster.pk).update(generation=GenerationStatus.RUNNING, updated_at=timezone.now())
    with pytest.raises(RosterRefused, match="already being generated"):
        roster_generate(roster=roster, by=chief)
    Roster.objects.filter(pk=roster.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks() as callbacks:
        assert roster_generate(roster=roster, by=chief).generation == GenerationStatus.QUEUED
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_the_page_takes_the_solver_time_limit_and_refuses_one_out_of_range(  # type: ignore[no-untyped-def]
    client, station: Station, chief: User, three8: ShiftPattern, tasks_in_process, django_capture_on_commit_callbacks
) -> None:
    client.force_login(chief)
    for bad in ("0", "301"):
        response = client.post(
            "/rosters/new/",
            {"pattern": three8.pk, "start_date": "2026-11-02", "days": 2, "time_limit": bad},
            follow=True,
        )
        assert response.redirect_chain == [("/rosters/", 302)]
        # The message names the field as the form labels it, not by its internal name.
        shown = [str(m) for m in response.context["messages"]]
        assert len(shown) == 1 and shown[0].startswith("solver time limit (s): Ensure this value is"), shown
    assert Roster.objects.count() == 0
    with pytest.raises(RosterRefused, match="time limit is 1 to 300 seconds"):
        make_roster_with_limit(station, three8, chief, 0)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/rosters/new/", {"pattern": three8.pk, "start_date": "2026-11-02", "days": 2, "time_limit": 1})
    roster = Roster.objects.get()
    assert roster.time_limit == 1 and roster.generation == GenerationStatus.SUCCEEDED


def make_roster_with_limit(station: Station, pattern: ShiftPattern, by: User, limit: int) -> Roster:
    return roster_create(
        station=station, pattern=pattern, start_date=dt.date(2026, 11, 9), days=2, by=by, time_limit=limit
    )
