"""Import a county's organisation (stations, units, communities, people, history, leave) from files."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgdata.mapping import MappingError
from orgdata.models import OrgBatch, OrgBatchMode, OrgBatchStatus
from orgdata.services import OrgImportRefused, org_import, orgbatch_summary


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--effective-date: {text!r} is not a date like 2026-11-01") from None


class Command(BaseCommand):
    help = (
        "Import the organisation from FILE: a CSV of one kind, an XLSX workbook with a sheet per kind, a ZIP "
        "of CSV files or a directory of them. Without --dry-run the changes are stored; exits 1 when nothing "
        "was stored because of errors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping", default="jingli", help="Mapping name or path to a .toml file (default jingli)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and show the differences; store nothing.")
        parser.add_argument(
            "--store-valid",
            action="store_true",
            help="Store the valid rows even if others are wrong (default: store nothing if any row is wrong).",
        )
        parser.add_argument("--add-only", action="store_true", help="Add new rows; leave stored ones unchanged.")
        parser.add_argument(
            "--full", action="store_true", help="The file lists everyone: report people it does not list as missing."
        )
        parser.add_argument("--effective-date", type=_date, help="Day moves take effect (default today).")
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file or directory")
        try:
            batch = org_import(
                path=path,
                mapping_name=options["mapping"],
                mode=OrgBatchMode.VALID_ROWS if options["store_valid"] else OrgBatchMode.ALL_OR_NOTHING,
                dry_run=options["dry_run"],
                update_existing=not options["add_only"],
                full_export=options["full"],
                effective_date=options["effective_date"],
            )
        except MappingError as exc:
            raise CommandError("mapping: " + "; ".join(exc.problems)) from None
        except OrgImportRefused as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(orgbatch_summary(batch), ensure_ascii=False, default=str))
        else:
            self._print(batch)
        if batch.status == OrgBatchStatus.REJECTED:
            sys.exit(1)

    def _print(self, batch: OrgBatch) -> None:
        self.stdout.write(f"org import {batch.pk} {batch.file_name}: {batch.get_status_display()} — {batch.message}")
        for kind, c in batch.counts.items():
            self.stdout.write(
                f"  {kind:<12} rows {c['rows']:>5}  added {c['added']:>5}  changed {c['changed']:>5}  "
                f"unchanged {c['unchanged']:>5}  rejected {c['rejected']:>4}"
                + (f"  missing {c['missing']}" if c.get("missing") else "")
            )
        for kind, diff in batch.differences.items():
            if kind == "missing":
                continue
            for change in diff.get("changed", [])[:20]:
                fields = ", ".join(f"{f}: {old!r} → {new!r}" for f, (old, new) in change["fields"].items())
                self.stdout.write(f"  ~ {kind} {change['key']} {change['name']}: {fields}")
        for person in batch.missing_people[:50]:
            self.stdout.write(f"  ? missing {person['key']} {person['name']} ({person['station']})")
        if batch.missing_people and batch.status == OrgBatchStatus.STORED:
            self.stdout.write(f"  confirm the departures with: python manage.py confirm_org_departures {batch.pk}")
        for error in batch.errors[:30]:
            sheet = f" › {error['sheet']}" if error["sheet"] else ""
            self.stdout.write(
                f"  {error['file']}{sheet} row {error['row']}, column {error['column']!r}, "
                f"value {error['value']!r}: {error['message']}"
            )
        if batch.rejected_file:
            self.stdout.write(f"  every error with its reason: {batch.rejected_file.path}")
