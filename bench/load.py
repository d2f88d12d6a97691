"""Load test: 50 concurrent users on a mixed workload (pages + API reads) for 60 seconds against the app
served by gunicorn with production settings on PostgreSQL. Loopback only, bounded in users and time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingli_load .venv/bin/python bench/load.py

Builds the demo county in that database if it is not there, collects static files into a temporary
directory, starts gunicorn on 127.0.0.1 (a free port), logs every virtual user in through the real
login form (Argon2), then lets them browse: the county overview, station pages, the import list, the
audit trail, an admin change list, and the need and station-workload API. Each user waits 0-0.5 s
between requests, as a person clicking would not, so this is a stress on the server, not a model of
a day. Prints a table per kind of request, then one JSON line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

from _setup import ROOT, print_table
from django.core.management import call_command
from django.db import connection

from config.roles import Role
from personnel.models import User
from personnel.services import user_set_role
from stations.models import Station

PASSWORD = "load test passphrase 2026"  # noqa: S105 - a throwaway account in the bench database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ensure_data() -> list[str]:
    call_command("migrate", verbosity=0)
    if not Station.objects.filter(county__code="DM01").exists():
        call_command("seed_demo", verbosity=0)
    return list(
        Station.objects.filter(county__code="DM01", kind__in=["urban", "town", "rural"]).values_list("code", flat=True)
    )


def ensure_accounts(users: int, stations: list[str]) -> list[str]:
    """Planners, auditors and chiefs in the proportions of a bureau: mostly readers."""
    names = []
    for n in range(users):
        name = f"load{n:02d}"
        account = User.objects.filter(username=name).first()
        if account is None:
            account = User.objects.create_user(username=name, password=PASSWORD)
        role = Role.PLANNER if n % 5 == 0 else Role.AUDITOR if n % 5 == 1 else Role.CHIEF
        station = Station.objects.get(code=stations[n % len(stations)]) if role == Role.CHIEF else None
        if account.role != role or account.station != station:
            user_set_role(user=account, role=role, station=station)
        names.append(name)
    return names


class Browser:
    """One virtual user: its own keep-alive connection and session cookie (sent by hand, because the
    production cookies are Secure and this is plain HTTP on the loopback, behind no TLS proxy)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.retries = 0
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = "https://127.0.0.1/accounts/login/"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed an idle keep-alive connection just as we reused it: like a browser,
            # open a new connection and send the (idempotent) request once more. Counted, not hidden.
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            if method != "GET":
                raise
            self.retries += 1
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"the login page answered {status}")
        form = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()})
        status, _body = self.request("POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed with {status}")


def workload_for(username: str, role: str, station: str | None, stations: list[str]) -> list[tuple[str, str, int]]:
    """(kind, path, weight): what this role can open. Chiefs see their station only."""
    if role == Role.CHIEF:
        return [
            ("page: my station", f"/county/stations/{station}/", 4),
            ("page: admin people", "/admin/personnel/person/", 2),
            ("api: station workload", f"/api/v1/stations/{station}/workload/", 3),
        ]
    some = random.choice(stations)
    return [
        ("page: county overview", "/county/", 3),
        ("page: station", f"/county/stations/{some}/", 3),
        ("page: imports", "/imports/", 1),
        ("page: audit trail", "/audit/", 1),
        ("page: admin people", "/admin/personnel/person/", 2),
        ("api: need", "/api/v1/need/", 2),
        ("api: station workload", f"/api/v1/stations/{some}/workload/", 3),
    ]


def run_phase(
    browsers: list[tuple[str, Browser]],
    seconds: float,
    roles: dict[str, tuple[str, str | None]],
    stations: list[str],
) -> tuple[dict[str, list[float]], dict[str, list[str]], float]:
    """Every browser a thread, requesting until the time is up; latencies and errors per kind."""
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def user(name: str, browser: Browser, seed: int) -> None:
        chooser = random.Random(seed)  # noqa: S311 - workload mix, not security
        role, station = roles[name]
        while time.monotonic() < stop_at:
            mix = workload_for(name, role, station, stations)
            kind, path, _weight = chooser.choices(mix, weights=[w for *_r, w in mix])[0]
            started = time.perf_counter()
            try:
                status, _body = browser.request("GET", path)
                problem = "" if status == 200 else f"{status} {path}"
            except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                problem = f"{type(exc).__name__} {path}"
            elapsed = time.perf_counter() - started
            with lock:
                samples[kind].append(elapsed)
                if problem:
                    errors[kind].append(problem)
            time.sleep(chooser.uniform(0, 0.5))

    threads = [threading.Thread(target=user, args=(n, b, i)) for i, (n, b) in enumerate(browsers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, errors, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--baseline-seconds", type=float, default=15, help="one user alone first, as a reference")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to a PostgreSQL database: the load test measures the production stack")
    stations = ensure_data()
    names = ensure_accounts(args.users, stations)
    roles = {
        u.username: (u.role, u.station.code if u.station else None)
        for u in User.objects.filter(username__in=names).select_related("station")
    }

    var_dir = Path(tempfile.mkdtemp(prefix="jingli-load-"))
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "JINGLI_VAR_DIR": str(var_dir),
        "SECURE_PROXY_SSL_HEADER": "1",  # as behind the TLS-terminating proxy of production
        "CSRF_TRUSTED_ORIGINS": "https://127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )  # noqa: S603
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", "gthread",
         "--timeout", "120", "--keep-alive", "30", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                Browser(port).request("GET", "/accounts/login/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        browsers = []
        login_started = time.perf_counter()
        for name in names:
            browser = Browser(port)
            browser.login(name)
            browsers.append((name, browser))
        login_seconds = time.perf_counter() - login_started

        # Reference in the same run: one user alone, so the table shows service time next to queueing.
        alone, _alone_errors, _alone_wall = run_phase(browsers[:1], args.baseline_seconds, roles, stations)
        samples, errors, wall = run_phase(browsers, args.seconds, roles, stations)
    finally:
        server.terminate()
        server.wait(timeout=30)

    def p(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]

    everything = [v for values in samples.values() for v in values]

    def ms(values: list[float], q: int) -> str:
        return f"{p(values, q) * 1000:.0f}" if values else "-"

    rows: list[tuple[str, ...]] = [
        (kind, str(len(v)), str(len(errors[kind])), ms(v, 50), ms(v, 95), f"{max(v) * 1000:.0f}", ms(alone[kind], 50))
        for kind, v in sorted(samples.items())
    ]
    total_errors = sum(len(e) for e in errors.values())
    alone_all = [v for values in alone.values() for v in values]
    rows.append(("all", str(len(everything)), str(total_errors), ms(everything, 50), ms(everything, 95),
                 f"{max(everything) * 1000:.0f}", ms(alone_all, 50)))  # fmt: skip
    retries = sum(b.retries for _n, b in browsers)
    print(f"{args.users} users, {wall:.1f} s, gunicorn {args.workers} workers x {args.threads} threads, "
          f"{os.cpu_count()} CPUs shared; logins (Argon2, sequential) took {login_seconds:.1f} s; "
          f"{retries} requests re-sent on a keep-alive connection the server had closed")  # fmt: skip
    print_table(rows, ("request", "count", "errors", "p50 ms", "p95 ms", "max ms", "alone p50 ms"))
    for kind, problems in errors.items():
        if problems:
            print(f"errors in {kind}: {problems[:5]}")
    print(json.dumps({
        "bench": "load", "users": args.users, "seconds": round(wall, 1), "requests": len(everything),
        "errors": total_errors, "throughput_rps": round(len(everything) / wall, 1),
        "p50_ms": round(p(everything, 50) * 1000), "p95_ms": round(p(everything, 95) * 1000),
        "workers": args.workers, "threads": args.threads, "keepalive_resends": retries,
        "alone_p50_ms": round(p(alone_all, 50) * 1000) if alone_all else None,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
