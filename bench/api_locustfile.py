"""Locust users for bench/api_load.py: an integrator's reads, as fast as the server answers.

Reads its targets (API key, sampled codes and ids) from the JSON file named by JINGLI_BENCH_TARGETS.
"""

from __future__ import annotations

import json
import os
import random

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

TARGETS = json.loads(open(os.environ["JINGLI_BENCH_TARGETS"], encoding="utf-8").read())  # noqa: SIM115
HEADERS = {"Authorization": f"Api-Key {TARGETS['key']}", "Accept": "application/json"}


class Integrator(FastHttpUser):
    wait_time = constant(0)  # closed loop: each user sends its next request as soon as one returns

    def _get(self, url: str, name: str) -> None:
        with self.client.get(url, headers=HEADERS, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(1)
    def api_root(self) -> None:  # the reference: routing, auth, throttle and rendering, no query
        self._get("/api/v1/", "reference: API root")

    @task(2)
    def stations(self) -> None:
        self._get(f"/api/v1/stations/?page={random.randint(1, 4)}&page_size=50", "list stations")

    @task(2)
    def people(self) -> None:
        self._get(f"/api/v1/people/?page={random.randint(1, 150)}&page_size=50", "list people")

    @task(2)
    def assignments(self) -> None:
        self._get(f"/api/v1/assignments/?page={random.randint(1, 170)}&page_size=50", "list assignments")

    @task(2)
    def incidents(self) -> None:
        self._get(f"/api/v1/incidents/?page={random.randint(1, 200)}&page_size=50", "list incidents")

    @task(2)
    def station_incidents(self) -> None:
        station = random.choice(TARGETS["stations"])
        self._get(
            f"/api/v1/incidents/?station={station}&received_after=2026-10-01T00:00:00%2B08:00&page_size=50",
            "list incidents of a station, last month",
        )

    @task(1)
    def communities(self) -> None:
        self._get(f"/api/v1/communities/?page={random.randint(1, 30)}&page_size=50", "list communities")

    @task(1)
    def moves(self) -> None:
        self._get(f"/api/v1/moves/?proposal={random.choice(TARGETS['proposals'])}&page_size=50", "list moves")

    @task(2)
    def station(self) -> None:
        self._get(f"/api/v1/stations/{random.choice(TARGETS['stations'])}/", "detail station")

    @task(2)
    def person(self) -> None:
        self._get(f"/api/v1/people/{random.choice(TARGETS['people'])}/", "detail person")

    @task(2)
    def incident(self) -> None:
        self._get(f"/api/v1/incidents/{random.choice(TARGETS['incidents'])}/", "detail incident")

    @task(1)
    def proposal(self) -> None:
        self._get(f"/api/v1/proposals/{random.choice(TARGETS['proposals'])}/", "detail proposal")
