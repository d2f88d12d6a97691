"""A backup restored into an empty database holds the same data."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AuditEvent
from personnel.models import Assignment, Person
from stations.models import Station
from tests import factories
from workload.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump sees committed data only


@pytest.fixture
def data() -> dict[str, object]:
    station = factories.station(code="BK-01", name="备份派出所")
    for _n in range(5):
        factories.place(factories.person(), station)
    factories.incidents(station, 40)
    factories.planner()
    return {
        "stations": sorted(Station.objects.values_list("code", "name")),
        "people": sorted(Person.objects.values_list("number", "name", "birth_date")),
        "assignments": Assignment.objects.count(),
        "incidents": sorted(Incident.objects.values_list("external_id", "handling_minutes")),
        "audit": AuditEvent.objects.count(),
    }


def _read(cursor) -> dict[str, object]:  # type: ignore[no-untyped-def]
    def rows(sql: str) -> list[tuple[object, ...]]:
        cursor.execute(sql)
        return sorted(tuple(r) for r in cursor.fetchall())

    return {
        "stations": rows("SELECT code, name FROM stations_station"),
        "people": rows("SELECT number, name, birth_date FROM personnel_person"),
        "assignments": rows("SELECT count(*) FROM personnel_assignment")[0][0],
        "incidents": rows("SELECT external_id, handling_minutes FROM workload_incident"),
        "audit": rows("SELECT count(*) FROM audit_auditevent")[0][0],
    }


@pytest.mark.postgres
def test_a_postgresql_backup_restores_into_an_empty_database(data: dict[str, object], tmp_path: Path) -> None:
    dump = tmp_path / "jingli.dump"
    call_command("backup", "--output", str(dump), stdout=io.StringIO())
    assert dump.stat().st_size > 0
    target = f"{connection.settings_dict['NAME']}_restored"
    admin = psycopg2.connect(
        host=connection.settings_dict["HOST"], port=connection.settings_dict["PORT"] or 5432,
        user=connection.settings_dict["USER"], dbname="postgres",
    )  # fmt: skip
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    settings_dict = connection.settings_dict
    url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}/{target}"
    try:
        call_command("restore", "--input", str(dump), "--database-url", url, stdout=io.StringIO())
        restored = psycopg2.connect(host=settings_dict["HOST"], port=settings_dict["PORT"] or 5432,
                                    user=settings_dict["USER"], dbname=target)  # fmt: skip
        with restored, restored.cursor() as cursor:
            found = _read(cursor)
            # The append-only guard is restored with the data: the trail stays tamper-evident.
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass")
            assert cursor.fetchone()[0] >= 1
        restored.close()
        assert found["audit"] >= data["audit"]  # plus the record of the backup itself
        assert {**found, "audit": 0} == {**data, "audit": 0}
        # A second restore into the now non-empty database is refused, and changes nothing.
        with pytest.raises(CommandError, match="not empty"):
            call_command("restore", "--input", str(dump), "--database-url", url, stdout=io.StringIO())
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.close()


def test_an_sqlite_backup_restores_into_a_new_file(data: dict[str, object], tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the embedded database path; PostgreSQL has its own test")
    backup, restored = tmp_path / "jingli.sqlite3.bak", tmp_path / "restored.sqlite3"
    call_command("backup", "--output", str(backup), stdout=io.StringIO())
    call_command("restore", "--input", str(backup), "--sqlite-path", str(restored), stdout=io.StringIO())
    with sqlite3.connect(restored) as database:
        found = _read(database.cursor())
    # SQLite keeps dates as text.
    found["people"] = [(n, name, dt.date.fromisoformat(b)) for n, name, b in found["people"]]  # type: ignore[attr-defined]
    assert found["audit"] >= data["audit"]
    assert {**found, "audit": 0} == {**data, "audit": 0}
    with pytest.raises(CommandError, match="exists"):
        call_command("restore", "--input", str(backup), "--sqlite-path", str(restored), stdout=io.StringIO())
