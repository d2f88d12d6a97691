"""The REST API under concurrent load on the city-scale demo.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingli_bench_api REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/api_load.py [--users 1,4,12] [--seconds 30] [--workers 3]

Builds the city demo (10 counties: 150 stations, 60 departments, 7,685 people, 1.5 million incidents)
in the configured database if it is not there, plus an allocation run of DM01 so proposals and moves
exist. Then serves the app with gunicorn as production would (DEBUG off, the Redis cache for the
throttle counters) and runs locust (headless) with N users in a closed loop, each with the same
read-only API key, over list pages of 50 and detail endpoints. The API root (authentication,
throttling and rendering, no query) is the reference measured in the same run.

Goal: p95 under 100 ms for list pages of 50. Prints a table per concurrency level, then one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from _setup import ROOT, print_table
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from allocation.models import Proposal
from apikeys.services import apikey_create, apikey_revoke
from config.roles import Role
from personnel.models import Person, User
from personnel.services import user_set_role
from stations.models import County, Station
from workload.models import Incident

GOAL_P95_MS = 100
BIN = Path(sys.executable).parent


def ensure_city() -> None:
    if County.objects.filter(code="DM10").exists() and Incident.objects.count() > 1_000_000:
        return
    print("building the city demo (about 6 minutes)...", flush=True)
    call_command("seed_demo", "--scale", "city", "--json", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have done by the time a client calls


def ensure_proposal() -> None:
    if not Proposal.objects.exists():
        call_command("run_allocation", "--county", "DM01", "--max-moves", "30", stdout=io.StringIO())


def bench_key() -> tuple[object, str]:
    user, _created = User.objects.get_or_create(username="bench-api")
    if user.role != Role.PLANNER:
        user_set_role(user=user, role=Role.PLANNER)
    return apikey_create(name="bench/api_load.py", owner=user, scope="read")


def targets(plaintext: str) -> dict[str, object]:
    return {
        "key": plaintext,
        "stations": list(Station.objects.stations().values_list("code", flat=True)),
        "people": list(Person.objects.order_by("?").values_list("number", flat=True)[:500]),
        "incidents": list(Incident.objects.order_by("?").values_list("pk", flat=True)[:500]),
        "proposals": list(Proposal.objects.values_list("pk", flat=True)),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_KEY_RATE": "1000000/minute",  # the bench measures the server, not the throttle's refusals
        "LOG_LEVEL": "WARNING",
        # Production settings serve hashed static files, so they must be collected first.
        "JINGLI_VAR_DIR": str(ROOT / "var" / "bench-api"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        + ["--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/schema/", timeout=5)  # noqa: S310
            return server
        except urllib.error.HTTPError:
            return server  # it answers: the schema refuses callers without a role (401/403)
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not come up within 60 s")


def load(port: int, users: int, seconds: int, targets_file: str) -> list[dict[str, str]]:
    with tempfile.TemporaryDirectory() as scratch:
        prefix = os.path.join(scratch, "run")
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "api_locustfile.py"), "--headless"]
            + ["--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s"]
            + ["--host", f"http://127.0.0.1:{port}", "--csv", prefix, "--only-summary", "--loglevel", "WARNING"]
            + ["--stop-timeout", "5"],
            env={**os.environ, "JINGLI_BENCH_TARGETS": targets_file},
            check=False,  # locust exits 1 when any request failed; the table shows the failures
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # its own summary; the table below is ours
        )
        with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", default="1,4,12", help="comma-separated concurrency levels")
    parser.add_argument("--seconds", type=int, default=30, help="length of each level's run")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL database: the city demo is the point")
    call_command("migrate", verbosity=0)
    ensure_city()
    ensure_proposal()
    key, plaintext = bench_key()
    summary: dict[str, object] = {"bench": "api_load", "workers": options.workers, "seconds": options.seconds}
    levels: dict[str, object] = {}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(targets(plaintext), handle)
        targets_file = handle.name
    port = free_port()
    server = serve(port, options.workers)
    try:
        load(port, 2, 5, targets_file)  # warm-up: connections, imports, PostgreSQL's caches
        for users in (int(u) for u in options.users.split(",")):
            stats = load(port, users, options.seconds, targets_file)
            rows: list[tuple[str, ...]] = []
            level: dict[str, object] = {}
            for row in stats:
                if row["Name"] == "Aggregated":
                    continue
                p95 = float(row["95%"])
                level[row["Name"]] = {"p50": float(row["50%"]), "p95": p95, "rps": round(float(row["Requests/s"]), 1)}
                rows.append(
                    (row["Name"], row["Request Count"], row["Failure Count"], f"{float(row['Requests/s']):.1f}")
                    + (row["50%"], row["95%"], row["99%"])
                )
            total = next(row for row in stats if row["Name"] == "Aggregated")
            lists = [v["p95"] for k, v in level.items() if k.startswith("list")]  # type: ignore[index]
            load_average = round(os.getloadavg()[0], 1)
            print(
                f"\n{users} concurrent users, {options.seconds} s, {options.workers} gunicorn workers; "
                f"machine load average {load_average} on {os.cpu_count()} cores"
            )
            print_table(rows, ("endpoint", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms"))
            print(f"total {total['Request Count']} requests, {float(total['Requests/s']):.1f} req/s")
            levels[str(users)] = {
                "endpoints": level,
                "rps": round(float(total["Requests/s"]), 1),
                "failures": int(total["Failure Count"]),
                "worst_list_p95_ms": max(lists),
                "load_average": load_average,
                "goal_met": max(lists) < GOAL_P95_MS,
            }
    finally:
        server.terminate()
        server.wait(timeout=30)
        apikey_revoke(key=key)  # type: ignore[arg-type]
        os.unlink(targets_file)
    summary["levels"] = levels
    summary["database"] = settings.DATABASES["default"]["NAME"]
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
