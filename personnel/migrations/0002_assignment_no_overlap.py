"""No person may hold two assignments over the same days.

PostgreSQL enforces it with an exclusion constraint over the half-open date range [start, end);
SQLite, the embedded default, has no exclusion constraints, so a trigger refuses the same rows there.
"""

from django.db import migrations

PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE personnel_assignment ADD CONSTRAINT assignment_no_overlap
    EXCLUDE USING gist (person_id WITH =, daterange(start_date, end_date, '[)') WITH &&)
    """,
]
PG_BACKWARD = ["ALTER TABLE personnel_assignment DROP CONSTRAINT assignment_no_overlap"]

# A NULL end date means "open": compare it as the last representable day.
_SQLITE_OVERLAP = """
    SELECT RAISE(ABORT, 'assignment_no_overlap: the person already has an assignment over these dates')
    WHERE EXISTS (
        SELECT 1 FROM personnel_assignment AS other
        WHERE other.person_id = NEW.person_id
          AND other.id IS NOT NEW.id
          AND other.start_date < COALESCE(NEW.end_date, '9999-12-31')
          AND NEW.start_date < COALESCE(other.end_date, '9999-12-31')
    );
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER assignment_no_overlap_insert BEFORE INSERT ON personnel_assignment BEGIN {_SQLITE_OVERLAP} END",
    "CREATE TRIGGER assignment_no_overlap_update BEFORE UPDATE OF person_id, start_date, end_date "
    f"ON personnel_assignment BEGIN {_SQLITE_OVERLAP} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS assignment_no_overlap_insert",
    "DROP TRIGGER IF EXISTS assignment_no_overlap_update",
]


def _run(statements_by_vendor: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("personnel", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
