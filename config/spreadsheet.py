"""Writing cells that spreadsheet programs open safely (CSV/XLSX formula injection, OWASP).

Every export of Jingli passes its cells through `cell_safe`: a text cell that starts with a character a
spreadsheet reads as the start of a formula (=, +, -, @, and tab/carriage return, which some programs
strip first) gets a leading apostrophe, so Excel and WPS show the text instead of running it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: Any) -> Any:
    """The value as it may go into a cell: numbers and dates unchanged, risky text neutralised."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A UTF-8 CSV with a BOM (Excel then opens Chinese text correctly), every cell made safe."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([cell_safe(h) for h in header])
    for row in rows:
        writer.writerow([cell_safe(_plain(v)) for v in row])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1") -> bytes:
    """One sheet of an XLSX workbook, written in constant memory, every cell made safe."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def xlsx_cell(value: Any) -> Any:
        value = cell_safe(_plain(value))
        # XLSX cannot hold most control characters; a stray one must not make the export fail.
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([xlsx_cell(h) for h in header])
    for row in rows:
        sheet.append([xlsx_cell(v) for v in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _plain(value: Any) -> Any:
    # openpyxl refuses time-zone-aware datetimes; exports state their time zone in the header instead.
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dict | list):
        return str(value)
    return value
