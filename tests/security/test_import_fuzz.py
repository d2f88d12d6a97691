"""Hostile and broken import files: never an unhandled exception, always a clear rejection, nothing
stored by a rejected file, and formula payloads come back out as text."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from stations.models import County, Station
from workload.importer import ImportRefused, batch_check, batch_create
from workload.models import BatchMode, BatchStatus, ImportBatch, Incident, StagedIncident

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["external_id", "received_at", "arrived_at", "cleared_at", "station", "category", "community",
          "handling_minutes", "people_involved"]  # fmt: skip
GOOD_ROW = ["F-1", "2026-03-01 08:00:00", "", "", "FZ-01", "XS01", "", "30", "2"]
FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://x","y")', "\t=1"]
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

cell = st.one_of(
    st.text(max_size=40),
    st.sampled_from(FORMULAS),
    st.text(alphabet="0123456789-: ", max_size=25),
    st.just("x" * 70_000),  # a huge cell
    st.sampled_from(["", "FZ-01", "XS01", "2026-03-01 08:00:00", "NaN", "1e309", "-0", "\x00", "城关派出所"]),
)
rows = st.lists(st.lists(cell, min_size=0, max_size=12), min_size=0, max_size=6)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1", "cp1252"])


@pytest.fixture
def station() -> Station:
    county = County.objects.create(code="FZ", name="模糊县")
    return Station.objects.create(county=county, code="FZ-01", name="城关派出所", kind="urban")


def import_bytes(content: bytes, name: str, mode: str = BatchMode.ALL_OR_NOTHING) -> ImportBatch | None:
    """Submit and check like the worker does; None when the submission itself is refused (empty file)."""
    try:
        batch = batch_create(upload=io.BytesIO(content), file_name=name, mapping_name="jingli", mode=mode)
    except ImportRefused:
        return None
    batch_check(batch.pk)
    batch.refresh_from_db()
    return batch


def assert_clean_outcome(batch: ImportBatch | None, stored_before: int) -> None:
    assert not StagedIncident.objects.exists(), "staging must be empty after a check"
    if batch is None:
        assert Incident.objects.count() == stored_before
        return
    assert batch.status in {BatchStatus.STORED, BatchStatus.REJECTED}, (batch.status, batch.message)
    if batch.status == BatchStatus.REJECTED:
        assert batch.message, "a rejection says why"
        assert Incident.objects.count() == stored_before, "a rejected file stores nothing"
    else:
        assert Incident.objects.count() == stored_before + batch.rows_stored


def csv_text(header: list[str], body: list[list[str]]) -> str:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(header)
    writer.writerows(body)
    return output.getvalue()


@FUZZ
@given(body=rows, encoding=encodings, keep_header=st.booleans())
def test_malformed_csv_in_any_encoding_is_rejected_cleanly(station: Station, body, encoding, keep_header) -> None:  # type: ignore[no-untyped-def]
    header = HEADER if keep_header else HEADER[:3]
    content = csv_text(header, body).encode(encoding, errors="replace")
    before = Incident.objects.count()
    assert_clean_outcome(import_bytes(content, "fuzz.csv"), before)


@FUZZ
@given(content=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_arbitrary_bytes_are_rejected_cleanly(station: Station, content: bytes, suffix: str) -> None:
    before = Incident.objects.count()
    assert_clean_outcome(import_bytes(content, f"noise{suffix}"), before)


@FUZZ
@given(body=rows, corrupt=st.integers(min_value=0, max_value=3))
def test_malformed_xlsx_is_rejected_cleanly(station: Station, body, corrupt: int) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER if corrupt != 1 else ["nothing", "useful"])
    for row in body:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])  # XLSX cannot hold control codes
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    if corrupt == 2:
        content = content[: len(content) // 2]  # truncated zip
    if corrupt == 3:
        content = content.replace(b"worksheets/sheet1.xml", b"worksheets/sheetX.xml")  # broken workbook
    before = Incident.objects.count()
    assert_clean_outcome(import_bytes(content, "fuzz.xlsx"), before)


def test_a_valid_file_still_goes_in(station: Station) -> None:
    batch = import_bytes(csv_text(HEADER, [GOOD_ROW]).encode(), "good.csv")
    assert batch is not None and batch.status == BatchStatus.STORED and batch.rows_stored == 1


def test_a_zip_bomb_is_refused_before_it_is_parsed(station: Station, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * (300 * 1024**2) + b"/>")
    batch = import_bytes(buffer.getvalue(), "bomb.xlsx")
    assert batch is not None and batch.status == BatchStatus.REJECTED
    assert "zip bomb" in batch.message


def test_a_sheet_claiming_absurd_dimensions_is_refused(station: Station) -> None:
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.cell(row=1, column=5000, value="far away")
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = import_bytes(buffer.getvalue(), "wide.xlsx")
    assert batch is not None and batch.status == BatchStatus.REJECTED
    assert "5000 columns" in batch.message


def test_formula_payloads_in_rejected_rows_come_back_as_text(station: Station) -> None:
    body = [[f"X-{n}", "not a time", "", "", "FZ-01", "XS01", "", formula, "1"] for n, formula in enumerate(FORMULAS)]
    batch = import_bytes(csv_text(HEADER, body).encode(), "formulas.csv", mode=BatchMode.ASK)
    assert batch is not None and batch.status == BatchStatus.AWAITING_DECISION
    with batch.rejected_file.open("rb") as handle:
        written = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    cells = [value for row in written[1:] for value in row]
    for formula in FORMULAS:
        assert formula not in cells and "'" + formula in cells
    assert not any(value.startswith(("=", "+", "-", "@", "\t")) for value in cells)
