"""Backing up and restoring the database: pg_dump/pg_restore on PostgreSQL, SQLite's online backup API
on the embedded database. Used by the `backup` and `restore` commands; see docs/security.md."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection

from config.env import parse_database_url


class BackupError(Exception):
    """The backup or restore could not be done; the message says why."""


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", settings_dict["HOST"] or "127.0.0.1", "--username", settings_dict["USER"] or "postgres"]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]  # never on the command line, where `ps` shows it
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools of the server's version")
    return path


def database_backup(*, output: Path) -> str:
    """Write a consistent backup of the configured database to `output`. Returns the method used."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        args, env = _pg_args(settings_dict)
        # Custom format: compressed, and pg_restore can restore it selectively and in parallel.
        command = [_tool("pg_dump"), *args, "--format", "custom", "--no-owner", "--no-privileges",
                   "--file", str(output), settings_dict["NAME"]]  # fmt: skip
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return "pg_dump"
    connection.ensure_connection()
    # The online backup API copies a consistent snapshot while the application keeps writing.
    with sqlite3.connect(output) as target:
        connection.connection.backup(target)
    return "sqlite backup"


def database_restore(*, source: Path, database_url: str | None = None, sqlite_path: Path | None = None) -> str:
    """Restore `source` into an EMPTY database: the one named by `database_url` (PostgreSQL) or the file
    `sqlite_path`. Refuses a target that already has tables, so a restore never mixes two databases."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if database_url:
        target = parse_database_url("--database-url", database_url).as_django()
        args, env = _pg_args(target)
        probe = subprocess.run(  # noqa: S603
            [_tool("psql"), *args, "--tuples-only", "--no-align", "--dbname", str(target["NAME"]), "--command",
             "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if probe.returncode != 0:
            raise BackupError(f"cannot reach the target database: {probe.stderr.strip()}")
        if probe.stdout.strip() != "0":
            raise BackupError(f"the target database {target['NAME']} is not empty; restore into a new database")
        result = subprocess.run(  # noqa: S603
            [_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
             "--dbname", str(target["NAME"]), str(source)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")
        return "pg_restore"
    if sqlite_path is None:
        raise BackupError("name the target: --database-url for PostgreSQL or --sqlite-path for SQLite")
    if sqlite_path.exists() and sqlite_path.stat().st_size > 0:
        raise BackupError(f"{sqlite_path} exists; restore into a new file, then move it into place")
    with sqlite3.connect(source) as backup, sqlite3.connect(sqlite_path) as restored:
        if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{source} is not an intact SQLite database")
        backup.backup(restored)
    return "sqlite backup"
