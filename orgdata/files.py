"""Org files in and out: which sheet or CSV holds which kind of rows; CSV and XLSX writing.

Reading goes through workload.reader (encodings, BOM, GB18030, XLSX streamed), so the organisation
and the incidents are read the same way; this module only adds what a set of sheets needs.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import cast

import pandas as pd
from django.utils.translation import gettext as _

from config.spreadsheet import FORMULA_STARTS, cell_safe
from orgdata.layouts import KIND_BY_NAME
from orgdata.mapping import OrgMapping
from workload.reader import FileProblem, file_kind, read_chunks

# A cell a spreadsheet would run as a formula starts with one of these (OWASP "CSV injection").
MAX_ZIP_BYTES = 200 * 1024 * 1024
SUFFIXES = (".csv", ".txt", ".xlsx")


@dataclass(frozen=True)
class Sheet:
    kind: str
    file: str  # the file's name as the planner knows it
    sheet: str  # the sheet of a workbook, "" for CSV
    frame: pd.DataFrame  # every column of the sheet, every cell a string
    first_row: int = 2  # spreadsheet row number of the first data row


def read_sheets(path: Path, mapping: OrgMapping, *, name: str | None = None) -> list[Sheet]:
    """Every sheet of a CSV, an XLSX workbook, a ZIP of those or a directory, each tagged with its kind.

    `name` is the file's name as uploaded (the stored copy is named by its checksum): a CSV's name
    tells its kind, and errors name the file the planner knows.
    """
    with _member_files(path, name or path.name) as files:
        sheets: list[Sheet] = []
        for member, shown in files:
            sheets += _read_one(member, shown, mapping)
    seen: dict[str, str] = {}
    for sheet in sheets:
        where = f"{sheet.file}{' › ' + sheet.sheet if sheet.sheet else ''}"
        if sheet.kind in seen:
            raise FileProblem(
                _("%(here)s and %(there)s both hold %(kind)s; give each kind once")
                % {"here": where, "there": seen[sheet.kind], "kind": sheet.kind}
            )
        seen[sheet.kind] = where
    if not sheets:
        raise FileProblem(_("no sheet or file of a known kind (%(kinds)s)") % {"kinds": ", ".join(KIND_BY_NAME)})
    return sheets


@contextmanager
def _member_files(path: Path, name: str) -> Iterator[list[tuple[Path, str]]]:
    if path.is_dir():
        yield [(p, p.name) for p in sorted(path.iterdir()) if p.suffix.lower() in SUFFIXES and p.is_file()]
        return
    if zipfile.is_zipfile(path) and not _is_workbook(path):
        with tempfile.TemporaryDirectory(prefix="jingli-org-") as tmp:
            yield _unzip(path, Path(tmp))
        return
    yield [(path, name)]


def _is_workbook(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return "[Content_Types].xml" in archive.namelist()


def _unzip(path: Path, into: Path) -> list[tuple[Path, str]]:
    members: list[tuple[Path, str]] = []
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = Path(info.filename).name  # never a path from the archive: no writing outside `into`
            if info.is_dir() or not name or name.startswith(".") or Path(name).suffix.lower() not in SUFFIXES:
                continue
            total += info.file_size
            if total > MAX_ZIP_BYTES:
                raise FileProblem(_("the ZIP archive unpacks to more than 200 MB"))
            target = into / name
            target.write_bytes(archive.read(info))
            members.append((target, name))
    return sorted(members, key=lambda m: m[1])


def _frame(path: Path, mapping: OrgMapping, sheet: str | None) -> pd.DataFrame:
    chunks = [c.frame for c in read_chunks(path, columns=None, encoding=mapping.encoding, sheet=sheet)]
    if not chunks:
        return pd.DataFrame()
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def _read_one(path: Path, shown: str, mapping: OrgMapping) -> list[Sheet]:
    by_sheet = {m.sheet: kind for kind, m in mapping.kinds.items()}
    if file_kind(path) == "csv":
        frame = _frame(path, mapping, None)
        return [Sheet(_kind_of(Path(shown).stem, list(frame.columns), mapping, shown), shown, "", frame)]
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken archive
        raise FileProblem(
            _("%(file)s: not a readable XLSX workbook: %(error)s") % {"file": shown, "error": exc}
        ) from None
    names = workbook.sheetnames
    workbook.close()
    if len(names) == 1 and names[0] not in by_sheet:
        frame = _frame(path, mapping, names[0])
        return [Sheet(_kind_of(names[0], list(frame.columns), mapping, shown), shown, names[0], frame)]
    unknown = [n for n in names if n not in by_sheet]
    if unknown:
        raise FileProblem(
            _("%(file)s: sheets %(unknown)s are not kinds this mapping knows (sheets: %(known)s)")
            % {"file": shown, "unknown": unknown, "known": ", ".join(by_sheet)}
        )
    return [Sheet(by_sheet[n], shown, n, _frame(path, mapping, n)) for n in names]


def _kind_of(stem: str, header: list[str], mapping: OrgMapping, shown: str) -> str:
    """The kind a lone sheet holds: by its name, else the one kind whose required columns it has."""
    for kind, kind_mapping in mapping.kinds.items():
        if stem in (kind, kind_mapping.sheet):
            return kind
    present = set(header)
    fits: list[tuple[int, str]] = []
    for kind, kind_mapping in mapping.kinds.items():
        required = {kind_mapping.column(f) for f in KIND_BY_NAME[kind].required}
        if required <= present:
            fits.append((sum(kind_mapping.column(f) in present for f in KIND_BY_NAME[kind].names), kind))
    fits.sort(reverse=True)
    if not fits or (len(fits) > 1 and fits[0][0] == fits[1][0]):
        raise FileProblem(
            _("%(file)s: cannot tell which kind of rows it holds; name the file or sheet after one of %(sheets)s")
            % {"file": shown, "sheets": ", ".join(m.sheet for m in mapping.kinds.values())}
        )
    return fits[0][1]


# --- Writing -------------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A value as it goes into a CSV cell; text that a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, (int, Decimal, float)):
        return str(value)
    text = str(value)
    return cast(str, cell_safe(text))


def unescape(text: str) -> str:
    """The inverse of the formula quoting, so an export reads back as it was."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    # UTF-8 with BOM: Excel on a Chinese Windows opens it as UTF-8 instead of guessing GBK.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([cell_text(v) for v in row] for row in rows)


def write_xlsx(path: Path, tables: dict[str, tuple[list[str], list[list[object]]]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for sheet_name, (header, rows) in tables.items():
        sheet = workbook.create_sheet(sheet_name)
        sheet.append(header)
        for row in rows:
            cells: list[object] = []
            for value in row:
                if isinstance(value, dt.date):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = "yyyy-mm-dd"
                    cells.append(cell)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    cells.append(value)
                elif isinstance(value, Decimal):
                    cells.append(float(value))
                else:
                    # Text cells only: openpyxl would store "=..." as a formula.
                    cells.append(cell_text(value))
            sheet.append(cells)
    workbook.save(path)
