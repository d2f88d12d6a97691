"""Read CSV and XLSX exports as chunks of text columns, in bounded memory.

Every cell arrives as a string (numbers and dates in spreadsheets are written back as text) so the
mapping decides what a value means, the same way for both formats.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

CHUNK_ROWS = 100_000
XLSX_MAGIC = b"PK\x03\x04"
# A workbook is a zip of XML files. These bounds refuse zip bombs and absurd sheets before any XML is
# parsed: real exports compress text 5-20 times and have tens of columns, Excel stops at 1,048,576 rows.
XLSX_MAX_UNCOMPRESSED = 4 * 1024**3
XLSX_MAX_RATIO = 200
XLSX_MAX_MEMBERS = 10_000
XLSX_MAX_COLUMNS = 1_000
XLSX_MAX_ROWS = 1_048_576
# What a damaged workbook raises from inside openpyxl's parser (XML errors, bad zip members, bad values).
XLSX_BROKEN: tuple[type[Exception], ...] = (
    ElementTree.ParseError,
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    TypeError,
    EOFError,
    OSError,
    DefusedXmlException,
)


class FileProblem(Exception):
    """The file as a whole cannot be read: wrong encoding, broken structure, missing columns."""


@dataclass(frozen=True)
class Chunk:
    frame: pd.DataFrame  # only the mapped columns, all str
    first_row: int  # spreadsheet row number of the chunk's first data row (the header is row 1)
    progress: float  # share of the file read so far, 0..1


def file_kind(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == XLSX_MAGIC or path.suffix.lower() == ".xlsx":
        return "xlsx"
    return "csv"


def detect_encoding(path: Path, declared: str) -> str:
    """UTF-8 (with or without BOM) or GB18030, decided by decoding the whole file once."""
    if declared != "auto":
        return declared
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
    for candidate in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(candidate)()
        try:
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return candidate
    raise FileProblem(_("the file is neither UTF-8 nor GB18030 text; save it as UTF-8 CSV or as XLSX"))


def read_chunks(
    path: Path,
    *,
    columns: list[str] | None,
    encoding: str = "auto",
    sheet: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[Chunk]:
    """Chunks of the named columns (all columns when None), every cell a string."""
    if file_kind(path) == "xlsx":
        yield from _xlsx_chunks(path, columns=columns, sheet=sheet, chunk_rows=chunk_rows)
    else:
        yield from _csv_chunks(path, columns=columns, encoding=detect_encoding(path, encoding), chunk_rows=chunk_rows)


def _check_header(header: list[str], columns: list[str]) -> None:
    duplicated = sorted({h for h in header if header.count(h) > 1 and h in columns})
    if duplicated:
        raise FileProblem(
            _("the header names these columns more than once: %(columns)s")
            % {"columns": ", ".join(map(repr, duplicated))}
        )
    missing = [c for c in columns if c not in header]
    if missing:
        shown = ", ".join(repr(h) for h in header[:30])
        raise FileProblem(
            _("columns missing from the file: %(missing)s (the file has %(shown)s)")
            % {"missing": ", ".join(map(repr, missing)), "shown": shown}
        )


def _csv_chunks(path: Path, *, columns: list[str] | None, encoding: str, chunk_rows: int) -> Iterator[Chunk]:
    size = max(path.stat().st_size, 1)
    try:
        # The csv module, not pandas, reads the header: pandas silently renames repeated names.
        with path.open(encoding=encoding, newline="") as handle:
            header = next(csv.reader(handle), [])
    except (csv.Error, UnicodeDecodeError) as exc:
        raise FileProblem(_("not a readable CSV file: %(error)s") % {"error": exc}) from None
    if not header:
        raise FileProblem(_("the file is empty"))
    if columns is None:
        columns = [h.strip() for h in header]  # every column as it is, repeated names included
    else:
        _check_header([h.strip() for h in header], columns)
    renamed = {h: h.strip() for h in header}
    first_row = 2
    try:
        with (
            path.open("rb") as raw,
            pd.read_csv(
                raw,
                encoding=encoding,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                # Blank lines stay as empty rows so row numbers match what a spreadsheet shows.
                skip_blank_lines=False,
                usecols=[h for h in header if h.strip() in columns],
                chunksize=chunk_rows,
                on_bad_lines="error",
            ) as reader,
        ):
            for frame in reader:
                frame = frame.rename(columns=renamed)
                yield Chunk(frame=frame, first_row=first_row, progress=min(raw.tell() / size, 1.0))
                first_row += len(frame)
    except pd.errors.ParserError as exc:
        raise FileProblem(_("the CSV structure is broken: %(error)s") % {"error": exc}) from None
    except UnicodeDecodeError as exc:
        raise FileProblem(
            _("the file is not valid %(encoding)s: %(error)s") % {"encoding": encoding, "error": exc}
        ) from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_guard(path: Path) -> None:
    """Refuse a workbook whose zip would expand beyond reason (a zip bomb) or is not a zip at all."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileProblem(_("not a readable XLSX workbook: %(error)s") % {"error": exc}) from None
    if len(members) > XLSX_MAX_MEMBERS:
        raise FileProblem(
            _("the workbook has %(parts)d parts; a spreadsheet export has a few dozen") % {"parts": len(members)}
        )
    total = sum(member.file_size for member in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise FileProblem(_("the workbook would expand to %(mb)d MB; the limit is 4096 MB") % {"mb": total // 1024**2})
    for member in members:
        if member.file_size > 1024**2 and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1):
            raise FileProblem(
                _("the workbook part %(part)r expands %(times)d times; refused as a possible zip bomb")
                % {"part": member.filename, "times": member.file_size // max(member.compress_size, 1)}
            )


def _xlsx_chunks(path: Path, *, columns: list[str] | None, sheet: str | None, chunk_rows: int) -> Iterator[Chunk]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _xlsx_guard(path)
    try:
        # read_only streams rows; openpyxl parses the XML with defusedxml when it is installed.
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise FileProblem(_("not a readable XLSX workbook: %(error)s") % {"error": exc}) from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise FileProblem(
                _("the workbook has no sheet %(sheet)r (it has %(sheets)s)")
                % {"sheet": sheet, "sheets": ", ".join(workbook.sheetnames)}
            )
        if not workbook.worksheets:
            raise FileProblem(_("the workbook has no worksheet"))
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        if (worksheet.max_column or 0) > XLSX_MAX_COLUMNS or (worksheet.max_row or 0) > XLSX_MAX_ROWS:
            raise FileProblem(
                _(
                    "the sheet claims %(rows)s rows and %(columns)s columns; at most %(max_rows)d rows and "
                    "%(max_columns)d columns are read"
                )
                % {
                    "rows": worksheet.max_row,
                    "columns": worksheet.max_column,
                    "max_rows": XLSX_MAX_ROWS,
                    "max_columns": XLSX_MAX_COLUMNS,
                }
            )
        total = max(worksheet.max_row or 1, 1)
        rows = worksheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise FileProblem(_("the sheet is empty"))
        header = [_cell_text(v) for v in header_row]
        if columns is None:
            columns = header  # every column as it is, repeated names included
            positions = list(range(len(header)))
        else:
            _check_header(header, columns)
            positions = [header.index(c) for c in columns]
        buffer: list[list[str]] = []
        first_row = 2
        try:
            for row_number, values in enumerate(rows, start=2):
                cells = [_cell_text(values[i]) if i < len(values) else "" for i in positions]
                buffer.append(cells)
                if len(buffer) >= chunk_rows:
                    frame = pd.DataFrame(buffer, columns=columns, dtype=str)
                    yield Chunk(frame, first_row, min(row_number / total, 1.0))
                    first_row += len(buffer)
                    buffer = []
        except XLSX_BROKEN as exc:
            # The sheet's XML is damaged somewhere after the header (a truncated or edited file).
            raise FileProblem(
                _("the worksheet is damaged: %(kind)s: %(error)s") % {"kind": type(exc).__name__, "error": exc}
            ) from None
        if buffer:
            yield Chunk(pd.DataFrame(buffer, columns=columns, dtype=str), first_row, 1.0)
    except XLSX_BROKEN as exc:
        raise FileProblem(
            _("not a readable XLSX workbook: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
        ) from None
    finally:
        workbook.close()
