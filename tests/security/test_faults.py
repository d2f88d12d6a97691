"""Faults with the real things: a Celery worker killed mid-import, Redis restarted mid-import, the
database connection of a request killed. Nothing half-written remains; the next attempt succeeds."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

from allocation.models import AllocationRun, Proposal, RunStatus
from allocation.services import runs_recover
from config.celery import app
from tests import factories
from tests.conftest import _database_url_for
from workload.importer import batch_create, batches_fail_stale
from workload.models import BatchStatus, ImportBatch, Incident, StagedIncident
from workload.selectors import standards_default
from workload.tasks import import_batch

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
ROWS = 150_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def big_csv(rows: int = ROWS) -> bytes:
    lines = [
        "external_id,received_at,arrived_at,cleared_at,station,category,community,handling_minutes,people_involved"
    ]
    lines += [f"K-{n},2026-03-{1 + n % 28:02d} {n % 24:02d}:00:00,,,QH-01,XS01,,30,2" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def start_worker(*, broker: str, queue: str, pool: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for(connection.settings_dict["NAME"]),
        "REDIS_URL": broker,
        "JINGLI_VAR_DIR": str(settings.VAR_DIR),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", pool, "--concurrency", "1",
         "--queues", queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def staged(batch: ImportBatch) -> bool:
    return StagedIncident.objects.filter(batch_id=batch.pk).exists()


def copies_running() -> bool:
    """Whether a session other than this one is still running a COPY (a killed worker's last staging
    chunk: the server finishes, and may commit, a COPY whose data had all arrived)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state <> 'idle' AND query ILIKE 'COPY%%')"
        )
        return bool(cursor.fetchone()[0])


def send(batch: ImportBatch, *, broker: str, queue: str) -> None:
    with app.connection_for_write(broker) as conn:
        import_batch.apply_async((batch.pk,), connection=conn, queue=queue)


@pytest.fixture
def station() -> None:
    factories.station(code="QH-01", name="城关派出所")


def new_batch() -> ImportBatch:
    return batch_create(upload=io.BytesIO(big_csv()), file_name="big.csv", mapping_name="jingli", mode="all")


def test_a_worker_process_killed_mid_import_is_replaced_and_the_task_redelivered(station: None) -> None:
    """The production pool (prefork): SIGKILL of the child running the task; acks_late with
    reject_on_worker_lost puts the message back, a new child checks the file again from the start."""
    queue = f"faults-{os.getpid()}-prefork"
    worker = start_worker(broker=settings.REDIS_URL, queue=queue, pool="prefork")
    try:
        batch = new_batch()
        send(batch, broker=settings.REDIS_URL, queue=queue)
        wait_for(lambda: staged(batch), 120, "the first rows to be staged")
        children = psutil.Process(worker.pid).children()
        assert len(children) == 1
        children[0].send_signal(signal.SIGKILL)
        wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).is_finished, 300, "the redelivered task to finish")
        batch.refresh_from_db()
        assert (batch.status, batch.rows_stored, batch.rows_read) == (BatchStatus.STORED, ROWS, ROWS)
        assert Incident.objects.count() == ROWS  # every row once, none twice
        # Staging is emptied right after the store commits.
        wait_for(lambda: not StagedIncident.objects.exists(), 60, "the staging rows to be dropped")
    finally:
        stop(worker)


def test_a_whole_worker_killed_mid_import_leaves_a_failed_batch_and_nothing_stored(station: None) -> None:
    """The worker itself dies (SIGKILL, OOM, machine lost): the message waits for the broker's visibility
    timeout, and the periodic reaper ends the batch failed and unstaged; importing again then works."""
    queue = f"faults-{os.getpid()}-solo"
    worker = start_worker(broker=settings.REDIS_URL, queue=queue, pool="solo")
    try:
        batch = new_batch()
        send(batch, broker=settings.REDIS_URL, queue=queue)
        wait_for(lambda: staged(batch), 120, "the first rows to be staged")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        # The reaper runs minutes after a worker is lost, when its sessions are long over; here it runs at
        # once, so first let the server finish what the dead worker had sent.
        wait_for(lambda: not copies_running(), 60, "the killed worker's last COPY to end")
        batch.refresh_from_db()
        assert batch.status == BatchStatus.RUNNING and staged(batch)  # the wreck the reaper is for
        # Not stale yet: a young batch is left alone.
        assert batches_fail_stale(older_than=dt.timedelta(minutes=5)) == 0
        assert batches_fail_stale(older_than=dt.timedelta(0)) == 1
        batch.refresh_from_db()
        assert batch.status == BatchStatus.FAILED and "nothing was stored" in batch.message
        assert not staged(batch) and Incident.objects.count() == 0
        # A late redelivery of the lost message changes nothing: the batch is decided.
        from workload.importer import batch_check

        assert batch_check(batch.pk) is None
        again = new_batch()
        worker = start_worker(broker=settings.REDIS_URL, queue=queue, pool="solo")
        send(again, broker=settings.REDIS_URL, queue=queue)
        wait_for(lambda: ImportBatch.objects.get(pk=again.pk).is_finished, 300, "the new import to finish")
        assert ImportBatch.objects.get(pk=again.pk).rows_stored == ROWS == Incident.objects.count()
        wait_for(lambda: not StagedIncident.objects.exists(), 60, "the staging rows to be dropped")
    finally:
        stop(worker)


def test_a_run_whose_worker_vanished_ends_failed_with_no_proposal() -> None:
    county = factories.county()
    run = AllocationRun.objects.create(
        county=county, standards=standards_default(), max_moves=3, status=RunStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=1), heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )  # fmt: skip
    fresh = AllocationRun.objects.create(
        county=county, standards=standards_default(), max_moves=3, status=RunStatus.RUNNING,
        started_at=timezone.now(), heartbeat_at=timezone.now(),
    )  # fmt: skip
    assert runs_recover() == 1
    run.refresh_from_db()
    fresh.refresh_from_db()
    assert run.status == RunStatus.FAILED and "worker running it stopped" in run.error
    assert fresh.status == RunStatus.RUNNING
    assert not Proposal.objects.exists()
    from allocation.services import run_execute

    assert run_execute(run.pk) is None  # a late redelivery does nothing


@pytest.fixture
def own_redis() -> Iterator[tuple[str, callable]]:  # type: ignore[valid-type]
    """A Redis of this test's own (the machine's Redis is shared with other work); restartable."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = {"process": subprocess.Popen(command, stdout=subprocess.DEVNULL)}

    def up() -> bool:
        try:
            import redis

            return bool(redis.Redis(port=port, socket_connect_timeout=0.5).ping())
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def restart() -> None:
        server["process"].terminate()
        server["process"].wait(timeout=10)
        server["process"] = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(up, 20, "the restarted Redis")

    wait_for(up, 20, "the test's own Redis")
    try:
        yield f"redis://127.0.0.1:{port}/0", restart
    finally:
        server["process"].terminate()
        server["process"].wait(timeout=10)


def test_redis_restarted_mid_import_the_task_finishes_and_the_worker_takes_new_work(station: None, own_redis) -> None:  # type: ignore[no-untyped-def]
    broker, restart = own_redis
    queue = f"faults-{os.getpid()}-redis"
    worker = start_worker(broker=broker, queue=queue, pool="prefork")
    try:
        batch = new_batch()
        send(batch, broker=broker, queue=queue)
        wait_for(lambda: staged(batch), 120, "the first rows to be staged")
        restart()  # the broker loses everything it held, mid-task
        wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).is_finished, 300, "the running task to finish")
        batch.refresh_from_db()
        assert (batch.status, batch.rows_stored) == (BatchStatus.STORED, ROWS)
        # The worker reconnected: new work sent through the restarted broker is done.
        second = batch_create(
            upload=io.BytesIO(big_csv(1).replace(b"K-0,", b"R-1,")),
            file_name="after.csv",
            mapping_name="jingli",
            mode="all",
        )
        send(second, broker=broker, queue=queue)
        wait_for(lambda: ImportBatch.objects.get(pk=second.pk).is_finished, 120, "work sent after the restart")
        assert ImportBatch.objects.get(pk=second.pk).status == BatchStatus.STORED
        assert Incident.objects.count() == ROWS + 1
    finally:
        stop(worker)


# --- A lost database connection --------------------------------------------------------------------


@pytest.fixture
def served_app(tmp_path: Path) -> Iterator[str]:
    """The app under gunicorn on the test database, with persistent connections as in production."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for(connection.settings_dict["NAME"]),
        "DATABASE_CONN_MAX_AGE": "600",
        "JINGLI_VAR_DIR": str(tmp_path),
        "DEBUG": "1",  # no collected static files needed; the error path is the same middleware
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "4", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{url}/accounts/login/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(up, 60, "gunicorn")
        yield url
    finally:
        stop(server)


def served_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_killed_database_connection_fails_one_request_cleanly_and_the_next_succeeds(
    served_app: str, settings
) -> None:  # type: ignore[no-untyped-def]
    import config.settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # the server checks the password with these
    factories.station(code="DB-01")
    planner = factories.planner()
    browser = requests.Session()
    browser.headers["Accept-Language"] = "en"
    browser.get(f"{served_app}/accounts/login/")
    response = browser.post(
        f"{served_app}/accounts/login/",
        {"username": planner.username, "password": "correct horse battery",
         "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        allow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 302
    assert browser.get(f"{served_app}/county/").status_code == 200

    # Between requests: the connection the server keeps is killed; the health check replaces it.
    with connection.cursor() as cursor:
        for pid in served_backends():
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert browser.get(f"{served_app}/county/").status_code == 200

    # During a request: the page waits on a lock we hold, and its connection is killed under it.
    from django.db import connections

    blocker = connections.create_connection("default")
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        cursor.execute("LOCK TABLE stations_county IN ACCESS EXCLUSIVE MODE")
    answer: dict[str, requests.Response] = {}
    request = threading.Thread(target=lambda: answer.setdefault("r", browser.get(f"{served_app}/county/", timeout=60)))
    request.start()

    def waiting() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return [row[0] for row in cursor.fetchall()]

    wait_for(lambda: bool(waiting()), 30, "the request to wait on the lock")
    with connection.cursor() as cursor:
        for pid in waiting():
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    request.join(timeout=60)
    blocker.rollback()
    blocker.close()
    failed = answer["r"]
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "5"
    assert "try again" in failed.text and "Traceback" not in failed.text
    assert browser.get(f"{served_app}/county/").status_code == 200
