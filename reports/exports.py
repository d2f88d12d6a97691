"""A report as a file: CSV (UTF-8 with BOM, so Excel and WPS read the Chinese) or XLSX."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from config.spreadsheet import cell_safe
from reports.catalogue import Report

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cells(frame: pd.DataFrame) -> list[list[Any]]:
    rows = []
    for record in frame.itertuples(index=False):
        rows.append([None if (isinstance(v, float) and v != v) else cell_safe(v) for v in record])
    return rows


def report_csv(report: Report) -> bytes:
    """Every table of the report one after the other, each under its title, a blank line between."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, table in enumerate(report.tables):
        if index:
            writer.writerow([])
        frame = table.export_frame()
        if len(report.tables) > 1:
            writer.writerow([cell_safe(table.title)])
        writer.writerow([cell_safe(str(c)) for c in frame.columns])
        writer.writerows(_cells(frame))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, taken: set[str]) -> str:
    # Excel refuses these characters and more than 31 characters in a sheet name.
    base = _SHEET_FORBIDDEN.sub(" ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name in taken:
        name, n = f"{base} {n}", n + 1
    taken.add(name)
    return name


def report_xlsx(report: Report) -> bytes:
    """One sheet per table, bold header row, frozen under the header, columns wide enough to read."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in report.tables:
        sheet = book.create_sheet(_sheet_title(table.title, taken))
        frame = table.export_frame()
        sheet.append([cell_safe(str(c)) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in _cells(frame):
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column)), *(len(str(v)) for v in frame[column] if v is not None)], default=8)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest * 1.6), 48)
    if not report.tables:
        book.create_sheet(_sheet_title(report.title, taken)).append([cell_safe(n) for n in report.notes])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
