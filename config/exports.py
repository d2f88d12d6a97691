"""Safe cells for spreadsheets: text that a spreadsheet would run as a formula is neutralised.

A cell whose text begins with = + - @ (or a tab / carriage return, which some programs strip before
looking) is read by Excel, WPS and LibreOffice as a formula: a station or person name typed as
`=HYPERLINK(...)` would run on the reader's machine (CSV/formula injection, OWASP). Prefixing a single
quote makes the program show the text as typed. Numbers stay numbers: only text is ever escaped.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """The value as it may go into a CSV or XLSX cell: formula-looking text gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
