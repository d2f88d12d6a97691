"""The grid page's queries, the exports (XLSX, printable A4, iCalendar) and the admin's scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from personnel.models import Leave, Person, User
from rosters.models import Roster, RosterCell, ShiftPattern
from rosters.problem import cells_of
from rosters.services import roster_approve, roster_publish, roster_submit
from stations.models import Station
from tests import factories
from tests.rosters.conftest import START, make_roster

pytestmark = pytest.mark.django_db


def grid_queries(client, roster: Roster) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/rosters/{roster.pk}/").status_code == 200
    return len(queries)


def fill(roster: Roster) -> None:
    """A shift for everyone on every other day: cells enough to render, no solver needed."""
    shift = roster.pattern.shift_types.get(code="D")
    RosterCell.objects.bulk_create(
        RosterCell(roster=roster, person_id=m.person_id, day=day, shift=shift)
        for m in roster.members.all()
        for day in roster.dates()[::2]
    )


def test_the_grid_costs_the_same_queries_for_more_people(
    client,
    station: Station,
    three8: ShiftPattern,
    chief: User,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    small = make_roster(station, three8, by=chief, days=31)
    fill(small)
    client.force_login(chief)
    grid_queries(client, small)  # warm the session and the content types
    baseline = grid_queries(client, small)
    for _n in range(30):
        factories.place(factories.person(post=Person.Post.COMMAND_OFFICER), station, unit_kind="command")
    large = make_roster(station, three8, by=chief, days=31, start=START + dt.timedelta(days=31))
    fill(large)
    assert large.members.count() == small.members.count() + 30
    with django_assert_num_queries(baseline):
        assert client.get(f"/rosters/{large.pk}/").status_code == 200


def test_the_xlsx_export_holds_the_grid(client, roster: Roster, chief: User) -> None:  # type: ignore[no-untyped-def]
    client.force_login(chief)
    response = client.get(f"/rosters/{roster.pk}/roster.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, max_row=2 + roster.members.count(), values_only=True))
    cells = cells_of(roster)
    members = list(roster.members.select_related("person").order_by("position"))
    for member, row in zip(members, rows, strict=True):
        assert row[1] == member.person.name
        assert [c or None for c in row[3 : 3 + roster.days]] == [cells.get((member.person_id, d)) for d in range(7)]
    assert sheet.page_setup.orientation == "landscape"


def test_the_print_page_is_chinese_a4_landscape(client, roster: Roster, chief: User) -> None:  # type: ignore[no-untyped-def]
    client.force_login(chief)
    response = client.get(f"/rosters/{roster.pk}/print/")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text and "size: A4 landscape" in response.text
    assert "城关派出所" in response.text and "2026年11月2日" in response.text


def test_the_person_feed_lists_their_published_shifts_in_utc(
    client,
    roster: Roster,
    chief: User,
    second_chief: User,
    other_station: Station,  # type: ignore[no-untyped-def]
) -> None:
    person_id, index = sorted(cells_of(roster))[0]
    client.force_login(chief)
    url = f"/rosters/feed/{roster.station.code}/{person_id}.ics"
    assert client.get(url).text.count("BEGIN:VEVENT") == 0  # a draft is not in anyone's calendar
    roster_submit(roster=roster, by=chief)
    roster_approve(roster=roster, by=second_chief)
    roster_publish(roster=roster, by=chief)
    response = client.get(url)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.text
    mine = {d: code for (p, d), code in cells_of(roster).items() if p == person_id}
    assert text.count("BEGIN:VEVENT") == len(mine)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    first = START + dt.timedelta(days=index)
    start_hour = {"N": 0, "D": 8, "E": 16}[mine[index]]
    utc = dt.datetime.combine(first, dt.time(start_hour), tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.UTC)
    assert f"DTSTART:{utc:%Y%m%dT%H%M%SZ}" in text
    client.force_login(factories.chief(other_station))
    assert client.get(url).status_code == 404


def test_the_admin_shows_a_chief_only_his_stations_rosters(
    client,
    roster: Roster,
    other_station: Station,
    three8: ShiftPattern,  # type: ignore[no-untyped-def]
) -> None:
    other = make_roster(other_station, three8)
    client.force_login(factories.chief(other_station))
    listing = client.get("/admin/rosters/roster/")
    assert listing.status_code == 200
    assert [r.pk for r in listing.context["cl"].queryset] == [other.pk]
    assert client.get(f"/admin/rosters/roster/{roster.pk}/change/").status_code == 302  # not there: back to the index
    client.force_login(factories.planner())
    assert {r.pk for r in client.get("/admin/rosters/roster/").context["cl"].queryset} == {roster.pk, other.pk}
    page = client.get(f"/admin/rosters/roster/{roster.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_the_calendar_and_demand_pages_read(client, roster: Roster) -> None:  # type: ignore[no-untyped-def]
    client.force_login(factories.auditor())
    calendar = client.get("/rosters/calendar/?year=2026")
    assert calendar.status_code == 200 and "春节" in calendar.text and calendar.context["days"].count() == 39
    demand = client.get(f"/rosters/{roster.pk}/demand/")
    assert demand.status_code == 200 and not demand.context["editable"] and len(demand.context["rows"]) == 21


def test_the_soft_rules_are_listed_in_one_order_whatever_the_json_kept(client, roster: Roster, chief: User) -> None:  # type: ignore[no-untyped-def]
    Roster.objects.filter(pk=roster.pk).update(penalties={"stability": 3, "shortfall": 2, "requests": 1, "new": 4})
    client.force_login(chief)
    listed = client.get(f"/rosters/{roster.pk}/").context["penalties"]
    assert listed == [("shortfalls", 2), ("personal requests", 1), ("stability", 3), ("new", 4)]


def test_a_refused_change_comes_back_in_the_form(client, roster: Roster, chief: User) -> None:  # type: ignore[no-untyped-def]
    person = (
        roster.members.filter(officer=True, leader=False).order_by("-position").values_list("person_id", flat=True)[0]
    )
    on = roster.start_date + dt.timedelta(days=roster.days - 1)
    Leave.objects.create(person_id=person, kind="annual", start_date=on, end_date=on, status="approved")
    code = "D" if cells_of(roster).get((person, roster.days - 1)) != "D" else "N"
    client.force_login(chief)
    page = client.post(
        f"/rosters/{roster.pk}/cell/", {"person": person, "day": on.isoformat(), "shift": code}, follow=True
    )
    assert page.context["refused"]["reasons"], page.context["refused"]
    html = page.text
    assert f'<option value="{person}" selected>' in html
    assert f'id="cell-day" min="{roster.start_date:%Y-%m-%d}" max="{on:%Y-%m-%d}" value="{on:%Y-%m-%d}"' in html
    assert f'<option value="{code}" selected>' in html
    # Shown once: the next visit starts afresh.
    assert client.get(f"/rosters/{roster.pk}/").context["refused"] is None
