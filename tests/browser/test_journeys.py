"""What planners and chiefs do, in a real browser, in both languages.

Planner: logs in, imports a file with the progress page, opens the overview and a station, opens a
report and downloads it, switches language. Chief: lands on his own station and cannot reach
another's pages. Every page is checked for labels and for sideways scrolling at 1280 px, and any
console error fails the journey.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from audit.models import AuditEvent
from tests.browser.conftest import JourneyCounty, check_page, screenshot
from workload.models import BatchStatus, ImportBatch

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "external_id,received_at,arrived_at,cleared_at,station,category,community,handling_minutes,people_involved\n"
    "B-1,2026-03-01 08:00:00,,,QH-01,XS01,,40,2\n"
    "B-2,2026-03-01 09:30:00,,,QH-02,JF01,,,\n"
    "B-3,2026-03-02 22:10:00,,,QH-01,ZA01,,25,1\n"
)


def visit(page: Any, path: str) -> Any:
    response = page.goto(page.base + path)
    check_page(page)
    return response


WORDS = {
    "zh-CN": {
        "code": "zh-hans",
        "overview": "全县概览",
        "absence": "在编不在岗",
        "aux_on_books": "在编辅警",
        "brand": "警力",  # the admin's site title
    },
    "en-US": {
        "code": "en",
        "overview": "County overview",
        "absence": "On the books, not at the post",
        "aux_on_books": "auxiliaries on the books",
        "brand": "Jingli",
    },
}


@pytest.mark.parametrize(("language", "other"), [("zh-CN", "en-US"), ("en-US", "zh-CN")])
def test_planner_imports_reviews_the_county_and_exports_a_report(
    login_as: Callable[..., Any], journey_county: JourneyCounty, tmp_path: Path, language: str, other: str
) -> None:
    words, later = WORDS[language], WORDS[other]
    shoot = language == "zh-CN"  # the README shows the Chinese pages
    page = login_as("planner", language)
    # Planners land on the county overview.
    assert page.url.endswith("/county/")
    assert words["overview"] in page.inner_text("h1")
    check_page(page)
    assert page.locator("table.overview tbody tr").count() == 3
    if shoot:
        screenshot(page, "overview")

    # Import a file through the upload page; the progress page follows the batch to its end.
    visit(page, "/imports/new/")
    upload = tmp_path / "calls.csv"
    upload.write_text(CSV, encoding="utf-8")
    page.set_input_files("#id_file", str(upload))
    page.select_option("#id_mapping", "jingli")
    page.check("#id_mode_0")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    check_page(page)
    page.wait_for_selector("#batch[data-finished='1']", timeout=15_000)
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.STORED and batch.rows_stored == 3
    if shoot:
        screenshot(page, "import")

    # A station's page: figures, the need explained, heatmaps, people, proposals.
    visit(page, "/county/")
    with page.expect_navigation():
        page.click("table.overview a:text('QH-01')")
    check_page(page)
    assert page.locator("svg").count() >= 3
    assert page.locator("#people tbody tr").count() == 6
    if shoot:
        screenshot(page, "station")

    # A report, then its XLSX download.
    visit(page, "/county/reports/")
    with page.expect_navigation():
        page.click("a[href$='/reports/absence/']")
    check_page(page)
    assert words["absence"] in page.inner_text("h1")
    if shoot:
        screenshot(page, "report-absence")
    with page.expect_download() as info:
        page.click("a[href*='format=xlsx']")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = load_workbook(saved)
    assert words["aux_on_books"] in [c.value for c in book[book.sheetnames[0]][1]]
    assert AuditEvent.objects.filter(action="report.export", after__format="xlsx").count() == 1

    # The admin speaks the same language and carries the same switch.
    visit(page, "/admin/")
    assert words["brand"] in page.title() and page.is_visible("#language-admin")
    if shoot:
        screenshot(page, "admin")

    visit(page, "/county/reports/absence/")
    # Switching language keeps the planner on the same page, now in the other language, and remembers it.
    with page.expect_navigation():
        page.select_option("#language", later["code"])
    check_page(page)
    assert page.inner_text("h1").startswith(later["absence"])
    visit(page, "/county/")
    assert later["overview"] in page.inner_text("h1")


def test_planner_reads_a_proposals_impact_and_downloads_csv_in_english(
    login_as: Callable[..., Any], journey_county: JourneyCounty
) -> None:
    page = login_as("planner", "en-US")
    assert "County overview" in page.inner_text("h1")
    visit(page, "/county/reports/impact/")
    assert page.locator("svg").count() == 2  # before/after gaps and the trade-off curve
    screenshot(page, "report-impact")
    with page.expect_download() as info:
        page.click("a[href*='format=csv']")
    body = Path(info.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf") and b"figure" in body
    # On paper: no header, filters or buttons; tables and charts only, on A4.
    page.emulate_media(media="print")
    assert not page.is_visible("header.top") and not page.is_visible("form.filters")
    assert not page.is_visible("a[href*='format=csv']") and page.is_visible("table.report")
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = {tuple(round(float(v)) for v in box.split()) for box in re.findall(rb"/MediaBox \[([^\]]*)\]", pdf)}
    assert boxes == {(0, 0, 595, 842)}  # every page A4: 210 × 297 mm is 595 × 842 points
    page.emulate_media(media="screen")
    visit(page, "/county/reports/workload/")
    page.select_option("#from", "2026-01")
    page.select_option("#to", "2026-03")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    check_page(page)
    assert "from 2026-01 to 2026-03 (3 months)" in page.inner_text("main")
    # Switch to Chinese from the header.
    with page.expect_navigation():
        page.select_option("#language", "zh-hans")
    assert "人均及各队室工作量" in page.inner_text("h1")


@pytest.mark.parametrize("language", ["zh-CN", "en-US"])
def test_a_chief_sees_his_station_and_cannot_reach_another(
    login_as: Callable[..., Any], journey_county: JourneyCounty, language: str
) -> None:
    page = login_as("chief", language)
    assert page.url.endswith("/county/stations/QH-01/")  # the overview sends him to his station
    check_page(page)
    assert "城关派出所" in page.inner_text("h1")
    if language == "zh-CN":
        screenshot(page, "chief-station")
    page.console.expect("404")
    page.console.expect("403")
    assert visit(page, "/county/stations/QH-02/").status == 404
    assert visit(page, "/imports/").status == 403
    # His reports show his station only.
    visit(page, "/county/reports/absence/")
    rows = page.locator("table.report").first.locator("tbody tr")
    assert rows.count() == 1 and "QH-01" in rows.first.inner_text()
