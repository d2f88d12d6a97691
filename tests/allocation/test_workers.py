"""Runs on real Celery workers: a city fans out one run per county; a killed worker leaves a run
that is failed (and can be started again), never a half-written proposal; cancelling stops a run."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from allocation import services
from allocation.models import AllocationRun, Proposal, ProposedMove, RunStatus
from allocation.services import run_cancel, run_create, run_group_create, runs_recover
from audit.models import AuditEvent
from personnel.models import Person
from stations.models import County, Station
from tests import factories
from tests.conftest import _database_url_for
from workload.aggregate import cells_refresh


def wait_until_finished(run: AllocationRun, seconds: float = 120) -> AllocationRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run.pk} still {run.status} after {seconds} s")


def another_worker(queue: str) -> subprocess.Popen[bytes]:
    """One more worker like the celery_worker_process fixture's, on the same queue and database."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for(connection.settings_dict["NAME"]),
        "REDIS_URL": settings.REDIS_URL,
        "JINGLI_VAR_DIR": str(settings.VAR_DIR),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--queues", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
         "--hostname", f"extra-{os.getpid()}@%h"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
    )  # fmt: skip


@pytest.fixture
def extra_workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for worker in started:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def small_county(code: str, stations: int = 3, people: int = 12) -> County:
    """A county whose first station is busy and short of people, the others quiet."""
    row = factories.county(code=code)
    places = [factories.station(county_row=row, code=f"{code}-{n:02d}") for n in range(1, stations + 1)]
    for index, station in enumerate(places):
        for n in range(3 if index == 0 else people):
            factories.place(
                factories.person(post=Person.Post.COMMUNITY_OFFICER if n % 2 else Person.Post.CASE_OFFICER),
                station,
                unit_kind="community" if n % 2 else "case",
            )
        factories.jurisdiction(station, residents=6000 if index == 0 else 2000, code=f"{station.code}-C1")
    factories.incidents(places[0], 2500, category="ZA01", months=10, prefix=f"{code}-I")
    return row


@pytest.mark.postgres
@pytest.mark.redis
def test_a_city_run_fans_out_one_run_and_one_proposal_per_county(celery_worker_process, extra_workers) -> None:  # type: ignore[no-untyped-def]
    from config.celery import app

    extra_workers.append(another_worker(app.conf.task_default_queue))
    counties = [small_county("CA"), small_county("CB"), small_county("CC")]
    cells_refresh()
    batch = run_group_create(counties=counties, max_moves=5, name="测试市")
    runs = [wait_until_finished(run) for run in batch.runs.order_by("county__code")]
    assert [r.status for r in runs] == [RunStatus.SUCCEEDED] * 3
    for run in runs:
        proposal = Proposal.objects.get(run=run)
        moves = list(proposal.moves.select_related("origin", "destination"))
        assert moves and len(moves) <= 5
        # Counties are separate problems: nobody crosses into another county.
        assert {m.origin.county_id for m in moves} | {m.destination.county_id for m in moves} == {run.county_id}
    assert AuditEvent.objects.filter(action="allocation.run_group_create").count() == 1
    # Each proposal's trade-off curve follows on the workers, in its own task.
    deadline = time.monotonic() + 180
    while Proposal.objects.filter(run__group=batch, tradeoff=[]).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    for proposal in Proposal.objects.filter(run__group=batch):
        assert proposal.tradeoff and proposal.tradeoff[-1]["moves"] == proposal.moves.count()


@pytest.mark.postgres
@pytest.mark.redis
def test_a_killed_worker_leaves_no_half_written_proposal_and_the_run_is_failed_then_rerun(  # type: ignore[no-untyped-def]
    celery_worker_process, extra_workers
) -> None:
    from config.celery import app

    county = small_county("KW", stations=14, people=14)
    cells_refresh()
    run = run_create(county=county, max_moves=60)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        row = AllocationRun.objects.filter(pk=run.pk).values("status", "progress").get()
        if row["status"] == RunStatus.RUNNING and row["progress"] >= 10:  # loading the inputs or later
            break
        time.sleep(0.01)
    os.kill(celery_worker_process.pid, signal.SIGKILL)
    celery_worker_process.wait(timeout=20)
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING, "the run finished before the worker was killed: make it bigger"
    assert not Proposal.objects.filter(run=run).exists() and not ProposedMove.objects.exists()

    # While the task could still be alive, nothing is touched; after its hard time limit it is failed.
    assert runs_recover() == 0
    later = timezone.now() + dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    assert runs_recover(now=later) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "worker" in run.error
    assert AuditEvent.objects.filter(action="allocation.run_recover", object_id=str(run.pk)).exists()

    # The planner starts it again, on a live worker.
    extra_workers.append(another_worker(app.conf.task_default_queue))
    again = wait_until_finished(run_create(county=county, max_moves=60), seconds=180)
    assert again.status == RunStatus.SUCCEEDED and Proposal.objects.filter(run=again).exists()
    assert not Proposal.objects.filter(run=run).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_in_process")
def test_a_queued_run_cancelled_is_never_solved(county) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():  # the task is sent on commit, after the cancellation
        run = run_create(county=county, max_moves=3)
        assert run_cancel(run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and not Proposal.objects.exists()
    assert not run_cancel(run=run)  # nothing left to cancel
    assert AuditEvent.objects.filter(action="allocation.run_cancel").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_in_process")
def test_a_run_cancelled_while_solving_stops_at_the_next_stage_and_stores_nothing(county, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real_solve = services.solve

    def solve_then_cancel(instance, **kwargs):  # type: ignore[no-untyped-def]
        # The planner presses "cancel" while the solver works.
        run_cancel(run=AllocationRun.objects.get())
        return real_solve(instance, **kwargs)

    monkeypatch.setattr(services, "solve", solve_then_cancel)
    run = run_create(county=county, max_moves=3)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and run.progress < 80
    assert not Proposal.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_in_process")
def test_a_chief_sees_only_runs_touching_his_station(county) -> None:  # type: ignore[no-untyped-def]
    from allocation.selectors import runs_visible
    from config.roles import scope_of

    run = run_create(county=county, max_moves=3)
    quiet = Station.objects.get(code="QH-02")
    elsewhere = factories.station(county_row=county, code="QH-08")
    assert list(runs_visible(scope_of(factories.chief(quiet)))) == [run]
    assert list(runs_visible(scope_of(factories.chief(elsewhere)))) == []
