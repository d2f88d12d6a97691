"""Load the official public holidays and make-up working days of a year into the holiday calendar.

    python manage.py load_holidays [--year 2026] [--replace]

Adds the days the calendar lacks; `--replace` also corrects stored days of that year that differ from
the official list and removes the year's days not on it (a planner's own additions included).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from audit.services import audit_record
from rosters.holidays import OFFICIAL, calendar_rows
from rosters.models import CalendarDay


class Command(BaseCommand):
    help = "Load China's official holidays and make-up working days of a year into the calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", help=f"year(s) to load; known: {sorted(OFFICIAL)}")
        parser.add_argument("--replace", action="store_true", help="make the year's calendar exactly the official one")

    def handle(self, *args: Any, **options: Any) -> None:
        years = options["year"] or sorted(OFFICIAL)
        unknown = [y for y in years if y not in OFFICIAL]
        if unknown:
            raise CommandError(f"No official list for {unknown}; known years: {sorted(OFFICIAL)}.")
        for year in years:
            added = changed = removed = 0
            rows = calendar_rows(year)
            with transaction.atomic():
                official = {day for day, *_rest in rows}
                for day, kind, name, statutory in rows:
                    row, created = CalendarDay.objects.get_or_create(
                        date=day, defaults={"kind": kind, "name": name, "statutory": statutory}
                    )
                    if created:
                        added += 1
                    elif options["replace"] and (row.kind, row.name, row.statutory) != (kind, name, statutory):
                        row.kind, row.name, row.statutory = kind, name, statutory
                        row.save(update_fields=["kind", "name", "statutory", "updated_at"])
                        changed += 1
                if options["replace"]:
                    removed, _detail = (
                        CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
                        .exclude(date__in=official)
                        .delete()
                    )
                audit_record(
                    action="roster.calendar_load",
                    after={"year": year, "added": added, "changed": changed, "removed": removed},
                )
            self.stdout.write(f"{year}: {added} days added, {changed} corrected, {removed} removed")
