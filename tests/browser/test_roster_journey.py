"""A chief makes his station's duty roster, in a real browser; another chief of the station approves it.

The chief creates and generates a week of three 8-hour shifts (a 2-second solver budget keeps it quick),
changes one cell by clicking the grid (accepted), tries a change that would leave a shift short (refused,
with the reasons shown), submits, and may not approve his own submission. The station's second chief
approves and publishes. Another station's roster is a 404 to him. Every page is checked for labels and
sideways scrolling at 1280 px; console errors fail the journey.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from personnel.models import Person, User
from rosters.models import GenerationStatus, Roster, RosterCell, RosterStatus, ShiftDemand, ShiftPattern
from rosters.problem import cells_of
from rosters.services import roster_create
from tests import factories
from tests.browser.conftest import JourneyCounty, check_page, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.date(2026, 12, 7)  # a Monday
DAYS = 7
SHIFT_HOURS = 8  # THREE8: every shift is 8 hours
MAX_WEEK_HOURS = 48

WORDS = {
    "zh-CN": {"rosters": "值班表", "refused": "此修改被拒绝", "short": "班将缺少 1 人。", "own": "此值班表由您提交"},
    "en-US": {
        "rosters": "Duty rosters",
        "refused": "This change is refused",
        "short": "would be short of 1 person.",
        "own": "You submitted this roster",
    },
}


def _named(account: User, username: str) -> User:
    # Fixed names, so the screenshots do not change with the order the tests run in.
    account.username = username
    account.save(update_fields=["username"])
    return account


@pytest.fixture
def roster_station(journey_county: JourneyCounty) -> Roster:
    """A station with a command room to roster (two leaders, eight officers, four auxiliaries, no measured
    workload: demand is the post minimums) and its two chiefs; and a roster at another station."""
    station = factories.station(county_row=journey_county.county, code="QH-03", name="东关派出所")
    for post in (Person.Post.CHIEF, Person.Post.DEPUTY_CHIEF):
        factories.place(factories.person(post=post, rank=Person.Rank.INSPECTOR_3), station, unit_kind="leadership")
    for _n in range(8):
        factories.place(factories.person(post=Person.Post.COMMAND_OFFICER), station, unit_kind="command")
    for _n in range(4):
        factories.place(factories.person(kind=Person.Kind.AUXILIARY_DUTY), station, unit_kind="command")
    journey_county.users["roster-chief"] = _named(factories.chief(station), "chief-qh-03")
    journey_county.users["roster-instructor"] = _named(factories.chief(station), "instructor-qh-03")
    three8 = ShiftPattern.objects.get(code="THREE8", station__isnull=True)
    # Made by an operator's tool (no user) at the county's first station.
    return roster_create(station=journey_county.stations[0], pattern=three8, start_date=START, days=3)


def messages(page: Any) -> str:
    return page.inner_text("ul.messages") if page.locator("ul.messages").count() else ""


def click(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
    check_page(page)


def pick_cell(page: Any, person_id: int, day: int) -> None:
    """Click a grid cell: the page's script fills the change form with its person, day and shift."""
    page.locator(f"table.roster-grid tr[data-person='{person_id}'] td.cell").nth(day).click()
    assert page.input_value("#cell-person") == str(person_id)
    assert page.input_value("#cell-day") == (START + dt.timedelta(days=day)).isoformat()


# A day shift (08:00-16:00) keeps 11 hours' rest and no forbidden succession after these shifts the day
# before (off, a night 00:00-08:00 or a day shift; an evening ends at midnight) and before these the day after.
BEFORE_D = {None, "N", "D"}
AFTER_D = {None, "D", "E"}
MAX_RUN = 6  # days in a row


def free_officer_day(roster: Roster, cells: dict[tuple[int, int], str]) -> tuple[int, int]:
    """An officer off on a day where a day shift breaks no hard rule of THREE8 (rest, forbidden
    successions, days in a row, hours in the week), so that change must be accepted."""
    officers = roster.members.filter(officer=True, leader=False).values_list("person_id", flat=True)
    worked = Counter(person for person, _day in cells)
    for person in officers:
        if (worked[person] + 1) * SHIFT_HOURS > MAX_WEEK_HOURS:
            continue
        for day in range(DAYS):
            if (person, day) in cells:
                continue
            if cells.get((person, day - 1)) not in BEFORE_D or cells.get((person, day + 1)) not in AFTER_D:
                continue
            run = (
                1
                + sum(1 for _ in _worked_run(cells, person, day, -1))
                + sum(1 for _ in _worked_run(cells, person, day, 1))
            )
            if run <= MAX_RUN:
                return person, day
    raise AssertionError(f"no officer can take a day shift: {sorted(cells.items())}")


def _worked_run(cells: dict[tuple[int, int], str], person: int, day: int, step: int) -> Iterator[int]:
    day += step
    while (person, day) in cells:
        yield day
        day += step


def covered_cell(roster: Roster, cells: dict[tuple[int, int], str]) -> tuple[int, int, str]:
    """Someone on a shift that has no one to spare: taking him off leaves it short, so it is refused."""
    assigned = Counter((day, code) for (_person, day), code in cells.items())
    required = {
        ((row.day - START).days, row.shift.code): row.required
        for row in ShiftDemand.objects.filter(roster=roster).select_related("shift")
    }
    for (person, day), code in sorted(cells.items()):
        if assigned[(day, code)] <= required.get((day, code), 0):
            return person, day, code
    raise AssertionError("every shift has people to spare")


@pytest.mark.parametrize("language", ["en-US", "zh-CN"])
def test_a_chief_makes_a_roster_and_another_chief_publishes_it(
    login_as: Callable[..., Any], journey_county: JourneyCounty, roster_station: Roster, language: str
) -> None:
    words = WORDS[language]
    shoot = language == "en-US"  # one set of roster screenshots; the allocation ones are in Chinese
    other = roster_station
    page = login_as("roster-chief", language)
    assert page.url.endswith("/county/stations/QH-03/")

    # The rosters page: only his station's rosters; create and generate a week.
    page.goto(page.base + "/rosters/")
    check_page(page)
    assert words["rosters"] in page.inner_text("h1") and "东关派出所" in page.inner_text("h1")
    assert "城关派出所" not in page.inner_text("main table")  # the other station's roster is not listed
    three8 = ShiftPattern.objects.get(code="THREE8", station__isnull=True)
    page.select_option("#id_pattern", str(three8.pk))
    page.fill("#id_start_date", START.isoformat())
    page.fill("#id_days", str(DAYS))
    page.fill("#id_time_limit", "2")
    click(page, "form.roster-new button[type=submit]")
    roster = Roster.objects.exclude(pk=other.pk).get()
    assert page.url.endswith(f"/rosters/{roster.pk}/") and roster.time_limit == 2
    page.wait_for_selector("#roster[data-finished='1']", timeout=30_000)  # the page reloads when it is done
    check_page(page)
    roster.refresh_from_db()
    assert roster.generation == GenerationStatus.SUCCEEDED, roster.error
    assert page.locator("table.roster-grid tbody tr").count() == roster.members.count() == 14
    cells = cells_of(roster)
    assert page.locator("table.roster-grid td.cell.on").count() == len(cells) > 0
    if shoot:
        page.locator("#cell-form").scroll_into_view_if_needed()  # the form and the grid below it
        screenshot(page, "roster-grid")
        page.evaluate("window.scrollTo(0, 0)")

    # One change accepted: an officer with free days takes a day shift.
    person, day = free_officer_day(roster, cells)
    pick_cell(page, person, day)
    assert page.input_value("#cell-shift") == ""
    page.select_option("#cell-shift", "D")
    click(page, "#cell-form button[type=submit]")
    assert "→ D" in messages(page)
    assert RosterCell.objects.filter(roster=roster, person_id=person, day=START + dt.timedelta(days=day)).exists()
    assert page.locator(f"tr[data-person='{person}'] td.cell").nth(day).inner_text() == "D"

    # One change refused: taking someone off a shift with no one to spare; the reasons are shown.
    cells = cells_of(roster)
    person, day, code = covered_cell(roster, cells)
    pick_cell(page, person, day)
    assert page.input_value("#cell-shift") == code
    page.select_option("#cell-shift", "")
    click(page, "#cell-form button[type=submit]")
    alert = page.locator(".refused[role=alert]")
    assert words["refused"] in alert.inner_text()
    reasons = alert.locator("li")
    assert reasons.count() >= 1 and (START + dt.timedelta(days=day)).isoformat() in reasons.first.inner_text()
    assert words["short"] in alert.inner_text()
    assert cells_of(roster) == cells  # nothing changed
    # The form still holds the refused change, to adjust rather than redo.
    assert page.input_value("#cell-person") == str(person)
    assert page.input_value("#cell-day") == (START + dt.timedelta(days=day)).isoformat()
    assert page.input_value("#cell-shift") == ""
    if shoot:
        screenshot(page, "roster-refused")

    # Submit; the submitter may not approve his own roster.
    click(page, f"form[action$='/rosters/{roster.pk}/submit/'] button")
    roster.refresh_from_db()
    assert roster.status == RosterStatus.SUBMITTED and roster.submitted_by == journey_county.users["roster-chief"]
    assert page.locator("#cell-form").count() == 0  # no more changes once submitted
    click(page, f"form[action$='/rosters/{roster.pk}/approve/'] button")
    assert words["own"] in messages(page)
    roster.refresh_from_db()
    assert roster.status == RosterStatus.SUBMITTED

    # Another station's roster is not there for him.
    page.console.expect("404")
    assert page.goto(f"{page.base}/rosters/{other.pk}/").status == 404
    assert page.goto(f"{page.base}/rosters/{other.pk}/roster.xlsx").status == 404

    # The station's second chief approves and publishes.
    second = login_as("roster-instructor", language)
    second.goto(f"{second.base}/rosters/{roster.pk}/")
    check_page(second)
    click(second, f"form[action$='/rosters/{roster.pk}/approve/'] button")
    roster.refresh_from_db()
    assert roster.status == RosterStatus.APPROVED and roster.approved_by == journey_county.users["roster-instructor"]
    click(second, f"form[action$='/rosters/{roster.pk}/publish/'] button")
    roster.refresh_from_db()
    assert roster.status == RosterStatus.PUBLISHED
    assert second.locator(f"span.status.{RosterStatus.PUBLISHED}").count() == 1
    assert "instructor-qh-03" in second.inner_text("main") and "chief-qh-03" in second.inner_text("main")
    if shoot:
        screenshot(second, "roster-published")
