"""python manage.py backup --output var/backups/jingli-YYYYmmdd.dump"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audit.services import audit_record
from security.backup import BackupError, database_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format on PostgreSQL, an SQLite copy on the embedded default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="file to write (default: var/backups/jingli-<time>.dump)")

    def handle(self, *args: Any, output: Path | None = None, **options: Any) -> None:
        from django.conf import settings

        output = output or Path(settings.VAR_DIR) / "backups" / f"jingli-{timezone.now():%Y%m%d-%H%M%S}.dump"
        try:
            method = database_backup(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        audit_record(action="backup.create", detail=f"{method} to {output} ({output.stat().st_size} bytes)")
        self.stdout.write(f"backup written to {output} ({output.stat().st_size} bytes, {method})")
