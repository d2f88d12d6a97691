"""A chief reads the fairness of his published roster and finds his rosters on the station page, in
Chinese, in a real browser; the other station's roster appears nowhere."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rosters.models import Roster, RosterCell, RosterMember, RosterStatus, ShiftPattern
from stations.models import Station
from tests.browser.conftest import JourneyCounty, check_page

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.date(2026, 9, 28)  # the week runs into the National Day holiday


def published_week(station: Station) -> Roster:
    pattern = ShiftPattern.objects.get(code="THREE8", station__isnull=True)
    roster = Roster.objects.create(
        station=station, pattern=pattern, start_date=START, days=7, status=RosterStatus.PUBLISHED
    )
    people = [a.person for a in station.units.get(kind="community").assignments.select_related("person")[:2]]
    night, day = pattern.shift_types.get(code="N"), pattern.shift_types.get(code="D")
    for position, person in enumerate(people):
        RosterMember.objects.create(roster=roster, person=person, officer=True, leader=False, position=position)
    for index, date in enumerate(roster.dates()):
        RosterCell.objects.create(roster=roster, person=people[index % 2], day=date, shift=night)
        RosterCell.objects.create(roster=roster, person=people[(index + 1) % 2], day=date, shift=day)
    return roster


def test_a_chief_reads_roster_fairness_and_his_station_rosters(
    journey_county: JourneyCounty, login_as: Callable[..., Any]
) -> None:
    busy, quiet = journey_county.stations[0], journey_county.stations[1]
    own, other = published_week(busy), published_week(quiet)
    page = login_as("chief")
    page.goto(page.base + "/county/reports/")
    check_page(page)
    page.click("text=排班公平性")
    check_page(page)
    assert page.locator("h1").inner_text().startswith("排班公平性")
    tables = page.locator("table.report")
    assert tables.count() == 2 and "QH-01" in tables.nth(0).inner_text()
    assert "QH-02" not in page.content() and "石门乡派出所" not in page.content()
    if os.environ.get("JINGLI_LOOK"):  # a person's look at the page, outside the committed screenshots
        page.screenshot(path=str(Path(os.environ["JINGLI_LOOK"]) / "fairness.png"), full_page=True)
    page.goto(page.base + f"/county/stations/{busy.code}/")
    check_page(page)
    section = page.locator("#rosters")
    assert "本所排班表" in section.inner_text() and "已发布" in section.inner_text()
    assert section.locator(f"a[href='/rosters/{own.pk}/']").count() == 1
    assert section.locator(f"a[href='/rosters/{other.pk}/']").count() == 0
    if os.environ.get("JINGLI_LOOK"):
        section.screenshot(path=str(Path(os.environ["JINGLI_LOOK"]) / "station-rosters.png"))
