"""The demo county is deterministic, idempotent and carries the problems a planner must find."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from personnel.models import Assignment, Leave, Person, User
from personnel.selectors import stations_with_strength
from stations.models import Community, County, Station
from workload.demo.generate import generate_county
from workload.models import Incident

END = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def county_one():  # type: ignore[no-untyped-def]
    return generate_county(seed=1, number=1, end_date=END, incidents=150_000)


class TestGenerator:
    def test_same_seed_same_county(self) -> None:
        first = generate_county(seed=7, number=1, end_date=END, incidents=3_000)
        second = generate_county(seed=7, number=1, end_date=END, incidents=3_000)
        assert first.people == second.people
        assert first.communities == second.communities
        assert first.leaves == second.leaves
        pd.testing.assert_frame_equal(first.incidents, second.incidents)

    def test_another_seed_another_county(self) -> None:
        first = generate_county(seed=7, number=1, end_date=END, incidents=3_000)
        other = generate_county(seed=8, number=1, end_date=END, incidents=3_000)
        assert [p.name for p in first.people] != [p.name for p in other.people]

    def test_size_of_the_county(self, county_one) -> None:  # type: ignore[no-untyped-def]
        kinds = Counter(s.kind for s in county_one.stations)
        assert kinds["urban"] >= 3 and kinds["town"] >= 3 and kinds["rural"] >= 3
        assert 13 <= kinds["urban"] + kinds["town"] + kinds["rural"] <= 17
        assert kinds["department"] >= 4
        officers = sum(p.kind == "officer" for p in county_one.people)
        auxiliaries = len(county_one.people) - officers
        assert 360 <= officers <= 440
        assert 400 <= auxiliaries <= 500
        assert 140_000 <= len(county_one.incidents) <= 150_000
        assert len({p.name for p in county_one.people}) == len(county_one.people)

    def test_incidents_cover_twelve_months_with_patterns(self, county_one) -> None:  # type: ignore[no-untyped-def]
        local = county_one.incidents["received_at"].dt.tz_convert("Asia/Shanghai")
        assert local.min().date() == dt.date(2025, 11, 1)
        assert local.max().date() == END
        by_hour = local.dt.hour.value_counts()
        assert by_hour[20] > 2.5 * by_hour[4]  # evenings busy, small hours quiet
        by_month = local.dt.month.value_counts()
        assert by_month[7] > 1.15 * by_month[3]  # summer above early spring
        # Urban stations see more theft, rural ones more family disputes.
        frame = county_one.incidents
        kind = frame["station_code"].map({s.code: s.kind for s in county_one.stations})
        theft = frame["category_code"] == "XS01"
        family = frame["category_code"] == "JF01"
        assert theft[kind == "urban"].mean() > theft[kind == "rural"].mean()
        assert family[kind == "rural"].mean() > family[kind == "urban"].mean()

    def test_deliberate_problems_are_there(self, county_one) -> None:  # type: ignore[no-untyped-def]
        stations = {s.code for s in county_one.stations if s.kind != "department"}
        active = [p for p in county_one.people if p.kind == "officer" and p.status == "active"]
        at_post = Counter(p.station_code for p in active)
        community = Counter(p.station_code for p in active if p.post in {"community_officer", "village_officer"})
        assert any(at_post[s] < 5 for s in stations), "a station below the 5-officer floor"
        assert any(community[s] / at_post[s] < 0.40 for s in stations), "a station with community officers under 40 %"
        assert sum(p.status == "seconded" for p in county_one.people) >= 5
        # Over- and under-staffed against workload: incidents per officer at post differ several-fold.
        load = county_one.incidents["station_code"].value_counts()
        per_officer = {s: load[s] / at_post[s] for s in stations}
        assert max(per_officer.values()) / min(per_officer.values()) > 2.5


@pytest.mark.django_db
class TestSeedCommand:
    def run(self, *args: str) -> dict:  # type: ignore[type-arg]
        out = io.StringIO()
        call_command("seed_demo", "--json", *args, stdout=out)
        return json.loads(out.getvalue())

    def snapshot(self) -> dict[str, object]:
        return {
            "people": list(Person.objects.order_by("number").values_list("number", "name", "post", "status")),
            "assignments": list(
                Assignment.objects.order_by("person__number", "start_date").values_list(
                    "person__number", "unit__station__code", "unit__kind", "start_date", "end_date"
                )
            ),
            "communities": list(Community.objects.order_by("code").values_list("code", "resident_population")),
            "incidents": list(
                Incident.objects.order_by("external_id").values_list(
                    "external_id", "station__code", "category__code", "received_at", "handling_minutes"
                )
            ),
            "leaves": Leave.objects.count(),
        }

    def test_running_twice_duplicates_nothing(self) -> None:
        first = self.run("--incidents", "2000")
        before = self.snapshot()
        second = self.run("--incidents", "2000")
        assert first["counties"][0]["people"] > 800
        assert {k: v for k, v in second["counties"][0].items() if k not in {"code", "name"}} == dict.fromkeys(
            ["stations", "communities", "people", "assignments", "leaves", "incidents"], 0
        )
        assert self.snapshot() == before
        assert County.objects.count() == 1

    def test_passwords_are_printed_once(self) -> None:
        first = self.run("--incidents", "0")
        second = self.run("--incidents", "0")
        new = {a["username"]: a["password"] for a in first["accounts"]}
        assert {"planner", "auditor", "chief-dm01-s01"} <= set(new)
        assert all(len(p) >= 12 for p in new.values())
        assert len(set(new.values())) == len(new)
        assert all(a["password"] is None for a in second["accounts"])
        planner = User.objects.get(username="planner")
        assert planner.check_password(new["planner"])
        chief = User.objects.get(username="chief-dm01-s01")
        assert (chief.role, chief.station.code) == ("chief", "DM01-S01")

    def test_every_station_gets_a_chief_and_an_instructor(self) -> None:
        first = self.run("--incidents", "0")
        stations = list(Station.objects.stations().order_by("code").values_list("code", flat=True))
        by_name = {a["username"]: a for a in first["accounts"]}
        for code in stations:
            chief, instructor = by_name[f"chief-{code.lower()}"], by_name[f"instructor-{code.lower()}"]
            assert (chief["title"], instructor["title"]) == ("Station chief", "Political instructor")
            assert chief["password"] and instructor["password"] and chief["password"] != instructor["password"]
        leaders = User.objects.filter(role="chief").values_list("station__code", flat=True)
        assert Counter(leaders) == dict.fromkeys(stations, 2)
        assert User.objects.count() == 2 + 2 * len(stations)
        self.run("--incidents", "0")
        assert User.objects.count() == 2 + 2 * len(stations)  # idempotent: nobody added twice

    def test_the_text_output_lists_both_station_leaders(self) -> None:
        out = io.StringIO()
        call_command("seed_demo", "--incidents", "0", stdout=out)
        lines = [line.split(maxsplit=1) for line in out.getvalue().splitlines() if line.strip()]
        assert any(first == "instructor-dm01-s01" and "Political instructor" in str(rest) for first, *rest in lines)
        assert any(first == "chief-dm01-s01" and "Station chief" in str(rest) for first, *rest in lines)

    def test_the_chief_submits_and_the_instructor_approves(self) -> None:
        from rosters.models import RosterStatus, ShiftPattern
        from rosters.services import (
            RosterRefused,
            roster_approve,
            roster_create,
            roster_generate_execute,
            roster_submit,
        )

        self.run("--incidents", "0")
        chief = User.objects.get(username="chief-dm01-s01")
        instructor = User.objects.get(username="instructor-dm01-s01")
        planner = User.objects.get(username="planner")
        assert chief.station is not None and chief.station == instructor.station
        roster = roster_create(
            station=chief.station,
            pattern=ShiftPattern.objects.get(code="THREE8", station__isnull=True),
            start_date=dt.date(2026, 11, 2),
            days=3,
            by=chief,
            time_limit=1,
        )
        type(roster).objects.filter(pk=roster.pk).update(generation="queued")
        assert roster_generate_execute(roster.pk, time_limit=1) is not None
        roster = roster_submit(roster=roster, by=chief)
        with pytest.raises(RosterRefused, match="another chief"):
            roster_approve(roster=roster, by=chief)
        with pytest.raises(RosterRefused, match="Only a chief of this station"):
            roster_approve(roster=roster, by=planner)
        roster = roster_approve(roster=roster, by=instructor)
        assert (roster.status, roster.submitted_by, roster.approved_by) == (RosterStatus.APPROVED, chief, instructor)

    def test_same_seed_gives_the_same_data(self) -> None:
        self.run("--seed", "5", "--incidents", "1500")
        first = self.snapshot()
        self.run("--seed", "5", "--incidents", "1500", "--reset")
        assert self.snapshot() == first

    def test_another_seed_on_top_is_refused_until_reset(self) -> None:
        self.run("--seed", "1", "--incidents", "500")
        with pytest.raises(CommandError, match="built with seed 1.*--reset"):
            self.run("--seed", "2", "--incidents", "500")
        self.run("--seed", "2", "--incidents", "500", "--reset")
        ids = Incident.objects.values_list("external_id", flat=True)
        assert ids.count() > 0 and all(i.startswith("DM01-2-") for i in ids)

    def test_planners_changes_survive_a_reseed(self) -> None:
        self.run("--incidents", "0")
        person = Person.objects.get(number="010001")
        person.status = Person.Status.SECONDED
        person.seconded_to = "市局专案组"
        person.save(update_fields=["status", "seconded_to"])
        self.run("--incidents", "0")
        person.refresh_from_db()
        assert person.status == Person.Status.SECONDED

    def test_demo_strength_shows_the_problems(self) -> None:
        self.run("--incidents", "0")
        rows = stations_with_strength(Station.objects.stations(), on=dt.date(2026, 11, 15))
        assert rows.count() == 15
        assert any(r.effective_officers < 5 for r in rows)
        assert any(r.effective_officers < r.nominal_officers - 3 for r in rows)  # seconded officers hide there
        assert any(r.community_officers < 0.4 * r.effective_officers for r in rows)

    def test_city_scale(self) -> None:
        summary = self.run("--scale", "city", "--incidents", "0")
        assert len(summary["counties"]) == 10
        assert 140 <= Station.objects.stations().count() <= 160
        assert 7_500 <= Person.objects.count() <= 9_500
