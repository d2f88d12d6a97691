"""Reports open as pages, export as CSV and XLSX, are audited, and show a chief his station only."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from allocation.models import Proposal
from audit.models import AuditEvent
from stations.models import County, Station
from tests import factories
from tests.reports.conftest import client_for

pytestmark = pytest.mark.django_db

SLUGS = ["compliance", "absence", "workload", "impact", "fairness"]


def url(slug: str, **query: str) -> str:
    base = reverse("reports:report", args=[slug])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel and WPS open the Chinese correctly
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_report_opens_for_a_planner(small_county: County, proposal: Proposal, slug: str) -> None:
    response = client_for(factories.planner()).get(url(slug))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<table" in page and "format=xlsx" in page and "format=csv" in page


def test_the_index_lists_the_reports(small_county: County) -> None:
    page = client_for(factories.auditor()).get(reverse("reports:index")).content.decode()
    for slug in SLUGS:
        assert reverse("reports:report", args=[slug]) in page


def test_unknown_report_is_404_and_anonymous_goes_to_login(small_county: County) -> None:
    assert client_for(factories.planner()).get(url("nope")).status_code == 404
    from django.test import Client

    response = Client().get(url("compliance"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_compliance_flags_the_breaching_station(small_county: County) -> None:
    report = client_for(factories.planner()).get(url("compliance")).context["report"]
    table = report.tables[0].frame.set_index("code")
    assert bool(table.loc["QH-01", "below_floor"])  # four officers at post (two away)
    assert not bool(table.loc["QH-02", "below_floor"])
    assert "QH-ZH" not in table.index


def test_csv_export_has_bom_escapes_formulas_and_is_audited(small_county: County) -> None:
    planner = factories.planner()
    response = client_for(planner).get(url("compliance", format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response.content)
    assert rows[0][0] == "code"
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("x")' in names and "城关派出所" in names
    event = AuditEvent.objects.get(action="report.export")
    assert event.user_id == planner.pk
    assert event.after["report"] == "compliance" and event.after["format"] == "csv" and event.after["rows"] == 2


def test_xlsx_export_keeps_numbers_and_one_sheet_per_table(small_county: County) -> None:
    response = client_for(factories.planner()).get(url("absence", format="xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 2
    stations, people = (book[name] for name in book.sheetnames)
    header = [c.value for c in stations[1]]
    assert header[:3] == ["code", "name", "officers on the books"]
    by_code = {row[0]: row for row in stations.iter_rows(min_row=2, values_only=True)}
    assert by_code["QH-01"][2] == 6 and by_code["QH-01"][3] == 4  # six on the books, four at post
    assert by_code["QH-02"][1] == '\'=HYPERLINK("x")'  # never a live formula in the sheet
    statuses = sorted(row[7] for row in people.iter_rows(min_row=2, values_only=True))
    assert statuses == ["Long leave", "Seconded out", "Training"]
    assert AuditEvent.objects.filter(action="report.export", after__format="xlsx").count() == 1


def test_a_chief_reports_and_exports_his_station_only(small_county: County, proposal: Proposal) -> None:
    busy = Station.objects.get(code="QH-01")
    client = client_for(factories.chief(busy))
    for slug in SLUGS:
        report = client.get(url(slug)).context["report"]
        for table in report.tables:
            codes = set(table.frame.get("code", table.frame.get("station_code", [])))
            assert codes <= {"QH-01"}, (slug, table.title, codes)
    rows = read_csv(client.get(url("absence", format="csv")).content)
    assert "QH-02" not in {row[0] for row in rows if row}
    event = AuditEvent.objects.get(action="report.export")
    assert event.station_id == busy.pk


def test_workload_period_can_be_chosen(small_county: County) -> None:
    client = client_for(factories.planner())
    whole = client.get(url("workload")).context["report"].tables[0].frame.set_index("station_code")
    one = client.get(url("workload", **{"from": "2026-01", "to": "2026-01"})).context["report"]
    first = one.tables[0].frame.set_index("station_code")
    assert 0 < first.loc["QH-01", "incidents"] < whole.loc["QH-01", "incidents"]
    assert one.parameters == {"county": "QH", "from": "2026-01", "to": "2026-01"}


def test_impact_report_shows_the_proposal_before_and_after(small_county: County, proposal: Proposal) -> None:
    report = client_for(factories.planner()).get(url("impact", proposal=str(proposal.pk))).context["report"]
    summary, stations = report.tables
    assert len(summary.frame) == 6
    moved = stations.frame.set_index("code")
    assert int(moved["arriving"].sum()) == proposal.moves.count() == int(moved["leaving"].sum())
    assert len(report.charts) == 2  # before/after gaps and the trade-off curve


def test_report_pages_print_on_a4(small_county: County) -> None:
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "jingli" / "jingli.css").read_text()
    assert "@page { size: A4" in css and "thead { display: table-header-group; }" in css


def test_workload_report_leaves_bureau_departments_out(small_county: County) -> None:
    report = client_for(factories.planner()).get(url("workload")).context["report"]
    for table in report.tables:
        assert "QH-ZH" not in set(table.frame["station_code"])
