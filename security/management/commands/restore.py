"""python manage.py restore --input FILE (--database-url postgres://.../new_db | --sqlite-path NEW.sqlite3)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from security.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into a new, empty database. Point DATABASE_URL (or the SQLite "
        "file) at it afterwards; the running database is never overwritten in place."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", type=Path, required=True, help="the backup file")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--database-url", help="an empty PostgreSQL database, postgres://user@host/name")
        target.add_argument("--sqlite-path", type=Path, help="a new SQLite file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            method = database_restore(
                source=options["input"], database_url=options["database_url"], sqlite_path=options["sqlite_path"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored {options['input']} ({method})")
