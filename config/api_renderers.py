"""CSV and XLSX output for tabular API endpoints.

The rows are the JSON rows flattened (nested objects become `parent.child` columns, lists become JSON
text). Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage
return) get a leading apostrophe, so an incident description like "=HYPERLINK(...)" stays text
(OWASP: CSV injection). Numbers are written as numbers and never escaped.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework.renderers import BaseRenderer

from config.spreadsheet import cell_safe

# A signed number (a negative coordinate, a decimal the API gives as text) is data, not a formula.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """A cell value a spreadsheet shows as written: numbers as numbers, text never as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text if PLAIN_NUMBER.fullmatch(text) else cell_safe(text)


def _flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def table_of(data: Any) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a response body: a page ({"results": [...]}), a list, or one object."""
    if isinstance(data, Mapping) and isinstance(data.get("results"), list):
        items: Sequence[Any] = data["results"]
    elif isinstance(data, list):
        items = data
    elif isinstance(data, Mapping):
        items = [data]
    else:
        items = []
    rows = [_flatten(item) if isinstance(item, Mapping) else {"value": item} for item in items]
    header: list[str] = []
    seen: set[str] = set()
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                header.append(key)
    return header, [[spreadsheet_safe(row.get(key)) for key in header] for row in rows]


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        header, rows = table_of(data)
        buffer = io.StringIO()
        buffer.write("\ufeff")  # the BOM makes Excel read the file as UTF-8 (Chinese names intact)
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8")


class XlsxRenderer(BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        header, rows = table_of(data)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("data")
        sheet.append(header)
        for row in rows:
            # XLSX cannot hold most control characters at all; CSV keeps them.
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
