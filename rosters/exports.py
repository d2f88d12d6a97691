"""Roster exports: the grid as an XLSX workbook and a person's shifts as an iCalendar feed (RFC 5545).

The iCalendar text is written here rather than with a library: a feed of timed events needs a handful
of properties, and writing them keeps the escaping and line folding in plain sight.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from rosters.models import RosterCell
from rosters.selectors import Grid

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


def grid_xlsx(grid: Grid) -> bytes:
    """One sheet: people down, days across, shift codes in the cells, hours and nights at the right,
    then demand against assignment per shift."""
    roster = grid.roster
    book = Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook always has one sheet
        raise RuntimeError("openpyxl gave no active sheet")
    sheet.title = f"{roster.start_date:%Y-%m}"
    bold = Font(bold=True)
    rest = PatternFill("solid", fgColor="EEEEEE")
    short = PatternFill("solid", fgColor="F4CCCC")
    sheet.append(
        [
            f"{roster.station.name} {roster.pattern.name} {roster.start_date:%Y-%m-%d} – {roster.end_date:%Y-%m-%d}"
            f" {_('version')} {roster.version} ({roster.get_status_display()})"
        ]
    )
    sheet["A1"].font = Font(bold=True, size=13)
    header = [_("number"), _("name"), _("group")] + [f"{d.date.day}\n{WEEKDAYS[d.date.weekday()]}" for d in grid.days]
    header += [_("hours"), _("nights")]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for i, day in enumerate(grid.days):
        if day.is_rest:
            sheet.cell(row=2, column=4 + i).fill = rest
    for row in grid.rows:
        group = "" if row.member.group is None else row.member.group + 1
        sheet.append([row.member.person.number, row.member.person.name, group, *row.cells, row.hours, row.nights])
    sheet.append([])
    for shift, line in zip(grid.shifts, grid.demand, strict=True):
        sheet.append([shift.code, _("needed / on duty"), "", *[f"{c.required}/{c.assigned}" for c in line]])
        for i, c in enumerate(line):
            if c.short:
                sheet.cell(row=sheet.max_row, column=4 + i).fill = short
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 10
    for i in range(len(grid.days)):
        sheet.column_dimensions[get_column_letter(4 + i)].width = 4.5
    sheet.freeze_panes = "D3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets continue on the next line after a space."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def person_ics(person_name: str, cells: Iterable[RosterCell], *, host: str, now: dt.datetime) -> str:
    """A calendar of a person's shifts; event times in UTC so every client agrees without a VTIMEZONE."""
    zone = ZoneInfo(settings.TIME_ZONE)
    # Outside the f-string, where the message extractor (and so the catalogue test) can see it.
    title = _("duty roster")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Jingli//Duty roster//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(person_name + ' ' + title)}",
    ]
    for cell in cells:
        shift = cell.shift
        start = dt.datetime.combine(cell.day, shift.start, tzinfo=zone)
        end = start + dt.timedelta(hours=shift.hours)
        roster = cell.roster
        lines += [
            "BEGIN:VEVENT",
            f"UID:roster-{roster.station.code}-{cell.day:%Y%m%d}-{cell.person_id}@{host}",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(start)}",
            f"DTEND:{_stamp(end)}",
            f"SUMMARY:{_escape(f'{shift.name} ({shift.code})')}",
            f"LOCATION:{_escape(roster.station.name)}",
            f"DESCRIPTION:{_escape(f'{roster.station.name} v{roster.version}')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
