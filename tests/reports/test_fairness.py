"""The roster fairness report as a page, an export and a print, and the station page's rosters: what
published rosters say each person stands, scoped to a chief's own station."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from personnel.models import Person
from rosters.models import CalendarDay, Roster, RosterCell, RosterMember, RosterStatus, ShiftPattern
from stations.models import County, Station
from tests import factories
from tests.reports.conftest import client_for

pytestmark = pytest.mark.django_db

START = dt.date(2026, 9, 28)  # a Monday; the week runs into the National Day holiday


def roster(station: Station, status: str, *, nights: int, version: int = 1) -> Roster:
    """A week of the three-shift pattern written directly: the first person stands `nights` nights
    from the first day on, the second a day shift every day."""
    pattern = ShiftPattern.objects.get(code="THREE8", station__isnull=True)
    row = Roster.objects.create(
        station=station, pattern=pattern, start_date=START, days=7, status=status, version=version
    )
    people = [a.person for a in station.units.get(kind="community").assignments.select_related("person")[:2]]
    night, day = pattern.shift_types.get(code="N"), pattern.shift_types.get(code="D")
    for position, person in enumerate(people):
        RosterMember.objects.create(roster=row, person=person, officer=True, leader=False, position=position)
    for index, date in enumerate(row.dates()):
        if index < nights:
            RosterCell.objects.create(roster=row, person=people[0], day=date, shift=night)
        RosterCell.objects.create(roster=row, person=people[1], day=date, shift=day)
    return row


@pytest.fixture
def rosters(small_county: County) -> dict[str, Roster]:
    busy, quiet = Station.objects.get(code="QH-01"), Station.objects.get(code="QH-02")
    return {
        "busy": roster(busy, RosterStatus.PUBLISHED, nights=3),
        "busy_draft": roster(busy, RosterStatus.DRAFT, nights=7, version=2),  # a plan: never counted
        "quiet": roster(quiet, RosterStatus.PUBLISHED, nights=1),
    }


def url(**query: str) -> str:
    base = reverse("reports:report", args=["fairness"])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def expected_counts(rows: list[RosterCell]) -> tuple[int, int]:
    """Weekend and holiday shifts of these cells, from the installed holiday calendar."""
    stored = dict(CalendarDay.objects.values_list("date", "kind"))
    holidays = sum(1 for c in rows if stored.get(c.day) == "holiday")
    weekends = sum(1 for c in rows if c.day not in stored and c.day.weekday() >= 5)
    return weekends, holidays


def test_the_report_counts_published_duty_per_person(rosters: dict[str, Roster]) -> None:
    response = client_for(factories.planner()).get(url())
    assert response.status_code == 200 and "<table" in response.content.decode()
    report = response.context["report"]
    spread, per_person = report.tables
    busy_cells = list(rosters["busy"].cells.all())
    by_person = per_person.frame.set_index("number")
    night_person = Person.objects.get(pk=next(c.person_id for c in busy_cells if c.shift.night))
    assert by_person.loc[night_person.number, "nights"] == 3  # the draft's seven nights are not counted
    day_cells = [c for c in busy_cells if not c.shift.night]
    weekends, holidays = expected_counts(day_cells)
    day_person = Person.objects.get(pk=day_cells[0].person_id).number
    assert (by_person.loc[day_person, "weekends"], by_person.loc[day_person, "holidays"]) == (weekends, holidays)
    assert holidays > 0  # the week reaches into the National Day holiday
    stations = spread.frame.set_index("station_code")
    assert stations.loc["QH-01", ["people", "nights_max", "nights_spread"]].tolist() == [2, 3, 3]
    assert stations.loc["QH-02", "nights_max"] == 1


def test_a_chief_sees_and_exports_his_station_only(rosters: dict[str, Roster]) -> None:
    busy = Station.objects.get(code="QH-01")
    client = client_for(factories.chief(busy))
    report = client.get(url()).context["report"]
    for table in report.tables:
        assert set(table.frame["station_code"]) == {"QH-01"}
    body = client.get(url(format="csv")).content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert "QH-02" not in {row[0] for row in rows if row}
    event = AuditEvent.objects.get(action="report.export")
    assert event.station_id == busy.pk and event.after["report"] == "fairness"


def test_xlsx_export_keeps_numbers_and_escapes_formulas(rosters: dict[str, Roster]) -> None:
    # QH-02's name in the fixture is a formula: the spreadsheet must show it as text.
    body = client_for(factories.planner()).get(url(format="xlsx")).content
    book = load_workbook(io.BytesIO(body))
    assert len(book.sheetnames) == 2
    values = [cell.value for row in book.worksheets[0].iter_rows() for cell in row]
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in values)
    assert 3 in values  # the busy station's most nights, a number, not text
    assert AuditEvent.objects.filter(action="report.export", after__format="xlsx").count() == 1


def test_without_published_rosters_the_report_says_so(small_county: County) -> None:
    response = client_for(factories.planner()).get(url())
    assert response.status_code == 200
    assert "No roster has been published yet" in response.content.decode()
    assert all(table.frame.empty for table in response.context["report"].tables)


def test_the_index_lists_the_fairness_report_and_no_longer_promises_it(small_county: County) -> None:
    page = client_for(factories.auditor()).get(reverse("reports:index")).content.decode()
    assert url() in page and "comes with the duty rosters" not in page


def test_the_station_page_lists_its_rosters_and_no_others(rosters: dict[str, Roster]) -> None:
    busy = Station.objects.get(code="QH-01")
    page = client_for(factories.chief(busy)).get(reverse("reports:station", args=["QH-01"])).content.decode()
    section = page[page.index('id="rosters"') :]
    for key in ("busy", "busy_draft"):
        assert reverse("rosters:detail", args=[rosters[key].pk]) in section
    assert reverse("rosters:detail", args=[rosters["quiet"].pk]) not in section
    assert "Published" in section and "Draft" in section
    planner_page = client_for(factories.planner()).get(reverse("reports:station", args=["QH-02"])).content.decode()
    assert reverse("rosters:detail", args=[rosters["quiet"].pk]) in planner_page
    assert reverse("rosters:detail", args=[rosters["busy"].pk]) not in planner_page
