"""Export the organisation in the layouts import_org reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orgdata.services import org_export


class Command(BaseCommand):
    help = "Write stations, units, communities, people, history and leave as CSV files (a directory) or one XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
        parser.add_argument("--out", type=Path, required=True, help="Directory (CSV) or .xlsx file or directory.")
        parser.add_argument("--county", action="append", help="County code; repeat for several (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        for path in org_export(fmt=options["format"], out=options["out"], counties=options["county"]):
            self.stdout.write(str(path))
