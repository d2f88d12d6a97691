"""Issue 8 point 5 for rosters: a chief editing a roster while it is regenerated loses no edit.

The rule (rosters/services.py): cell edits are refused with a clear message while a generation holds the
roster; a change that still reaches the cells meanwhile (a leave approved during the run) is kept, and
the run's result is not written over it. Real PostgreSQL, the generation in another thread with its own
connection, as a worker would run it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, transaction

from audit.models import AuditEvent
from personnel.models import Leave, User
from rosters.models import GenerationStatus, Roster, ShiftPattern
from rosters.problem import cells_of, problem_build
from rosters.services import RosterRefused, cell_set, leave_approve, roster_generate_execute
from rosters.solver import check
from stations.models import Station
from tests import factories
from tests.rosters.conftest import START, make_roster

# Long enough that the solver is still at work when the edit arrives (it runs to its time limit on a
# four-week roster; the test checks that it was indeed still running).
SOLVE_SECONDS = 6.0

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Holds a generation between its solve and its write until the test opens the gate.

    The race under test is "a change lands while the solver works"; on a fast machine the solver may
    finish before the test's change, so the real solver runs and then waits here, which is the widest
    form of the same window (the write comes after the change, whatever the solve took).
    """
    import rosters.services

    opened = threading.Event()
    real_solve = rosters.services.solve

    def solve_then_wait(*args: Any, **kwargs: Any) -> Any:
        solution = real_solve(*args, **kwargs)
        assert opened.wait(timeout=120), "the test never opened the gate"
        return solution

    monkeypatch.setattr(rosters.services, "solve", solve_then_wait)
    yield opened
    opened.set()


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=1) as executor:
        yield executor


def _run_generation(roster_id: int) -> Roster | None:
    try:
        return roster_generate_execute(roster_id, time_limit=SOLVE_SECONDS)
    finally:
        connection.close()  # the thread's own connection


def _start(pool: ThreadPoolExecutor, roster: Roster) -> Future[Roster | None]:
    Roster.objects.filter(pk=roster.pk).update(generation=GenerationStatus.QUEUED)
    future = pool.submit(_run_generation, roster.pk)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        roster.refresh_from_db()
        if roster.generation == GenerationStatus.RUNNING and roster.message != "loading":
            return future  # claimed, loaded and solving
        assert not future.done(), future.result()
        time.sleep(0.05)
    raise AssertionError("the generation never started")


def _some_accepted_edit(roster: Roster, by: User) -> tuple[int, dt.date, str]:
    """Put someone off duty on an extra shift: the first such edit the service accepts (it decides)."""
    context = problem_build(roster)
    cells = cells_of(roster)
    for person in sorted(context.names):
        for day in range(roster.days):
            if (person, day) in cells:
                continue
            for code in sorted(context.shifts):
                try:
                    cell_set(roster=roster, person_id=person, day=context.date_of(day), shift_code=code, by=by)
                except RosterRefused:
                    continue
                return person, context.date_of(day), code
    raise AssertionError("no edit accepted anywhere")


class _Probe(Exception):
    pass


def _approvable_leave_day(roster: Roster, by: User) -> tuple[int, int]:
    context = problem_build(roster)
    for person, day in sorted(cells_of(roster)):
        try:
            with transaction.atomic():
                leave = Leave.objects.create(
                    person_id=person,
                    kind=Leave.Kind.ANNUAL,
                    start_date=context.date_of(day),
                    end_date=context.date_of(day),
                )
                leave_approve(leave=leave, by=by)
                raise _Probe
        except _Probe:
            return person, day
        except RosterRefused:
            continue
    raise AssertionError("no approvable leave day")


def test_an_edit_while_the_roster_is_generated_is_refused_then_kept_after(
    pool: ThreadPoolExecutor, station: Station, three8: ShiftPattern, chief: User, gate: threading.Event
) -> None:
    roster = make_roster(station, three8, by=chief, days=28)
    future = _start(pool, roster)
    person = roster.members.filter(officer=True, leader=False).values_list("person_id", flat=True)[0]
    with pytest.raises(RosterRefused, match="being generated; wait until it is done"):
        cell_set(roster=roster, person_id=person, day=START, shift_code="D", by=chief)
    assert not future.done(), "the generation finished before the edit: the test proved nothing"
    gate.set()
    generated = future.result(timeout=120)
    assert generated is not None and generated.generation == GenerationStatus.SUCCEEDED, generated
    # Once it is done an edit goes through, and stays: the finished run writes nothing more.
    person, day, code = _some_accepted_edit(generated, chief)
    time.sleep(1.0)
    assert cells_of(generated)[(person, (day - START).days)] == code
    generated.refresh_from_db()
    assert generated.generation == GenerationStatus.SUCCEEDED


def test_a_leave_approved_while_the_roster_is_generated_is_not_overwritten(
    pool: ThreadPoolExecutor, station: Station, three8: ShiftPattern, chief: User, gate: threading.Event
) -> None:
    roster = make_roster(station, three8, by=chief, days=28)
    # A first generation gives the cells; the second runs while the chief approves a leave.
    Roster.objects.filter(pk=roster.pk).update(generation=GenerationStatus.QUEUED)
    gate.set()
    first = roster_generate_execute(roster.pk, time_limit=2)
    gate.clear()
    assert first is not None and first.generation == GenerationStatus.SUCCEEDED
    cells = cells_of(first)
    context = problem_build(first)
    # Someone with a shift on a day whose shifts keep their cover without him: the leave is approvable.
    # Found beforehand by approving and rolling back, so the leave itself lands while the run solves.
    person, day = _approvable_leave_day(first, chief)
    future = _start(pool, first)
    leave = Leave.objects.create(
        person_id=person, kind=Leave.Kind.ANNUAL, start_date=context.date_of(day), end_date=context.date_of(day)
    )
    granted = leave_approve(leave=leave, by=chief)
    assert granted is not None and granted.status == Leave.Status.APPROVED
    assert not future.done(), "the generation finished before the leave: the test proved nothing"
    after_leave = cells_of(first)
    assert (person, day) in cells and (person, day) not in after_leave
    gate.set()
    result = future.result(timeout=120)
    assert result is not None
    # The run's result was not written over the leave: the cells are those the leave left, and the
    # roster says why its generation did not save, in the audit trail too.
    assert cells_of(result) == after_leave
    assert result.generation == GenerationStatus.FAILED
    assert "changed while it was being generated" in result.error
    assert AuditEvent.objects.filter(action="roster.generated", outcome="failure").count() == 1
    # Generating again starts from the kept change and keeps the person off on his leave day.
    Roster.objects.filter(pk=result.pk).update(generation=GenerationStatus.QUEUED)
    again = roster_generate_execute(result.pk, time_limit=2)
    assert again is not None and again.generation == GenerationStatus.SUCCEEDED
    assert (person, day) not in cells_of(again)
    assert check(problem_build(again).problem, cells_of(again)) == []


@pytest.mark.redis
def test_with_a_real_worker_the_chiefs_edit_and_leave_survive_a_regeneration(
    celery_worker_process, station: Station, three8: ShiftPattern
) -> None:
    """The same through the page's path: roster_generate queues the Celery task, a real worker runs it."""
    from rosters.services import roster_generate

    chief = factories.chief(station)
    roster = make_roster(station, three8, by=chief, days=28)
    Roster.objects.filter(pk=roster.pk).update(generation=GenerationStatus.QUEUED)
    first = roster_generate_execute(roster.pk, time_limit=2)
    assert first is not None
    person, day = _approvable_leave_day(first, chief)
    Roster.objects.filter(pk=roster.pk).update(time_limit=int(SOLVE_SECONDS))
    roster_generate(roster=first, by=chief)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        first.refresh_from_db()
        if first.generation == GenerationStatus.RUNNING and first.message not in ("", "loading"):
            break
        time.sleep(0.1)
    assert first.generation == GenerationStatus.RUNNING, (first.generation, first.error)
    with pytest.raises(RosterRefused, match="being generated"):
        cell_set(roster=first, person_id=person, day=START, shift_code=None, by=chief)
    context = problem_build(first)
    leave = Leave.objects.create(
        person_id=person, kind=Leave.Kind.ANNUAL, start_date=context.date_of(day), end_date=context.date_of(day)
    )
    leave_approve(leave=leave, by=chief)
    kept = cells_of(first)
    assert (person, day) not in kept
    while time.monotonic() < deadline and first.is_generating:
        time.sleep(0.2)
        first.refresh_from_db()
    # The worker is another process, so the test cannot hold it between solve and write (the thread
    # tests above do): it either finished before the leave (then the leave simply applied to its
    # result) or it finished after, found the cells changed and saved nothing. Either way the leave
    # stands and no cell of the chief's is lost.
    if first.generation == GenerationStatus.FAILED:
        assert "changed while it was being generated" in first.error
        assert cells_of(first) == kept
    else:
        assert first.generation == GenerationStatus.SUCCEEDED, (first.generation, first.error)
    assert (person, day) not in cells_of(first)
