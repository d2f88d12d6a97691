"""Import an incident export (CSV or XLSX) through a column mapping."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workload.importer import ImportRefused, batch_check, batch_create, batch_summary
from workload.mapping import MappingError
from workload.models import BatchMode, BatchStatus, ImportBatch


class Command(BaseCommand):
    help = (
        "Import incidents from FILE through a mapping (a .toml file, a saved mapping or a shipped one: "
        "jingli, sandiego, seattle, dallas). Exits 1 when nothing was stored because of errors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True, help="Mapping name or path to a .toml file.")
        parser.add_argument(
            "--store-valid",
            action="store_true",
            help="Store the valid rows even if others are wrong (default: store nothing if any row is wrong).",
        )
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        mode = BatchMode.VALID_ROWS if options["store_valid"] else BatchMode.ALL_OR_NOTHING
        try:
            with path.open("rb") as upload:
                batch = batch_create(upload=upload, file_name=path.name, mapping_name=options["mapping"], mode=mode)
        except MappingError as exc:
            raise CommandError("mapping: " + "; ".join(exc.problems)) from None
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None

        def report(progress: ImportBatch) -> None:
            if not options["json"] and sys.stderr.isatty():
                sys.stderr.write(f"\r{progress.progress:3d}% {progress.message}")

        batch_check(batch.pk, on_progress=report)
        batch.refresh_from_db()
        summary = batch_summary(batch)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, default=str))
        else:
            self._print(batch, summary)
        nothing_for_errors = batch.rows_stored == 0 and batch.rows_rejected > 0 and batch.rows_duplicate == 0
        if batch.status != BatchStatus.STORED or nothing_for_errors:
            sys.exit(1)

    def _print(self, batch: ImportBatch, summary: dict[str, Any]) -> None:
        self.stdout.write(
            f"batch {batch.pk} {batch.file_name}: {batch.get_status_display()} — {batch.message}\n"
            f"  read {summary['rows_read']}, stored {summary['stored']}, already stored {summary['duplicates']}, "
            f"rejected {summary['rejected']}, outliers {summary['outliers']}"
        )
        for reason, count in sorted(summary["errors_by_reason"].items()):
            self.stdout.write(f"  {count:>7} × {reason}")
        for error in summary["errors"][:20]:
            self.stdout.write(
                f"  row {error['row']}, column {error['column']!r}, value {error['value']!r}: {error['message']}"
            )
        if batch.rejected_file:
            self.stdout.write(f"  rejected rows with reasons: {batch.rejected_file.path}")
